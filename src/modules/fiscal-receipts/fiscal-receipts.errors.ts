import { defineErrors } from '../../platform/errors.ts';

export const fiscalReceiptErrors = defineErrors({
  'fiscal_receipt.not_found': { status: 404, title: 'Fiscal receipt not found' },
  'fiscal_receipt.invalid_qr': { status: 400, title: "The QR code is not a fiscal receipt's, or not one that earns" },
  'fiscal_receipt.out_of_window': { status: 422, title: 'The receipt is dated in the future or too long ago' },
  'fiscal_receipt.duplicate': { status: 409, title: 'This fiscal receipt was already submitted' },
  'fiscal_receipt.not_enabled': { status: 409, title: 'The program takes no fiscal receipts' },
  'fiscal_receipt.settings_invalid': { status: 400, title: 'The fiscal-receipt settings are not valid' },
  'fiscal_receipt.version_conflict': { status: 409, title: 'The settings were changed since they were read' },
});
export const fiscalReceiptError = fiscalReceiptErrors.error;
