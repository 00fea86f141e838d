import { sql } from 'kysely';
import { platformDb, type AnyDb } from './db-views.ts';
import type { PlatformTables } from './platform.tables.ts';

/**
 * When each daily task last finished, in the database (`scheduled_task_runs`), so that a task
 * runs once an interval however often its process restarts and whichever instance runs it.
 * Times are the database's `clock_timestamp()`, as the leases' are: the interval is real time
 * between runs of processes, which a test's injected clock must not move.
 */
export type TaskRuns = {
  /** Whether `name` finished less than `intervalMs` ago (then it is not due yet). */
  finishedWithin(name: string, intervalMs: number): Promise<boolean>;
  recordFinish(name: string): Promise<void>;
};

export function createTaskRuns<V extends PlatformTables>(anyDb: AnyDb<V>): TaskRuns {
  const db = platformDb(anyDb);
  return {
    async finishedWithin(name, intervalMs) {
      const recent = await sql<{ name: string }>`
        select name from scheduled_task_runs
        where name = ${name} and last_finished_at > clock_timestamp() - ${intervalMs} * interval '1 millisecond'`.execute(db);
      return recent.rows.length === 1;
    },
    async recordFinish(name) {
      await sql`
        insert into scheduled_task_runs (name, last_finished_at) values (${name}, clock_timestamp())
        on conflict (name) do update set last_finished_at = excluded.last_finished_at`.execute(db);
    },
  };
}
