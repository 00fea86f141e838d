import path from 'node:path';
import { openPostgres } from '../../src/db/database.ts';
import { timeCheckoutInProcess } from '../harness/checkout-workload.ts';
import { cpuLine, cpuPerRequest, withCpu } from '../harness/cpu.ts';
import { describeFailures, openLoop, overloaded, type OpenLoopResult, type Outcome } from '../harness/http-load.ts';
import { printPhaseTimings } from '../harness/phase-timings.ts';
import { highestRateWithin } from '../harness/rate-search.ts';
import { rateSteps } from '../harness/scale.ts';
import type { Scenario } from '../harness/scenario.ts';

const RATE = 500;
const P99_BOUND_MS = 10;

const lat = (r: OpenLoopResult) => `p50 ${r.latency.p50.toFixed(2)} ms, p90 ${r.latency.p90.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms, max ${r.latency.max.toFixed(1)} ms`;

/**
 * POST /v1/checkout/calculate: ten-line receipts for known customers (by phone as a cashier
 * types it, or by card), ten earning rules and three tiers, in an open loop: requests leave
 * at fixed times whatever the answers do, and latency counts from when each was due, so a
 * server that falls behind shows in the percentiles. Beside it, GET /health (no database, no
 * work) through the same driver, server and sockets: the floor of any route on this machine.
 */
export const calculate: Scenario = {
  name: 'calculate',
  title: 'POST /v1/checkout/calculate, 10 lines, 10 rules, open loop',
  goal: `p99 ≤ ${P99_BOUND_MS} ms at ${RATE}/s`,
  reference: 'GET /health on the same server through the same open-loop driver: the cost of HTTP, Fastify and the driver alone',
  sharedServer: true,
  async run(ctx) {
    const { server, client, posKey, database, calculateBody } = await ctx.sharedServer();
    const seconds = ctx.scale.fixedRateSeconds;
    const send = (i: number): Promise<Outcome> => client.post('/v1/checkout/calculate', calculateBody(i), posKey);
    const health = (): Promise<Outcome> => client.get('/health');

    ctx.say(`  open loop at ${RATE}/s for ${seconds} s`);
    const fixed = await ctx.underLoad(`calculate at ${RATE}/s`, () => withCpu(server, ctx.admin, database, () => openLoop({ rate: RATE, seconds, send })));
    const c = fixed.value;
    ctx.say(`    ${c.ok} answered of ${c.scheduled}; failures ${describeFailures(c.failed)}; not sent ${c.skipped}; achieved ${c.achievedPerSecond.toFixed(1)}/s`);
    ctx.say(`    from when due: ${lat(c)}`);
    ctx.say(`    ${cpuLine(fixed.cpu, c.ok)}`);
    await ctx.pause(2_000);
    ctx.say(`  reference: GET /health at ${RATE}/s for ${seconds} s`);
    const floor = await openLoop({ rate: RATE, seconds, send: health });
    ctx.say(`    from when due: ${lat(floor)}`);
    await ctx.pause();

    ctx.say(`  highest offered rate with p99 ≤ ${P99_BOUND_MS} ms (${ctx.scale.stepSeconds} s a step)`);
    const stepped = await ctx.underLoad('calculate, rate steps', () =>
      highestRateWithin({ boundMs: P99_BOUND_MS, steps: rateSteps, seconds: ctx.scale.stepSeconds, send: (i) => send(i + 1_000), say: ctx.say }),
    );
    await ctx.pause(2_000);
    ctx.say(`  reference: GET /health, stepped from ${stepped.highest || rateSteps[0]}/s`);
    const floorSteps = await highestRateWithin({ boundMs: P99_BOUND_MS, steps: rateSteps, seconds: ctx.scale.stepSeconds, startRate: stepped.highest, send: health, say: ctx.say });

    ctx.details.calculate = {
      rate: RATE,
      seconds,
      result: { ...c, failed: Object.fromEntries(c.failed) },
      cpuPerRequestMs: cpuPerRequest(fixed.cpu, c.ok),
      health: { latency: floor.latency, achievedPerSecond: floor.achievedPerSecond },
      steps: stepped.steps,
      healthSteps: floorSteps.steps,
    };

    if (ctx.options.breakdown) {
      ctx.say('  where the time goes: calculate and confirm one at a time in the harness process, every SQL statement timed');
      const db = await openPostgres(ctx.urlFor(database));
      try {
        printPhaseTimings(await timeCheckoutInProcess(db, (await ctx.loyalty()).workload, { count: 300, dataDir: path.join(ctx.tmp, 'in-process') }), ctx.say);
      } finally {
        await db.close();
      }
    }

    const clean = c.failed.size === 0 && c.skipped === 0;
    const detail = clean ? undefined : overloaded(c, RATE);
    return [
      { scenario: 'calculate', figure: `p50 at ${RATE}/s`, value: c.latency.p50, unit: 'ms', ...(detail ? { detail } : {}), reference: { what: `/health p50 at ${RATE}/s`, value: floor.latency.p50 } },
      {
        scenario: 'calculate',
        figure: `p99 at ${RATE}/s`,
        value: c.latency.p99,
        unit: 'ms',
        ...(detail ? { detail } : {}),
        goal: { text: `≤ ${P99_BOUND_MS} ms`, met: clean && c.latency.p99 <= P99_BOUND_MS },
        reference: { what: `/health p99 at ${RATE}/s`, value: floor.latency.p99 },
      },
      {
        scenario: 'calculate',
        figure: `highest rate with p99 ≤ ${P99_BOUND_MS} ms`,
        value: stepped.highest,
        unit: '/s',
        goal: { text: `≥ ${RATE}/s`, met: stepped.highest >= RATE },
        reference: { what: `/health, same bound`, value: floorSteps.highest },
      },
    ];
  },
};
