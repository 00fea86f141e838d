import { defineErrors } from '../../platform/errors.ts';

export const clvErrors = defineErrors({
  'clv.run_not_found': { status: 404, title: 'CLV fit not found' },
  'clv.no_fit': { status: 404, title: 'No CLV fit has completed yet' },
  'clv.invalid': { status: 400, title: 'The CLV settings are not valid' },
  'clv.too_few_customers': { status: 409, title: 'Too few repeat customers to fit the CLV models' },
});
export const clvError = clvErrors.error;
