import { defineModule } from '../../platform/registry.ts';
import type { Messaging } from './index.ts';
import { templateErrors } from './templates/index.ts';
import { ownTx } from './messaging.db.ts';
import { messagingErrors } from './messaging.errors.ts';
import { messagingEvents } from './messaging.events.ts';
import { messagingIds } from './messaging.ids.ts';
import { messagingSegmentFields } from './segment-fields.ts';

/** What the messaging module registers with the platform when buildApp wires it. */
export const messagingModule = defineModule({
  name: 'messaging',
  events: messagingEvents.types,
  idPrefixes: messagingIds.prefixes,
  errors: { ...messagingErrors.table, ...templateErrors.table },
  ownTx,
  segmentFields: () => messagingSegmentFields,
  // Live: a queued message, an event for a webhook, a delivery due are what people wait for.
  jobs: (messaging: Messaging) => [
    { name: 'run-campaigns', cadence: 'live', run: (signal) => messaging.runCampaigns(signal) },
    // Under the job's lease: the one sender, so messages a stopped sender left half-claimed are its to send.
    { name: 'send-messages', cadence: 'live', run: (signal) => messaging.sendDue(signal, { takeOver: true }) },
    // Those just entered are walked at once rather than at the walking job's next tick (up to a
    // tick later: 5 s by default, as long as 10,000 entries take to walk): each batch entered wakes
    // the walking job (journey-engine.ts's `entered`), which walks it while the next batch enters,
    // and what is left is walked here at the end (where no loop is woken: the CLI's run now). Two
    // walkers may run at once, this one and the job's (or another instance's): each claims its
    // entries with SKIP LOCKED.
    {
      name: 'enter-journeys',
      cadence: 'live',
      readsOutbox: true,
      run: async (signal, woken) => {
        const entering = await messaging.enterJourneys(signal, woken);
        return entering.entered > 0 ? { ...entering, ...(await messaging.advanceJourneys(signal)) } : entering;
      },
    },
    { name: 'advance-journeys', cadence: 'live', run: (signal) => messaging.advanceJourneys(signal) },
    { name: 'scan-lapsed-customers', cadence: 'frequent', run: () => messaging.scanLapsed() },
    { name: 'redraw-global-control', cadence: 'daily', run: () => messaging.globalControl.redrawIfDue() },
    { name: 'collect-webhook-events', cadence: 'live', readsOutbox: true, run: (signal, woken) => messaging.webhooks.collect(signal, woken) },
    { name: 'deliver-webhooks', cadence: 'live', run: (signal) => messaging.webhooks.deliver(signal) },
    // Scheduled reports and alerts to the e-mail addresses on them (staff-mail.ts).
    { name: 'queue-staff-mail', cadence: 'live', readsOutbox: true, run: (signal, woken) => messaging.staffMail.collect(signal, woken) },
  ],
});
