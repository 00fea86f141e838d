import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres, type Database } from '../db/database.ts';
import { onPostgres, openTestDatabase } from '../../tests/helpers/test-db.ts';
import { ManualClock, systemClock, type Clock } from './clock.ts';
import { consumeOutbox, RETRY_DELAYS_MS, type OutboxConsumer } from './outbox-consumer.ts';
import { createLeases } from './leases.ts';
import { startScheduler } from './scheduler.ts';

let sequence = 0;
async function writeEvents(database: Database, clock: Clock, count: number, type = 'thing.happened'): Promise<void> {
  const rows = Array.from({ length: count }, () => {
    sequence++;
    return { eventId: `evt_t${sequence}`, type, customerId: null, payload: JSON.stringify({ n: sequence }), occurredAt: clock.now() };
  });
  await database.db.insertInto('outboxEvents').values(rows).execute();
}

/** A consumer that records every delivery in a table without a unique key, so a second delivery of an event shows. */
function recordingConsumer(database: Database, name: string, fails: (n: number) => boolean = () => false): OutboxConsumer {
  return {
    name,
    types: ['thing.happened'],
    batch: 50,
    async handle(rows) {
      for (const row of rows) if (fails(Number(row.payload.n))) throw new Error(`event ${String(row.payload.n)} cannot be handled`);
      await sql`insert into test_deliveries (consumer, n) select ${name}, unnest(${rows.map((row) => Number(row.payload.n))}::int[])`.execute(database.db);
      return true;
    },
  };
}

/**
 * Writes an event of another type, then `own` of the consumer's, and runs the consumer once, so it
 * steps over the other one; answers the other event's number, for `makeOwn`.
 */
async function stepOver(database: Database, clock: Clock, consumer: OutboxConsumer, own: number): Promise<number> {
  await writeEvents(database, clock, 1, 'other.thing');
  const other = sequence;
  await writeEvents(database, clock, own);
  await consumeOutbox(database.db, clock, consumer);
  return other;
}

/**
 * Turns an event a consumer stepped over into one of its own. No writer does this, so a run that
 * looked again below its last read (from the cursor) would show it, and one that reads on would not.
 */
async function makeOwn(database: Database, n: number): Promise<void> {
  await sql`update outbox_events set type = 'thing.happened' where event_id = ${`evt_t${n}`}`.execute(database.db);
}

async function deliveries(database: Database, consumer: string): Promise<number[]> {
  const rows = await sql<{ n: number }>`select n from test_deliveries where consumer = ${consumer} order by n`.execute(database.db);
  return rows.rows.map((row) => row.n);
}

