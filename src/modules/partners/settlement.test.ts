import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { buildSettlement, type Figures } from './settlement.ts';

/**
 * The settlement report against the ledger itself: receipts, refunds, a cancel and redemptions at
 * two partners' stores and the operator's, over three days; every report's totals equal a direct
 * sum of point_entries joined to the receipts of the partner's stores, and the CSV's equal the JSON's.
 */
let t: TestApp;
let anna: string;
let ivan: string;
let partnerA: string;
let partnerB: string;
const A_STORES = ['a-1', 'a-2'];

const confirm = async (storeId: string, pos: string, customerId: string, price: number, redeemPoints = 0) => {
  const response = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: { storeId, posReceiptId: pos, customer: { customerId }, lines: [{ sku: 'GOODS', qty: 2, price }], ...(redeemPoints ? { redeemPoints } : {}) },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { receiptId: string; pointsToEarn: number; pointsRedeemed: number };
};
const refund = async (receiptId: string, refundId: string, qty: number) => {
  const response = await t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, payload: { refundId, lines: [{ sku: 'GOODS', qty }] } });
  expect(response.statusCode, response.body).toBe(201);
};
const report = async (partnerId: string, from: string, to: string) => {
  const response = await t.call({ method: 'GET', url: `/v1/partners/${partnerId}/settlement?from=${from}&to=${to}` });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as ReturnType<typeof buildSettlement>;
};

/** The ledger's own sum: point entries of receipts at these stores, written in [from, to]. */
async function ledgerSum(storeIds: string[], from: string, to: string) {
  const rows = await sql<{ kind: string; points: string }>`
    select e.kind, sum(e.available_delta + e.pending_delta)::bigint as points
    from point_entries e join receipts r on r.id = e.receipt_id
    where r.store_id = any(${storeIds}::text[]) and e.occurred_at >= ${`${from}T00:00:00Z`}::timestamptz
      and e.occurred_at < (${to}::date + 1)::timestamp at time zone 'UTC'
    group by e.kind`.execute(t.database.db);
  const of = (kind: string) => Number(rows.rows.find((r) => r.kind === kind)?.points ?? 0);
  return { earned: of('earn'), reversed: 0 - of('reverse_earn') || 0, redeemed: 0 - of('redeem') || 0, returned: of('return_redeemed') };
}

const halfUp = (points: number, per100: number) => Math.sign(points) * Math.floor((Math.abs(points) * per100 + 50) / 100);
const sumOf = (parts: Figures[], key: keyof Figures) => parts.reduce((sum, part) => sum + part[key], 0);

beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores', payload: ['op-1', 'a-1', 'a-2', 'b-1'].map((id) => ({ id, name: id, timezone: 'Europe/Moscow' })) });
  // Points can be spent at once (no pending period), so redemptions mix with earnings in the period.
  await t.call({ method: 'PATCH', url: '/v1/program', payload: { pendingDays: 0 } });
  const post = async (url: string, payload: object) => (await t.call({ method: 'POST', url, payload })).json();
  anna = (await post('/v1/customers', { phone: '+79123456789' })).id;
  ivan = (await post('/v1/customers', { phone: '+79123456780' })).id;
  for (const id of [anna, ivan]) await post(`/v1/customers/${id}/points/adjustments`, { points: 5000, reason: 'welcome' });
  // A: 3%, owes 0.90 a point issued, is owed 0.85 a point redeemed. B: 10%, 1.005 and 0.9999 (rounding shows).
  partnerA = (await post('/v1/partners', { name: 'A', storeIds: A_STORES, earnRateBp: 300, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8500 })).id;
  partnerB = (await post('/v1/partners', { name: 'B', storeIds: ['b-1'], earnRateBp: 1000, issuedPer100PointsMinor: 10050, redeemedPer100PointsMinor: 9999 })).id;

  // Day 1: receipts at every store, some paying with points.
  t.clock.set('2026-03-01T10:00:00Z');
  const a1 = await confirm('a-1', 'A1', anna, 50000, 100); // 1,000.00 − 100.00 in points: 3% of 900.00 = 27
  expect([a1.pointsToEarn, a1.pointsRedeemed]).toEqual([27, 100]);
  const a2 = await confirm('a-2', 'A2', ivan, 33333); // 666.66: 3% = 19.9998 → 19
  expect(a2.pointsToEarn).toBe(19);
  const b1 = await confirm('b-1', 'B1', anna, 12345, 37);
  await confirm('op-1', 'O1', anna, 100000, 300);
  // Day 2: half of A1 comes back (earned points reversed, redeemed points returned); B1 is cancelled.
  t.clock.set('2026-03-02T12:00:00Z');
  await refund(a1.receiptId, 'A1-R1', 1);
  const cancel = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 'b-1', posReceiptId: 'B1' } });
  expect(cancel.statusCode, cancel.body).toBe(200);
  await confirm('a-1', 'A3', ivan, 101010, 251);
  // Day 3 (after the first period): the rest of A2 comes back, and a new receipt at a-2.
  t.clock.set('2026-03-03T08:00:00Z');
  await refund(a2.receiptId, 'A2-R1', 2);
  await confirm('a-2', 'A4', anna, 7777, 5);
  expect(b1.pointsRedeemed).toBe(37);
});
afterAll(async () => t?.close());

