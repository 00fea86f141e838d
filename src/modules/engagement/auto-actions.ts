import { sql } from 'kysely';
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
 * detecting it again records nothing. Outbox ids are identities that commit out of order, so a
 * plain "id > last" cursor could pass an event that commits late: the cursor only moves past
 * events older than MARGIN_MS (none commits that late: each writer's transaction is short), and
 * newer events handled already are remembered in engagement_outbox_seen until it does.
 */
export const MARGIN_MS = 10 * 60_000;
const TYPES = ['customer.created', 'customer.updated', 'customer.merged'];
const BATCH = 1000;
const CURSOR = 'detect-customer-actions';

type OutboxRow = { id: number; type: string; customerId: string | null; occurredAt: Date; payload: Record<string, unknown> };

export async function detectCustomerActions(deps: EngagementDeps, signal?: AbortSignal): Promise<{ events: number; recorded: number }> {
  const { db, clock } = deps;
  const report = { events: 0, recorded: 0 };
  const state = await db.selectFrom('engagementJobState').select('position').where('name', '=', CURSOR).executeTakeFirst();
  const cursor = Number(state?.position ?? 0);
  // Stopped (the server stopping): a batch handled whole is marked seen; one left half-way is not,
  // and the next run handles it again, recording only what is still missing.
  while (!signal?.aborted) {
    const rows = (
      await sql<OutboxRow>`
        select o.id, o.type, o.customer_id, o.occurred_at, o.payload from outbox_events o
        where o.id > ${cursor} and o.type = any(${TYPES}::text[])
          and not exists (select 1 from engagement_outbox_seen s where s.outbox_id = o.id)
        order by o.id limit ${BATCH}`.execute(db)
    ).rows;
    if (rows.length === 0) break;
    report.events += rows.length;
    const handled = await handle(deps, rows, signal);
    report.recorded += handled.recorded;
    if (!handled.finished) break; // not marked seen: the next run handles the rest of the batch
    await db
      .insertInto('engagementOutboxSeen')
      .values(rows.map((row) => ({ outboxId: Number(row.id), seenAt: clock.now() })))
      .onConflict((oc) => oc.column('outboxId').doNothing())
      .execute();
  }
  await advanceCursor(deps, cursor);
  return report;
}

/**
 * Moves the cursor to the last settled event (older than the margin, of any type, so a quiet
 * spell of customer events does not leave the next run reading everything since) that no
 * unhandled or unsettled customer event precedes; forgets the handled ids it passed.
 */
async function advanceCursor({ db, clock }: EngagementDeps, cursor: number): Promise<void> {
  const settled = new Date(clock.now().getTime() - MARGIN_MS);
  const next = await sql<{ id: string | null }>`
    select max(o.id) as id from outbox_events o
    where o.id > ${cursor} and o.occurred_at < ${settled}
      and o.id < coalesce((
        select min(p.id) from outbox_events p
        where p.id > ${cursor} and p.type = any(${TYPES}::text[])
          and (p.occurred_at >= ${settled} or not exists (select 1 from engagement_outbox_seen s where s.outbox_id = p.id))
      ), 9223372036854775807)`.execute(db);
  const id = next.rows[0]?.id;
  if (id === null || id === undefined) return;
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('engagementJobState')
      .values({ name: CURSOR, position: String(id), day: null, updatedAt: clock.now() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position: String(id), updatedAt: clock.now() }))
      .execute();
    await tx.deleteFrom('engagementOutboxSeen').where('outboxId', '<=', Number(id)).execute();
  });
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
