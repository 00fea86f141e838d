import { describeFailures, openLoop, type OpenLoopResult, type Outcome } from './http-load.ts';

export type RateStep = { rate: number; met: boolean; p50: number; p99: number; achieved: number; failures: string; skipped: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A step meets the bound when every request was sent and answered 2xx and p99 (from when each was due) is within it. */
function meets(result: OpenLoopResult, boundMs: number): boolean {
  return result.failed.size === 0 && result.skipped === 0 && result.ok === result.scheduled && result.latency.p99 <= boundMs;
}

/**
 * The highest offered open-loop rate whose p99 stays within `boundMs`: steps up through `steps`
 * from `startRate` and stops at the first step that misses twice in a row; if the first step
 * tried misses, steps down until one meets it. Returns 0 when none does.
 */
export async function highestRateWithin(options: {
  boundMs: number;
  steps: readonly number[];
  seconds: number;
  startRate?: number;
  send: (index: number) => Promise<Outcome>;
  say: (line: string) => void;
}): Promise<{ highest: number; steps: RateStep[] }> {
  const tried: RateStep[] = [];
  let offset = 0;
  const once = async (rate: number) => {
    const result = await openLoop({ rate, seconds: options.seconds, send: (i) => options.send(offset + i) });
    offset += result.scheduled;
    const row: RateStep = {
      rate,
      met: meets(result, options.boundMs),
      p50: result.latency.p50,
      p99: result.latency.p99,
      achieved: result.achievedPerSecond,
      failures: describeFailures(result.failed),
      skipped: result.skipped,
    };
    tried.push(row);
    options.say(
      `    ${String(rate).padStart(6)}/s: p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms, achieved ${Math.round(row.achieved)}/s` +
        `${row.failures === 'none' ? '' : `, failures ${row.failures}`}${row.skipped ? `, ${row.skipped} not sent` : ''}  ${row.met ? 'within' : 'over'}`,
    );
    // Let a queue left by an overloaded step drain before the next one.
    await sleep(row.met ? 500 : 3_000);
    return row.met;
  };
  // On a shared machine a burst of other work can spoil one step: a step that misses is run once more.
  const step = async (rate: number) => (await once(rate)) || (await once(rate));
  let index = Math.max(0, options.steps.findIndex((rate) => rate >= (options.startRate ?? 0)));
  if (await step(options.steps[index]!)) {
    let highest = options.steps[index]!;
    while (++index < options.steps.length && (await step(options.steps[index]!))) highest = options.steps[index]!;
    return { highest, steps: tried };
  }
  while (--index >= 0) {
    if (await step(options.steps[index]!)) return { highest: options.steps[index]!, steps: tried };
  }
  return { highest: 0, steps: tried };
}
