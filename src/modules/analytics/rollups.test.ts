import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { memberExceptions, memberFacts } from '../customers/index.ts';
import { purchaseFacts, rollupFacts, tillFacts } from '../loyalty/index.ts';
import { messageInteractionFacts } from '../messaging/index.ts';
import { npsAnswerFacts } from '../surveys/index.ts';
import { createAnalytics, type Analytics } from './index.ts';
import { analyticsIds } from './analytics.ids.ts';

/**
 * The reports read the hourly rollups for closed hours and raw rows for the rest; they must
 * answer exactly what a read of the raw rows alone answers. Random receipts over two months
 * (several stores in two zones, both channels, anonymous ones, tiers, points redeemed, partial
 * and whole returns), folded up to this morning; then a late receipt for a closed hour, a
 * return of an old receipt and receipts of today after the fold. Each report is asked of the
 * app (rollups) and of the same module reading raw rows only, and the KPIs are also checked
 * against a plain SQL count over the receipts.
 */
let t: TestApp;
let raw: Analytics;
let seed = 20261201;
const random = () => {
  // mulberry32: the same data on every run and on both databases
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const stores = ['s1', 's2', 's3'] as const;
const customers: string[] = [];
const receipts: Array<{ id: string; lines: number }> = [];
let serial = 0;

async function buy(at: Date, options: { redeem?: boolean; who?: string } = {}): Promise<void> {
  t.clock.set(at);
  const who = options.who ?? (random() < 0.3 ? null : pick(customers));
  const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({ sku: `SKU${i}`, qty: 1 + Math.floor(random() * 3), price: 1000 + Math.floor(random() * 50) * 100 }));
  const response = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: {
      storeId: pick(stores),
      posReceiptId: `r-${++serial}`,
      registerId: pick(['r1', 'r2']),
      ...(random() < 0.15 ? { channel: 'online' } : {}),
      ...(who ? { customer: { customerId: who } } : {}),
      ...(who && options.redeem ? { redeemPoints: 50 } : {}),
      lines,
    },
  });
  // A redemption beyond the customer's balance is refused: buy without it then.
  if (response.statusCode !== 201 && options.redeem) return buy(at);
  expect(response.statusCode, response.body).toBe(201);
  receipts.push({ id: response.json().receiptId as string, lines: lines.length });
}

async function refund(receipt: { id: string; lines: number }, whole: boolean): Promise<void> {
  const detail = (await t.call({ method: 'GET', url: `/v1/receipts/${receipt.id}` })).json() as { lines: Array<{ sku: string; qty: number }> };
  const lines = whole ? detail.lines.map((line) => ({ sku: line.sku, qty: line.qty })) : [{ sku: detail.lines[0]!.sku, qty: 1 }];
  const response = await t.call({ method: 'POST', url: `/v1/receipts/${receipt.id}/refunds`, payload: { refundId: `f-${++serial}`, lines } });
  expect(response.statusCode, response.body).toBe(201);
}

const DAY = 86_400_000;
const marksOfClosedHours = async () =>
  (await sql<{ n: number }>`select count(*)::int as n from rollup_dirty d, rollup_state s where d.hour < extract(epoch from s.closed_until) / 3600`.execute(t.database.db)).rows[0]!.n;
/** Each per-customer rollup's file: VACUUM FULL writes a new one. */
const rollupFiles = async () =>
  (
    await sql<{ relname: string; relfilenode: number }>`select relname, relfilenode from pg_class where relname in ('rollup_customer_hours', 'rollup_customer_purchases', 'rollup_customer_baskets') order by relname`.execute(t.database.db)
  ).rows;
