import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { seededRandom } from '../../platform/seeded-random.ts';
import { fitModels } from './fit-models.ts';
import { rfmData } from './rfm-data.ts';
import { dayNumber, dayText, summarise, type Transaction } from './transactions.ts';

/**
 * CLV through the routes, on real receipts (POST /v1/checkout/confirm with past times): the
 * summary SQL builds from loyalty's purchase facts is the one the in-memory builder makes from
 * the same purchases (same-day receipts merged, a wholly returned receipt left out, days in the
 * store's time zone), the fit is the model's fit on it, and every customer's prediction reaches
 * the customer view and the segment fields. The clock is 2026-03-01T09:00Z; the store is in
 * Moscow (UTC+3).
 */
type ClvRow = { customerId: string; x: number; recencyDays: number; ageDays: number; expectedPurchases: number; pAlive: number; expectedSpendMinor: string; clvMinor: string };

let phones = 0;
let receipts = 0;
const transactions: Transaction[] = [];
const customers: string[] = [];

async function buy(t: TestApp, customerId: string, occurredAt: Date, price: number): Promise<string> {
  const confirmed = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: { storeId: 'msk', posReceiptId: `CLV-${++receipts}`, customer: { customerId }, occurredAt: occurredAt.toISOString(), lines: [{ sku: 'BEANS', qty: 1, price }] },
  });
  expect(confirmed.statusCode, confirmed.body).toBe(201);
  // The purchase day is the Moscow date.
  const local = new Date(occurredAt.getTime() + 3 * 3_600_000).toISOString().slice(0, 10);
  transactions.push({ customer: customerId, day: dayNumber(local)!, spendMinor: confirmed.json().payable as number });
  return confirmed.json().receiptId as string;
}

