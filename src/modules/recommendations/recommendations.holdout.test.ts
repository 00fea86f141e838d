import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import type { HistoricalReceipt } from '../loyalty/index.ts';

/**
 * A planted co-purchase pattern, loaded as historical receipts (the clock is 2026-03-01; the
 * holdout's cut 30 days before). Four tastes g = 1…4: coffee A_g goes with treat B_g.
 *  - 10 trainers per taste: {A_g, B_g, MILK} and {A_g, B_g, BREAD} 60 and 90 days ago, and a
 *    {WATER} (the most popular item, bought alone) 120 days ago;
 *  - 7 evaluated customers per taste bought {A_g, MILK, BREAD, EGGS} 45 days ago; after the cut,
 *    5 of them bought B_g (the pattern), 1 bought WATER (what popularity predicts), 1 EGGS again.
 * At N = 2 the model (A_g → B_g) hits the 5, popularity (WATER, then another taste's coffee) the 1:
 * 20 of 28 against 4 of 28, for SKUs and for categories alike.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
});
afterAll(async () => t?.close());

const DAY = 86_400_000;
const categoryOf = (sku: string) => (sku.startsWith('A') ? ['coffee', `g${sku.slice(1)}`] : sku.startsWith('B') ? ['treats', `g${sku.slice(1)}`] : sku === 'WATER' ? ['drinks'] : ['staples']);
let receipts = 0;
const receipt = (customerId: string, daysAgo: number, skus: string[]): HistoricalReceipt => ({
  storeId: 's1',
  posReceiptId: `H-${++receipts}`,
  occurredAt: new Date(t.clock.now().getTime() - daysAgo * DAY),
  channel: 'offline',
  registerId: null,
  customerId,
  lines: skus.map((sku) => ({ sku, name: null, categories: categoryOf(sku), brand: null, qtyMilli: 1000, priceMinor: 10_000, discountMinor: 0 })),
});
let phones = 0;
const customer = async () => {
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916222${String(++phones).padStart(4, '0')}` } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};

describe('next-best-offer on a time holdout', () => {
  it('on a planted co-purchase pattern, the model beats the popularity baseline (hit rate at N, both reported)', async () => {
    const history: HistoricalReceipt[] = [];
    for (let g = 1; g <= 4; g++) {
      for (let i = 0; i < 10; i++) {
        const id = await customer();
        history.push(receipt(id, 60, [`A${g}`, `B${g}`, 'MILK']), receipt(id, 90, [`A${g}`, `B${g}`, 'BREAD']), receipt(id, 120, ['WATER']));
      }
      for (let i = 0; i < 7; i++) {
        const id = await customer();
        history.push(receipt(id, 45, [`A${g}`, 'MILK', 'BREAD', 'EGGS']));
        history.push(receipt(id, 10, i < 5 ? [`B${g}`] : i === 5 ? ['WATER'] : ['EGGS']));
      }
    }
    await t.services.loyalty.importHistorical(history, { earn: false });

    const started = await t.call({ method: 'POST', url: '/v1/recommendations/runs', payload: { topN: 2, holdoutDays: 30 } });
    expect(started.statusCode, started.body).toBe(202);
    await t.services.recommendations.runs.idle();
    const summary = (await t.call({ method: 'GET', url: '/v1/recommendations', role: 'analyst' })).json();
    expect(summary.model.status).toBe('completed');
    const { products, categories } = summary.model.evaluation;
    expect(products).toEqual({ customers: 28, modelHits: 20, popularityHits: 4, modelHitRate: 0.7143, popularityHitRate: 0.1429 });
    expect(categories).toMatchObject({ customers: 28, modelHits: 20, popularityHits: 4 });
    expect(products.modelHitRate).toBeGreaterThan(products.popularityHitRate);

    // Served from the model built on all of it: a new customer who bought A3 is offered B3 first, because of A3.
    const newcomer = await customer();
    await t.services.loyalty.importHistorical([receipt(newcomer, 1, ['A3'])], { earn: false });
    const answer = (await t.call({ method: 'GET', url: `/v1/customers/${newcomer}/recommendations?limit=2` })).json();
    expect(answer.recommendations[0]).toMatchObject({ item: 'B3', source: 'co-purchase', reasons: [{ item: 'A3' }] });
    expect(answer.recommendations[0].reasons[0].lift).toBeGreaterThan(1);
    // Beside it, the most bought by distinct customers: BREAD (all 68 of the trainers and the evaluated), MILK, then WATER.
    expect(answer.popularity.map((p: { item: string }) => p.item)).toEqual(['BREAD', 'MILK']);
  });
});
