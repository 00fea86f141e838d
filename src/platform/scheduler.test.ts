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

  it('tells a task whether a wake started it; a tick that came during a run makes the next run a tick\'s', async () => {
    const track = (intervalMs: number) => {
      const runs: boolean[] = [];
      const held = { release: () => {}, hold: Promise.resolve() };
      const scheduler = startScheduler(
        [
          {
            name: 'consumer',
            async run(_signal, woken) {
              runs.push(woken);
              await held.hold;
            },
          },
        ],
        { intervalMs, log: quietLog },
      );
      const waitFor = async (n: number) => {
        while (runs.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const holdNext = () => (held.hold = new Promise<void>((resolve) => (held.release = resolve)));
      return { runs, scheduler, waitFor, held, holdNext };
    };

    // No tick in the test's time: the run at start is a tick's, every run a wake starts is woken.
    const quiet = track(3_600_000);
    quiet.holdNext();
    await quiet.waitFor(1);
    quiet.scheduler.wake(); // during the run: one more after it
    quiet.held.release();
    await quiet.waitFor(2);
    quiet.scheduler.wake(); // idle: at once
    await quiet.waitFor(3);
    expect(quiet.runs).toEqual([false, true, true]);
    await quiet.scheduler.stop();

    // Ticks every 100 ms during a run held for 400 ms, and a wake: the next run is a full one,
    // whichever of the wake and the next tick starts it.
    const busy = track(100);
    busy.holdNext();
    await busy.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    busy.scheduler.wake();
    busy.held.hold = Promise.resolve();
    busy.held.release();
    await busy.waitFor(2);
    expect(busy.runs.slice(0, 2)).toEqual([false, false]);
    await busy.scheduler.stop();
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
