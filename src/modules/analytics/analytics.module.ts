import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './analytics.db.ts';
import { analyticsErrors } from './analytics.errors.ts';
import { analyticsEvents } from './analytics.events.ts';
import { analyticsIds } from './analytics.ids.ts';
import type { Analytics } from './index.ts';

/** What the analytics module registers with the platform: its ids, errors, the daily alert check and the scheduled reports. */
export const analyticsModule = defineModule({
  name: 'analytics',
  events: analyticsEvents.types,
  idPrefixes: analyticsIds.prefixes,
  errors: analyticsErrors.table,
  ownTx,
  jobs: (analytics: Analytics) => [
    { name: 'check-alerts', cadence: 'frequent', run: (signal) => analytics.alerts.checkDue(signal) },
    { name: 'run-scheduled-reports', cadence: 'frequent', run: (signal) => analytics.scheduled.runDue(signal) },
  ],
});
