import { confirmSource } from '../harness/checkout-workload.ts';
import { closedLoop, describeFailures, type ClosedLoopResult } from '../harness/http-load.ts';
import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const CLIENTS = 16;
const GOAL_SHARE = 0.7;

/**
 * POST /v1/checkout/confirm with a promo code against the same confirms without, on the shared
 * server, in closed loops of one concurrency. Every coded confirm applies two promotions that
 * all tills share — a public code of a promotion with a money budget and a use limit, and an
 * automatic promotion without limits — so it shows what reserving them in SQL costs: the
 * guarded update of the budget row that every till takes (the hot row), the code's, and the
 * redemption records. The promotions are archived afterwards.
 */
export const confirmPromoCode: Scenario = {
  name: 'confirm-promo-code',
  title: 'POST /v1/checkout/confirm with a public promo code against without',
  goal: `with a code ≥ ${GOAL_SHARE * 100} % of the confirms/s without, at ${CLIENTS} clients`,
  reference: 'the same confirms without a code, same server, same clients',
  sharedServer: true,
  async run(ctx) {
    const { server, client, posKey, data } = await ctx.sharedServer();
    const seconds = ctx.scale.confirmSeconds;
    const made: string[] = [];
    const create = async (body: object) => {
      const reply = await client.post('/v1/promotions', JSON.stringify(body), server.adminKey);
      if (reply.status !== 201) throw new Error(`creating a promotion: ${reply.status} ${reply.body}`);
      const id = (JSON.parse(reply.body) as { id: string }).id;
      made.push(id);
      return id;
    };
    const run = async (label: string, codes: string[]): Promise<ClosedLoopResult> => {
      const source = confirmSource(data.workload, `promo-${label}-${ctx.runId}`, 0);
      const send = async () => {
        const { input } = source.next();
        const reply = await client.post('/v1/checkout/confirm', JSON.stringify(codes.length ? { ...input, promoCodes: codes } : input), posKey).catch(() => ({ status: 0, body: '' }));
        return { status: reply.status };
      };
      const result = await ctx.underLoad(`confirm ${label}`, () => closedLoop({ concurrency: CLIENTS, seconds, warmupSeconds: 1, maxRequests: 500_000, send }));
      ctx.say(`    ${label}: ${fmt(result.perSecond)} confirms/s, p99 ${result.latency.p99.toFixed(1)} ms; failures ${describeFailures(result.failed)}`);
      await ctx.pause(1_000);
      return result;
    };
    try {
      const coded = await create({
        name: 'Bench code −3%',
        status: 'active',
        requiresCode: true,
        benefit: { kind: 'percent_off', percentBp: 300 },
        limits: { budgetMinor: 1_000_000_000_000, uses: 2_000_000_000 },
      });
      const code = `BENCH${ctx.runId.replace(/[^A-Za-z0-9]/g, '').slice(-8).toUpperCase()}`;
      const codeReply = await client.post('/v1/promo-codes', JSON.stringify({ code, promotionId: coded }), server.adminKey);
      if (codeReply.status !== 201) throw new Error(`creating the code: ${codeReply.status} ${codeReply.body}`);
      ctx.say(`  closed loops of ${CLIENTS} clients, ${seconds} s each: without a code, then with ${code} (a budgeted promotion every till shares)`);
      const without = await run('without a code', []);
      await create({ name: 'Bench automatic +2 points per receipt', status: 'active', benefit: { kind: 'bonus_points', points: 2 } });
      const withCode = await run('with a code', [code]);
      const share = withCode.perSecond / without.perSecond;
      ctx.say(`  with a code: ${fmt(share * 100, 0)} % of the confirms/s without`);
      ctx.details['confirm-promo-code'] = { clients: CLIENTS, seconds, without: { perSecond: without.perSecond, latency: without.latency }, withCode: { perSecond: withCode.perSecond, latency: withCode.latency } };
      const failures = withCode.failed.size > 0 ? `failures ${describeFailures(withCode.failed)}` : undefined;
      return [
        {
          scenario: 'confirm-promo-code',
          figure: `confirms/s with a public code, ${CLIENTS} clients`,
          value: withCode.perSecond,
          unit: '/s',
          detail: [`p99 ${withCode.latency.p99.toFixed(1)} ms (without: ${without.latency.p99.toFixed(1)} ms)`, failures].filter(Boolean).join('; '),
          goal: { text: `≥ ${GOAL_SHARE * 100} % of without`, met: withCode.failed.size === 0 && share >= GOAL_SHARE },
          reference: { what: `confirms/s without a code, ${CLIENTS} clients`, value: without.perSecond },
        },
      ];
    } finally {
      for (const id of made) await client.patch(`/v1/promotions/${id}`, JSON.stringify({ status: 'archived' }), server.adminKey);
    }
  },
};