describe('the settlement report equals the ledger', () => {
  it.each([
    ['A, day 1', 'A', '2026-03-01', '2026-03-01'],
    ['A, days 1–2', 'A', '2026-03-01', '2026-03-02'],
    ['A, day 3', 'A', '2026-03-03', '2026-03-03'],
    ['A, March', 'A', '2026-03-01', '2026-03-31'],
    ['B, March', 'B', '2026-03-01', '2026-03-31'],
    ['A, February (nothing)', 'A', '2026-02-01', '2026-02-28'],
  ])('%s', async (_name, which, from, to) => {
    const [partnerId, stores, rates] = which === 'A' ? [partnerA, A_STORES, [9000, 8500]] : [partnerB, ['b-1'], [10050, 9999]];
    const got = await report(partnerId, from, to);
    const ledger = await ledgerSum(stores, from, to);
    const issued = ledger.earned - ledger.reversed;
    const redeemed = ledger.redeemed - ledger.returned;
    expect(got.totals).toEqual({
      pointsEarned: ledger.earned,
      pointsReversed: ledger.reversed,
      pointsIssued: issued,
      pointsRedeemed: ledger.redeemed,
      pointsReturned: ledger.returned,
      pointsRedeemedNet: redeemed,
      partnerOwesMinor: halfUp(issued, rates[0]!),
      operatorOwesMinor: halfUp(redeemed, rates[1]!),
      netMinor: halfUp(issued, rates[0]!) - halfUp(redeemed, rates[1]!),
    });
    // The days and the stores add up to the totals, kopeck for kopeck.
    for (const parts of [got.days, got.stores]) {
      for (const key of Object.keys(got.totals) as Array<keyof Figures>) expect(sumOf(parts, key), key).toBe(got.totals[key]);
    }
    expect(got.stores.every((s) => stores.includes(s.storeId))).toBe(true);
  });

  it('consecutive periods add up to the whole; the operator\'s own store is in no report', async () => {
    const [d1, d2, d3, march] = await Promise.all([
      report(partnerA, '2026-03-01', '2026-03-01'),
      report(partnerA, '2026-03-02', '2026-03-02'),
      report(partnerA, '2026-03-03', '2026-03-03'),
      report(partnerA, '2026-03-01', '2026-03-31'),
    ]);
    for (const key of ['pointsEarned', 'pointsReversed', 'pointsRedeemed', 'pointsReturned'] as const) {
      expect(d1.totals[key] + d2.totals[key] + d3.totals[key], key).toBe(march.totals[key]);
    }
    const b = await report(partnerB, '2026-03-01', '2026-03-31');
    const all = await ledgerSum(['op-1', 'a-1', 'a-2', 'b-1'], '2026-03-01', '2026-03-31');
    const operator = await ledgerSum(['op-1'], '2026-03-01', '2026-03-31');
    expect(march.totals.pointsEarned + b.totals.pointsEarned + operator.earned).toBe(all.earned);
    expect(march.totals.pointsRedeemed + b.totals.pointsRedeemed + operator.redeemed).toBe(all.redeemed);
    // B's only receipt was cancelled the next day: everything came back.
    expect([b.totals.pointsIssued, b.totals.pointsRedeemedNet, b.totals.netMinor]).toEqual([0, 0, 0]);
    expect(b.days.map((d) => [d.date, d.pointsIssued, d.pointsRedeemedNet])).toEqual([
      // 2 × 123.45 = 246.90, 37.00 of it in points: 10% of 209.90 = 20 points.
      ['2026-03-01', 20, 37],
      ['2026-03-02', -20, -37],
    ]);
    await expectLedgerConsistent(t.database.db);
  });

  it('day 1 of A in figures: 27 + 19 issued, 100 redeemed', async () => {
    const day1 = await report(partnerA, '2026-03-01', '2026-03-01');
    expect(day1.totals).toEqual({
      pointsEarned: 46,
      pointsReversed: 0,
      pointsIssued: 46,
      pointsRedeemed: 100,
      pointsReturned: 0,
      pointsRedeemedNet: 100,
      partnerOwesMinor: 4140, // 46 × 0.90
      operatorOwesMinor: 8500, // 100 × 0.85
      netMinor: -4360, // the operator pays A 43.60
    });
    expect(day1.stores.map((s) => [s.storeId, s.pointsIssued])).toEqual([
      ['a-1', 27],
      ['a-2', 19],
    ]);
    expect(day1.rates).toEqual({ earnRateBp: 300, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8500 });
  });

  it('CSV (by Accept or format=csv) carries the same figures: its total row equals the JSON totals', async () => {
    const json = await report(partnerA, '2026-03-01', '2026-03-31');
    for (const request of [
      { url: `/v1/partners/${partnerA}/settlement?from=2026-03-01&to=2026-03-31`, headers: { accept: 'text/csv' } },
      { url: `/v1/partners/${partnerA}/settlement?from=2026-03-01&to=2026-03-31&format=csv`, headers: {} },
    ]) {
      const response = await t.call({ method: 'GET', ...request });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/csv/);
      const [header, ...rows] = response.body.trim().split('\n').map((line) => line.split(','));
      expect(header).toEqual(['row', 'date', 'store_id', 'points_earned', 'points_reversed', 'points_issued', 'points_redeemed', 'points_returned', 'points_redeemed_net', 'partner_owes_minor', 'operator_owes_minor', 'net_minor']);
      const total = rows.find((row) => row[0] === 'total')!;
      expect(total.slice(1, 3)).toEqual(['2026-03-01..2026-03-31', '*']);
      expect(total.slice(3).map(Number)).toEqual(Object.values(json.totals));
      expect(rows.filter((row) => row[0] === 'day').map((row) => row[1])).toEqual(json.days.map((d) => d.date));
      for (const kind of ['day', 'store']) {
        const sums = rows.filter((row) => row[0] === kind).reduce((acc, row) => acc.map((v, i) => v + Number(row[i + 3])), Array<number>(9).fill(0));
        expect(sums, kind).toEqual(Object.values(json.totals));
      }
    }
  });

  it('refuses a period that ends before it starts, or a day that does not exist', async () => {
    const backwards = await t.call({ method: 'GET', url: `/v1/partners/${partnerA}/settlement?from=2026-03-02&to=2026-03-01` });
    expect([backwards.statusCode, backwards.json().code]).toEqual([400, 'settlement.invalid_period']);
    const farAway = await t.call({ method: 'GET', url: `/v1/partners/${partnerA}/settlement?from=2026-03-01&to=9999-12-31` });
    expect([farAway.statusCode, farAway.json().detail]).toEqual([400, 'from and to must be days from 1900-01-01 to 2999-12-31; got from=2026-03-01, to=9999-12-31']);
    const noDay = await t.call({ method: 'GET', url: `/v1/partners/${partnerA}/settlement?from=2026-02-30&to=2026-03-01` });
    expect(noDay.statusCode).toBe(400);
    const missing = await t.call({ method: 'GET', url: '/v1/partners/prt_0190c0ffee00700080000000000000ab/settlement?from=2026-03-01&to=2026-03-01' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'partner.not_found']);
  });
});

