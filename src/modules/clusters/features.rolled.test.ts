import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { seededRandom } from '../../platform/seeded-random.ts';
import { purchaseFacts } from '../loyalty/index.ts';
import type { Db } from './clusters.db.ts';
import { loadFeatures, type FeatureTable } from './features.ts';

/**
 * The features read from loyalty's folded baskets (rollup-baskets.ts, purchase-summaries.ts) against
 * the raw reading of receipts and lines: the same customers, categories and numbers to the bit,
 * with the fold in the middle of the fixture and, after it, refunds of folded purchases (repaired
 * before the read), new purchases since the fold (read raw) and a store moved to another
 * time zone (the rows are written again before they answer).
 */
const DAY = 86_400_000;

let t: TestApp;
let db: Db;
let receiptNo = 0;
const random = seededRandom(41);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const catalog = [
  { sku: 'LATTE', category: 'coffee/drinks', price: 21_000 },
  { sku: 'BEANS', category: 'coffee/beans', price: 95_000 },
  { sku: 'MILK', category: 'dairy', price: 9_900 },
  { sku: 'CHEESE', category: 'dairy/cheese', price: 61_000 },
  { sku: 'BEEF', category: 'meat', price: 180_000 },
  { sku: 'SOAP', category: 'home', price: 12_500 },
  { sku: 'ODD', category: '/odd', price: 3_000 },
  { sku: 'MYSTERY', category: undefined, price: 5_000 },
];
const customers: string[] = [];
const receipts: Array<{ id: string; lines: Array<{ sku: string; qty: number }> }> = [];

async function buy(customerId: string, occurredAt: Date) {
  const lines = Array.from({ length: 1 + Math.floor(random() * 4) }, (_v, i) => {
    const item = pick(catalog);
    const qty = item.sku === 'CHEESE' ? 0.455 : 1 + Math.floor(random() * 3);
    const discount = random() < 0.3 ? Math.floor(item.price * qty * 0.1) : undefined;
    return { sku: `${item.sku}-${i}`, qty, price: item.price, ...(item.category ? { category: item.category } : {}), ...(discount ? { discount } : {}) };
  });
  const confirmed = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: { storeId: pick(['m1', 'm2', 'v1']), posReceiptId: `FR-${++receiptNo}`, customer: { customerId }, channel: pick(['offline', 'online'] as const), occurredAt: occurredAt.toISOString(), lines },
    role: 'pos',
  });
  expect(confirmed.statusCode, confirmed.body).toBe(201);
  receipts.push({ id: confirmed.json().receiptId as string, lines });
}

const windowAt = () => ({ from: new Date(t.clock.now().getTime() - 365 * DAY), to: new Date(t.clock.now().getTime() + 1) });

function expectSame(rolled: FeatureTable, raw: FeatureTable) {
  expect(rolled.categories).toEqual(raw.categories);
  expect(rolled.specs).toEqual(raw.specs);
  expect(rolled.customerIds).toEqual(raw.customerIds);
  expect(Array.from(rolled.values)).toEqual(Array.from(raw.values));
  expect(Array.from(rolled.revenueMinor)).toEqual(Array.from(raw.revenueMinor));
}

beforeAll(async () => {
  t = await createTestApp();
  db = t.database.db as unknown as Db;
  for (const [id, timezone] of [['m1', 'Europe/Moscow'], ['m2', 'Europe/Moscow'], ['v1', 'Asia/Vladivostok']] as const) {
    const store = await t.call({ method: 'PUT', url: `/v1/stores/${id}`, payload: { name: `Store ${id}`, timezone } });
    expect(store.statusCode, store.body).toBeLessThan(300);
  }
  for (let c = 0; c < 20; c++) {
    const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916555${String(c).padStart(4, '0')}` } });
    expect(created.statusCode, created.body).toBe(201);
    customers.push(created.json().id as string);
    // Some purchases older than the window, the rest within it.
    for (let r = 0, count = 1 + Math.floor(random() * 5); r < count; r++) {
      await buy(customers[c]!, new Date(t.clock.now().getTime() - Math.floor(random() * 400 * DAY) - Math.floor(random() * 24) * 3_600_000));
    }
  }
}, 180_000);
afterAll(async () => t?.close());

describe('features from the folded baskets', () => {
  it('read raw before any fold: the baskets do not answer yet', async () => {
    expect(await t.services.loyalty.purchaseSummaries.rolledUntil()).toBeNull();
  });

  it('after the fold, then refunds of folded purchases and purchases since: the same features to the bit', async () => {
    const report = await t.services.loyalty.rollups.fold();
    expect(report.basketBackfillSteps).toBeGreaterThanOrEqual(0);
    const rows = await sql<{ n: number }>`select count(*)::int as n from rollup_customer_baskets`.execute(db);
    expect(rows.rows[0]!.n).toBe(20);
    // Refunds of folded purchases: a part of one line, and a whole receipt.
    const partial = receipts[1]!;
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${partial.id}/refunds`, payload: { refundId: 'RR-1', lines: [{ sku: partial.lines[0]!.sku, qty: partial.lines[0]!.qty === 0.455 ? 0.2 : 1 }] }, role: 'pos' });
    expect(refund.statusCode, refund.body).toBeLessThan(300);
    const whole = receipts[4]!;
    const back = await t.call({ method: 'POST', url: `/v1/receipts/${whole.id}/refunds`, payload: { refundId: 'RR-2', lines: whole.lines.map((l) => ({ sku: l.sku, qty: l.qty })) }, role: 'pos' });
    expect(back.statusCode, back.body).toBeLessThan(300);
    // Purchases since the fold (read raw), one of them by a customer who had none before it.
    t.clock.set(new Date(t.clock.now().getTime() + 20 * 60_000));
    for (const c of [0, 3, 7]) await buy(customers[c]!, t.clock.now());
    const until = await t.services.loyalty.purchaseSummaries.rolledUntil();
    expect(until).not.toBeNull();
    for (const count of [0, 2, 5]) {
      const rolled = await loadFeatures(db, purchaseFacts, windowAt(), count, t.services.loyalty.purchaseSummaries);
      const raw = await loadFeatures(db, purchaseFacts, windowAt(), count);
      expect(rolled.customerIds.length).toBeGreaterThan(10);
      expectSame(rolled, raw);
    }
  });

  it('a store moved to another time zone: raw until its rows are written again, then the same features', async () => {
    const moved = await t.call({ method: 'PUT', url: '/v1/stores/v1', payload: { name: 'Store v1', timezone: 'Asia/Yekaterinburg' } });
    expect(moved.statusCode, moved.body).toBeLessThan(300);
    expect(await t.services.loyalty.purchaseSummaries.rolledUntil()).toBeNull();
    t.clock.set(new Date(t.clock.now().getTime() + 2 * 3_600_000));
    await t.services.loyalty.rollups.fold();
    expect(await t.services.loyalty.purchaseSummaries.rolledUntil()).not.toBeNull();
    const rolled = await loadFeatures(db, purchaseFacts, windowAt(), 5, t.services.loyalty.purchaseSummaries);
    const raw = await loadFeatures(db, purchaseFacts, windowAt(), 5);
    expectSame(rolled, raw);
    const hours = await sql<{ n: number }>`select count(*)::int as n from rollup_customer_baskets`.execute(db);
    expect(hours.rows[0]!.n).toBe(20);
  });
});
