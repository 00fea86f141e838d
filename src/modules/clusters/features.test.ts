import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { seededRandom } from '../../platform/seeded-random.ts';
import { purchaseFacts } from '../loyalty/index.ts';
import type { Db } from './clusters.db.ts';
import { decodeFeatureRow, featureQuery, featureSpecs, loadFeatures, topCategories, type FeatureTable } from './features.ts';

/**
 * The feature read (settings local to its transaction, rows as bytes) against the read it
 * replaced: the top categories found outside a transaction, then the statement's rows as float8[]
 * text, parsed number by number. Same customers in the same order, the same numbers to the bit,
 * on receipts with several categories (and none), both channels, stores in two time zones, POS
 * discounts, points paid, partial and whole refunds and a cancel.
 */
const DAY = 86_400_000;

async function textRead(db: Db, window: { from: Date; to: Date }, count: number): Promise<FeatureTable> {
  const categories = await topCategories(db, purchaseFacts, window, count);
  const specs = featureSpecs(categories);
  const d = specs.length;
  const rows = (await sql<{ id: string; monetary: number | string; v: number[] }>`select f.id, f.monetary, f.v from (${featureQuery(purchaseFacts, window, categories)}) f order by f.id`.execute(db)).rows;
  const values = new Float64Array(rows.length * d);
  rows.forEach((row, i) => row.v.forEach((x, j) => (values[i * d + j] = Number(x ?? 0))));
  return { specs, categories, customerIds: rows.map((r) => r.id), values, revenueMinor: Float64Array.from(rows, (r) => Number(r.monetary)) };
}

