import { describe, expect, it } from 'vitest';
import { startScheduler } from './scheduler.ts';

const quietLog = { error() {}, info() {} };

describe('scheduler', () => {
  it('stop aborts the running task\'s signal, waits for it to end, and runs no task after it', async () => {
    const ran: string[] = [];
    let batches = 0;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const scheduler = startScheduler(
      [
        {
          name: 'walk',
          async run(signal) {
            ran.push('walk');
            started();
            // A long walk in batches: it ends after the batch under way once the signal aborts.
            while (!signal.aborted) {
              batches++;
              await new Promise((resolve) => setTimeout(resolve, 5));
            }
          },
        },
        { name: 'next', run: async () => void ran.push('next') },
      ],
      { intervalMs: 60_000, log: quietLog },
    );
    await running;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stopping = Date.now();
    await scheduler.stop();
    expect(Date.now() - stopping).toBeLessThan(1_000);
    expect(batches).toBeGreaterThan(1);
    expect(ran).toEqual(['walk']);
  });

  it('wake runs the tasks at once, or right after the run under way, not at the next tick', async () => {
    const runs: number[] = [];
    let release!: () => void;
    let hold = new Promise<void>((resolve) => (release = resolve));
    const scheduler = startScheduler(
      [
        {
          name: 'job',
          async run() {
            runs.push(Date.now());
            await hold;
          },
        },
      ],
      { intervalMs: 60_000, log: quietLog },
    );
    const waitFor = async (n: number) => {
      while (runs.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await waitFor(1); // the first run, at start
    // Woken while it runs (twice): one more run once it ends, not two, and none before.
    scheduler.wake();
    scheduler.wake();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toHaveLength(1);
    hold = Promise.resolve();
    release();
    await waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toHaveLength(2);
    // Woken while idle: runs now, an hour's interval notwithstanding.
    scheduler.wake();
    await waitFor(3);
    await scheduler.stop();
    scheduler.wake();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(runs).toHaveLength(3);
  });

  it('a task that fails is logged and the next one still runs', async () => {
    const errors: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const scheduler = startScheduler(
      [
        { name: 'fails', run: async () => Promise.reject(new Error('boom')) },
        { name: 'runs', run: async () => done() },
      ],
      { intervalMs: 60_000, log: { error: (obj: object) => void errors.push((obj as { task: string }).task), info() {} } },
    );
    await finished;
    await scheduler.stop();
    expect(errors).toEqual(['fails']);
  });

  it('logs a run that did something, not one that found nothing to do', async () => {
    const logged: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const scheduler = startScheduler(
      [
        { name: 'idle', run: async () => ({ events: 0, entered: 0 }) },
        { name: 'busy', run: async () => ({ events: 2, entered: 0 }) },
        { name: 'last', run: async () => void done() },
      ],
      { intervalMs: 60_000, log: { error() {}, info: (obj: object) => void logged.push((obj as { task: string }).task) } },
    );
    await finished;
    await scheduler.stop();
    expect(logged).toEqual(['busy', 'last']);
  });
});
