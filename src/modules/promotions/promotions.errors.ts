import { defineErrors } from '../../platform/errors.ts';

export const promotionErrors = defineErrors({
  'promotion.not_found': { status: 404, title: 'Promotion not found' },
  'promotion.invalid': { status: 400, title: 'The promotion is not valid' },
  'promotion.version_conflict': { status: 409, title: 'The promotion was changed since it was read' },
  'promotion.in_use': { status: 409, title: 'The promotion has a history and cannot be deleted' },
  'promotion.unavailable': { status: 409, title: 'A promotion of this receipt is used up' },
  'promo_code.not_found': { status: 404, title: 'Promo code not found' },
  'promo_code.invalid': { status: 400, title: 'The promo code is not valid' },
  'promo_code.taken': { status: 409, title: 'The promo code exists already' },
  'promo_code.used_up': { status: 409, title: 'A promo code of this receipt is used up' },
  'promo_code_batch.not_found': { status: 404, title: 'Promo-code batch not found' },
  'promo_code_batch.invalid': { status: 400, title: 'The promo-code batch is not valid' },
  'promo_code_batch.not_ready': { status: 409, title: 'The promo-code batch is still being generated' },
});
export const promotionError = promotionErrors.error;
