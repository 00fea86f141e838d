import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../../tests/helpers/test-db.ts';
import { systemClock } from './clock.ts';
import { watchOutbox } from './outbox-watch.ts';

describe('the outbox watch', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database?.close());

  const write = (n: number) =>
    database.db.insertInto('outboxEvents').values({ eventId: `evt_watch${n}`, type: 'thing.happened', customerId: null, payload: JSON.stringify({ n }), occurredAt: systemClock.now() }).execute();
  const within = async (check: () => boolean, ms = 5_000) => {
    const deadline = Date.now() + ms;
    while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    return check();
  };

  it('tells of events written after it started, by whichever writer, and of nothing else', async () => {
    await write(1);
    let told = 0;
    const watch = watchOutbox(database.db, { intervalMs: 20, written: () => told++, log: { error() {} } });
    // What was there before is not news: the consumers' own runs read it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(told).toBe(0);
    await write(2);
    expect(await within(() => told === 1)).toBe(true);
    // Nothing new: nothing said.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(told).toBe(1);
    await write(3);
    await write(4);
    expect(await within(() => told >= 2)).toBe(true);
    await watch.stop();
    const after = told;
    await write(5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(told).toBe(after);
  });
});
