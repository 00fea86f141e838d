import { sql } from 'kysely';
import type { Clock } from './clock.ts';
import { platformDb, type AnyDb, type PlatformDb } from './db-views.ts';
import type { PlatformTables } from './platform.tables.ts';

/**
 * Reads the outbox for one consumer (engagement's action detection, segments' live membership),
 * a batch at a time, each event handled at least once and, in the normal course, once.
 *
 * Outbox ids are identities, and identities commit out of order: a plain "id > last" cursor
 * could pass an event whose transaction commits late. So the cursor (outbox_cursors) only moves
 * past events older than `MARGIN_MS` (no writer's transaction is that long), and the newer ones
 * already handled are remembered in outbox_seen until it does. Where a consumer starts is its
 * migration's choice: it inserts its cursor row (no row is the beginning of the outbox).
 *
 * `handle` answers whether it handled the whole batch; false (it was stopped half-way) leaves
 * the batch unmarked, so the next run gives it again: handlers are idempotent.
 *
 * A batch whose handling throws is handled again one event at a time, so one bad event does not
 * hold up the stream: each event that still throws is recorded in outbox_failures and passed
 * (marked seen); it is retried on its own with growing delays (`RETRY_DELAYS_MS`), and after the
 * last one it stays a dead letter, listed by the operations routes, until an owner retries it.
 *
 * One instance at a time reads a consumer: the scheduler runs each consumer's job under a lease
 * (leases.ts), so the seen set and the cursor are never written by two readers at once.
 */
export const MARGIN_MS = 10 * 60_000;

/** The delay before each retry of a failed event; after the last, the event is a dead letter. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000] as const;

export type OutboxRow = { id: number; eventId: string; type: string; customerId: string | null; occurredAt: Date; payload: Record<string, unknown> };

export type OutboxConsumer = {
  /** The consumer's name: its cursor's and its remembered ids' key. */
  name: string;
  /** The event types it reads; null for every type. */
  types: readonly string[] | null;
  batch: number;
  handle: (rows: OutboxRow[]) => Promise<boolean>;
};

/**
 * What this process knows of a consumer's reading, by database: where its last run stopped
 * (`position`), the cursor as it left it, and the gaps it read past, ids no row had then (`missing`,
 * each with when it was first missed): identities taken by a transaction still open, or by one
 * that rolled back. An event can only come late there, so a run that has this reads on from
 * `position` and looks again in the gaps alone, instead of stepping again over every event
 * since the cursor (which trails by `MARGIN_MS`: ten minutes of events, each looked up in
 * outbox_seen, by every consumer every tick — a million after a burst).
 *
 * It holds only while no other instance moved the cursor (a run there forgets seen ids below it,
 * and its own gaps are unknown here): then, and on a first run, a run reads from the cursor.
 */
type Reading = { position: number; cursor: number; missing: Gap[]; overflow: boolean };
/** Ids first…last that no row had when a batch stepped over them, noticed at that time (ms). */
type Gap = { first: number; last: number; noticed: number };
const readings = new WeakMap<object, Map<string, Reading>>();

/**
 * More gaps than this and the next run reads from the cursor instead. Gaps are kept as ranges, so
 * a rolled-back bulk write of any size is one; this bounds many scattered ones.
 */
const MAX_MISSING = 10_000;

/**
 * `woken`: the run was woken because events were written (outbox-watch.ts), and reads on from
 * this process's last read; the missing ids below it and the cursor's move wait for the next full
 * run (the consumer's loop ticks: 5 s by default). Without a reading of its own here it is a full run.
 */