describe('outbox consumers', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
    await sql`create table test_deliveries (consumer text not null, n integer not null)`.execute(database.db);
  });
  afterAll(async () => database?.close());

  it('a failing event is passed and retried on its own with growing delays, then kept as a dead letter; the rest flow', async () => {
    const clock = new ManualClock('2026-05-01T10:00:00Z');
    const first = sequence + 1;
    await writeEvents(database, clock, 120);
    const broken = first + 60;
    let healed = false;
    const consumer = recordingConsumer(database, 'isolating', (n) => n === broken && !healed);
    expect((await consumeOutbox(database.db, clock, consumer)).events).toBe(120);
    const handled = await deliveries(database, 'isolating');
    expect(handled).toHaveLength(119);
    expect(handled).not.toContain(broken);
    const failure = await database.db.selectFrom('outboxFailures').selectAll().where('consumer', '=', 'isolating').executeTakeFirstOrThrow();
    expect(failure).toMatchObject({ attempts: 1, deadAt: null, lastError: `event ${broken} cannot be handled` });
    expect(failure.nextAttemptAt.getTime()).toBe(clock.now().getTime() + RETRY_DELAYS_MS[0]);

    // Not due yet: nothing is retried.
    await consumeOutbox(database.db, clock, consumer);
    expect((await database.db.selectFrom('outboxFailures').select('attempts').where('consumer', '=', 'isolating').executeTakeFirstOrThrow()).attempts).toBe(1);
    // Every delay passes and every retry fails: after the last, a dead letter, tried no more.
    for (const delay of RETRY_DELAYS_MS) {
      clock.advance(delay);
      await consumeOutbox(database.db, clock, consumer);
    }
    const dead = await database.db.selectFrom('outboxFailures').selectAll().where('consumer', '=', 'isolating').executeTakeFirstOrThrow();
    expect(dead.attempts).toBe(RETRY_DELAYS_MS.length + 1);
    expect(dead.deadAt).toEqual(clock.now());
    clock.advance(RETRY_DELAYS_MS.at(-1)! * 10);
    await consumeOutbox(database.db, clock, consumer);
    expect((await database.db.selectFrom('outboxFailures').select('attempts').where('consumer', '=', 'isolating').executeTakeFirstOrThrow()).attempts).toBe(dead.attempts);

    // An owner has it retried (the operations route sets it due again) once the cause is fixed.
    healed = true;
    await database.db.updateTable('outboxFailures').set({ deadAt: null, nextAttemptAt: clock.now() }).where('consumer', '=', 'isolating').execute();
    await consumeOutbox(database.db, clock, consumer);
    expect(await deliveries(database, 'isolating')).toContain(broken);
    expect(await database.db.selectFrom('outboxFailures').selectAll().where('consumer', '=', 'isolating').execute()).toEqual([]);
    // Each event handled exactly once in all that.
    expect(new Set(await deliveries(database, 'isolating')).size).toBe(120);
    expect(await deliveries(database, 'isolating')).toHaveLength(120);
  });

  it('a retry that succeeds forgets the failure', async () => {
    const clock = new ManualClock('2026-05-02T10:00:00Z');
    const first = sequence + 1;
    await writeEvents(database, clock, 3);
    let broken = true;
    const consumer = recordingConsumer(database, 'flaky', (n) => n === first + 1 && broken);
    await consumeOutbox(database.db, clock, consumer);
    clock.advance(RETRY_DELAYS_MS[0]);
    await consumeOutbox(database.db, clock, consumer); // fails again: attempts 2
    expect((await database.db.selectFrom('outboxFailures').select('attempts').where('consumer', '=', 'flaky').executeTakeFirstOrThrow()).attempts).toBe(2);
    broken = false;
    clock.advance(RETRY_DELAYS_MS[1]);
    await consumeOutbox(database.db, clock, consumer);
    // A consumer with no cursor starts at the outbox's beginning: only this test's events matter here.
    expect((await deliveries(database, 'flaky')).filter((n) => n >= first)).toEqual([first, first + 1, first + 2]);
    expect(await database.db.selectFrom('outboxFailures').selectAll().where('consumer', '=', 'flaky').execute()).toEqual([]);
  });

  it.runIf(onPostgres)('a woken run reads on from the last read: an event committing late below it comes with the next full run, and none comes twice', async () => {
    const clock = new ManualClock('2026-05-03T10:00:00Z');
    const consumer = recordingConsumer(database, 'woken');
    const first = sequence + 1;
    await writeEvents(database, clock, 5);
    await consumeOutbox(database.db, clock, consumer);
    // A writer takes its event's id now and commits only after later writers have committed theirs.
    const late = new pg.Client({ connectionString: (database as Database & { url?: string }).url! });
    await late.connect();
    await late.query('begin');
    const lateN = ++sequence;
    await late.query(`insert into outbox_events (event_id, type, customer_id, payload, occurred_at) values ($1, 'thing.happened', null, $2, $3)`, [`evt_t${lateN}`, JSON.stringify({ n: lateN }), clock.now()]);
    await writeEvents(database, clock, 3);
    expect((await consumeOutbox(database.db, clock, consumer, undefined, { woken: true })).events).toBe(3);
    await late.query('commit');
    await late.end();
    // Below where the last run read: a woken run reads on from there and does not see it ...
    await writeEvents(database, clock, 2);
    expect((await consumeOutbox(database.db, clock, consumer, undefined, { woken: true })).events).toBe(2);
    expect(await deliveries(database, 'woken')).not.toContain(lateN);
    // ... the next full run, from the cursor, does; and gives nothing else again.
    expect((await consumeOutbox(database.db, clock, consumer)).events).toBe(1);
    const got = (await deliveries(database, 'woken')).filter((n) => n >= first);
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: sequence - first + 1 }, (_, i) => first + i));
  });

  it('a full run reads on from its last read, not again from the cursor ten minutes back', async () => {
    const clock = new ManualClock('2026-05-05T10:00:00Z');
    const consumer = recordingConsumer(database, 'reads-on');
    // An event the consumer stepped over (not its type, and no id was missing there) turned into one of its own.
    const other = await stepOver(database, clock, consumer, 3);
    await makeOwn(database, other);
    await writeEvents(database, clock, 2);
    expect((await consumeOutbox(database.db, clock, consumer)).events).toBe(2);
    expect(await deliveries(database, 'reads-on')).not.toContain(other);
  });

  it('steps over the gap of a rolled-back bulk write as one, and still finds an event that commits late inside it', async () => {
    const clock = new ManualClock('2026-05-06T10:00:00Z');
    const consumer = recordingConsumer(database, 'gaps');
    const other = await stepOver(database, clock, consumer, 2);
    // 20,000 ids taken and given back: a list of them on each row of a batch once ran a server out
    // of memory, and kept one by one they were twice what a reading then held before giving up.
    const gapFirst = Number((await sql<{ id: string }>`select max(id) as id from outbox_events`.execute(database.db)).rows[0]!.id) + 1;
    await database.db
      .transaction()
      .execute(async (tx) => {
        await sql`insert into outbox_events (event_id, type, payload, occurred_at) select 'evt_gone' || g, 'thing.happened', '{}'::jsonb, now() from generate_series(1, 20000) g`.execute(tx);
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await writeEvents(database, clock, 3);
    const after = sequence;
    expect((await consumeOutbox(database.db, clock, consumer)).events).toBe(3);
    // A run that read again from the cursor (a reading given up) would show this one.
    await makeOwn(database, other);
    // A writer that took an id in the gap commits now (its id given by hand here).
    sequence++;
    await sql`insert into outbox_events (id, event_id, type, payload, occurred_at) overriding system value
      values (${gapFirst + 500}, ${`evt_t${sequence}`}, 'thing.happened', ${JSON.stringify({ n: sequence })}::jsonb, ${clock.now()})`.execute(database.db);
    expect((await consumeOutbox(database.db, clock, consumer)).events).toBe(1);
    expect((await consumeOutbox(database.db, clock, consumer)).events).toBe(0);
    const got = await deliveries(database, 'gaps');
    expect(got.filter((n) => n > after - 3)).toEqual([after - 2, after - 1, after, sequence]);
  });

  it('a woken run with no read of its own before is a full run', async () => {
    const clock = new ManualClock('2026-05-04T10:00:00Z');
    const first = sequence + 1;
    await writeEvents(database, clock, 4);
    expect((await consumeOutbox(database.db, clock, recordingConsumer(database, 'woken-first'), undefined, { woken: true })).events).toBeGreaterThanOrEqual(4);
    expect((await deliveries(database, 'woken-first')).filter((n) => n >= first)).toEqual([first, first + 1, first + 2, first + 3]);
  });

  it.runIf(onPostgres)('two instances running the dispatcher deliver each event to each consumer once, while events keep coming', async () => {
    const url = (database as Database & { url?: string }).url!;
    const instances = await Promise.all([openPostgres(url, 4), openPostgres(url, 4)]);
    const consumers = ['journeys', 'webhooks', 'analytics'];
    const schedulers = instances.map((instance, i) =>
      startScheduler(
        consumers.map((name) => {
          const consumer = recordingConsumer(instance, name);
          // Each handling takes a moment, so both instances are busy at once and contend for every consumer.
          const slow: OutboxConsumer = { ...consumer, batch: 40, handle: async (rows) => (await new Promise((r) => setTimeout(r, 5)), consumer.handle(rows)) };
          return { name, run: (signal: AbortSignal) => consumeOutbox(instance.db, systemClock, slow, signal) };
        }),
        { intervalMs: 20, log: { error() {}, info() {} }, leases: createLeases(instance.db, `instance-${i}:1:test`), leaseTtlMs: 2_000 },
      ),
    );
    const first = sequence + 1;
    for (let burst = 0; burst < 20; burst++) {
      await writeEvents(database, systemClock, 100);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const last = sequence;
    const deadline = Date.now() + 60_000;
    const done = async () => (await Promise.all(consumers.map((name) => deliveries(database, name)))).every((got) => got.filter((n) => n >= first).length >= last - first + 1);
    while (!(await done()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    for (const name of consumers) {
      const got = (await deliveries(database, name)).filter((n) => n >= first);
      expect(got, name).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
    }
    await Promise.all(instances.map((instance) => instance.close()));
  });
});
