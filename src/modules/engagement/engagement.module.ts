import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './engagement.db.ts';
import { engagementErrors } from './engagement.errors.ts';
import { engagementEvents } from './engagement.events.ts';
import { engagementIds } from './engagement.ids.ts';
import type { Engagement } from './index.ts';
import { engagementSegmentFields } from './segment-fields.ts';

/** What the engagement module registers with the platform when buildApp wires it. */
export const engagementModule = defineModule({
  name: 'engagement',
  events: engagementEvents.types,
  idPrefixes: engagementIds.prefixes,
  errors: engagementErrors.table,
  ownTx,
  segmentFields: () => engagementSegmentFields,
  jobs: (engagement: Engagement) => [
    // Cheap when nothing is new: one indexed read of the outbox above the cursor.
    { name: 'detect-customer-actions', cadence: 'frequent', run: (signal) => engagement.runJob('detect-customer-actions', signal) },
    { name: 'issue-birthday-offers', cadence: 'daily', run: (signal) => engagement.runJob('issue-birthday-offers', signal) },
  ],
});