describe('money rounding (pure)', () => {
  const partner = { id: 'prt_x', name: 'X', status: 'active' as const, storeIds: ['s'], earnRateBp: 0, issuedPer100PointsMinor: 150, redeemedPer100PointsMinor: 1, version: 1, createdAt: '', updatedAt: '' };
  const row = (day: string, earned: number, reversed = 0) => ({ day, storeId: 's', earned, reversed, redeemed: 0, returned: 0 });

  it('rounds half away from zero on the totals and cuts the days by cumulative rounding', () => {
    // 1.5 minor units a point: 1 point → 1.5 → 2; 3 points → 4.5 → 5 in all, not 2 + 2 + 2.
    const report = buildSettlement(partner, 'RUB', '2026-03-01', '2026-03-03', [row('2026-03-01', 1), row('2026-03-02', 1), row('2026-03-03', 1)]);
    expect(report.totals.partnerOwesMinor).toBe(5);
    expect(report.days.map((d) => d.partnerOwesMinor)).toEqual([2, 1, 2]);
    const negative = buildSettlement(partner, 'RUB', '2026-03-01', '2026-03-01', [row('2026-03-01', 0, 1)]);
    expect(negative.totals.partnerOwesMinor).toBe(-2);
  });

  it('stays exact past 2^53 in the product', () => {
    const big = buildSettlement({ ...partner, issuedPer100PointsMinor: 100_000_000 }, 'RUB', '2026-03-01', '2026-03-01', [row('2026-03-01', 2_000_000_000)]);
    expect(big.totals.partnerOwesMinor).toBe(2_000_000_000_000_000);
  });
});
