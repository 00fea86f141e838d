import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import type { ReplayCursor, ReplayedReceipt, ReplayScenario } from '../loyalty/index.ts';
import type { PromotionChange } from '../promotions/index.ts';
import { addReceipts, emptySums, reportOf } from './report.ts';

/**
 * The what-if replay on real receipts (POST /v1/checkout/confirm, refunds, a cancel): unchanged
 * rules reproduce what the ledger kept exactly; a doubled base rate doubles the base part and
 * leaves the bonuses; a tier change and a promotion change move the figures as worked out by hand
 * below. The app's clock is 2026-03-01T09:00Z; stores are in Moscow.
 *
 * The program: 1 point = 1.00 (100 minor), base 5 %, coffee +10 % (a category rule that adds),
 * 50 points for a receipt of 3,000.00 or more, points spendable at once (pendingDays 0). Tiers by
 * spend: Member from 0, Silver from 5,000.00 (may pay half a receipt with points). Promotions:
 * Bakery 10 % off (automatic), WELCOME (100 bonus points with code WELCOME1).
 *
 * Receipts (store, who, lines → points as stored):
 *   R1 s1 Anna (Member):  coffee 400.00 → 20 + 40; bakery 2 × 100.00 − 10 % = 180.00 → 9        = 69 (base 29)
 *   R2 s1 Boris (Member): grocery 6,000.00 → 300, +50 for the big receipt; Boris becomes Silver  = 350 (base 300)
 *   R3 s2 Boris (Silver): grocery 1,000.00, 100 points redeemed (100.00) → 900.00 → 45           = 45 (base 45)
 *   R4 s2 Boris (Silver): coffee 2 × 200.00 → 20 + 40, code WELCOME1 → +100 = 160; one coffee
 *                         returned: half stays                                                     = 80 (base 10)
 *   R5 s1 anonymous:      bakery 300.00 − 10 % → no points
 *   R6 s2 Anna:           tobacco 500.00 (earns nothing), bakery 200.00 − 10 % → 9                 = 9 (base 9)
 *   R7 s1 Anna:           grocery 1,000.00, cancelled                                              = 0
 * Kept in all: 553 points (base 393, bonus 160), 100 redeemed, discounts 70.00.
 */
const DAY = 86_400_000;
let t: TestApp;
let bakery = '';
const ids: Record<string, string> = {};

type Figures = Record<'pointsIssued' | 'pointsBase' | 'pointsBonus' | 'discountMinor' | 'pointsRedeemed' | 'redeemedMinor' | 'liabilityChangeMinor' | 'costMinor' | 'revenueMinor', number>;
type Row = { receipts: number; actual: Figures; whatIf: Figures; difference: Figures };
type Report = { receipts: number; mismatched: number; pointValueMinor: number; total: Row; byStore: Array<Row & { storeId: string }>; byTier: Array<Row & { tierId: string | null }> };

async function ok(method: 'POST' | 'PUT' | 'PATCH', url: string, payload: object) {
  const response = await t.call({ method, url, payload });
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
  return response.json();
}

let receipts = 0;
async function confirm(store: string, customerId: string | null, daysAgo: number, lines: object[], more: object = {}) {
  const occurredAt = new Date(t.clock.now().getTime() - daysAgo * DAY).toISOString();
  const posReceiptId = `WI-${++receipts}`;
  const body = { storeId: store, posReceiptId, occurredAt, lines, ...(customerId ? { customer: { customerId } } : {}), ...more };
  return { ...(await ok('POST', '/v1/checkout/confirm', body)), posReceiptId };
}

export async function whatIf(payload: object): Promise<{ id: string; status: string; result: Report }> {
  const started = await t.call({ method: 'POST', url: '/v1/analytics/what-if', payload });
  expect(started.statusCode, started.body).toBe(202);
  await t.services.whatIf.runs.idle();
  const run = await t.call({ method: 'GET', url: `/v1/analytics/what-if/${started.json().id}` });
  expect(run.json().status, run.body).toBe('completed');
  return run.json();
}

