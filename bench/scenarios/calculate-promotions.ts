import { describeFailures, openLoop, overloaded, type OpenLoopResult, type Outcome } from '../harness/http-load.ts';
import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const RATE = 300;
const GOAL_RATIO = 1.5;

const categories = ['coffee', 'tea', 'dairy', 'cheese', 'bakery', 'meat', 'fish', 'fruit', 'vegetables'];

/**
 * The i-th of the bench's promotions: every kind of benefit, targets across the catalog, some
 * in groups, some exclusive, some with minimums and budgets (their counters are read fresh on
 * every receipt), some for other stores or a tier (not in play): what a retailer running many
 * campaigns at once has active.
 */
function promotion(i: number): object {
  const category = categories[i % categories.length]!;
  const kinds = [
    { kind: 'percent_off', percentBp: 500 + (i % 10) * 100, target: { categories: [category] } },
    { kind: 'amount_off', amountMinor: 5_000 + i * 100, target: { categories: [category] } },
    { kind: 'n_for_m', buy: 3, pay: 2, target: { categories: [category] } },
    { kind: 'buy_x_get_y', buy: { target: { categories: [category] }, qty: 2 }, get: { target: { categories: ['bakery'] }, qty: 1, percentBp: 5000 } },
    { kind: 'bundle_price', items: [{ target: { categories: [category] }, qty: 1 }, { target: { categories: ['dairy'] }, qty: 1 }], priceMinor: 20_000 },
  ];
  return {
    name: `Bench promotion ${i}`,
    status: 'active',
    benefit: kinds[i % kinds.length],
    ...(i % 4 === 0 ? { minSpendMinor: 100_000 + i * 1_000 } : {}),
    ...(i % 7 === 0 ? { validity: { stores: ['nowhere'] } } : {}),
    ...(i % 11 === 0 ? { audience: { kind: 'tiers', tiers: ['platinum'] } } : {}),
    stacking: { exclusive: i % 13 === 0, priority: i % 5, ...(i % 3 === 0 ? { group: `g${i % 6}` } : {}) },
    ...(i % 2 === 0 ? { limits: { budgetMinor: 1_000_000_000_000, uses: 2_000_000_000 } } : {}),
  };
}

const p99 = (r: OpenLoopResult) => `p50 ${r.latency.p50.toFixed(2)} ms, p99 ${r.latency.p99.toFixed(2)} ms`;

/**
 * calculate with 100 active promotions against the same with 10, on the shared server, in an
 * open loop at a fixed rate: what many campaigns at once cost a till. The promotions are archived
 * afterwards, so the shared database's later scenarios (and later runs on it) see none active.
 */
export const calculatePromotions: Scenario = {
  name: 'calculate-promotions',
  title: 'POST /v1/checkout/calculate with 100 active promotions against 10',
  goal: `p99 with 100 ≤ ${GOAL_RATIO}× p99 with 10, at ${RATE}/s`,
  reference: 'the same calculate with 10 active promotions, same server, same rate',
  sharedServer: true,
  async run(ctx) {
    const { server, client, posKey, calculateBody } = await ctx.sharedServer();
    const seconds = ctx.scale.fixedRateSeconds;
    const made: string[] = [];
    const add = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const reply = await client.post('/v1/promotions', JSON.stringify(promotion(i)), server.adminKey);
        if (reply.status !== 201) throw new Error(`creating promotion ${i}: ${reply.status} ${reply.body}`);
        made.push((JSON.parse(reply.body) as { id: string }).id);
      }
    };
    const send = (i: number): Promise<Outcome> => client.post('/v1/checkout/calculate', calculateBody(i + 20_000), posKey);
    const measure = async (label: string) => {
      await openLoop({ rate: RATE, seconds: 2, send }); // warm-up: the cache, the statements
      const result = await ctx.underLoad(`calculate with ${label}`, () => openLoop({ rate: RATE, seconds, send }));
      ctx.say(`    ${label}: ${result.ok} answered of ${result.scheduled}; failures ${describeFailures(result.failed)}; ${p99(result)}`);
      await ctx.pause(1_000);
      return result;
    };
    try {
      await add(0, 10);
      const ten = await measure('10 promotions');
      await add(10, 100);
      const hundred = await measure('100 promotions');
      const ratio = hundred.latency.p99 / ten.latency.p99;
      ctx.say(`  p99 ratio 100/10: ${fmt(ratio, 2)}`);
      ctx.details['calculate-promotions'] = { rate: RATE, seconds, ten: ten.latency, hundred: hundred.latency };
      const clean = (r: OpenLoopResult) => r.failed.size === 0 && r.skipped === 0;
      const detail = clean(hundred) && clean(ten) ? undefined : overloaded(clean(hundred) ? ten : hundred, RATE);
      return [
        {
          scenario: 'calculate-promotions',
          figure: `p99 at ${RATE}/s, 100 promotions`,
          value: hundred.latency.p99,
          unit: 'ms',
          ...(detail ? { detail } : {}),
          goal: { text: `≤ ${GOAL_RATIO}× the 10-promotion p99`, met: clean(hundred) && ratio <= GOAL_RATIO },
          reference: { what: `p99 at ${RATE}/s, 10 promotions`, value: ten.latency.p99 },
        },
      ];
    } finally {
      for (const id of made) await client.patch(`/v1/promotions/${id}`, JSON.stringify({ status: 'archived' }), server.adminKey);
    }
  },
};
