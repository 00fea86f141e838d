import { withLease, type Leases } from './leases.ts';
import type { TaskRuns } from './task-runs.ts';

/**
 * Runs periodic tasks in this process, one after another, every `intervalMs`. The tasks are
 * idempotent and catch up by themselves (they select what is due by time), so a missed tick or
 * a restart does no harm. With `leases`, each task runs under the lease `job:<name>`: of several
 * instances on one database only one runs a task at a time, and a task another instance is
 * running is skipped here this tick (they share the work: each takes whichever is free). `stop`
 * aborts the signal the running task was given: a task working in batches ends after the current one.
 * With `due`, a task runs only when its last finish (kept in the database) is `everyMs` old or
 * older: the ticks then only look, so a restart does not redo a daily task that ran an hour ago.
 */
export type ScheduledTask = { name: string; run: (signal: AbortSignal, woken: boolean) => Promise<unknown> };

/** Whether a task's report counts anything (a report that is not counts is always logged). */
function didWork(report: unknown): boolean {
  if (typeof report !== 'object' || report === null) return true;
  return Object.values(report).some((value) => typeof value !== 'number' || value !== 0);
}

const LEASE_TTL_MS = 30_000;

export function startScheduler(
  tasks: ScheduledTask[],
  options: {
    intervalMs: number;
    log: { error(obj: object, msg: string): void; info(obj: object, msg: string): void };
    leases?: Leases;
    /** How long a task's lease lasts without renewal: how soon another instance takes over a dead one's task. */
    leaseTtlMs?: number;
    /** Run each task once every `everyMs`, counted from its last finish as `runs` keeps it. */
    due?: { runs: TaskRuns; everyMs: number };
  },
): { stop(): Promise<void>; wake(): void } {
  let running: Promise<void> | null = null;
  let stopped = false;
  // Woken while a run was under way: that run may have read the state before the change that woke
  // it, so another run follows at once rather than at the next tick.
  let again = false;
  // A tick that came while a run was under way: the next run is a tick's (a full one), even when a
  // wake starts it, or a stream of wakes would put off the full runs for as long as it lasts.
  let tickOwed = false;
  const stopping = new AbortController();
  const { due } = options;
  // Looked at under the lease, so two instances finding a task due at once run it once: the
  // second takes the lease after the first recorded its finish, and finds it not due.
  const runIfDue = async (task: ScheduledTask, signal: AbortSignal, woken: boolean): Promise<unknown> => {
    if (!due) return task.run(signal, woken);
    if (await due.runs.finishedWithin(task.name, due.everyMs)) return { notDue: 0 };
    const report = await task.run(signal, woken);
    await due.runs.recordFinish(task.name);
    return report;
  };
  const run = (woken: boolean) => {
    if (stopped) return;
    if (running) {
      if (woken) again = true;
      else tickOwed = true;
      return;
    }
    // Runs told they were woken may do less than a tick's run (outbox-consumer.ts reads on from its last read).
    const asWoken = woken && !tickOwed;
    again = false;
    tickOwed = false;
    running = (async () => {
      for (const task of tasks) {
        if (stopped) break;
        try {
          const outcome = options.leases
            ? await withLease(options.leases, `job:${task.name}`, options.leaseTtlMs ?? LEASE_TTL_MS, stopping.signal, (signal) => runIfDue(task, signal, asWoken))
            : { ran: true as const, result: await runIfDue(task, stopping.signal, asWoken) };
          if (!outcome.ran) continue;
          const report = outcome.result;
          // A run that found nothing to do says nothing: live jobs run every few seconds.
          if (didWork(report)) options.log.info({ task: task.name, report }, 'scheduled task done');
        } catch (error) {
          options.log.error({ task: task.name, err: error }, 'scheduled task failed; it runs again next time');
        }
      }
    })().finally(() => {
      running = null;
      if (again) setImmediate(() => run(true));
    });
  };
  const timer = setInterval(() => run(false), options.intervalMs);
  timer.unref();
  setImmediate(() => run(false));
  return {
    /** Runs the tasks now (or right after the run under way) instead of at the next tick: something they wait for has just happened. */
    wake() {
      run(true);
    },
    async stop() {
      stopped = true;
      stopping.abort();
      clearInterval(timer);
      await running;
    },
  };
}