describe('reading the features', () => {
  let t: TestApp;
  let db: Db;
  let window: { from: Date; to: Date };

  beforeAll(async () => {
    t = await createTestApp();
    db = t.database.db as unknown as Db;
    for (const [id, timezone] of [['m1', 'Europe/Moscow'], ['m2', 'Europe/Moscow'], ['v1', 'Asia/Vladivostok']] as const) {
      const store = await t.call({ method: 'PUT', url: `/v1/stores/${id}`, payload: { name: `Store ${id}`, timezone } });
      expect(store.statusCode, store.body).toBeLessThan(300);
    }
    const random = seededRandom(29);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const catalog = [
      { sku: 'LATTE', category: 'coffee/drinks', price: 21_000 },
      { sku: 'BEANS', category: 'coffee/beans', price: 95_000 },
      { sku: 'MILK', category: 'dairy', price: 9_900 },
      { sku: 'CHEESE', category: 'dairy/cheese', price: 61_000 },
      { sku: 'BEEF', category: 'meat', price: 180_000 },
      { sku: 'PHONE', category: 'electronics/phones', price: 1_999_000 },
      { sku: 'SOAP', category: 'home', price: 12_500 },
      { sku: 'MYSTERY', category: undefined, price: 5_000 },
    ];
    let receiptNo = 0;
    for (let c = 0; c < 24; c++) {
      const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916444${String(c).padStart(4, '0')}` } });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().id as string;
      if (c % 3 === 0) {
        const adjusted = await t.call({ method: 'POST', url: `/v1/customers/${id}/points/adjustments`, payload: { points: 5_000, reason: 'fixture' } });
        expect(adjusted.statusCode, adjusted.body).toBe(201);
      }
      const receipts = 1 + Math.floor(random() * 5);
      for (let r = 0; r < receipts; r++) {
        const lines = Array.from({ length: 1 + Math.floor(random() * 4) }, (_v, i) => {
          const item = pick(catalog);
          const qty = item.sku === 'CHEESE' ? 0.455 : 1 + Math.floor(random() * 3);
          const discount = random() < 0.3 ? Math.floor(item.price * qty * 0.1) : undefined;
          return { sku: `${item.sku}-${i}`, qty, price: item.price, ...(item.category ? { category: item.category } : {}), ...(discount ? { discount } : {}) };
        });
        const occurredAt = new Date(t.clock.now().getTime() - Math.floor(random() * 300 * DAY) - Math.floor(random() * 24) * 3_600_000).toISOString();
        const confirmed = await t.call({
          method: 'POST',
          url: '/v1/checkout/confirm',
          payload: {
            storeId: pick(['m1', 'm2', 'v1']), posReceiptId: `FT-${++receiptNo}`, customer: { customerId: id }, channel: pick(['offline', 'online'] as const), occurredAt, lines,
            ...(c % 3 === 0 && r === 0 ? { redeemPoints: 1_000 } : {}),
          },
          role: 'pos',
        });
        expect(confirmed.statusCode, confirmed.body).toBe(201);
        const receiptId = confirmed.json().receiptId as string;
        if (c % 4 === 1 && r === 0) {
          // Part of the first line back.
          const refund = await t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, payload: { refundId: `FR-${receiptNo}`, lines: [{ sku: lines[0]!.sku, qty: lines[0]!.qty === 0.455 ? 0.2 : 1 }] }, role: 'pos' });
          expect(refund.statusCode, refund.body).toBeLessThan(300);
        }
        if (c % 5 === 2 && r === receipts - 1 && receipts > 1) {
          // The whole receipt back: no longer a purchase.
          const refund = await t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, payload: { refundId: `FW-${receiptNo}`, lines: lines.map((l) => ({ sku: l.sku, qty: l.qty })) }, role: 'pos' });
          expect(refund.statusCode, refund.body).toBeLessThan(300);
        }
      }
    }
    const now = t.clock.now();
    window = { from: new Date(now.getTime() - 365 * DAY), to: new Date(now.getTime() + 1) };
  }, 180_000);
  afterAll(async () => t?.close());

  it('gives what the text read gave: the same customers, categories and numbers to the bit', async () => {
    for (const count of [0, 2, 5]) {
      const fast = await loadFeatures(db, purchaseFacts, window, count);
      const reference = await textRead(db, window, count);
      expect(fast.categories).toEqual(reference.categories);
      expect(fast.specs).toEqual(reference.specs);
      expect(fast.customerIds).toEqual(reference.customerIds);
      expect(Array.from(fast.values)).toEqual(Array.from(reference.values));
      expect(Array.from(fast.revenueMinor)).toEqual(Array.from(reference.revenueMinor));
    }
  });

  it('the fixture exercises what it should: refunds, discounts, points, both channels, an uncategorised line, a mix beyond the named categories', async () => {
    const table = await loadFeatures(db, purchaseFacts, window, 2);
    const d = table.specs.length;
    const column = (key: string) => {
      const j = table.specs.findIndex((s) => s.key === key);
      return Array.from({ length: table.customerIds.length }, (_v, i) => table.values[i * d + j]!);
    };
    expect(table.customerIds.length).toBeGreaterThan(15);
    expect(table.categories).toHaveLength(2);
    expect(column('discountShare').some((x) => x > 0)).toBe(true);
    expect(column('pointsShare').some((x) => x > 0)).toBe(true);
    expect(column('onlineShare').some((x) => x > 0 && x < 1)).toBe(true);
    expect(column('share.other').some((x) => x > 0)).toBe(true);
    expect(column('stores').some((x) => x > 1)).toBe(true);
    const refunds = (await sql<{ n: number }>`select count(*)::int as n from refunds`.execute(db)).rows[0]!.n;
    expect(refunds).toBeGreaterThan(2);
  });

  it('decodes the binary row: revenue, then the array, a null element as 0 and a short array padded with 0', () => {
    const bytes = new Uint8Array(8 + 20 + 3 * 12 - 8);
    const view = new DataView(bytes.buffer);
    view.setFloat64(0, 12_345);
    view.setInt32(8, 1); // dimensions
    view.setInt32(12, 1); // has nulls
    view.setInt32(16, 701); // float8
    view.setInt32(20, 3); // elements
    view.setInt32(24, 1); // lower bound
    view.setInt32(28, 8);
    view.setFloat64(32, 0.1);
    view.setInt32(40, -1);
    view.setInt32(44, 8);
    view.setFloat64(48, -2.5);
    const values = new Float64Array(2 * 4).fill(9);
    expect(decodeFeatureRow(bytes, values, 1, 4)).toBe(12_345);
    expect(Array.from(values)).toEqual([9, 9, 9, 9, 0.1, 0, -2.5, 0]);
  });
});
