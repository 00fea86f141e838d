import { defineModule } from '../../platform/registry.ts';
import type { Segments } from './index.ts';
import { ownTx } from './segments.db.ts';
import { segmentErrors } from './segments.errors.ts';
import { segmentEvents } from './segments.events.ts';
import { segmentIds } from './segments.ids.ts';

/** What the segments module registers with the platform when buildApp wires it. */
export const segmentsModule = defineModule({
  name: 'segments',
  events: segmentEvents.types,
  idPrefixes: segmentIds.prefixes,
  errors: segmentErrors.table,
  ownTx,
  jobs: (segments: Segments) => [
    // Every few seconds: one indexed read of the outbox above the cursor when nothing happened.
    { name: 'update-segment-membership', cadence: 'live', readsOutbox: true, run: (signal, woken) => segments.updateLive(signal, woken) },
    // Conditions on time alone (no purchase for 30 days) move with no event: a recompute a day catches them.
    { name: 'recompute-segments', cadence: 'daily', run: () => segments.recomputeAll() },
    // Scores move with time alone (recency): RFM is scored again every night over the last run's window.
    { name: 'compute-rfm', cadence: 'daily', run: async () => ({ started: (await segments.rfm.start({}, null)).status === 'running' ? 1 : 0 }) },
  ],
});
