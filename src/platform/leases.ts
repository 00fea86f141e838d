import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import { platformDb, type AnyDb } from './db-views.ts';
import type { PlatformTables } from './platform.tables.ts';

/**
 * Leases on named work (a scheduled job, an outbox consumer) shared by every instance on one
 * database: the holder renews its lease while it works and gives it back at the end; a holder
 * that died stops renewing, its lease runs out, and another instance takes the work over.
 *
 * Times are the database's `clock_timestamp()`, not the injectable clock: a lease is about
 * processes being alive, which a test's frozen or moved clock must not decide, and every
 * instance reads the same clock however far their hosts' drift.
 */
export type Leases = {
  /** This process's name in the leases table: host, pid and a random part (a restarted pid is someone else). */
  holder: string;
  /** Takes the lease when it is free or run out; false when it is held (by another instance, or by other work in this one). */
  acquire(name: string, ttlMs: number): Promise<boolean>;
  /** Extends this holder's lease; false when it ran out and another instance took it meanwhile. */
  renew(name: string, ttlMs: number): Promise<boolean>;
  release(name: string): Promise<void>;
  /**
   * Frees the leases of this host's dead processes (a killed predecessor's, or one whose pid
   * this process now has, as in a restarted container): they would hold their work until they
   * ran out. Other hosts' leases are left to run out.
   */
  releaseDead(): Promise<number>;
};

const HOST = os.hostname();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

export function createLeases<V extends PlatformTables>(anyDb: AnyDb<V>, holder = `${HOST}:${process.pid}:${randomUUID().slice(0, 8)}`): Leases {
  const db = platformDb(anyDb);
  return {
    holder,
    async acquire(name, ttlMs) {
      // One statement, so two instances asking at once cannot both win: the second waits on the
      // first's row lock, then sees a lease that has not run out. Held by this very process
      // counts as held: the scheduler and an owner's "run now" must not run one job side by side.
      const taken = await sql<{ name: string }>`
        insert into leases (name, holder, expires_at, acquired_at)
        values (${name}, ${holder}, clock_timestamp() + ${ttlMs} * interval '1 millisecond', clock_timestamp())
        on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at, acquired_at = excluded.acquired_at
          where leases.expires_at <= clock_timestamp()
        returning name`.execute(db);
      return taken.rows.length === 1;
    },
    async renew(name, ttlMs) {
      const renewed = await sql<{ name: string }>`
        update leases set expires_at = clock_timestamp() + ${ttlMs} * interval '1 millisecond'
        where name = ${name} and holder = ${holder} returning name`.execute(db);
      return renewed.rows.length === 1;
    },
    async release(name) {
      await db.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
    },
    async releaseDead() {
      const held = await db.selectFrom('leases').select(['name', 'holder']).where('holder', 'like', `${HOST}:%`).execute();
      const dead = held.filter((lease) => {
        if (lease.holder === holder) return false;
        const pid = Number(lease.holder.slice(HOST.length + 1).split(':')[0]);
        return !Number.isInteger(pid) || pid === process.pid || !isAlive(pid);
      });
      for (const lease of dead) await db.deleteFrom('leases').where('name', '=', lease.name).where('holder', '=', lease.holder).execute();
      return dead.length;
    },
  };
}

/**
 * Runs `work` while holding the lease `name`, renewing it every third of `ttlMs`. Answers
 * `{ ran: false }` at once when another instance holds it. The signal `work` gets aborts when
 * `signal` does or when a renewal finds the lease lost (the work stops after its current batch:
 * it is resumable and idempotent, so the new holder carries on from what was saved).
 */
export async function withLease<T>(
  leases: Leases,
  name: string,
  ttlMs: number,
  signal: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  if (!(await leases.acquire(name, ttlMs))) return { ran: false };
  const lost = new AbortController();
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = leases.renew(name, ttlMs).then(
      (held) => held || lost.abort(),
      () => undefined, // a failed renewal is retried on the next beat; the lease outlives two of them
    );
  }, Math.max(10, Math.floor(ttlMs / 3)));
  timer.unref();
  try {
    return { ran: true, result: await work(AbortSignal.any([signal, lost.signal])) };
  } finally {
    clearInterval(timer);
    await renewing;
    await leases.release(name).catch(() => undefined); // it runs out by itself
  }
}
