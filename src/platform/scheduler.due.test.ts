import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Database } from '../db/database.ts';
import { openTestDatabase } from '../../tests/helpers/test-db.ts';
import { createLeases } from './leases.ts';
import { startScheduler, type ScheduledTask } from './scheduler.ts';
import { createTaskRuns } from './task-runs.ts';

const quietLog = { error() {}, info() {} };
const DAY_MS = 86_400_000;

describe('daily tasks run when due, not at every start', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => database?.close());

  /** One "process": a scheduler started on the database, stopped after its first tick's run. */
  async function startOnce(tasks: ScheduledTask[], holder: string, failing = new Set<string>()): Promise<string[]> {
    const ran: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const scheduler = startScheduler(
      [
        ...tasks.map((task) => ({
          name: task.name,
          run: async (signal: AbortSignal, woken: boolean) => {
            ran.push(task.name);
            if (failing.has(task.name)) throw new Error('boom');
            return task.run(signal, woken);
          },
        })),
        // Last in the tick, and due in every "process" (its name is new each time): the tick is over.
        { name: `tick-end ${holder}`, run: async () => void done() },
      ],
      { intervalMs: 60_000, log: quietLog, leases: createLeases(database.db, holder), due: { runs: createTaskRuns(database.db), everyMs: DAY_MS } },
    );
    await finished;
    await scheduler.stop();
    return ran;
  }

  const tasks: ScheduledTask[] = [
    { name: 'rebuild', run: async () => ({ runs: 1 }) },
    { name: 'review', run: async () => ({ reviewed: 3 }) },
  ];

  it('a first start runs them; a restart within the day does not; a day later they run again', async () => {
    expect(await startOnce(tasks, 'host:1:first')).toEqual(['rebuild', 'review']);
    // Restarted (another process, another instance): both finished less than a day ago.
    expect(await startOnce(tasks, 'host:2:second')).toEqual([]);
    // A day on for one of them (its record moved back, as the day passing would leave it).
    await sql`update scheduled_task_runs set last_finished_at = last_finished_at - interval '1 day' where name = 'review'`.execute(database.db);
    expect(await startOnce(tasks, 'host:3:third')).toEqual(['review']);
  });

  it('a task that failed is not recorded as run: the next start tries it again', async () => {
    const flaky: ScheduledTask[] = [{ name: 'flaky', run: async () => ({ done: 1 }) }];
    expect(await startOnce(flaky, 'host:4:fails', new Set(['flaky']))).toEqual(['flaky']);
    expect(await startOnce(flaky, 'host:5:retries')).toEqual(['flaky']);
    expect(await startOnce(flaky, 'host:6:done')).toEqual([]);
  });
});
