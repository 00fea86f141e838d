import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './feedback.db.ts';
import { feedbackErrors } from './feedback.errors.ts';
import { feedbackEvents } from './feedback.events.ts';
import { feedbackIds } from './feedback.ids.ts';
import type { Feedback } from './index.ts';

/** What the feedback module registers with the platform when buildApp wires it. */
export const feedbackModule = defineModule({
  name: 'feedback',
  events: feedbackEvents.types,
  idPrefixes: feedbackIds.prefixes,
  errors: feedbackErrors.table,
  ownTx,
  jobs: (feedback: Feedback) => [
    // Live: a detractor's answer is what support should see within seconds.
    { name: 'open-survey-tickets', cadence: 'live', run: (signal, woken) => feedback.openSurveyTickets(signal, woken) },
  ],
});
