import { defineErrors } from '../../platform/errors.ts';

export const whatIfErrors = defineErrors({
  'what_if.invalid': { status: 400, title: 'The what-if is not valid' },
  'what_if.run_not_found': { status: 404, title: 'What-if run not found' },
  'what_if.not_completed': { status: 409, title: 'The what-if run has not completed' },
  'what_if.busy': { status: 409, title: 'Too many what-if runs are running' },
});
export const whatIfError = whatIfErrors.error;
