import { defineErrors } from '../../platform/errors.ts';

export const analyticsErrors = defineErrors({
  'analytics.invalid_period': { status: 400, title: 'The report period is not valid' },
  'analytics.invalid_query': { status: 400, title: 'The report query is not valid' },
  'analytics.alert_rule_not_found': { status: 404, title: 'Alert rule not found' },
  'analytics.alert_not_found': { status: 404, title: 'Alert not found' },
  'analytics.report_not_found': { status: 404, title: 'Scheduled report not found' },
  'analytics.report_run_not_found': { status: 404, title: 'Report run not found' },
  'analytics.report_failed': { status: 409, title: 'The report run failed' },
  'analytics.invalid_report': { status: 400, title: 'The scheduled report is not valid' },
  'analytics.invalid_recipients': { status: 400, title: 'An e-mail recipient is not an address' },
  'analytics.invalid_alert_rule': { status: 400, title: 'The alert rule is not valid' },
});
export const analyticsError = analyticsErrors.error;
