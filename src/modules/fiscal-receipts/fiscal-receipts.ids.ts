import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Fiscal receipts submitted by customers (`frc_…`). */
export const fiscalReceiptIds = defineIdPrefixes(['frc'] as const);
export type FiscalReceiptIdPrefix = (typeof fiscalReceiptIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<FiscalReceiptIdPrefix>;
