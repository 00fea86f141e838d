import { defineErrors } from '../../platform/errors.ts';

export const recommendationErrors = defineErrors({
  'recommendation.run_not_found': { status: 404, title: 'Recommendation run not found' },
  'recommendation.invalid': { status: 400, title: 'The recommendation request is not valid' },
});
export const recommendationError = recommendationErrors.error;
