import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { quintileScore, rfmCells, rfmGroups, rfmMapping } from './rfm-groups.ts';

const DAY = 86_400_000;
const asOf = new Date('2026-03-01T09:00:00Z');

describe('RFM mapping', () => {
  it('puts each of the 25 recency × frequency cells in exactly one group, and every group has a cell', () => {
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const owners = rfmMapping.filter((entry) => entry.cells.recency.includes(r) && entry.cells.frequency.includes(f));
        expect(owners, `cell R${r} F${f}`).toHaveLength(1);
      }
    }
    expect(new Set(rfmCells().map((cell) => cell.group))).toEqual(new Set(rfmGroups));
  });

  it.each([
    [1, 10, 1], [2, 10, 1], [3, 10, 2], [5, 10, 3], [9, 10, 5], [10, 10, 5], [8, 9, 4], [9, 9, 5], [1, 1, 1],
  ])('rank %i of %i scores %i', (rank, n, score) => {
    expect(quintileScore(rank, n)).toBe(score);
  });
});

let t: TestApp;
let phones = 0;
const ids: Record<string, string> = {};

/** A purchase `daysAgo` days before asOf, paying `price` minor units (the clock is moved there: the till's "now"). */
async function buy(name: string, daysAgo: number, price: number, suffix = ''): Promise<string> {
  t.clock.set(new Date(asOf.getTime() - daysAgo * DAY));
  const response = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: { storeId: 's1', posReceiptId: `${name}-${daysAgo}${suffix}`, customer: { customerId: ids[name] }, lines: [{ sku: 'SKU', qty: 1, price }] },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().receiptId as string;
}

const run = async (body: object = {}) => {
  const started = await t.call({ method: 'POST', url: '/v1/analytics/rfm/runs', payload: body });
  expect(started.statusCode, started.body).toBe(202);
  await t.services.segments.rfm.idle();
  await t.services.segments.recomputes.idle();
  return started.json() as { id: string };
};
const rfmOf = async (name: string) => (await t.call({ method: 'GET', url: `/v1/customers/${ids[name]}` })).json().rfm;

beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  for (const name of ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L']) {
    const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7915555${String(++phones).padStart(4, '0')}` } });
    ids[name] = response.json().id;
  }
  // name: [days ago, price] per purchase
  const purchases: Record<string, Array<[number, number]>> = {
    A: [[1, 1000], [5, 1000], [10, 1000]],
    B: [[2, 500]],
    C: [[20, 2000], [30, 2000], [40, 2000], [50, 2000], [60, 2000]],
    D: [[100, 100]],
    E: [[200, 5000], [300, 5000]],
    F: [[400, 9000]], // before the 365-day window
    G: [[3, 250], [4, 250], [5, 250], [6, 250]],
    H: [[50, 7000]],
    I: [[1, 300], [90, 300]],
    L: [[300, 100], [310, 100], [320, 100], [330, 100], [340, 100], [350, 100]],
  };
  for (const [name, list] of Object.entries(purchases)) for (const [days, price] of list) await buy(name, days, price);
  // J's only purchase was returned whole, and a cancelled receipt of A's is none: neither counts.
  const returned = await buy('J', 150, 4000);
  t.clock.set(new Date(asOf.getTime() - 149 * DAY));
  expect((await t.call({ method: 'POST', url: `/v1/receipts/${returned}/refunds`, payload: { refundId: 'r-j', lines: [{ sku: 'SKU', qty: 1 }] } })).statusCode).toBe(201);
  await buy('A', 0.5, 99_999, '-cancelled');
  const cancelled = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: 'A-0.5-cancelled' } });
  expect(cancelled.statusCode, cancelled.body).toBeLessThan(300);
  t.clock.set(asOf);
});
afterAll(async () => t?.close());

describe('RFM runs', () => {
  it('answers 404 in plain words before the first run', async () => {
    const answer = await t.call({ method: 'GET', url: '/v1/analytics/rfm' });
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toMatchObject({ code: 'rfm.not_computed' });
    expect((await rfmOf('A'))).toBeNull();
  });

  it('scores a small fixture as computed by hand: quintiles of ranks with ties sharing the lowest place, and the groups', async () => {
    const segment = await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Hibernating', rules: { field: 'rfm.group', op: 'eq', value: 'Hibernating' } } });
    expect(segment.statusCode, segment.body).toBe(201);
    const started = await run({ windowDays: 365 });
    const view = (await t.call({ method: 'GET', url: `/v1/analytics/rfm/runs/${started.id}` })).json();
    expect(view).toMatchObject({ status: 'completed', phase: 'done', windowDays: 365, scored: 9, asOf: asOf.toISOString() });

    // By hand (n = 9). Recency days, worst first: L300 E200 D100 H50 C20 G3 B2 A1 I1 → ranks 1 2 3 4 5 6 7 8 8 → R 1 1 2 2 3 3 4 4 4.
    // Frequency: B D H 1 (rank 1), E I 2 (rank 4), A 3 (6), G 4 (7), C 5 (8), L 6 (9) → F 1 1 1 2 2 3 4 4 5.
    // Monetary: D 100 (1), B 500 (2), I L 600 (3), G 1000 (5), A 3000 (6), H 7000 (7), C E 10000 (8) → M 1 1 2 2 3 3 4 4 4.
    const expected: Record<string, [number, number, number, string, number, number, number]> = {
      A: [4, 3, 3, 'Potential loyalists', 1, 3, 3000],
      B: [4, 1, 1, 'Promising', 2, 1, 500],
      C: [3, 4, 4, 'Loyal', 20, 5, 10000],
      D: [2, 1, 1, 'Hibernating', 100, 1, 100],
      E: [1, 2, 4, 'Hibernating', 200, 2, 10000],
      G: [3, 4, 3, 'Loyal', 3, 4, 1000],
      H: [2, 1, 4, 'Hibernating', 50, 1, 7000],
      I: [4, 2, 2, 'Potential loyalists', 1, 2, 600],
      L: [1, 5, 2, "Can't lose them", 300, 6, 600],
    };
    for (const [name, [recency, frequency, monetary, group, recencyDays, purchases, spentMinor]] of Object.entries(expected)) {
      expect(await rfmOf(name), name).toMatchObject({ recency, frequency, monetary, group, recencyDays, purchases, spentMinor, cell: `${recency}${frequency}${monetary}`, windowDays: 365 });
    }
    for (const name of ['F', 'J', 'K']) expect(await rfmOf(name), name).toBeNull();

    const { report } = (await t.call({ method: 'GET', url: '/v1/analytics/rfm' })).json();
    expect(report.customers).toBe(9);
    expect(report.notScored).toBe(3);
    expect(report.revenueMinor).toBe(3000 + 500 + 10000 + 100 + 10000 + 1000 + 7000 + 600 + 600);
    expect(report.grid).toHaveLength(25);
    const cell = (r: number, f: number) => report.grid.find((c: { recency: number; frequency: number }) => c.recency === r && c.frequency === f);
    // R3 F4 holds C and G: 9 purchases for 110.00 → an average check of 11000 / 9 minor units
    expect(cell(3, 4)).toMatchObject({ group: 'Loyal', customers: 2, revenueMinor: 11000, purchases: 9, averageCheckMinor: Math.floor(11000 / 9) });
    expect(cell(5, 5)).toMatchObject({ customers: 0, revenueMinor: 0, averageCheckMinor: null });
    const hibernating = report.groups.find((g: { group: string }) => g.group === 'Hibernating');
    expect(hibernating).toMatchObject({ customers: 3, revenueMinor: 17100, averageCheckMinor: Math.floor(17100 / 4), share: 0.3333 });
    expect(hibernating.cells).toEqual([[2, 1], [2, 2], [1, 2]]);
    expect(report.scores.frequency).toEqual([
      { score: 1, customers: 3, min: 1, max: 1 },
      { score: 2, customers: 2, min: 2, max: 2 },
      { score: 3, customers: 1, min: 3, max: 3 },
      { score: 4, customers: 2, min: 4, max: 5 },
      { score: 5, customers: 1, min: 6, max: 6 },
    ]);
    expect(report.transitions).toEqual({ previousRunId: null, moves: [] });

    // A segment on the group recomputed when the run became current.
    const members = (await t.call({ method: 'GET', url: `/v1/segments/${segment.json().id}/members` })).json().items.map((m: { customerId: string }) => m.customerId);
    expect(members.sort()).toEqual([ids.D, ids.E, ids.H].sort());

    const csv = await t.call({ method: 'GET', url: '/v1/analytics/rfm?table=groups', headers: { accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('group,customers,share,revenue_minor,average_check_minor,average_recency_days,average_frequency,cells');
    expect(csv.body).toContain('Hibernating,3,0.3333,17100,4275,');
  });

  it('a later run reports who moved between groups, tallied the same as the customers\' own scores', async () => {
    const names = Object.keys(ids);
    const before = new Map(await Promise.all(names.map(async (name) => [name, (await rfmOf(name))?.group ?? null] as const)));
    // 100 days on: D buys again, and K for the first time; E's older purchase leaves the window.
    t.clock.set(new Date(asOf.getTime() + 100 * DAY));
    await buy('D', -100, 800);
    await buy('K', -100, 800);
    t.clock.set(new Date(asOf.getTime() + 100 * DAY));
    const second = await run();
    const after = new Map(await Promise.all(names.map(async (name) => [name, (await rfmOf(name))?.group ?? null] as const)));
    const tally = new Map<string, number>();
    for (const name of names) {
      const key = `${before.get(name)} → ${after.get(name)}`;
      if (before.get(name) !== null || after.get(name) !== null) tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    const { id, windowDays, report } = (await t.call({ method: 'GET', url: '/v1/analytics/rfm' })).json();
    expect(id).toBe(second.id);
    expect(windowDays).toBe(365);
    expect(report.transitions.previousRunId).not.toBeNull();
    expect(new Map(report.transitions.moves.map((m: { from: string | null; to: string | null; customers: number }) => [`${m.from} → ${m.to}`, m.customers]))).toEqual(tally);
    expect(after.get('K')).not.toBeNull();
    expect(before.get('K')).toBeNull();
  });

  it('answers the run under way instead of starting a second; bad settings are a 400 in words; analysts read, do not run', async () => {
    // A run under way (another instance's, say): a request is answered with it, not a second run.
    const underWay = 'rfm_0190c0ffee00700080000000000000cd';
    await t.database.db
      .insertInto('rfmRuns')
      .values({ id: underWay, status: 'running', windowDays: 30, asOf: t.clock.now(), phase: 'scoring', report: null, failure: null, requestedBy: null, startedAt: t.clock.now(), finishedAt: null })
      .execute();
    const answer = await t.call({ method: 'POST', url: '/v1/analytics/rfm/runs', payload: { windowDays: 90 } });
    expect(answer.json()).toMatchObject({ id: underWay, windowDays: 30 });
    await t.services.segments.rfm.idle();
    expect((await t.call({ method: 'GET', url: '/v1/analytics/rfm' })).json()).toMatchObject({ id: underWay, status: 'completed', windowDays: 30 });
    const bad = await t.call({ method: 'POST', url: '/v1/analytics/rfm/runs', payload: { windowDays: 0 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('windowDays');
    expect((await t.call({ method: 'POST', url: '/v1/analytics/rfm/runs', payload: {}, role: 'analyst' })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: '/v1/analytics/rfm', role: 'analyst' })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: '/v1/analytics/rfm/runs/rfm_0190c0ffee00700080000000000000ab' })).json()).toMatchObject({ status: 404, code: 'rfm.run_not_found' });
  });
});