async function newCustomer(t: TestApp): Promise<string> {
  const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916777${String(++phones).padStart(4, '0')}` } });
  expect(created.statusCode, created.body).toBe(201);
  customers.push(created.json().id as string);
  return created.json().id as string;
}

const DAY = 86_400_000;

describe('CLV fits through the routes', () => {
  let t: TestApp;
  let merged = '';
  let returned = '';
  let lateNight = '';

  beforeAll(async () => {
    t = await createTestApp();
    const store = await t.call({ method: 'PUT', url: '/v1/stores/msk', payload: { name: 'Moscow', timezone: 'Europe/Moscow' } });
    expect(store.statusCode, store.body).toBeLessThan(300);
    const random = seededRandom(5);
    const now = t.clock.now().getTime();
    for (let c = 0; c < 30; c++) {
      const id = await newCustomer(t);
      const first = 20 + Math.floor(random() * 150);
      const visits = c % 4 === 0 ? 1 : 2 + Math.floor(random() * 5);
      for (let v = 0; v < visits; v++) {
        const daysAgo = v === 0 ? first : Math.floor(random() * first);
        await buy(t, id, new Date(now - daysAgo * DAY), 20_000 + Math.floor(random() * 40) * 1_000 + c * 500);
      }
    }
    // Two receipts on one day are one purchase, their spends summed.
    merged = await newCustomer(t);
    await buy(t, merged, new Date(now - 60 * DAY), 30_000);
    await buy(t, merged, new Date(now - 10 * DAY), 11_000);
    await buy(t, merged, new Date(now - 10 * DAY + 3_600_000), 12_000);
    // A wholly returned receipt is no purchase.
    returned = await newCustomer(t);
    await buy(t, returned, new Date(now - 50 * DAY), 25_000);
    const gone = await buy(t, returned, new Date(now - 5 * DAY), 99_000);
    transactions.pop();
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${gone}/refunds`, payload: { refundId: 'CLV-R1', lines: [{ sku: 'BEANS', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    // 01:30 in Moscow is 22:30 UTC the day before: the purchase day is Moscow's.
    lateNight = await newCustomer(t);
    await buy(t, lateNight, new Date(Date.parse('2026-01-09T22:30:00Z')), 40_000);
    await buy(t, lateNight, new Date(Date.parse('2026-01-10T12:00:00Z')), 41_000);
  }, 120_000);
  afterAll(async () => t?.close());

  it('before any fit: GET /v1/analytics/clv is a 404 in words, the customer view says clv: null', async () => {
    const latest = await t.call({ method: 'GET', url: '/v1/analytics/clv', role: 'analyst' });
    expect(latest.statusCode).toBe(404);
    expect(latest.json()).toMatchObject({ code: 'clv.no_fit', detail: expect.stringContaining('POST /v1/analytics/clv/fit') });
    const customer = await t.call({ method: 'GET', url: `/v1/customers/${customers[0]}` });
    expect(customer.json().clv).toBeNull();
  });

  it.each([
    ['a calibration end after today', { calibrationEnd: '2026-03-02' }, 'calibrationEnd: must be today (2026-03-01) or earlier'],
    ['a date that is none', { calibrationEnd: '2026-02-30' }, 'calibrationEnd: must be a date'],
    ['a horizon past ten years', { horizon: 600 }, 'horizon: at most 520 weeks'],
  ])('%s: 400 clv.invalid naming the field', async (_name, body, detail) => {
    const response = await t.call({ method: 'POST', url: '/v1/analytics/clv/fit', payload: body, role: 'analyst' });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ detail: expect.stringContaining(detail) });
  });

  it('too few repeat customers by an early calibration end: 409, saying how many and what to do', async () => {
    const response = await t.call({ method: 'POST', url: '/v1/analytics/clv/fit', payload: { calibrationEnd: '2025-10-20' }, role: 'analyst' });
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json()).toMatchObject({ code: 'clv.too_few_customers', detail: expect.stringMatching(/^\d+ customers bought on two or more different days by 2025-10-20; .* at least 20/) });
  });

  it('a fit: the summary is the in-memory one, the parameters the model’s, each prediction stored and shown', async () => {
    const started = await t.call({ method: 'POST', url: '/v1/analytics/clv/fit', payload: { minRepeatCustomers: 5, horizon: 26, discountRatePerYear: 0.12, marginPercent: 30 }, role: 'analyst' });
    expect(started.statusCode, started.body).toBe(202);
    const run = started.json() as { id: string; status: string; phase: string; params: object };
    expect(run).toMatchObject({ status: 'running', phase: 'summary', params: { calibrationEnd: '2026-03-01', unit: 'week', horizon: 26, discountRatePerYear: 0.12, marginPercent: 30, minRepeatCustomers: 5, seed: 1 } });
    await t.services.clv.runs.idle();
    const done = await t.call({ method: 'GET', url: `/v1/analytics/clv/fit/${run.id}`, role: 'analyst' });
    expect(done.json()).toMatchObject({ id: run.id, status: 'completed', phase: 'done', customers: 33, processed: 33 });

    // The SQL summary, row by row, against the in-memory builder on the same purchases (in days).
    const expected = summarise(transactions, { calibrationEnd: dayNumber('2026-03-01')!, unit: 'day' });
    const rows = (await t.database.db.selectFrom('customerClv').selectAll().where('runId', '=', run.id).orderBy('customerId').execute()) as unknown as ClvRow[];
    expect(rows.map((r) => ({ customer: r.customerId, x: r.x, tx: r.recencyDays, T: r.ageDays }))).toEqual(
      expected.map((c) => ({ customer: c.customer, x: c.x, tx: c.tx, T: c.T })).sort((a, b) => (a.customer < b.customer ? -1 : 1)),
    );
    expect(expected.find((c) => c.customer === merged)).toMatchObject({ x: 1, zbarMinor: 23_000 });
    expect(expected.find((c) => c.customer === returned)).toMatchObject({ x: 0 });
    // Both on 10 January in Moscow (in UTC the first was the 9th): one purchase day.
    expect(expected.find((c) => c.customer === lateNight)).toMatchObject({ x: 0, tx: 0 });

    // The parameters are the model's on that summary (in weeks, spend in minor units).
    const fit = fitModels(rfmData(expected.map((c) => ({ x: c.x, tx: c.tx / 7, T: c.T / 7, zbar: c.zbarMinor }))), { seed: 1 });
    const report = (await t.call({ method: 'GET', url: '/v1/analytics/clv', role: 'analyst' })).json();
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(report.bgnbd[key]).toBeCloseTo(fit.bgnbd.params[key], 4);
    for (const key of ['p', 'q', 'v'] as const) expect(report.gammaGamma[key] / fit.gammaGamma.params[key]).toBeCloseTo(1, 4);
    expect(report.bgnbd.logLikelihood).toBeCloseTo(fit.bgnbd.logLikelihood, 3);
    expect(report.run).toMatchObject({ id: run.id, customers: 33, repeatCustomers: fit.repeatCustomers });
    const deciles = report.distribution.deciles as Array<{ customers: number; clvMinorTotal: number; clvMinorFrom: number; clvMinorTo: number }>;
    expect(deciles.reduce((s, d) => s + d.customers, 0)).toBe(33);
    const stored = rows.reduce((s, r) => s + Number(r.clvMinor), 0);
    expect(report.distribution.clvMinorTotal).toBe(stored);
    for (let i = 1; i < deciles.length; i++) expect(deciles[i]!.clvMinorTo).toBeLessThanOrEqual(deciles[i - 1]!.clvMinorFrom);
    expect((report.distribution.pAlive as Array<{ customers: number }>).reduce((s, b) => s + b.customers, 0)).toBe(33);

    // The customer view shows the stored prediction; CLV = margin × spend × discounted purchases ≤ margin × spend × purchases.
    const row = rows.find((r) => r.customerId === merged)!;
    const customer = (await t.call({ method: 'GET', url: `/v1/customers/${merged}`, role: 'support' })).json();
    expect(customer.clv).toEqual({
      runId: run.id, expectedPurchases: Math.round(row.expectedPurchases * 1e4) / 1e4, pAlive: Math.round(row.pAlive * 1e4) / 1e4,
      expectedSpendMinor: Number(row.expectedSpendMinor), clvMinor: Number(row.clvMinor), horizon: 26, unit: 'week', calibrationEnd: '2026-03-01',
    });
    expect(Number(row.clvMinor)).toBeLessThanOrEqual(Math.round(0.3 * Number(row.expectedSpendMinor) * row.expectedPurchases) + 1);
    expect(Number(row.clvMinor)).toBeGreaterThan(0);
    // A customer who never bought again is alive by the model's assumption (drop-out follows purchases).
    expect(rows.find((r) => r.customerId === returned)!.pAlive).toBe(1);
  });

  it('segments read clv.value, clv.pAlive and clv.expectedPurchases', async () => {
    const rows = (await t.database.db.selectFrom('customerClv').selectAll().execute()) as unknown as ClvRow[];
    const cases: Array<[object, number]> = [
      [{ field: 'clv.pAlive', op: 'lt', value: 0.9 }, rows.filter((r) => r.pAlive < 0.9).length],
      [{ field: 'clv.value', op: 'gte', value: 50_000 }, rows.filter((r) => Number(r.clvMinor) >= 50_000).length],
      [{ field: 'clv.expectedPurchases', op: 'gt', value: 5 }, rows.filter((r) => r.expectedPurchases > 5).length],
    ];
    for (const [rules, count] of cases) {
      const preview = await t.call({ method: 'POST', url: '/v1/segments/preview', payload: { rules }, role: 'marketer' });
      expect(preview.statusCode, preview.body).toBe(200);
      expect(preview.json().count, JSON.stringify(rules)).toBe(count);
    }
    for (const [rules, count] of cases) expect(count > 0 && count < rows.length, `${JSON.stringify(rules)} splits the customers`).toBe(true);
  });

  it('Accept: text/csv gives the deciles as CSV', async () => {
    const csv = await t.call({ method: 'GET', url: '/v1/analytics/clv', headers: { accept: 'text/csv' }, role: 'analyst' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('decile,customers,clv_minor_from,clv_minor_to,clv_minor_total,p_alive_mean,expected_purchases_mean');
    expect(lines.slice(1).reduce((s, line) => s + Number(line.split(',')[1]), 0)).toBe(33);
  });

  it('a fit left running by a stopped process: a start answers it, it is taken up and completes; the older fit’s rows go', async () => {
    const first = (await t.call({ method: 'GET', url: '/v1/analytics/clv', role: 'analyst' })).json().run.id as string;
    const params = { calibrationEnd: dayText(dayNumber('2026-02-20')!), unit: 'day', horizon: 90, discountRatePerYear: 0, marginPercent: 100, minRepeatCustomers: 5, seed: 3 };
    await t.database.db.insertInto('clvRuns').values({ id: 'clv_0190c0ffee00700080000000000000cd', status: 'running', phase: 'writing', params: JSON.stringify(params), customers: 33, repeatCustomers: 20, processed: 10_000, result: null, failure: null, requestedBy: null, startedAt: t.clock.now(), finishedAt: null }).execute();
    // One fit at a time: a start while it runs answers the running one.
    const again = await t.call({ method: 'POST', url: '/v1/analytics/clv/fit', payload: { seed: 9 }, role: 'marketer' });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ id: 'clv_0190c0ffee00700080000000000000cd', status: 'running', params });
    t.clock.advance(60_000);
    expect(await t.services.clv.runs.resumePending()).toEqual(['clv_0190c0ffee00700080000000000000cd']);
    await t.services.clv.runs.idle();
    t.clock.advance(-60_000);
    const report = (await t.call({ method: 'GET', url: '/v1/analytics/clv', role: 'analyst' })).json();
    expect(report.run).toMatchObject({ id: 'clv_0190c0ffee00700080000000000000cd', status: 'completed', params });
    const runs = await t.database.db.selectFrom('customerClv').select('runId').distinct().execute();
    expect(runs.map((r) => r.runId)).toEqual(['clv_0190c0ffee00700080000000000000cd']);
    expect(first).not.toBe(report.run.id);
  });

  it('an unknown fit is a 404; pos and support keys may not fit or read', async () => {
    const unknown = await t.call({ method: 'GET', url: '/v1/analytics/clv/fit/clv_0190c0ffee00700080000000000000ff', role: 'analyst' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('clv.run_not_found');
    expect((await t.call({ method: 'POST', url: '/v1/analytics/clv/fit', payload: {}, role: 'support' })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: '/v1/analytics/clv', role: 'pos' })).statusCode).toBe(403);
  });
});
