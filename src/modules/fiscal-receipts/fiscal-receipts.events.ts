import { defineEvents } from '../../platform/outbox.ts';

/**
 * `fiscal_receipt.verified` when a receipt earned (with its points), `fiscal_receipt.rejected`
 * when the service refused it or it held none of the brand's products (with the reason).
 */
export const fiscalReceiptEvents = defineEvents(['fiscal_receipt.verified', 'fiscal_receipt.rejected'] as const);
export const emitEvents = fiscalReceiptEvents.emit;
