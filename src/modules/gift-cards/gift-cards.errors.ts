import { defineErrors } from '../../platform/errors.ts';

export const giftCardErrors = defineErrors({
  'gift_card.not_found': { status: 404, title: 'Gift card not found' },
  'gift_card.invalid': { status: 400, title: 'The gift card request is not valid' },
  'gift_card.taken': { status: 409, title: 'A gift card with this code exists already' },
  'gift_card.wrong_status': { status: 409, title: 'The gift card is not in a state that allows this' },
  'gift_card.expired': { status: 409, title: 'The gift card has expired' },
  'gift_card.insufficient_balance': { status: 409, title: 'The gift card balance is too low' },
  'gift_card.idempotency_conflict': { status: 409, title: 'The Idempotency-Key was used for a different request' },
  'gift_card.duplicate_in_receipt': { status: 400, title: 'The same gift card is named twice in one receipt' },
  'gift_card.payment_refused': { status: 409, title: 'A gift card of this receipt cannot pay what was asked' },
  'gift_card_batch.not_found': { status: 404, title: 'Gift-card batch not found' },
  'gift_card_batch.invalid': { status: 400, title: 'The gift-card batch is not valid' },
  'gift_card_batch.not_ready': { status: 409, title: 'The gift-card batch is still being generated' },
});
export const giftCardError = giftCardErrors.error;