const liveRules = [
  { id: 'base', name: 'Base 5%', kind: 'percent', rateBp: 500, conditions: {}, stacking: 'highest' },
  { id: 'coffee', name: 'Coffee +10%', kind: 'percent', rateBp: 1000, conditions: { categories: ['coffee'] }, stacking: 'sum' },
  { id: 'big', name: 'Big basket', kind: 'per_receipt', points: 50, conditions: { minReceiptTotal: 300_000 }, stacking: 'sum' },
];
const liveTiers = {
  metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level',
  tiers: [{ id: 'member', name: 'Member', threshold: 0 }, { id: 'silver', name: 'Silver', threshold: 500_000, maxRedeemShareBp: 5000 }],
};

beforeAll(async () => {
  t = await createTestApp();
  for (const id of ['s1', 's2']) await ok('PUT', `/v1/stores/${id}`, { name: `Store ${id}`, timezone: 'Europe/Moscow' });
  await ok('PATCH', '/v1/program', { pendingDays: 0 });
  await ok('PUT', '/v1/earning-rules', { rules: liveRules });
  await ok('PUT', '/v1/tiers', liveTiers);
  bakery = (await ok('POST', '/v1/promotions', { name: 'Bakery 10%', status: 'active', benefit: { kind: 'percent_off', percentBp: 1000, target: { categories: ['bakery'] } } })).id;
  const welcome = await ok('POST', '/v1/promotions', { name: 'Welcome', status: 'active', requiresCode: true, benefit: { kind: 'bonus_points', points: 100 } });
  await ok('POST', '/v1/promo-codes', { promotionId: welcome.id, code: 'WELCOME1' });
  const anna = (await ok('POST', '/v1/customers', { phone: '+79165550001' })).id;
  const boris = (await ok('POST', '/v1/customers', { phone: '+79165550002' })).id;
  ids.anna = anna;
  ids.boris = boris;

  const r1 = await confirm('s1', anna, 10, [{ sku: 'LATTE', qty: 1, price: 40_000, category: 'coffee' }, { sku: 'BUN', qty: 2, price: 10_000, category: 'bakery' }]);
  expect(r1.pointsToEarn).toBe(69);
  expect((await confirm('s1', boris, 9, [{ sku: 'HAM', qty: 1, price: 600_000, category: 'grocery' }])).pointsToEarn).toBe(350);
  const r3 = await confirm('s2', boris, 8, [{ sku: 'RICE', qty: 1, price: 100_000, category: 'grocery' }], { redeemPoints: 100 });
  expect([r3.pointsToEarn, r3.pointsRedeemed, r3.customer.tier.id]).toEqual([45, 100, 'silver']);
  const r4 = await confirm('s2', boris, 7, [{ sku: 'FLAT', qty: 2, price: 20_000, category: 'coffee' }], { promoCodes: ['WELCOME1'] });
  expect(r4.pointsToEarn).toBe(160);
  await ok('POST', `/v1/receipts/${r4.receiptId}/refunds`, { refundId: 'half', lines: [{ sku: 'FLAT', qty: 1 }] });
  await confirm('s1', null, 6, [{ sku: 'BREAD', qty: 1, price: 30_000, category: 'bakery' }]);
  expect((await confirm('s2', anna, 5, [{ sku: 'CIG', qty: 1, price: 50_000, category: 'tobacco' }, { sku: 'BUN', qty: 1, price: 20_000, category: 'bakery' }])).pointsToEarn).toBe(9);
  const r7 = await confirm('s1', anna, 4, [{ sku: 'RICE', qty: 1, price: 100_000, category: 'grocery' }]);
  await ok('POST', '/v1/checkout/cancel', { storeId: 's1', posReceiptId: r7.posReceiptId });
  // A receipt older than the window the runs ask for.
  await confirm('s1', anna, 40, [{ sku: 'RICE', qty: 1, price: 100_000, category: 'grocery' }]);
});

afterAll(async () => {
  await t?.close();
});

const sum = (rows: Row[], pick: (row: Row) => number) => rows.reduce((s, row) => s + pick(row), 0);

