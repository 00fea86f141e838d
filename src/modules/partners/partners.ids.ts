import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Partners (`prt_…`). */
export const partnerIds = defineIdPrefixes(['prt'] as const);
export type PartnerIdPrefix = (typeof partnerIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<PartnerIdPrefix>;
