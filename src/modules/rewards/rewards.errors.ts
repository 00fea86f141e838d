import { defineErrors } from '../../platform/errors.ts';

export const rewardErrors = defineErrors({
  'reward.not_found': { status: 404, title: 'Reward not found' },
  'reward.invalid': { status: 400, title: 'The reward is not valid' },
  'reward.version_conflict': { status: 409, title: 'The reward was changed since it was read' },
  'reward.in_use': { status: 409, title: 'The reward has orders and cannot be deleted' },
  'reward.unavailable': { status: 409, title: 'The reward cannot be ordered now' },
  'reward.out_of_stock': { status: 409, title: 'The reward is out of stock' },
  'reward.limit_reached': { status: 409, title: 'The customer has ordered this reward as often as allowed' },
  'reward.vouchers_invalid': { status: 400, title: 'The vouchers are not valid' },
  'reward_order.not_found': { status: 404, title: 'Reward order not found' },
  'reward_order.idempotency_conflict': { status: 409, title: 'This idempotency key was used for another reward' },
  'reward_order.redeemed': { status: 409, title: 'The reward was already used' },
  'reward_order.cancelled': { status: 409, title: 'The reward order was cancelled' },
  'reward_order.expired': { status: 409, title: 'The reward code has expired' },
  'reward_code.not_found': { status: 404, title: 'Reward code not found' },
});
export const rewardError = rewardErrors.error;
