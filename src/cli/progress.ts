import cliProgress from 'cli-progress';

export type ProgressView = { progress: number; rowsDone: number; rowsFailed: number; status: string };

/** A progress bar on a terminal; plain lines every few seconds elsewhere (CI logs, pipes). */
export function createProgressReporter(label: string) {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {rowsDone} rows in, {rowsFailed} refused | {status}`, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(100, 0, { rowsDone: 0, rowsFailed: 0, status: 'queued' });
    return {
      update: (view: ProgressView) => bar.update(Math.round(view.progress * 100), view),
      stop: () => bar.stop(),
    };
  }
  let lastPrinted = 0;
  return {
    update(view: ProgressView) {
      const now = Date.now();
      if (now - lastPrinted < 2000 && view.status === 'running') return;
      lastPrinted = now;
      process.stderr.write(`${label}: ${Math.round(view.progress * 100)}% ${view.rowsDone} rows in, ${view.rowsFailed} refused (${view.status})\n`);
    },
    stop: () => undefined,
  };
}
