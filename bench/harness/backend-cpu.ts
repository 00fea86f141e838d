import fs from 'node:fs';
import type pg from 'pg';

// Linux reports process times in clock ticks; 100 a second on every common kernel build.
const TICKS_PER_SECOND = 100;

/** CPU milliseconds (user + system) a process on this machine has used, or null when it cannot be read. */
export function cpuMsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * CPU time used by the PostgreSQL client backends serving one database, read from /proc: works when
 * the server runs on this machine (as in a dev setup), and reports null otherwise. Backends are
 * sampled every second, so one that exits between samples loses at most a second's figure; a
 * backend forked during the watch counts from zero.
 */
export function watchBackendCpu(admin: pg.Client, database: string) {
  const seen = new Map<number, { first: number; last: number }>();
  let local = true;
  let started = false;
  const readOnce = async () => {
    // Client backends only: an autovacuum worker on the same database is the server's own work.
    const backends = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = $1 and backend_type = 'client backend'`,
      [database],
    );
    for (const { pid } of backends.rows) {
      const ms = cpuMsOf(pid);
      if (ms === null) {
        local = false;
        continue;
      }
      const entry = seen.get(pid);
      // A backend that appears after the start was forked during it: all its time counts.
      if (entry) entry.last = ms;
      else seen.set(pid, { first: started ? 0 : ms, last: ms });
    }
  };
  // One query at a time on the shared admin client: the timer's sample may still be running when stop() samples.
  let pending: Promise<void> = Promise.resolve();
  const sample = () => (pending = pending.then(readOnce, readOnce));
  let timer: NodeJS.Timeout | null = null;
  return {
    async start(): Promise<void> {
      await sample();
      started = true;
      timer = setInterval(() => void sample().catch(() => undefined), 1000);
    },
    /** CPU milliseconds since start, or null when the server is not on this machine. */
    async stop(): Promise<number | null> {
      if (timer) clearInterval(timer);
      await sample();
      if (!local || seen.size === 0) return null;
      return [...seen.values()].reduce((sum, entry) => sum + entry.last - entry.first, 0);
    },
  };
}
