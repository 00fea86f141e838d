import { confirmSource, type Workload } from './checkout-workload.ts';
import { cpuPerRequest, type CpuReading } from './cpu.ts';
import { closedLoop, describeFailures, type ClosedLoopResult, type HttpClient } from './http-load.ts';
import { fmt } from './report.ts';

export type ConfirmLevel = {
  clients: number;
  perSecond: number;
  ok: number;
  p50: number;
  p99: number;
  max: number;
  failures: string;
  cpuPerConfirmMs: ReturnType<typeof cpuPerRequest> | null;
};

/**
 * POST /v1/checkout/confirm in closed loops of rising concurrency, `seconds` a level after one
 * second of warm-up: unique posReceiptIds, about one in five paying with points (never more
 * than the balance the benchmark knows of, so the server has no reason to refuse).
 */
export async function confirmLevels(options: {
  client: HttpClient;
  posKey: string;
  workload: Workload;
  levels: readonly number[];
  seconds: number;
  runId: string;
  say: (line: string) => void;
  /** Wraps each level, e.g. to read CPU or RSS around it. */
  around?: (work: () => Promise<ClosedLoopResult>) => Promise<{ value: ClosedLoopResult; cpu: CpuReading | null }>;
}): Promise<{ best: ConfirmLevel; levels: ConfirmLevel[] }> {
  const source = confirmSource(options.workload, options.runId);
  const send = async () => {
    const { input, customer, asked } = source.next();
    const reply = await options.client.post('/v1/checkout/confirm', JSON.stringify(input), options.posKey).catch(() => ({ status: 0, body: '' }));
    const redeemed = asked > 0 && reply.status === 201 ? (JSON.parse(reply.body) as { pointsRedeemed: number }).pointsRedeemed : 0;
    source.settle(customer, asked, redeemed);
    return { status: reply.status };
  };
  const around = options.around ?? (async (work) => ({ value: await work(), cpu: null }));
  const levels: ConfirmLevel[] = [];
  options.say(`    ${'clients'.padStart(7)} ${'confirms/s'.padStart(11)} ${'p50'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}  failures; CPU ms per confirm (server / PostgreSQL / load generator)`);
  for (const clients of options.levels) {
    const { value: result, cpu } = await around(() => closedLoop({ concurrency: clients, seconds: options.seconds, warmupSeconds: 1, maxRequests: 500_000, send }));
    const per = cpu ? cpuPerRequest(cpu, result.ok) : null;
    const level: ConfirmLevel = {
      clients,
      perSecond: result.perSecond,
      ok: result.ok,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      failures: describeFailures(result.failed),
      cpuPerConfirmMs: per,
    };
    levels.push(level);
    const cpuText = per ? [per.serverMs, per.postgresMs, per.loadMs].map((v) => (v === null ? 'n/a' : fmt(v, 2))).join(' / ') : 'n/a';
    options.say(
      `    ${String(clients).padStart(7)} ${fmt(level.perSecond).padStart(11)} ${level.p50.toFixed(1).padStart(6)} ms ${level.p99.toFixed(1).padStart(6)} ms ${level.max.toFixed(0).padStart(6)} ms  ${level.failures}; ${cpuText}`,
    );
  }
  const best = levels.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  return { best, levels };
}
