import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../../tests/helpers/test-db.ts';
import { createLeases, withLease } from './leases.ts';

describe('leases', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database?.close());

  it('one holder at a time; released or run out, another takes it', async () => {
    const a = createLeases(database.db, 'host-a:1:aaaa');
    const b = createLeases(database.db, 'host-b:1:bbbb');
    expect(await a.acquire('job:x', 60_000)).toBe(true);
    expect(await b.acquire('job:x', 60_000)).toBe(false);
    // Held by this very holder still counts as held: the same process must not run it twice at once.
    expect(await a.acquire('job:x', 60_000)).toBe(false);
    expect(await b.renew('job:x', 60_000)).toBe(false);
    expect(await a.renew('job:x', 60_000)).toBe(true);
    await b.release('job:x'); // not b's: nothing happens
    expect(await b.acquire('job:x', 60_000)).toBe(false);
    await a.release('job:x');
    expect(await b.acquire('job:x', 1)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // b's lease ran out (b died without releasing it): a takes it, and b's renewal says it lost it.
    expect(await a.acquire('job:x', 60_000)).toBe(true);
    expect(await b.renew('job:x', 60_000)).toBe(false);
    await a.release('job:x');
  });

  it("withLease skips work another holder is doing, and aborts the work's signal when the lease is lost", async () => {
    const a = createLeases(database.db, 'host-a:1:aaaa');
    const b = createLeases(database.db, 'host-b:1:bbbb');
    let aborted = false;
    let skipped: unknown;
    const outcome = await withLease(a, 'job:y', 90, new AbortController().signal, async (signal) => {
      skipped = await withLease(b, 'job:y', 90, new AbortController().signal, async () => 'ran');
      // Someone takes the lease away (as if it had run out while this process stalled).
      await sql`update leases set holder = 'host-c:1:cccc' where name = 'job:y'`.execute(database.db);
      for (let waited = 0; waited < 2_000 && !signal.aborted; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      aborted = signal.aborted;
      return 'done';
    });
    expect(skipped).toEqual({ ran: false });
    expect(outcome).toEqual({ ran: true, result: 'done' });
    expect(aborted).toBe(true);
    // The end releases only its own lease: the one who took it keeps it.
    expect((await database.db.selectFrom('leases').select('holder').where('name', '=', 'job:y').executeTakeFirst())?.holder).toBe('host-c:1:cccc');
  });

  it("releaseDead frees this host's leases whose process is gone, and only those", async () => {
    const mine = createLeases(database.db);
    const host = mine.holder.split(':')[0]!;
    const deadPid = 2 ** 22 + 17; // above Linux's pid_max default: no such process
    await createLeases(database.db, `${host}:${deadPid}:dead`).acquire('job:dead', 60_000);
    await createLeases(database.db, `${host}:${process.pid}:earlier`).acquire('job:predecessor', 60_000);
    await createLeases(database.db, `${host}:1:init`).acquire('job:alive', 60_000); // pid 1 is alive
    await createLeases(database.db, 'other-host:5:xyz').acquire('job:elsewhere', 60_000);
    await mine.acquire('job:mine', 60_000);
    expect(await mine.releaseDead()).toBe(2);
    const left = (await database.db.selectFrom('leases').select('name').orderBy('name').execute()).map((row) => row.name);
    expect(left).toEqual(expect.arrayContaining(['job:alive', 'job:elsewhere', 'job:mine']));
    expect(left).not.toContain('job:dead');
    expect(left).not.toContain('job:predecessor');
  });
});
