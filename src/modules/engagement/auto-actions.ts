import { consumeOutbox, type OutboxRow } from '../../platform/outbox-consumer.ts';
import type { CustomerRecord } from '../customers/index.ts';
import { recordOwnEvents, type EngagementDeps, type OwnEvent } from './customer-events.ts';

/**
 * Patron's own actions, detected from the customers module's events in the outbox:
 * `customer.joined` (a `customer.created`), `profile.completed` (first name, last name, birth
 * date and e-mail all filled) and `consent.marketing_given` (the first marketing opt-in ever, on
 * any channel), checked on every `customer.created`, `customer.updated` and `customer.merged`.
 *
 * Why the outbox and not a lifecycle hook in the customers module: customers change in four
 * places (the API's create and update, consents, the CSV import's set-based batches), and all of
 * them already write these events in their own transaction; a hook would have to be called from
 * each, and the import's batches would award points inside a batch of thousands of rows. The
 * outbox needs no change there and catches every path, imports included.
 *
 * Ids: each action's eventId is deterministic (`auto:customer.joined:<customerId>`), so
 * detecting it again records nothing (the platform's outbox consumer may give an event twice).
 */
const CONSUMER = 'detect-customer-actions';

export async function detectCustomerActions(deps: EngagementDeps, signal?: AbortSignal): Promise<{ events: number; recorded: number }> {
  let recorded = 0;
  const { events } = await consumeOutbox(
    deps.db,
    deps.clock,
    {
      name: CONSUMER,
      types: ['customer.created', 'customer.updated', 'customer.merged'],
      batch: 1000,
      async handle(rows) {
        const handled = await handle(deps, rows, signal);
        recorded += handled.recorded;
        return handled.finished;
      },
    },
    signal,
  );
  return { events, recorded };
}

/** Detects the actions a batch of customer events may have completed and records those not recorded yet. */
async function handle(deps: EngagementDeps, rows: OutboxRow[], signal?: AbortSignal): Promise<{ recorded: number; finished: boolean }> {
  const byCustomer = new Map<string, { joined: OutboxRow | null; last: OutboxRow }>();
  for (const row of rows) {
    const id = typeof row.payload.customerId === 'string' ? row.payload.customerId : row.customerId;
    if (!id) continue;
    const seen = byCustomer.get(id);
    byCustomer.set(id, { joined: row.type === 'customer.created' ? row : (seen?.joined ?? null), last: row });
  }
  // The batch's customers as they are now (a merged one's survivor), and their first opt-ins: two queries however many.
  const records = await deps.customers.currentRecords([...byCustomer.keys()]);
  const optIns = await deps.customers.firstGrants([...new Set([...records.values()].map((record) => record.id))], 'marketing');
  const candidates: OwnEvent[] = [];
  for (const [id, { joined, last }] of byCustomer) {
    const record = records.get(id);
    if (!record) continue;
    const base = { customerId: record.id, timezone: record.timezone };
    if (joined) {
      const source = typeof joined.payload.source === 'string' ? { source: joined.payload.source } : {};
      candidates.push({ ...base, eventId: `auto:customer.joined:${id}`, type: 'customer.joined', occurredAt: new Date(joined.occurredAt), properties: source });
    }
    if (profileComplete(record)) {
      candidates.push({ ...base, eventId: `auto:profile.completed:${record.id}`, type: 'profile.completed', occurredAt: new Date(last.occurredAt), properties: {} });
    }
    const firstOptIn = optIns.get(record.id);
    if (firstOptIn) {
      candidates.push({ ...base, eventId: `auto:consent.marketing_given:${record.id}`, type: 'consent.marketing_given', occurredAt: new Date(firstOptIn.at), properties: { channel: firstOptIn.channel } });
    }
  }
  return recordOwnEvents(deps, candidates, signal);
}

/** The profile counts as complete with a first and last name, a birth date and an e-mail address. */
export function profileComplete(record: Pick<CustomerRecord, 'firstName' | 'lastName' | 'birthDate' | 'email'>): boolean {
  return Boolean(record.firstName && record.lastName && record.birthDate && record.email);
}