describe('what-if replay', () => {
  it('with the live configuration reproduces what the ledger kept, in total, by store and by tier', async () => {
    const run = await whatIf({ days: 30 });
    const report = run.result;
    expect(report.receipts).toBe(7);
    expect(report.mismatched).toBe(0);
    expect(report.total.actual).toMatchObject({ pointsIssued: 553, pointsBase: 393, pointsBonus: 160, pointsRedeemed: 100, redeemedMinor: 10_000, discountMinor: 7000 });
    expect(report.total.actual.liabilityChangeMinor).toBe((553 - 100) * 100);
    expect(report.total.actual.costMinor).toBe(10_000 + 7000 + (553 - 100) * 100);
    // Revenue: what was paid, less what was given back (R4's coffee, R7 whole).
    expect(report.total.actual.revenueMinor).toBe(58_000 + 600_000 + 90_000 + 20_000 + 27_000 + 68_000);
    for (const row of [report.total, ...report.byStore, ...report.byTier]) {
      expect(row.whatIf).toEqual(row.actual);
      expect(Object.values(row.difference).every((x) => x === 0)).toBe(true);
    }
    // The ledger agrees: every point entry the receipts left, earned less reversed.
    const ledger = async (customerId: string) => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/ledger?limit=100` })).json().items as Array<{ kind: string; available: number; pending: number }>;
    const earned = [...(await ledger(ids.anna!)), ...(await ledger(ids.boris!))]
      .filter((e) => e.kind === 'earn' || e.kind === 'reverse_earn')
      .reduce((s, e) => s + e.available + e.pending, 0);
    expect(earned - 50).toBe(553); // less the 50 points of the receipt bought before the window
    expect(report.byStore.map((row) => [row.storeId, row.receipts, row.actual.pointsIssued])).toEqual([['s1', 4, 69 + 350], ['s2', 3, 45 + 80 + 9]]);
    expect(report.byTier.map((row) => [row.tierId, row.receipts, row.actual.pointsIssued])).toEqual([['member', 4, 69 + 350 + 9], ['silver', 2, 125], [null, 1, 0]]);
    expect(sum(report.byStore, (row) => row.actual.costMinor)).toBe(report.total.actual.costMinor);
  });

  it('with the base rate doubled: the base part doubles, the bonuses stay', async () => {
    const doubled = liveRules.map((rule) => (rule.id === 'base' ? { ...rule, rateBp: 1000 } : rule));
    const { result } = await whatIf({ days: 30, rules: { rules: doubled } });
    expect(result.mismatched).toBe(0);
    for (const row of [result.total, ...result.byStore, ...result.byTier]) {
      expect(row.whatIf.pointsBase).toBe(2 * row.actual.pointsBase);
      expect(row.whatIf.pointsBonus).toBe(row.actual.pointsBonus);
      expect(row.whatIf.discountMinor).toBe(row.actual.discountMinor);
    }
    expect(result.total.whatIf.pointsIssued).toBe(553 + 393);
    expect(result.total.difference).toMatchObject({ pointsIssued: 393, pointsBase: 393, pointsBonus: 0, liabilityChangeMinor: 39_300, costMinor: 39_300, revenueMinor: 0 });
  });

  it('a tier change: Silver earning 10 % doubles what its receipts earned at the base rate', async () => {
    const tiers = { ...liveTiers, tiers: [liveTiers.tiers[0], { ...liveTiers.tiers[1], earnRateBp: 1000 }] };
    const { result } = await whatIf({ days: 30, tiers });
    // Silver's receipts (R3 900.00 → 90 instead of 45; R4 kept coffee 200.00 → 20 instead of 10): +55, all base.
    const silver = result.byTier.find((row) => row.tierId === 'silver')!;
    expect(silver.difference).toMatchObject({ pointsIssued: 55, pointsBase: 55, pointsBonus: 0, discountMinor: 0, pointsRedeemed: 0 });
    expect(result.total.difference).toMatchObject({ pointsIssued: 55, pointsBase: 55, liabilityChangeMinor: 5500 });
    expect(result.byTier.find((row) => row.tierId === 'member')!.difference.pointsIssued).toBe(0);
    expect(result.byStore.find((row) => row.storeId === 's2')!.difference.pointsIssued).toBe(55);
  });

  it('a promotion change: Bakery paused, a double-points coffee promotion added', async () => {
    const { result } = await whatIf({
      days: 30,
      promotions: [
        { id: bakery, status: 'paused' },
        { name: 'Coffee ×2', benefit: { kind: 'points_multiplier', factor: 2, target: { categories: ['coffee'] } } },
      ],
    });
    // No bakery discount: 70.00 less off; R1's and R6's buns earn 10 instead of 9 (base +2); R5 is anonymous.
    // Coffee ×2 doubles the coffee lines' percent points (5 % + 10 %): R1 400.00 → +60; R4 400.00 → +60, half kept → +30.
    expect(result.total.difference).toMatchObject({ discountMinor: -7000, pointsBase: 2, pointsBonus: 90, pointsIssued: 92, revenueMinor: 7000, costMinor: -7000 + 9200 });
    expect(result.byTier.find((row) => row.tierId === null)!.difference).toMatchObject({ discountMinor: -3000, pointsIssued: 0 });
    expect(result.byStore.find((row) => row.storeId === 's1')!.difference).toMatchObject({ discountMinor: -5000, pointsIssued: 61 });
  });

  it('counts the receipts the live configuration no longer prices as stored (mismatched); the actual side stays what was stored', async () => {
    // The live base rate changed after the receipts: every receipt that earned would earn more now.
    await ok('PUT', '/v1/earning-rules', { rules: liveRules.map((rule) => (rule.id === 'base' ? { ...rule, rateBp: 600 } : rule)) });
    try {
      const { result } = await whatIf({ days: 30 });
      // R1, R2, R3, R4 and R6 earned; R5 is anonymous and R7 was cancelled (nothing kept either way).
      expect(result.mismatched).toBe(5);
      expect(result.total.actual).toMatchObject({ pointsIssued: 553, pointsRedeemed: 100, discountMinor: 7000 });
      expect(result.total.whatIf.pointsIssued).toBeGreaterThan(553);
    } finally {
      await ok('PUT', '/v1/earning-rules', { rules: liveRules });
    }
  });

  it('answers the table as CSV, a row for the total, each store and each tier', async () => {
    const { id } = await whatIf({ days: 30 });
    const csv = await t.call({ method: 'GET', url: `/v1/analytics/what-if/${id}`, headers: { accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(/^dimension,key,receipts,actual_points_issued,what_if_points_issued,difference_points_issued,/);
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 4).join(','))).toEqual([
      'total,,7,553', 'store,s1,4,419', 'store,s2,3,134', 'tier,member,4,428', 'tier,silver,2,125', 'tier,(no customer),1,0',
    ]);
  });
});

/**
 * The replay's fast paths against its plain one on the receipts above (promotions, a code, tiers, a
 * refund, a cancel, two stores): sharing the context and the adjust step when only earning rules
 * change, and reading two batches ahead (the second skipping the first and checking that it follows
 * on). Plain: each configuration priced from its context up, one batch read ahead. Every receipt's
 * figures and the report must come out byte for byte the same, at every batch size.
 */
describe('what-if replay: the fast paths give what the plain one gives', () => {
  const window = () => ({ from: new Date(t.clock.now().getTime() - 30 * DAY), to: new Date(t.clock.now().getTime() + 1) });

  async function scenarios(change: { rules?: object[]; tiers?: object; promotions?: PromotionChange[] }) {
    const live = await t.services.loyalty.whatIf.live();
    const name = t.services.promotions.whatIf.adjuster;
    const promotions = await t.services.promotions.whatIf.live();
    const baseline: ReplayScenario = { ...live, adjusters: { [name]: promotions } };
    const whatIf: ReplayScenario = { ...live, adjusters: { [name]: promotions } };
    // As the route takes them: a rule says nothing of priority or being active, it gets the defaults.
    if (change.rules) whatIf.rules = { rules: change.rules.map((rule) => ({ priority: 0, active: true, ...rule })) } as ReplayScenario['rules'];
    if (change.tiers) whatIf.tiers = change.tiers as ReplayScenario['tiers'];
    if (change.promotions) {
      const changed = await t.services.promotions.whatIf.withChanges(change.promotions);
      expect(changed.problems).toEqual([]);
      whatIf.adjusters[name] = changed.scenario;
    }
    // As a run keeps them: through JSON, so the two configurations share no objects.
    return JSON.parse(JSON.stringify({ baseline, whatIf })) as { baseline: ReplayScenario; whatIf: ReplayScenario };
  }

  async function replay(configuration: { baseline: ReplayScenario; whatIf: ReplayScenario }, plain: boolean, batchSize: number, chunk?: number) {
    const replayer = await t.services.loyalty.whatIf.replayer(configuration, { plain, ...(chunk ? { chunk } : {}) });
    const range = window();
    const receipts: ReplayedReceipt[] = [];
    const sums = emptySums();
    let cursor: ReplayCursor | null = null;
    do {
      const batch = await replayer.batch(range, cursor, batchSize);
      receipts.push(...batch.receipts);
      addReceipts(sums, batch.receipts);
      cursor = batch.next;
    } while (cursor);
    const report = reportOf(sums, configuration.baseline.program, configuration.baseline.tiers.tiers.map((tier) => tier.id));
    return JSON.stringify({ receipts, report });
  }

  const changes = {
    'the base rate doubled': () => ({ rules: liveRules.map((rule) => (rule.id === 'base' ? { ...rule, rateBp: 1000 } : rule)) }),
    'rules changed every way': () => ({
      rules: [
        ...liveRules.filter((rule) => rule.id !== 'big'),
        { id: 'bakery-x3', name: 'Bakery ×3', kind: 'multiplier', factor: 3, conditions: { categories: ['bakery'] }, stacking: 'highest' },
        { id: 'silver-only', name: 'Silver +4%', kind: 'percent', rateBp: 400, conditions: { tiers: ['silver'] }, stacking: 'sum' },
        { id: 's2-visit', name: 'Visit s2', kind: 'per_receipt', points: 7, conditions: { stores: ['s2'] }, stacking: 'sum' },
      ],
    }),
    'a tier change': () => ({ tiers: { ...liveTiers, tiers: [liveTiers.tiers[0], { ...liveTiers.tiers[1], earnRateBp: 1000 }] } }),
    'a promotion change and the rules': () => ({
      rules: liveRules.map((rule) => (rule.id === 'base' ? { ...rule, rateBp: 300 } : rule)),
      promotions: [{ id: bakery, status: 'paused' as const }, { name: 'Coffee ×2', benefit: { kind: 'points_multiplier', factor: 2, target: { categories: ['coffee'] } } }] as PromotionChange[],
    }),
    'nothing changed': () => ({}),
  };

  for (const [what, change] of Object.entries(changes)) {
    it(`${what}: the same receipts and report at batch sizes 1, 2, 3 and 1,000, priced whole or in chunks`, async () => {
      const configuration = await scenarios(change());
      const plain = await replay(configuration, true, 1000);
      const { receipts, report } = JSON.parse(plain) as { receipts: ReplayedReceipt[]; report: { total: { difference: Record<string, number> } } };
      expect(receipts).toHaveLength(7);
      // Each change moves the figures (so a path that priced the changed configuration wrong would show).
      expect(Object.values(report.total.difference).some((x) => x !== 0)).toBe(what !== 'nothing changed');
      for (const size of [1, 2, 3, 1000]) {
        expect(await replay(configuration, false, size), `batch size ${size}`).toBe(plain);
        expect(await replay(configuration, true, size), `plain, batch size ${size}`).toBe(plain);
      }
      // A batch priced in several chunks (the engine's rule sets and plans outlive each chunk and receipt).
      for (const [size, chunk] of [[1000, 2], [3, 2], [1000, 1]] as const) {
        expect(await replay(configuration, false, size, chunk), `batch size ${size}, chunks of ${chunk}`).toBe(plain);
      }
    });
  }

  it('a batch asked after a cursor other than the one read ahead for is read after its own cursor', async () => {
    const configuration = await scenarios(changes['the base rate doubled']());
    const range = window();
    const plain = await t.services.loyalty.whatIf.replayer(configuration, { plain: true });
    const all = (await plain.batch(range, null, 1000)).receipts;
    const cursorAfter = async (index: number): Promise<ReplayCursor> => {
      // The cursor as the replay makes it: the batch of the receipts up to this one ends there.
      const batch = await plain.batch(range, null, index + 1);
      return batch.next!;
    };
    const fast = await t.services.loyalty.whatIf.replayer(configuration);
    // Batch 1 (two receipts) starts the reads of batches 2 and 3; batch 2 taken as read ahead starts batch 4's.
    const first = await fast.batch(range, null, 2);
    expect(first.receipts.map((r) => r.id)).toEqual(all.slice(0, 2).map((r) => r.id));
    const second = await fast.batch(range, first.next, 2);
    expect(second.receipts.map((r) => r.id)).toEqual(all.slice(2, 4).map((r) => r.id));
    // Asked after receipt 1 instead of after receipt 4: the read ahead (skipping from receipt 2) does not follow on, so it is read anew.
    const other = await fast.batch(range, await cursorAfter(0), 2);
    expect(JSON.stringify(other)).toBe(JSON.stringify(await plain.batch(range, await cursorAfter(0), 2)));
    expect(other.receipts.map((r) => r.id)).toEqual(all.slice(1, 3).map((r) => r.id));
  });
});

