import { defineErrors } from '../../platform/errors.ts';

export const loyaltyErrors = defineErrors({
  'checkout.invalid_line': { status: 400, title: 'A receipt line is not valid' },
  'checkout.unknown_store': { status: 404, title: 'No such store' },
  'checkout.store_inactive': { status: 409, title: 'The store is closed' },
  'checkout.insufficient_points': { status: 409, title: 'Not enough points for the asked redemption' },
  'checkout.redemption_needs_customer': { status: 400, title: 'Points can only be redeemed for an identified customer' },
  'checkout.occurred_in_future': { status: 400, title: 'The purchase time is in the future' },
  'checkout.receipt_conflict': { status: 409, title: 'This POS receipt id was confirmed with a different body' },
  'receipt.not_found': { status: 404, title: 'Receipt not found' },
  'receipt.cancelled': { status: 409, title: 'The receipt was cancelled' },
  'refund.exceeds_purchase': { status: 409, title: 'More would be returned than was bought' },
  'refund.unknown_line': { status: 400, title: 'The receipt has no such line' },
  'refund.conflict': { status: 409, title: 'This refund id was used with a different body' },
  'points.insufficient': { status: 409, title: 'Not enough points' },
  'points.adjustment_conflict': { status: 409, title: 'This idempotency key was used with a different body' },
  'points.nothing_to_return': { status: 409, title: 'Those points were not spent, or were already returned' },
  'config.invalid': { status: 400, title: 'The configuration is not valid' },
  'config.version_conflict': { status: 409, title: 'Another version was saved since the one you read' },
  'rule.not_found': { status: 404, title: 'Earning rule not found' },
  'tier.not_found': { status: 404, title: 'Tier not found' },
  'store.not_found': { status: 404, title: 'Store not found' },
  'store.invalid': { status: 400, title: 'The store is not valid' },
  'catalog.invalid_csv': { status: 400, title: 'The catalog file is not usable' },
});
export const loyaltyError = loyaltyErrors.error;

/** How far ahead of the server's clock a purchase time may be: till clocks drift a little. */
export const OCCURRED_AT_SKEW_MINUTES = 10;
export const OCCURRED_IN_FUTURE_REASON = `is in the future: it may be at most ${OCCURRED_AT_SKEW_MINUTES} minutes ahead of the server's clock`;
