import { defineErrors } from '../../platform/errors.ts';

export const lotteryErrors = defineErrors({
  'lottery.not_found': { status: 404, title: 'Lottery not found' },
  'lottery.invalid': { status: 400, title: 'The lottery is not valid' },
  'lottery.version_conflict': { status: 409, title: 'The lottery was changed since it was read' },
  'lottery.locked': { status: 409, title: 'This part of the lottery can no longer change' },
  'lottery.not_ended': { status: 409, title: 'The entry period has not ended yet' },
  'lottery.cancelled': { status: 409, title: 'The lottery was cancelled' },
});
export const lotteryError = lotteryErrors.error;
