import { cpuLine, cpuPerRequest, withCpu } from '../harness/cpu.ts';
import { describeFailures, openLoop, overloaded } from '../harness/http-load.ts';
import type { Scenario } from '../harness/scenario.ts';

const RATE = 1_000;
const P99_BOUND_MS = 5;

/**
 * GET /v1/customers/lookup?phone=… with the phone as a cashier types it ("8 (912) 345-67-89":
 * the server normalises it to E.164 first), for customers drawn by how often they shop, in an
 * open loop at 1,000/s. Beside it, pgbench select-only (one primary-key read) at the same rate
 * on the same server, latency from when each transaction was due: the database's part of any
 * lookup, without HTTP, authentication or normalising.
 */
export const lookup: Scenario = {
  name: 'lookup',
  title: 'GET /v1/customers/lookup by phone, open loop',
  goal: `p99 ≤ ${P99_BOUND_MS} ms at ${RATE.toLocaleString('en-US')}/s`,
  reference: `pgbench select-only (-S) at ${RATE.toLocaleString('en-US')}/s (-R) on the same PostgreSQL server, 4 clients, p50/p99 from its per-transaction log`,
  sharedServer: true,
  async run(ctx) {
    const { server, client, posKey, database, data } = await ctx.sharedServer();
    const urls = data.workload.customers.map((c) => `/v1/customers/lookup?phone=${encodeURIComponent(c.phone)}`);
    const seconds = ctx.scale.fixedRateSeconds;
    // Warm-up, not measured.
    await openLoop({ rate: 200, seconds: 2, send: (i) => client.get(urls[(i * 7) % urls.length]!, posKey) });
    ctx.say(`  open loop at ${RATE}/s for ${seconds} s`);
    const measured = await ctx.underLoad(`lookup at ${RATE}/s`, () =>
      withCpu(server, ctx.admin, database, () => openLoop({ rate: RATE, seconds, send: (i) => client.get(urls[(i * 13 + 5) % urls.length]!, posKey) })),
    );
    const r = measured.value;
    ctx.say(`    ${r.ok} answered of ${r.scheduled}; failures ${describeFailures(r.failed)}; not sent ${r.skipped}; achieved ${r.achievedPerSecond.toFixed(1)}/s`);
    ctx.say(`    from when due: p50 ${r.latency.p50.toFixed(2)} ms, p90 ${r.latency.p90.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, max ${r.latency.max.toFixed(1)} ms`);
    ctx.say(`    ${cpuLine(measured.cpu, r.ok)}`);
    await ctx.pause(2_000);
    const reference = await (await ctx.pgbench()).selectOnlyAt(RATE, seconds);
    ctx.details.lookup = { rate: RATE, seconds, result: { ...r, failed: Object.fromEntries(r.failed) }, cpuPerRequestMs: cpuPerRequest(measured.cpu, r.ok), pgbench: reference };
    const clean = r.failed.size === 0 && r.skipped === 0;
    const detail = clean ? {} : { detail: overloaded(r, RATE) };
    return [
      { scenario: 'lookup', figure: `p50 at ${RATE.toLocaleString('en-US')}/s`, value: r.latency.p50, unit: 'ms', ...detail, reference: { what: 'pgbench -S p50, same rate', value: reference.latency.p50 } },
      {
        scenario: 'lookup',
        figure: `p99 at ${RATE.toLocaleString('en-US')}/s`,
        value: r.latency.p99,
        unit: 'ms',
        ...detail,
        goal: { text: `≤ ${P99_BOUND_MS} ms`, met: clean && r.latency.p99 <= P99_BOUND_MS },
        reference: { what: 'pgbench -S p99, same rate', value: reference.latency.p99 },
      },
    ];
  },
};