let filesBeforeFold: Awaited<ReturnType<typeof rollupFiles>> = [];
const at = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3_600_000);

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2025-12-01T08:00:00Z');
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 's1', timezone: 'UTC' } });
  await t.call({ method: 'PUT', url: '/v1/stores/s2', payload: { name: 's2', timezone: 'Europe/Moscow' } });
  await t.call({ method: 'PUT', url: '/v1/stores/s3', payload: { name: 's3', timezone: 'Asia/Yekaterinburg' } });
  const rules = await t.call({ method: 'PUT', url: '/v1/earning-rules', payload: { rules: [{ id: 'base', name: 'Base', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true }] } });
  expect(rules.statusCode, rules.body).toBe(200);
  const tiers = await t.call({
    method: 'PUT',
    url: '/v1/tiers',
    payload: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'silver', name: 'Silver', threshold: 0, privileges: [] }, { id: 'gold', name: 'Gold', threshold: 30_000, privileges: [] }] },
  });
  expect(tiers.statusCode, tiers.body).toBe(200);
  for (let i = 0; i < 14; i++) {
    const id = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916555${String(i).padStart(4, '0')}` } })).json().id as string;
    customers.push(id);
    if (i % 3 === 0) await t.call({ method: 'POST', url: `/v1/customers/${id}/points/adjustments`, payload: { points: 400, reason: 'welcome' } });
  }
  // Receipts from 1 January to this morning (1 March, 09:40 UTC), a few a day at random minutes.
  for (let day = 0; day < 59; day++) {
    const count = 1 + Math.floor(random() * 2);
    for (let i = 0; i < count; i++) await buy(new Date(Date.parse('2026-01-01T05:00:00Z') + day * DAY + Math.floor(random() * 16 * 60) * 60_000), { redeem: random() < 0.1 });
  }
  await buy(at('2026-03-01T00:00:00Z', 6.5));
  await buy(at('2026-03-01T00:00:00Z', 9.2));
  for (let i = 0; i < 12; i++) await refund(pick(receipts.slice(0, -2)), random() < 0.5);

  // The fold at 09:40 closes every hour up to 09:00 (the clock's hour).
  t.clock.set('2026-03-01T09:40:00Z');
  filesBeforeFold = await rollupFiles();
  await t.services.loyalty.rollups.fold();
  expect((await t.services.loyalty.rollups.state()).closedUntil).toEqual(new Date('2026-03-01T09:00:00Z'));

  // After the fold: a late receipt for a closed hour and a return of an old receipt (both marked), and today's receipts.
  await buy(new Date('2026-02-10T12:34:00Z'));
  await refund(receipts[5]!, true);
  await refund(receipts[40]!, false);
  // An erased customer keeps their receipts and ledger (statistics stay whole) but is no member: the active members leave them out.
  const erased = await t.call({ method: 'POST', url: `/v1/customers/${customers[3]}/erase` });
  expect(erased.statusCode, erased.body).toBe(200);
  await buy(at('2026-03-01T00:00:00Z', 9.9));
  await buy(at('2026-03-01T00:00:00Z', 10.5), { redeem: true });
  // A customer who joined after the fold: every purchase and every point since it (no folded row).
  const newcomer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79165559999' } })).json().id as string;
  await buy(at('2026-03-01T00:00:00Z', 10.6), { who: newcomer });
  await buy(at('2026-03-01T00:00:00Z', 10.7), { who: newcomer });
  t.clock.set('2026-03-01T11:00:00Z');
  // The late receipt and the returns marked their closed hours: the first report repairs them.
  expect(await marksOfClosedHours()).toBeGreaterThan(0);

  // The same reports over raw rows only: the analytics module with rollups that cover nothing.
  const s = t.services;
  raw = createAnalytics({
    db: t.database.db as never,
    clock: t.clock,
    ids: analyticsIds as never,
    sources: {
      till: tillFacts,
      rollups: { facts: rollupFacts, forReport: async () => null, cohortGrid: async () => null },
      purchases: purchaseFacts,
      points: s.loyalty.pointsLedger,
      members: memberFacts(),
      memberExceptions,
      segmentMembers: s.segments.membershipFacts(),
      clusterMembers: s.clusters.members(),
      customerEvents: s.engagement.eventFacts(),
      messageInteractions: messageInteractionFacts(),
      npsAnswers: npsAnswerFacts(),
      known: { store: async () => true, segment: async () => true },
    },
  });
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const asks = [
  { from: '2026-02-01', to: '2026-03-01', timezone: 'UTC' },
  { from: '2026-02-01', to: '2026-03-01', timezone: 'Europe/Moscow' },
  { from: '2026-01-20', to: '2026-02-14', timezone: 'Asia/Yekaterinburg' },
  { from: '2026-03-01', to: '2026-03-01', timezone: 'UTC' },
  { from: '2026-02-20', to: '2026-02-20', timezone: 'Europe/Moscow' },
];

describe('reports read from the rollups', () => {
  it('the first fold to catch up compacts each per-customer rollup it rewrote step after step', async () => {
    // Every closing step rewrites the rows of the customers who bought in its hours: a year of steps left the purchases and baskets at ~4× their live size.
    const after = await rollupFiles();
    expect(after.map((r) => r.relname)).toEqual(['rollup_customer_baskets', 'rollup_customer_hours', 'rollup_customer_purchases']);
    for (const [i, file] of after.entries()) expect(file.relfilenode, file.relname).not.toBe(filesBeforeFold[i]!.relfilenode);
  });

  it('the KPIs equal those read from the raw receipts, with the period before and the year before', async () => {
    for (const ask of asks) {
      const rolled = await t.services.analytics.kpis({ ...ask, compare: 'previous,year' });
      expect(rolled.rolledUpTo).toBe('2026-03-01T09:00:00.000Z');
      const plain = await raw.kpis({ ...ask, compare: 'previous,year' });
      expect(plain.rolledUpTo).toBeNull();
      expect({ ...rolled, rolledUpTo: null }).toEqual(plain);
      expect(rolled.overall.current.receipts).toBeGreaterThan(0);
    }
  });

  it('the KPIs equal a plain SQL count over the receipts (today\'s partial day and the fold\'s boundary included)', async () => {
    const report = await t.services.analytics.kpis({ from: '2026-02-15', to: '2026-03-01', timezone: 'Europe/Moscow', compare: 'previous' });
    const start = report.period.start;
    const end = report.period.end;
    const before = report.compared.previous!.start;
    // A receipt counts when confirmed with a line not wholly returned; money net of refunds.
    const kept = sql`r.status = 'confirmed' and exists (select 1 from receipt_lines l where l.receipt_id = r.id and l.refunded_qty_milli < l.qty_milli)`;
    const row = (await sql<{ receipts: number; revenue: number; customers: number; repeaters: number; newCustomers: number; earlier: number; retained: number }>`
      with p as (select * from receipts r where ${kept} and r.occurred_at >= ${start}::timestamptz and r.occurred_at < ${end}::timestamptz),
        q as (select distinct r.customer_id from receipts r where ${kept} and r.customer_id is not null and r.occurred_at >= ${before}::timestamptz and r.occurred_at < ${start}::timestamptz),
        b as (select customer_id, count(*) as n from p where customer_id is not null group by 1)
      select (select count(*) from p)::int as receipts, (select sum(paid_minor - refunded_minor) from p)::int as revenue,
        (select count(*) from b)::int as customers, (select count(*) from b where n >= 2)::int as repeaters,
        (select count(*) from b where not exists (select 1 from receipts r where r.customer_id = b.customer_id and ${kept} and r.occurred_at < ${start}::timestamptz))::int as new_customers,
        (select count(*) from q)::int as earlier, (select count(*) from b join q using (customer_id))::int as retained`.execute(t.database.db)).rows[0]!;
    const k = report.overall.current;
    expect([k.receipts, k.revenueMinor, k.customers, k.repeatPurchaseRate === null ? 0 : Math.round(k.repeatPurchaseRate * k.customers), k.newCustomers, k.previousCustomers, k.retainedCustomers])
      .toEqual([row.receipts, row.revenue, row.customers, row.repeaters, row.newCustomers, row.earlier, row.retained]);
  });

  it('the economics equal those read from the raw ledger and receipts', async () => {
    for (const ask of asks) {
      const rolled = await t.services.analytics.economics({ ...ask, series: 'day' });
      expect(rolled.rolledUpTo).toBe('2026-03-01T09:00:00.000Z');
      const plain = await raw.economics({ ...ask, series: 'day' });
      expect({ ...rolled, rolledUpTo: null }).toEqual(plain);
    }
  });

  it('the cohorts equal those read from the raw receipts', async () => {
    for (const ask of asks) {
      for (const [unit, by] of [['month', 'none'], ['month', 'store'], ['week', 'channel'], ['week', 'promotion']] as const) {
        const rolled = await t.services.analytics.cohorts({ ...ask, unit, by });
        expect(rolled.rolledUpTo).toBe('2026-03-01T09:00:00.000Z');
        const plain = await raw.cohorts({ ...ask, unit, by });
        expect({ ...rolled, rolledUpTo: null }).toEqual(plain);
      }
    }
  });

  it('repairs what changed in closed hours before answering', async () => {
    expect(await marksOfClosedHours()).toBe(0);
  });

  it('the cohorts from the kept cells equal those read raw: after the grids of every zone asked are built, after more hours close, and after a refund of a closed hour', async () => {
    const compare = async () => {
      for (const ask of asks) {
        for (const [unit, by] of [['month', 'none'], ['month', 'store'], ['week', 'channel'], ['week', 'promotion']] as const) {
          const rolled = await t.services.analytics.cohorts({ ...ask, unit, by });
          const plain = await raw.cohorts({ ...ask, unit, by });
          expect({ ...rolled, rolledUpTo: null }, `${ask.timezone} ${ask.from} ${unit} ${by}`).toEqual(plain);
        }
      }
    };
    // The reports above asked for the Moscow and Yekaterinburg grids; the fold builds them (UTC's it built at its first catch-up).
    expect((await t.services.loyalty.rollups.fold()).cohortGrids).toBe(4);
    const grids = await sql<{ timezone: string; unit: string }>`select timezone, unit from rollup_cohort_grids where built_at is not null order by 1, 2`.execute(t.database.db);
    expect(grids.rows.map((g) => `${g.timezone} ${g.unit}`)).toEqual(['Asia/Yekaterinburg month', 'Asia/Yekaterinburg week', 'Europe/Moscow month', 'Europe/Moscow week', 'UTC month', 'UTC week']);
    await compare();
    // Two more hours close (today's receipts at 09:54 and 10:30 move from the live read into the cells), then an old receipt is returned.
    t.clock.set('2026-03-01T12:10:00Z');
    await t.services.loyalty.rollups.fold();
    expect((await t.services.loyalty.rollups.state()).closedUntil).toEqual(new Date('2026-03-01T12:00:00Z'));
    await refund(receipts[7]!, true);
    await compare();
    // The cells kept step by step are those a build from scratch makes.
    const cells = sql`select grid_id, split, first_day::text, grp, idx, customers::int, revenue::int from rollup_cohort_cells where customers <> 0 or revenue <> 0 order by 1, 2, 3, 4, 5`;
    const kept = (await cells.execute(t.database.db)).rows;
    await sql`update rollup_cohort_grids set built_at = null`.execute(t.database.db);
    expect((await t.services.loyalty.rollups.fold()).cohortGrids).toBe(6);
    expect((await cells.execute(t.database.db)).rows).toEqual(kept);
  });
});
