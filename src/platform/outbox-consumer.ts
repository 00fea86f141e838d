import { sql } from 'kysely';
import type { Clock } from './clock.ts';
import { platformDb, type AnyDb } from './db-views.ts';
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
 */
export const MARGIN_MS = 10 * 60_000;

export type OutboxRow = { id: number; type: string; customerId: string | null; occurredAt: Date; payload: Record<string, unknown> };

export type OutboxConsumer = {
  /** The consumer's name: its cursor's and its remembered ids' key. */
  name: string;
  /** The event types it reads; null for every type. */
  types: readonly string[] | null;
  batch: number;
  handle: (rows: OutboxRow[]) => Promise<boolean>;
};

export async function consumeOutbox<V extends PlatformTables>(
  anyDb: AnyDb<V>,
  clock: Clock,
  consumer: OutboxConsumer,
  signal?: AbortSignal,
): Promise<{ events: number }> {
  const db = platformDb(anyDb);
  const report = { events: 0 };
  const state = await db.selectFrom('outboxCursors').select('position').where('name', '=', consumer.name).executeTakeFirst();
  const cursor = Number(state?.position ?? 0);
  const types = consumer.types ? [...consumer.types] : null;
  while (!signal?.aborted) {
    const rows = (
      await sql<OutboxRow>`
        select o.id, o.type, o.customer_id, o.occurred_at, o.payload from outbox_events o
        where o.id > ${cursor} and (${types}::text[] is null or o.type = any(${types}::text[]))
          and not exists (select 1 from outbox_seen s where s.consumer = ${consumer.name} and s.outbox_id = o.id)
        order by o.id limit ${consumer.batch}`.execute(db)
    ).rows.map((row) => ({ ...row, id: Number(row.id) }));
    if (rows.length === 0) break;
    if (!(await consumer.handle(rows))) break;
    report.events += rows.length;
    await db
      .insertInto('outboxSeen')
      .values(rows.map((row) => ({ consumer: consumer.name, outboxId: row.id, seenAt: clock.now() })))
      .onConflict((oc) => oc.columns(['consumer', 'outboxId']).doNothing())
      .execute();
  }
  await advanceCursor(db, clock, consumer.name, cursor, types);
  return report;
}

/**
 * Moves the cursor to the last settled event (older than the margin, of any type, so a quiet
 * spell of the consumer's types does not leave the next run reading everything since) that no
 * unhandled or unsettled event of its types precedes; forgets the handled ids it passed.
 */
async function advanceCursor(db: ReturnType<typeof platformDb>, clock: Clock, name: string, cursor: number, types: string[] | null): Promise<void> {
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
  if (id === null || id === undefined) return;
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('outboxCursors')
      .values({ name, position: String(id), updatedAt: clock.now() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position: String(id), updatedAt: clock.now() }))
      .execute();
    await tx.deleteFrom('outboxSeen').where('consumer', '=', name).where('outboxId', '<=', Number(id)).execute();
  });
}
