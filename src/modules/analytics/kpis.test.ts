import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * A small month of receipts whose key figures are worked out by hand below (February 2026,
 * compared with the 28 days before it: 4–31 January).
 *
 * Prices in minor units. January: A 100,000 at s1; B 200,000 at s1. February: A 2 × 100,000 at
 * s1 r1 and 300,000 at s2 r1; C 50,000 at s1 r2 (C's first purchase); anonymous 70,000 at s1 r2
 * and 80,000 at s2 r1; D 90,000 online at s2 (D's first); E 40,000 at s1, returned whole (no
 * receipt at all). B buys nothing in February. Every identified receipt earns 10 %.
 */
let t: TestApp;
const ids: Record<string, string> = {};
let phones = 0;

async function buy(at: string, store: string, price: number, options: { who?: string; register?: string; qty?: number; channel?: 'online' } = {}): Promise<string> {
  t.clock.set(new Date(at));
  const response = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: {
      storeId: store,
      posReceiptId: `${store}-${at}`,
      ...(options.register ? { registerId: options.register } : {}),
      ...(options.channel ? { channel: options.channel } : {}),
      ...(options.who ? { customer: { customerId: ids[options.who] } } : {}),
      lines: [{ sku: 'SKU', qty: options.qty ?? 1, price }],
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().receiptId as string;
}

const kpis = async (query: string, role?: 'analyst' | 'support') => {
  const response = await t.call({ method: 'GET', url: `/v1/analytics/kpis?${query}`, ...(role ? { role } : {}) });
  return response;
};

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-01-01T08:00:00Z'));
  for (const store of ['s1', 's2']) await t.call({ method: 'PUT', url: `/v1/stores/${store}`, payload: { name: store, timezone: 'UTC' } });
  const rules = await t.call({
    method: 'PUT',
    url: '/v1/earning-rules',
    payload: { rules: [{ id: 'base', name: 'Base 10%', kind: 'percent', rateBp: 1000, conditions: {}, priority: 0, stacking: 'highest', active: true }] },
  });
  expect(rules.statusCode, rules.body).toBe(200);
  for (const name of ['A', 'B', 'C', 'D', 'E']) {
    const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916444${String(++phones).padStart(4, '0')}` } });
    ids[name] = response.json().id;
  }
  await buy('2026-01-10T10:00:00Z', 's1', 100000, { who: 'A' });
  await buy('2026-01-15T10:00:00Z', 's1', 200000, { who: 'B' });
  await buy('2026-02-02T10:00:00Z', 's1', 100000, { who: 'A', register: 'r1', qty: 2 });
  await buy('2026-02-10T10:00:00Z', 's2', 300000, { who: 'A', register: 'r1' });
  await buy('2026-02-05T10:00:00Z', 's1', 50000, { who: 'C', register: 'r2' });
  await buy('2026-02-06T10:00:00Z', 's1', 70000, { register: 'r2' });
  await buy('2026-02-07T10:00:00Z', 's2', 80000, { register: 'r1' });
  await buy('2026-02-08T10:00:00Z', 's2', 90000, { who: 'D', channel: 'online' });
  const returned = await buy('2026-02-20T10:00:00Z', 's1', 40000, { who: 'E', register: 'r1' });
  t.clock.set(new Date('2026-02-21T10:00:00Z'));
  const refund = await t.call({ method: 'POST', url: `/v1/receipts/${returned}/refunds`, payload: { refundId: 'e-back', lines: [{ sku: 'SKU', qty: 1 }] } });
  expect(refund.statusCode, refund.body).toBe(201);
  t.clock.set(new Date('2026-03-05T09:00:00Z'));
});

afterAll(async () => {
  await t.close();
});

describe('GET /v1/analytics/kpis', () => {
  it('answers the period\'s figures as worked out by hand', async () => {
    const response = await kpis('from=2026-02-01&to=2026-02-28');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json();
    expect(body.period).toMatchObject({ from: '2026-02-01', to: '2026-02-28', timezone: 'UTC', start: '2026-02-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' });
    expect(body.overall.current).toEqual({
      revenueMinor: 790000, // 200,000 + 300,000 + 50,000 + 70,000 + 80,000 + 90,000
      receipts: 6, // E's returned receipt is none
      averageCheckMinor: 131667, // 790,000 ÷ 6 = 131,666.67
      itemsPerReceipt: 1.17, // 7 units ÷ 6
      grossMinor: 790000,
      discountMinor: 0,
      redeemedMinor: 0,
      discountShare: 0,
      pointsShare: 0,
      customers: 3, // A, C, D
      newCustomers: 2, // C, D
      returningCustomers: 1,
      purchaseFrequency: 1.33, // 4 identified receipts ÷ 3
      repeatPurchaseRate: 0.3333, // A
      previousCustomers: 2, // A, B in 4–31 January
      retainedCustomers: 1, // A
      retentionRate: 0.5,
      churnRate: 0.5,
      identifiedReceipts: 4,
      tillReceipts: 5, // all but D's online one
      tillIdentifiedReceipts: 3,
      recognitionRate: 0.6,
      members: 5,
      activeMembers: 4, // A, C, D earned; E earned too (then returned)
      loyaltyActivityRate: 0.8,
      npsRespondents: 0, // no survey yet: the NPS test below adds the answers
      nps: null,
    });
    expect(body.rows).toEqual([]);
  });

  it('splits by store and by register, so a manager sees which tills do not ask for the card', async () => {
    const byStore = (await kpis('from=2026-02-01&to=2026-02-28&groupBy=store')).json();
    const stores = Object.fromEntries(byStore.rows.map((row: { group: { store: string }; current: Record<string, unknown> }) => [row.group.store, row.current]));
    expect(stores.s1).toMatchObject({ receipts: 3, revenueMinor: 320000, tillReceipts: 3, tillIdentifiedReceipts: 2, recognitionRate: 0.6667, previousCustomers: 2, retainedCustomers: 1, retentionRate: 0.5, members: null, loyaltyActivityRate: null });
    expect(stores.s2).toMatchObject({ receipts: 3, revenueMinor: 470000, tillReceipts: 2, tillIdentifiedReceipts: 1, recognitionRate: 0.5, previousCustomers: 0, retentionRate: null });
    const byRegister = (await kpis('from=2026-02-01&to=2026-02-28&groupBy=register')).json();
    const registers = byRegister.rows.map((row: { group: object; current: { receipts: number; recognitionRate: number | null } }) => [row.group, row.current.receipts, row.current.recognitionRate]);
    expect(registers).toEqual([
      [{ store: 's1', register: null }, 0, null], // January's buyers, no receipt this month: kept, for its retention
      [{ store: 's1', register: 'r1' }, 1, 1],
      [{ store: 's1', register: 'r2' }, 2, 0.5],
      [{ store: 's2', register: null }, 1, null], // D's online order: no till
      [{ store: 's2', register: 'r1' }, 2, 0.5],
    ]);
  });

  it('splits by channel, and by tier over the identified receipts only', async () => {
    type Row = { group: object; current: { receipts: number; revenueMinor: number; customers: number } };
    const figures = (body: { rows: Row[] }) => body.rows.map((row) => [row.group, row.current.receipts, row.current.revenueMinor, row.current.customers]);
    // Offline: A 200,000 + 300,000, C 50,000 and the two anonymous 70,000 and 80,000 (A and C); online: D's 90,000.
    expect(figures((await kpis('from=2026-02-01&to=2026-02-28&groupBy=channel')).json())).toEqual([
      [{ channel: 'offline' }, 5, 700000, 2],
      [{ channel: 'online' }, 1, 90000, 1],
    ]);
    // A tier is a customer's, so the anonymous receipts are in no group; this program has no tier
    // reviews, so every identified receipt is in the group of no tier: A's two, C's and D's.
    expect(figures((await kpis('from=2026-02-01&to=2026-02-28&groupBy=tier')).json())).toEqual([[{ tier: null }, 4, 640000, 3]]);
  });

  it('splits by segment, and filters by one, over its members\' receipts', async () => {
    // Spent 1,500.00 or more in the 90 days to 5 March: A (1,000.00 + 2 × 1,000.00 + 3,000.00) and B (2,000.00).
    const created = await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Spent 1,500 in 90 days', rules: { all: [{ field: 'purchases.spentMinor', window: { days: 90 }, op: 'gte', value: 150000 }] } } });
    expect(created.statusCode, created.body).toBe(201);
    const segmentId = created.json().id as string;
    await t.services.segments.recomputes.idle();
    const members = (await t.call({ method: 'GET', url: `/v1/segments/${segmentId}/members?limit=100` })).json().items.map((m: { customerId: string }) => m.customerId).sort();
    expect(members).toEqual([ids.A, ids.B].sort());

    const bySegment = (await kpis('from=2026-02-01&to=2026-02-28&groupBy=segment')).json();
    expect(bySegment.rows).toHaveLength(1);
    expect(bySegment.rows[0].group).toEqual({ segment: segmentId });
    // February: A's two receipts (200,000 and 300,000); B bought nothing. January's buyers were A and B, A came back.
    expect(bySegment.rows[0].current).toMatchObject({
      receipts: 2, revenueMinor: 500000, averageCheckMinor: 250000, customers: 1, newCustomers: 0, previousCustomers: 2, retainedCustomers: 1, retentionRate: 0.5,
      identifiedReceipts: 2, tillReceipts: 2, tillIdentifiedReceipts: 2, members: 2, activeMembers: 1, loyaltyActivityRate: 0.5,
    });
    // The same as a filter: the anonymous receipts and C's, D's are out.
    const filtered = (await kpis(`from=2026-02-01&to=2026-02-28&segment=${segmentId}`)).json();
    expect(filtered.overall.current).toMatchObject({ receipts: 2, revenueMinor: 500000, customers: 1, recognitionRate: 1 });
  });

  it('splits by cluster, each cluster its customers\' receipts', async () => {
    // Clustered over the buyers of the 90 days before 5 March: A, B, C and D (E's receipt was returned).
    const started = await t.call({ method: 'POST', url: '/v1/clusters/runs', payload: { kMin: 2, kMax: 2, windowDays: 90 } });
    expect(started.statusCode, started.body).toBe(202);
    await t.services.clusters.runs.idle();
    const clusterOf = new Map<string, number>();
    for (const name of ['A', 'B', 'C', 'D']) {
      const customer = (await t.call({ method: 'GET', url: `/v1/customers/${ids[name]}` })).json();
      expect(customer.cluster, JSON.stringify(customer.cluster)).not.toBeNull();
      clusterOf.set(name, customer.cluster.cluster);
    }
    // Each cluster's February figures from the receipts listed at the top: A 2 receipts 500,000, C 1 × 50,000, D 1 × 90,000, B none.
    const february: Record<string, { receipts: number; revenueMinor: number }> = { A: { receipts: 2, revenueMinor: 500000 }, B: { receipts: 0, revenueMinor: 0 }, C: { receipts: 1, revenueMinor: 50000 }, D: { receipts: 1, revenueMinor: 90000 } };
    const expected = new Map<number, { receipts: number; revenueMinor: number; customers: number }>();
    for (const [name, cluster] of clusterOf) {
      const sum = expected.get(cluster) ?? { receipts: 0, revenueMinor: 0, customers: 0 };
      const own = february[name]!;
      expected.set(cluster, { receipts: sum.receipts + own.receipts, revenueMinor: sum.revenueMinor + own.revenueMinor, customers: sum.customers + (own.receipts > 0 ? 1 : 0) });
    }
    const byCluster = (await kpis('from=2026-02-01&to=2026-02-28&groupBy=cluster')).json();
    const rows = byCluster.rows.map((row: { group: { cluster: number }; current: { receipts: number; revenueMinor: number; customers: number } }) => [row.group.cluster, { receipts: row.current.receipts, revenueMinor: row.current.revenueMinor, customers: row.current.customers }]);
    expect(new Map(rows)).toEqual(expected);
    expect(expected.size).toBe(2);
  });

  it('answers the NPS of the period\'s survey answers, in total, by customer group and in a series, and none by store', async () => {
    t.clock.set(new Date('2026-01-18T08:00:00Z'));
    const survey = await t.call({ method: 'POST', url: '/v1/surveys', payload: { kind: 'nps', status: 'open', title: { en: 'Rate us' }, questions: [{ type: 'nps', text: { en: 'Would you recommend us?' } }] } });
    expect(survey.statusCode, survey.body).toBe(201);
    const answer = async (at: string, score: number, who?: string) => {
      t.clock.set(new Date(at));
      const response = await t.call({ method: 'POST', url: `/v1/surveys/${survey.json().id}/responses`, payload: { ...(who ? { customerId: ids[who] } : {}), answers: { q1: score } } });
      expect(response.statusCode, response.body).toBe(201);
    };
    await answer('2026-01-20T10:00:00Z', 3, 'B'); // the period before: a detractor
    await answer('2026-02-11T10:00:00Z', 10, 'A'); // promoter
    await answer('2026-02-12T10:00:00Z', 6, 'C'); // detractor
    await answer('2026-02-13T10:00:00Z', 8, 'D'); // passive
    await answer('2026-02-14T10:00:00Z', 9); // an anonymous promoter
    t.clock.set(new Date('2026-03-05T09:00:00Z'));
    const nps = (current: { npsRespondents: number | null; nps: number | null }) => [current.npsRespondents, current.nps];

    // February: 2 promoters, 1 detractor of 4 → 50 % − 25 % = 25; January (4–31): B alone, −100.
    const total = (await kpis('from=2026-02-01&to=2026-02-28&compare=previous')).json();
    expect(nps(total.overall.current)).toEqual([4, 25]);
    expect(nps(total.overall.previous)).toEqual([1, -100]);
    // A tier is a customer's: A, C and D (the anonymous answer is nobody's) → 1 − 1 of 3 = 0.
    expect((await kpis('from=2026-02-01&to=2026-02-28&groupBy=tier')).json().rows.map((row: { group: object; current: never }) => [row.group, ...nps(row.current)])).toEqual([[{ tier: null }, 3, 0]]);
    // The segment of A and B (the test above): A's 10 in February.
    const bySegment = (await kpis('from=2026-02-01&to=2026-02-28&groupBy=segment')).json();
    expect(bySegment.rows.map((row: { current: never }) => nps(row.current))).toEqual([[1, 100]]);
    // A month series: January's answer and February's four.
    const series = (await kpis('from=2026-01-01&to=2026-02-28&groupBy=month')).json();
    expect(series.rows.map((row: { group: { period: string }; current: never }) => [row.group.period, ...nps(row.current)])).toEqual([['2026-01-01', 1, -100], ['2026-02-01', 4, 25]]);
    // An answer belongs to no store: no NPS by store, nor for a store's figures.
    const byStore = (await kpis('from=2026-02-01&to=2026-02-28&groupBy=store')).json();
    expect(byStore.rows.map((row: { current: never }) => nps(row.current))).toEqual([[null, null], [null, null]]);
    expect(nps((await kpis('from=2026-02-01&to=2026-02-28&store=s1')).json().overall.current)).toEqual([null, null]);
  });

  it('compares with the period before and a year earlier', async () => {
    const body = (await kpis('from=2026-02-01&to=2026-02-28&compare=previous,year')).json();
    expect(body.compared.previous).toMatchObject({ from: '2026-01-04', to: '2026-01-31' });
    expect(body.compared.yearEarlier).toMatchObject({ from: '2025-02-01', to: '2025-02-28' });
    expect(body.overall.previous).toMatchObject({ receipts: 2, revenueMinor: 300000, customers: 2, newCustomers: 2, retentionRate: null });
    expect(body.overall.yearEarlier).toMatchObject({ receipts: 0, revenueMinor: 0, averageCheckMinor: null });
    expect(body.overall.change.previous.revenueMinor).toBe(1.6333); // (790,000 − 300,000) ÷ 300,000
    expect(body.overall.change.yearEarlier.revenueMinor).toBeNull();
  });

  it('makes a monthly series whose retention compares each month with the one before', async () => {
    const body = (await kpis('from=2026-01-01&to=2026-02-28&groupBy=month')).json();
    expect(body.rows.map((row: { group: object; current: { receipts: number; revenueMinor: number; retentionRate: number | null } }) => [row.group, row.current.receipts, row.current.revenueMinor, row.current.retentionRate])).toEqual([
      [{ period: '2026-01-01' }, 2, 300000, null],
      [{ period: '2026-02-01' }, 6, 790000, 0.5],
    ]);
  });

  it('counts a day as the given zone\'s clock shows it', async () => {
    // 2026-02-02 10:00 UTC is still 2 February in Vladivostok (UTC+10: 20:00), and in Honolulu (UTC−10: 00:00).
    const east = (await kpis('from=2026-02-02&to=2026-02-02&timezone=Asia/Vladivostok')).json();
    expect(east.period.start).toBe('2026-02-01T14:00:00.000Z');
    expect(east.overall.current.receipts).toBe(1);
    const west = (await kpis('from=2026-02-01&to=2026-02-01&timezone=Pacific/Honolulu')).json();
    expect(west.overall.current.receipts).toBe(0);
  });

  it('answers CSV with one row per group', async () => {
    const response = await t.call({ method: 'GET', url: '/v1/analytics/kpis?from=2026-02-01&to=2026-02-28&groupBy=store', headers: { accept: 'text/csv' } });
    expect(response.headers['content-type']).toContain('text/csv');
    const lines = response.body.trim().split('\n');
    expect(lines[0]).toMatch(/^store,revenue_minor,receipts,average_check_minor,/);
    expect(lines.slice(1).map((line) => line.split(',').slice(0, 3).join(','))).toEqual(['s1,320000,3', 's2,470000,3']);
  });

  it('refuses a bad period or comparison in words, and lets an analyst read but not support', async () => {
    const backwards = await kpis('from=2026-03-01&to=2026-02-01');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: 'analytics.invalid_period', detail: 'from (2026-03-01) must not be after to (2026-02-01)' });
    expect((await kpis('from=2026-02-30')).json().detail).toBe('from: must be a date as YYYY-MM-DD, e.g. 2026-03-01; got "2026-02-30"');
    expect((await kpis('timezone=Mars/Olympus')).json().code).toBe('analytics.invalid_period');
    // A typo's year 9999 (the fuzz suite's find: the day after it overflowed the reports' dates).
    expect((await kpis('to=9999-12-31')).json()).toMatchObject({ code: 'analytics.invalid_period', detail: 'to: must be a date from 1900-01-01 to 2999-12-31; got 9999-12-31' });
    expect((await kpis('compare=lastweek')).json()).toMatchObject({ code: 'analytics.invalid_query' });
    // A filter naming no store or segment would answer zeros an analyst might believe.
    const unknown = await kpis('store=nowhere&segment=seg_nope');
    expect([unknown.statusCode, unknown.json().code, unknown.json().errors]).toEqual([400, 'analytics.invalid_query', [
      { field: 'store', reason: 'there is no store nowhere; GET /v1/stores lists them' },
      { field: 'segment', reason: 'there is no segment seg_nope; GET /v1/segments lists them' },
    ]]);
    expect((await kpis('store=s1')).statusCode).toBe(200);
    expect((await kpis('from=2000-01-01&to=2026-01-01')).statusCode).toBe(400);
    expect((await kpis('', 'analyst')).statusCode).toBe(200);
    expect((await kpis('', 'support')).statusCode).toBe(403);
  });
});