export async function consumeOutbox<V extends PlatformTables>(
  anyDb: AnyDb<V>,
  clock: Clock,
  consumer: OutboxConsumer,
  signal?: AbortSignal,
  options: { woken?: boolean } = {},
): Promise<{ events: number }> {
  const db = platformDb(anyDb);
  const report = { events: 0 };
  const cursor = await cursorPosition(db, consumer.name);
  const types = consumer.types ? [...consumer.types] : null;
  report.events += await retryDue(db, clock, consumer, signal);
  const byName = readings.get(anyDb) ?? new Map<string, Reading>();
  readings.set(anyDb, byName);
  const known = byName.get(consumer.name);
  const reading: Reading = known && known.cursor === cursor && !known.overflow ? known : { position: cursor, cursor, missing: [], overflow: false };
  byName.set(consumer.name, reading);
  const readOn = options.woken === true && reading === known;
  if (!readOn && reading === known) report.events += await recheckMissing(db, clock, consumer, reading, types, signal);
  // Never below the cursor: everything at or below it is handled.
  let after = Math.max(cursor, reading.position);
  // Each batch reads on from the last one (reading from the cursor every time stepped again over
  // every event handled since, so a backlog of a million took quadratic time). The ids the batch
  // steps over that no row has are found in the same statement, so in the same snapshot as its rows.
  while (!signal?.aborted) {
    // The gaps come as ranges on the batch's last row alone: a rolled-back bulk write leaves tens
    // of thousands of ids in one gap, and a list of them on every row ran a server out of memory.
    const result = await sql<OutboxRow & { gaps: Array<[number, number]> | null }>`
      with batch as (
        select o.id, o.event_id, o.type, o.customer_id, o.occurred_at, o.payload from outbox_events o
        where o.id > ${after} and (${types}::text[] is null or o.type = any(${types}::text[]))
          and not exists (select 1 from outbox_seen s where s.consumer = ${consumer.name} and s.outbox_id = o.id)
        order by o.id limit ${consumer.batch}
      ), span as (select max(b.id) as upto from batch b),
      gaps as (
        select n.previous + 1 as first, n.id - 1 as last from (
          select x.id, lag(x.id, 1, ${after}::bigint) over (order by x.id) as previous
          from outbox_events x where x.id > ${after} and x.id <= (select upto from span)) n
        where n.id > n.previous + 1
        order by n.id limit ${MAX_MISSING + 1})
      select b.*, case when b.id = (select upto from span) then (select json_agg(json_build_array(g.first, g.last)) from gaps g) end as gaps
      from batch b order by b.id`.execute(db);
    const rows = result.rows.map(({ gaps: _gaps, ...row }) => ({ ...row, id: Number(row.id) }));
    if (rows.length === 0) break;
    const passed = await handleIsolating(db, clock, consumer, rows, signal);
    report.events += passed.length;
    await markSeen(db, clock, consumer.name, passed);
    if (passed.length < rows.length) break;
    noteMissing(reading, result.rows.at(-1)!.gaps ?? [], clock.now().getTime());
    after = rows.at(-1)!.id;
  }
  reading.position = after;
  if (!readOn) {
    reading.cursor = (await advanceCursor(db, clock, consumer.name, cursor, types)) ?? cursor;
    // Ids the cursor has passed, and ids missed longer than any transaction runs, can no longer come.
    const expired = clock.now().getTime() - MARGIN_MS;
    reading.missing = reading.missing.filter((gap) => gap.last > reading.cursor && gap.noticed >= expired);
  }
  return report;
}

/** Remembers the gaps a batch stepped over; past MAX_MISSING of them, none, and the next full run reads from the cursor. */
function noteMissing(reading: Reading, gaps: Array<[number, number]>, noticed: number): void {
  if (reading.overflow) return;
  if (reading.missing.length + gaps.length > MAX_MISSING) {
    reading.overflow = true;
    reading.missing = [];
    return;
  }
  for (const [first, last] of gaps) reading.missing.push({ first: Number(first), last: Number(last), noticed });
}

/**
 * Handles the events that committed since in the gaps the reading stepped over, and forgets every
 * gap whose ids all have rows now. Rows handled before are seen, so a gap kept is read again cheaply.
 */
async function recheckMissing(db: PlatformDb, clock: Clock, consumer: OutboxConsumer, reading: Reading, types: string[] | null, signal?: AbortSignal): Promise<number> {
  if (reading.missing.length === 0) return 0;
  const firsts = reading.missing.map((gap) => gap.first);
  const lasts = reading.missing.map((gap) => gap.last);
  const found = (
    await sql<OutboxRow & { wanted: boolean }>`
      select o.id, o.event_id, o.type, o.customer_id, o.occurred_at, o.payload,
        (${types}::text[] is null or o.type = any(${types}::text[]))
          and not exists (select 1 from outbox_seen s where s.consumer = ${consumer.name} and s.outbox_id = o.id) as wanted
      from unnest(${firsts}::bigint[], ${lasts}::bigint[]) as gap(first, last)
      join outbox_events o on o.id between gap.first and gap.last
      order by o.id`.execute(db)
  ).rows.map((row) => ({ ...row, id: Number(row.id) }));
  const wanted = found.filter((row) => row.wanted).map(({ wanted: _wanted, ...row }) => row);
  let handled = 0;
  for (let i = 0; i < wanted.length && !signal?.aborted; i += consumer.batch) {
    const rows = wanted.slice(i, i + consumer.batch);
    const passed = await handleIsolating(db, clock, consumer, rows, signal);
    handled += passed.length;
    await markSeen(db, clock, consumer.name, passed);
    // Stopped half-way: the gaps stay, and the rest of the rows come again next run.
    if (passed.length < rows.length) return handled;
  }
  // A gap every id of which has a row now can bring nothing more. Both are in id order, the gaps apart.
  let next = 0;
  reading.missing = reading.missing.filter((gap) => {
    while (next < found.length && found[next]!.id < gap.first) next++;
    const from = next;
    while (next < found.length && found[next]!.id <= gap.last) next++;
    return next - from < gap.last - gap.first + 1;
  });
  return handled;
}

async function markSeen(db: PlatformDb, clock: Clock, consumer: string, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('outboxSeen')
    .values(rows.map((row) => ({ consumer, outboxId: row.id, seenAt: clock.now() })))
    .onConflict((oc) => oc.columns(['consumer', 'outboxId']).doNothing())
    .execute();
}

/**
 * Where a consumer's cursor stands. It moves past an event only once the event is older than
 * MARGIN_MS, so every event at or below it committed before now: a query started after this
 * read sees them all, and only later ones (higher ids) can be news to it.
 */
