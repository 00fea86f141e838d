import { defineErrors } from '../../platform/errors.ts';

export const clusterErrors = defineErrors({
  'cluster.run_not_found': { status: 404, title: 'Clustering run not found' },
  'cluster.no_run': { status: 404, title: 'No clustering run has completed yet' },
  'cluster.invalid': { status: 400, title: 'The clustering settings are not valid' },
  'cluster.too_few_customers': { status: 409, title: 'Too few customers to cluster' },
});
export const clusterError = clusterErrors.error;
