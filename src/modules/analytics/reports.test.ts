import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Cohorts, funnels and the bonus system's economics on one small history, every figure worked
 * out by hand below. Points: 10 % of the price (a point is worth 100 minor units, so 100,000
 * earns 100), no pending days, lots expire 30 days after they are earned.
 *
 * Jan 5  P signs up (web); 12:00 P's app.login event     Feb 10 S signs up (no source: api)
 * Jan 6  P buys 100,000 (+100 points)                    Feb 15 P buys 200,000 (+200)
 * Jan 20 Q signs up (web)                                Feb 20 R buys 100,000 paying 50 points (+95)
 * Jan 25 Q buys 300,000 (+300)                           Feb 25 expiry: P's 100 and Q's 300 expire
 * Feb 3  R signs up (app)                                Mar 2  P buys 50,000 (+50)
 * Feb 4  R buys 100,000 (+100)                           Mar 10 expiry: R's 50 left of Feb 4 expire; now
 */
let t: TestApp;
const ids: Record<string, string> = {};
let phones = 0;

async function signUp(name: string, at: string, source?: string) {
  t.clock.set(new Date(at));
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916555${String(++phones).padStart(4, '0')}`, ...(source ? { source } : {}) } });
  expect(response.statusCode, response.body).toBe(201);
  ids[name] = response.json().id;
}

async function buy(name: string, at: string, price: number, redeemPoints?: number) {
  t.clock.set(new Date(at));
  const response = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: { storeId: 's1', posReceiptId: `${name}-${at}`, customer: { customerId: ids[name] }, lines: [{ sku: 'SKU', qty: 1, price }], ...(redeemPoints ? { redeemPoints } : {}) },
  });
  expect(response.statusCode, response.body).toBe(201);
}

async function expireAt(at: string) {
  t.clock.set(new Date(at));
  const response = await t.call({ method: 'POST', url: '/v1/jobs/expire-points/run' });
  expect(response.statusCode, response.body).toBeLessThan(300);
}

const get = async (url: string) => {
  const response = await t.call({ method: 'GET', url });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-01-01T08:00:00Z'));
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'UTC' } });
  const program = await t.call({ method: 'PATCH', url: '/v1/program', payload: { pendingDays: 0, expiry: { kind: 'days', days: 30 } } });
  expect(program.statusCode, program.body).toBe(200);
  const rules = await t.call({
    method: 'PUT',
    url: '/v1/earning-rules',
    payload: { rules: [{ id: 'base', name: 'Base 10%', kind: 'percent', rateBp: 1000, conditions: {}, priority: 0, stacking: 'highest', active: true }] },
  });
  expect(rules.statusCode, rules.body).toBe(200);
  await signUp('P', '2026-01-05T09:00:00Z', 'web');
  t.clock.set(new Date('2026-01-05T12:00:00Z'));
  const event = await t.call({ method: 'POST', url: '/v1/events', payload: { eventId: 'p-login', customer: { customerId: ids.P }, type: 'app.login' } });
  expect(event.statusCode, event.body).toBeLessThan(300);
  await buy('P', '2026-01-06T10:00:00Z', 100_000);
  await signUp('Q', '2026-01-20T09:00:00Z', 'web');
  await buy('Q', '2026-01-25T10:00:00Z', 300_000);
  await signUp('R', '2026-02-03T09:00:00Z', 'app');
  await buy('R', '2026-02-04T10:00:00Z', 100_000);
  await signUp('S', '2026-02-10T09:00:00Z');
  await buy('P', '2026-02-15T10:00:00Z', 200_000);
  await buy('R', '2026-02-20T10:00:00Z', 100_000, 50);
  await expireAt('2026-02-25T10:00:00Z');
  await buy('P', '2026-03-02T10:00:00Z', 50_000);
  await expireAt('2026-03-10T09:00:00Z');
});

afterAll(async () => {
  await t.close();
});

describe('GET /v1/analytics/cohorts', () => {
  it('follows each month\'s new buyers: retention and cumulative revenue per customer', async () => {
    const body = await get('/v1/analytics/cohorts?from=2026-01-01&to=2026-02-28');
    expect(body.cohorts).toEqual([
      {
        cohort: '2026-01-01', group: null, size: 2, // P and Q
        periods: [
          { index: 0, customers: 2, retention: 1, revenueMinor: 400_000, cumulativeRevenuePerCustomerMinor: 200_000 },
          { index: 1, customers: 1, retention: 0.5, revenueMinor: 200_000, cumulativeRevenuePerCustomerMinor: 300_000 },
          { index: 2, customers: 1, retention: 0.5, revenueMinor: 50_000, cumulativeRevenuePerCustomerMinor: 325_000 },
        ],
      },
      {
        cohort: '2026-02-01', group: null, size: 1, // R: 100,000 + 95,000 paid
        periods: [
          { index: 0, customers: 1, retention: 1, revenueMinor: 195_000, cumulativeRevenuePerCustomerMinor: 195_000 },
          { index: 1, customers: 0, retention: 0, revenueMinor: 0, cumulativeRevenuePerCustomerMinor: 195_000 },
        ],
      },
    ]);
    expect(body.average).toEqual([
      { index: 0, cohorts: 2, customers: 3, retention: 1, cumulativeRevenuePerCustomerMinor: 198_333 }, // 595,000 ÷ 3
      { index: 1, cohorts: 2, customers: 3, retention: 0.3333, cumulativeRevenuePerCustomerMinor: 265_000 }, // 795,000 ÷ 3
      { index: 2, cohorts: 1, customers: 2, retention: 0.5, cumulativeRevenuePerCustomerMinor: 325_000 },
    ]);
  });

  it('splits cohorts by the first purchase\'s store and answers CSV', async () => {
    const body = await get('/v1/analytics/cohorts?from=2026-01-01&to=2026-01-31&by=store');
    expect(body.cohorts.map((c: { cohort: string; group: string; size: number }) => [c.cohort, c.group, c.size])).toEqual([['2026-01-01', 's1', 2]]);
    const csv = await t.call({ method: 'GET', url: '/v1/analytics/cohorts?from=2026-02-01&to=2026-02-28&format=csv' });
    expect(csv.body.trim().split('\n')).toEqual([
      'cohort,group,size,index,customers,retention,revenue_minor,cumulative_revenue_per_customer_minor',
      '2026-02-01,,1,0,1,1,195000,195000',
      '2026-02-01,,1,1,0,0,0,195000',
    ]);
  });
});

describe('GET /v1/analytics/funnels', () => {
  it('takes the sign-ups of the period through the first, second and third purchase', async () => {
    const body = await get('/v1/analytics/funnels?from=2026-01-01&to=2026-02-28');
    expect(body.steps).toEqual(['signup', 'purchase', 'purchase', 'purchase']);
    expect(body.overall.steps).toEqual([
      { step: 'signup', customers: 4, conversionFromPrevious: null, conversionFromFirst: null, medianHoursFromPrevious: null },
      { step: 'purchase', customers: 3, conversionFromPrevious: 0.75, conversionFromFirst: 0.75, medianHoursFromPrevious: 25 }, // 25 h, 121 h, 25 h
      { step: 'purchase', customers: 2, conversionFromPrevious: 0.6667, conversionFromFirst: 0.5, medianHoursFromPrevious: 672 }, // P 960 h, R 384 h
      { step: 'purchase', customers: 1, conversionFromPrevious: 0.5, conversionFromFirst: 0.25, medianHoursFromPrevious: 360 }, // P: 15 days
    ]);
  });

  it('splits by where the customers joined, and keeps to a window when asked', async () => {
    const bySource = await get('/v1/analytics/funnels?from=2026-01-01&to=2026-02-28&by=source');
    expect(bySource.groups.map((g: { group: string; steps: Array<{ customers: number }> }) => [g.group, g.steps.map((s) => s.customers)])).toEqual([
      ['api', [1, 0, 0, 0]],
      ['app', [1, 1, 1, 0]],
      ['web', [2, 2, 1, 1]],
    ]);
    // Within 30 days of signing up: P's second purchase came after 41 days, R's after 17.
    const within = await get('/v1/analytics/funnels?from=2026-01-01&to=2026-02-28&withinDays=30');
    expect(within.overall.steps.map((s: { customers: number }) => s.customers)).toEqual([4, 3, 1, 0]);
  });

  it('steps through custom events', async () => {
    const body = await get('/v1/analytics/funnels?from=2026-01-01&to=2026-02-28&steps=signup,event:app.login,purchase');
    expect(body.overall.steps.map((s: { step: string; customers: number; medianHoursFromPrevious: number | null }) => [s.step, s.customers, s.medianHoursFromPrevious])).toEqual([
      ['signup', 4, null],
      ['event:app.login', 1, 3],
      ['purchase', 1, 22],
    ]);
  });

  it('refuses steps it does not know, in words', async () => {
    const response = await t.call({ method: 'GET', url: '/v1/analytics/funnels?steps=signup,buy' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'analytics.invalid_query', detail: 'steps: "buy" is not a step; use signup, purchase, event:<type> (an event type as POST /v1/events takes it), message, message:<campaign or journey id>, open or click' });
    expect((await t.call({ method: 'GET', url: '/v1/analytics/funnels?steps=signup' })).json().detail).toBe('steps: a funnel has 2 to 8 steps separated by commas; got 1');
  });
});

describe('GET /v1/analytics/economics', () => {
  it('prices the points\' flows of a period, the liability, breakage and the program\'s cost', async () => {
    const body = await get('/v1/analytics/economics?from=2026-02-01&to=2026-02-28');
    expect(body.points).toEqual({
      issued: 395, // P 200, R 100 + 95
      awarded: 0,
      adjusted: 0,
      reversed: 0,
      redeemedAtTill: 50,
      redeemedOnRewards: 0,
      returned: 0,
      expired: 400, // P's 100 and Q's 300
      netRedeemed: 50,
      outstandingAtStart: 400,
      outstandingAtEnd: 345, // 400 + 395 − 50 − 400
    });
    // The flows add up to the change of what is outstanding.
    const p = body.points;
    expect(p.outstandingAtStart + p.issued + p.awarded + p.adjusted - p.reversed - p.redeemedAtTill - p.redeemedOnRewards + p.returned - p.expired).toBe(p.outstandingAtEnd);
    expect(body.liability).toEqual({ atStartMinor: 40_000, atEndMinor: 34_500, changeMinor: -5_500 });
    // Now (10 March): P's 200 and R's 95 expire in March, P's 50 in April.
    expect(body.liabilityByExpiryMonth.months).toEqual([
      { month: '2026-03', points: 295, valueMinor: 29_500 },
      { month: '2026-04', points: 50, valueMinor: 5_000 },
    ]);
    expect(body.breakage).toEqual({
      rate: 1.0127, // 400 ÷ 395: what expired in February was earned before it
      historicalRate: 0.9, // of 500 points past their expiry date, 450 expired
      settledPoints: 500,
      settledExpired: 450,
      outstandingExpiring: 345,
      expectedPoints: 311, // 345 × 0.9 = 310.5
      expectedMinor: 31_100,
    });
    expect(body.revenue).toEqual({ revenueMinor: 395_000, grossMinor: 400_000, receipts: 3, discountMinor: 0, redeemedAtTillMinor: 5_000 });
    expect(body.cost).toEqual({
      redeemedValueMinor: 5_000,
      discountMinor: 0,
      cashMinor: 5_000,
      accruedPointsMinor: 3_950, // 395 × 100 × (1 − 0.9)
      accrualMinor: 3_950,
      shareOfRevenue: 0.0127,
      accrualShareOfRevenue: 0.01,
    });
    expect(body.roi).toBeNull();
  });

  it('gives the flows month by month when asked', async () => {
    const body = await get('/v1/analytics/economics?from=2026-01-01&to=2026-03-31&series=month');
    expect(body.series.map((s: { period: string; issued: number; expired: number; redeemedAtTill: number }) => [s.period, s.issued, s.expired, s.redeemedAtTill])).toEqual([
      ['2026-01-01', 400, 0, 0],
      ['2026-02-01', 395, 400, 50],
      ['2026-03-01', 50, 50, 0],
    ]);
  });

  it('keeps the liability by expiry month whether or not the fold has run, and leaves out this month\'s lots already due', async () => {
    const months = async () => (await get('/v1/analytics/economics?from=2026-03-01&to=2026-03-09')).liabilityByExpiryMonth.months.map((m: { month: string; points: number }) => [m.month, m.points]);
    const pending = async () => Number((await sql<{ n: string }>`select count(*) as n from points_outstanding_changes`.execute(t.database.db)).rows[0]!.n);
    expect(await pending(), 'the changes since the migration, not folded yet').toBeGreaterThan(0);
    expect(await months()).toEqual([['2026-03', 295], ['2026-04', 50]]);
    const report = await t.services.loyalty.rollups.fold();
    expect(report.outstandingChanges).toBeGreaterThan(0);
    expect(await pending()).toBe(0);
    expect(await months(), 'the same once folded').toEqual([['2026-03', 295], ['2026-04', 50]]);
    await expectLedgerConsistent(t.database.db);
    try {
      // 20 March, the expiry job not run: P's 200 (due 17 March) no longer count, R's 95 (22 March) do.
      t.clock.set(new Date('2026-03-20T09:00:00Z'));
      expect(await months()).toEqual([['2026-03', 95], ['2026-04', 50]]);
      // In April the kept April is read live instead, and P's 50 of 2 March (due 1 April) are gone from it.
      t.clock.set(new Date('2026-04-01T10:00:00Z'));
      expect(await months()).toEqual([]);
      const adjust = async (points: number) => {
        const response = await t.call({ method: 'POST', url: `/v1/customers/${ids.S}/points/adjustments`, payload: { points, reason: 'goodwill' } });
        expect(response.statusCode, response.body).toBe(201);
      };
      await adjust(70); // expires 1 May
      // Points that never expire are kept apart, last.
      const never = await t.call({ method: 'PATCH', url: '/v1/program', payload: { expiry: { kind: 'never', days: null } } }); // a merge patch: days removed
      expect(never.statusCode, never.body).toBe(200);
      await adjust(30);
      expect(await months()).toEqual([['2026-05', 70], ['never', 30]]);
      await t.services.loyalty.rollups.fold();
      expect(await months()).toEqual([['2026-05', 70], ['never', 30]]);
      await expectLedgerConsistent(t.database.db);
    } finally {
      await t.call({ method: 'PATCH', url: '/v1/program', payload: { expiry: { kind: 'days', days: 30 } } });
      t.clock.set(new Date('2026-03-10T09:00:00Z'));
    }
  });
});