export async function cursorPosition<V extends PlatformTables>(anyDb: AnyDb<V>, name: string): Promise<number> {
  const state = await platformDb(anyDb).selectFrom('outboxCursors').select('position').where('name', '=', name).executeTakeFirst();
  return Number(state?.position ?? 0);
}

/**
 * Handles a batch; when that throws, each event on its own, recording the ones that still throw
 * as failures. Answers the events passed: handled or recorded as failed (all of them unless the
 * signal stopped the handling half-way, when the rest come again next run).
 */
async function handleIsolating(db: PlatformDb, clock: Clock, consumer: OutboxConsumer, rows: OutboxRow[], signal?: AbortSignal): Promise<OutboxRow[]> {
  try {
    return (await consumer.handle(rows)) ? rows : [];
  } catch (error) {
    if (rows.length === 1) {
      await recordFailure(db, clock, consumer.name, rows[0]!.id, error);
      return rows;
    }
  }
  const passed: OutboxRow[] = [];
  for (const row of rows) {
    if (signal?.aborted) break;
    try {
      if (!(await consumer.handle([row]))) break;
    } catch (error) {
      await recordFailure(db, clock, consumer.name, row.id, error);
    }
    passed.push(row);
  }
  return passed;
}

/** Plain words of an error for the failures table: its code and message, bounded (never a stack, never a query's parameters). */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error).slice(0, 500);
  const code = (error as { code?: unknown }).code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`.slice(0, 500);
}

async function recordFailure(db: PlatformDb, clock: Clock, consumer: string, outboxId: number, error: unknown): Promise<void> {
  const now = clock.now();
  await db
    .insertInto('outboxFailures')
    .values({ consumer, outboxId, attempts: 1, firstFailedAt: now, nextAttemptAt: new Date(now.getTime() + RETRY_DELAYS_MS[0]), lastError: describeError(error), deadAt: null })
    .onConflict((oc) => oc.columns(['consumer', 'outboxId']).doNothing())
    .execute();
}

/**
 * Retries the consumer's failed events that are due, each on its own: a success forgets the
 * failure, another error waits the next delay, and the last allowed attempt makes it a dead letter.
 */
async function retryDue(db: PlatformDb, clock: Clock, consumer: OutboxConsumer, signal?: AbortSignal): Promise<number> {
  const due = (
    await sql<OutboxRow & { attempts: number }>`
      select o.id, o.event_id, o.type, o.customer_id, o.occurred_at, o.payload, f.attempts from outbox_failures f
      join outbox_events o on o.id = f.outbox_id
      where f.consumer = ${consumer.name} and f.dead_at is null and f.next_attempt_at <= ${clock.now()}
      order by f.outbox_id limit ${consumer.batch}`.execute(db)
  ).rows.map((row) => ({ ...row, id: Number(row.id) }));
  let handled = 0;
  for (const row of due) {
    if (signal?.aborted) break;
    try {
      if (!(await consumer.handle([row]))) break;
      await db.deleteFrom('outboxFailures').where('consumer', '=', consumer.name).where('outboxId', '=', row.id).execute();
      handled++;
    } catch (error) {
      const delay = RETRY_DELAYS_MS[row.attempts];
      const now = clock.now();
      await db
        .updateTable('outboxFailures')
        .set({
          attempts: row.attempts + 1,
          lastError: describeError(error),
          nextAttemptAt: new Date(now.getTime() + (delay ?? 0)),
          deadAt: delay === undefined ? now : null,
        })
        .where('consumer', '=', consumer.name)
        .where('outboxId', '=', row.id)
        .execute();
    }
  }
  return handled;
}

/**
 * Moves the cursor to the last settled event (older than the margin, of any type, so a quiet
 * spell of the consumer's types does not leave the next run reading everything since) that no
 * unhandled or unsettled event of its types precedes; forgets the handled ids it passed.
 */
async function advanceCursor(db: PlatformDb, clock: Clock, name: string, cursor: number, types: string[] | null): Promise<number | null> {
  const settled = new Date(clock.now().getTime() - MARGIN_MS);
  const next = await sql<{ id: string | null }>`
    select max(o.id) as id from outbox_events o
    where o.id > ${cursor} and o.occurred_at < ${settled}
      and o.id < coalesce((
        select min(p.id) from outbox_events p
        where p.id > ${cursor} and (${types}::text[] is null or p.type = any(${types}::text[]))
          and (p.occurred_at >= ${settled} or not exists (select 1 from outbox_seen s where s.consumer = ${name} and s.outbox_id = p.id))
      ), 9223372036854775807)`.execute(db);
  const id = next.rows[0]?.id;
  if (id === null || id === undefined) return null;
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('outboxCursors')
      .values({ name, position: String(id), updatedAt: clock.now() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position: String(id), updatedAt: clock.now() }))
      .execute();
    await tx.deleteFrom('outboxSeen').where('consumer', '=', name).where('outboxId', '<=', Number(id)).execute();
  });
  return Number(id);
}
