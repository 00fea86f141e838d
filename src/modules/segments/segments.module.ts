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
    // Every few seconds: one indexed read of the outbox above the cursor when nothing happened. Not
    // woken by new events as journeys and webhooks are: a run re-evaluates every segment (a
    // transaction each) for the customers named, so under a till's load runs ten times a second
    // would cost more than the 60 s the goal allows is worth; at its tick a run takes them in one batch.
    { name: 'update-segment-membership', cadence: 'live', run: (signal, woken) => segments.updateLive(signal, woken) },
    // Conditions on time alone (no purchase for 30 days) move with no event: a recompute a day catches them.
    { name: 'recompute-segments', cadence: 'daily', run: () => segments.recomputeAll() },
    // Scores move with time alone (recency): RFM is scored again every night over the last run's window.
    { name: 'compute-rfm', cadence: 'daily', run: async () => ({ started: (await segments.rfm.start({}, null)).status === 'running' ? 1 : 0 }) },
  ],
});
