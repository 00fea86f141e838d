import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * A tiny fixture whose support, confidence and lift are computed by hand below, through the
 * routes with real receipts: a refunded line and a cancelled receipt must not count.
 *
 *   r1 c1 {A, B}   r2 c2 {A, B}   r3 c2 {A, C}   r4 c3 {C, D}   r5 c3 {D}
 *   r6 c1 {A, D}, D refunded whole → {A}          r7 c3 {B, C}, cancelled → not a basket
 * Baskets 6; baskets with A 4, B 2, C 2, D 2; both A and B 2, A and C 1, C and D 1.
 *   A→B: support 2/6, confidence 2/4 = 0.5, lift 0.5 / (2/6) = 1.5;  B→A: confidence 1, lift 1 / (4/6) = 1.5
 *   C→D and D→C: confidence 0.5, lift 1.5;  A→C: confidence 0.25, lift 0.75 and C→A: 0.5, 0.75 (lift ≤ 1: dropped)
 * With the refund counted, A and D would pair; with the cancel, B and C.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  await t.call({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'A', name: 'Arabica' }, { sku: 'B', name: 'Biscotti' }] });
});
afterAll(async () => t?.close());

let phones = 0;
const customer = async () => {
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7915333${String(++phones).padStart(4, '0')}` } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};
const category: Record<string, string> = { A: 'grocery/coffee', B: 'grocery/coffee', C: 'grocery/tea', D: 'home/kitchen' };
const confirm = async (customerId: string, posReceiptId: string, skus: string[]) => {
  const lines = skus.map((sku) => ({ sku, qty: 1, price: 10_000, category: category[sku] }));
  const response = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId, customer: { customerId }, lines } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().receiptId as string;
};
const run = async (body: object = { minPairCount: 1 }, role: 'owner' | 'marketer' = 'marketer') => {
  const started = await t.call({ method: 'POST', url: '/v1/recommendations/runs', payload: body, role });
  expect(started.statusCode, started.body).toBe(202);
  await t.services.recommendations.runs.idle();
  const done = await t.call({ method: 'GET', url: `/v1/recommendations/runs/${started.json().id}` });
  expect(done.statusCode, done.body).toBe(200);
  return done.json();
};
const recommendations = async (id: string, query = '', role: 'owner' | 'support' = 'support') => {
  const response = await t.call({ method: 'GET', url: `/v1/customers/${id}/recommendations${query}`, role });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

const ids: Record<string, string> = {};

describe('recommendations', () => {
  it('with no model yet, a customer gets the popularity counted live and model: null (refunds excluded)', async () => {
    for (const name of ['c1', 'c2', 'c3']) ids[name] = await customer();
    await confirm(ids.c1!, 'R1', ['A', 'B']);
    await confirm(ids.c2!, 'R2', ['A', 'B']);
    await confirm(ids.c2!, 'R3', ['A', 'C']);
    await confirm(ids.c3!, 'R4', ['C', 'D']);
    await confirm(ids.c3!, 'R5', ['D']);
    const r6 = await confirm(ids.c1!, 'R6', ['A', 'D']);
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${r6}/refunds`, payload: { refundId: 'RET-6', lines: [{ sku: 'D', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    await confirm(ids.c3!, 'R7', ['B', 'C']);
    const cancel = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: 'R7' } });
    expect(cancel.statusCode, cancel.body).toBe(200);
    const answer = await recommendations(ids.c1!);
    expect(answer.model).toBeNull();
    // c1 kept A and B; C was bought by c2 and c3, D by c3 alone (c1's was returned).
    expect(answer.recommendations.map((r: { item: string; source: string }) => [r.item, r.source])).toEqual([['C', 'popularity'], ['D', 'popularity']]);
    expect(answer.popularity.map((p: { item: string; customers: number }) => [p.item, p.customers])).toEqual([['C', 2], ['D', 1]]);
    const summary = await t.call({ method: 'GET', url: '/v1/recommendations', role: 'analyst' });
    expect(summary.json()).toEqual({ model: null, lastRun: null });
    expect((await t.call({ method: 'GET', url: '/v1/recommendations/pairs' })).json()).toEqual({ items: [], nextCursor: null });
  });

  it('a run builds pairs whose support, confidence and lift are the hand-computed ones', async () => {
    const done = await run();
    expect(done).toMatchObject({ status: 'completed', phase: 'done', phasesDone: 3, phases: 3, model: { baskets: 6, items: 4, pairs: 4, categoryPairs: 2 } });
    const pairs = (await t.call({ method: 'GET', url: '/v1/recommendations/pairs?limit=100', role: 'analyst' })).json();
    expect(pairs.items).toEqual([
      { itemA: 'A', itemB: 'B', baskets: 2, support: 0.3333, confidence: 0.5, lift: 1.5, rank: 1 },
      { itemA: 'B', itemB: 'A', baskets: 2, support: 0.3333, confidence: 1, lift: 1.5, rank: 1 },
      { itemA: 'C', itemB: 'D', baskets: 1, support: 0.1667, confidence: 0.5, lift: 1.5, rank: 1 },
      { itemA: 'D', itemB: 'C', baskets: 1, support: 0.1667, confidence: 0.5, lift: 1.5, rank: 1 },
    ]);
    const categories = (await t.call({ method: 'GET', url: '/v1/recommendations/pairs?by=category' })).json();
    expect(categories.items.map((p: { itemA: string; itemB: string; confidence: number; lift: number }) => [p.itemA, p.itemB, p.confidence, p.lift])).toEqual([
      ['grocery/tea', 'home/kitchen', 0.5, 1.5],
      ['home/kitchen', 'grocery/tea', 0.5, 1.5],
    ]);
    const page = (await t.call({ method: 'GET', url: '/v1/recommendations/pairs?limit=3' })).json();
    const next = (await t.call({ method: 'GET', url: `/v1/recommendations/pairs?limit=3&cursor=${page.nextCursor}` })).json();
    expect([...page.items, ...next.items]).toEqual(pairs.items);
    const csv = await t.call({ method: 'GET', url: '/v1/recommendations/pairs?item=A', headers: { accept: 'text/csv' } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\n')).toEqual(['item_a,item_b,baskets,support,confidence,lift,rank', 'A,B,2,0.3333,0.5,1.5,1']);
    const summary = (await t.call({ method: 'GET', url: '/v1/recommendations' })).json();
    expect(summary.model.id).toBe(done.id);
    expect(summary.model.evaluation.topN).toBe(5);
  });

  it("a customer's top N: what they bought leads to it, with confidence and lift; popularity fills and sits beside it", async () => {
    ids.c4 = await customer();
    await confirm(ids.c4, 'R8', ['B']);
    const answer = await recommendations(ids.c4, '?limit=2');
    expect(answer.model).toMatchObject({ windowDays: 365 });
    expect(answer.recommendations).toEqual([
      { item: 'A', name: 'Arabica', score: 1, source: 'co-purchase', reasons: [{ item: 'B', name: 'Biscotti', confidence: 1, lift: 1.5 }] },
      // Popularity: A (2 customers, 4 baskets), then B and C (2 customers, 2 baskets each); A and B are taken.
      { item: 'C', name: null, score: 0.3333, source: 'popularity', reasons: [] },
    ]);
    expect(answer.popularity.map((p: { item: string }) => p.item)).toEqual(['A', 'C']);
    const byCategory = await recommendations(ids.c3!, '?by=category');
    // c3 kept tea and kitchen: neither leads anywhere new, so popularity fills with coffee.
    expect(byCategory.recommendations.map((r: { item: string; source: string }) => [r.item, r.source])).toEqual([['grocery/coffee', 'popularity']]);
    const csv = await t.call({ method: 'GET', url: `/v1/customers/${ids.c4}/recommendations?limit=2`, headers: { accept: 'text/csv' } });
    expect(csv.body.trim().split('\n')).toEqual([
      'list,place,item,name,score,source,reasons',
      'recommended,1,A,Arabica,1,co-purchase,"B (confidence 1, lift 1.5)"',
      'recommended,2,C,,0.3333,popularity,',
      'popularity,1,A,Arabica,0.6667,popularity,',
      'popularity,2,C,,0.3333,popularity,',
    ]);
  });

  it('a merged id answers for its survivor; an unknown customer is a 404 problem; the roles hold', async () => {
    const duplicate = await customer();
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${ids.c4}/merge`, payload: { from: duplicate } });
    expect(merged.statusCode, merged.body).toBe(200);
    expect((await recommendations(duplicate)).customerId).toBe(ids.c4);
    const unknown = await t.call({ method: 'GET', url: '/v1/customers/cus_0190c0ffee00700080000000000000ab/recommendations' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json().code).toBe('customer.not_found');
    const tooMany = await t.call({ method: 'GET', url: `/v1/customers/${ids.c4}/recommendations?limit=51` });
    expect(tooMany.statusCode).toBe(400);
    expect((await t.call({ method: 'POST', url: '/v1/recommendations/runs', payload: {}, role: 'analyst' })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${ids.c4}/recommendations`, role: 'pos' })).statusCode).toBe(403);
    const missing = await t.call({ method: 'GET', url: '/v1/recommendations/runs/rcr_0190c0ffee00700080000000000000ab' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'recommendation.run_not_found']);
  });

  it('a killed run restarts from its start; a start while a run is running answers that run', async () => {
    const db = t.database.db;
    const last = (await t.call({ method: 'GET', url: '/v1/recommendations' })).json().model.id as string;
    // As a killed process leaves it: running, in its evaluation phase, with some rows gone.
    const kill = async () => {
      await db.updateTable('recommendationRuns').set({ status: 'running', phase: 'evaluation', phasesDone: 2, finishedAt: null }).where('id', '=', last).execute();
      await db.deleteFrom('recommendationPairs').where('runId', '=', last).where('itemA', '=', 'A').execute();
    };
    await kill();
    expect(await t.services.recommendations.runs.resumePending()).toEqual([last]);
    await t.services.recommendations.runs.idle();
    const resumed = (await t.call({ method: 'GET', url: `/v1/recommendations/runs/${last}` })).json();
    expect(resumed).toMatchObject({ status: 'completed', phasesDone: 3, model: { pairs: 4 } });
    expect((await t.call({ method: 'GET', url: '/v1/recommendations/pairs' })).json().items).toHaveLength(4);
    await kill();
    const again = await t.call({ method: 'POST', url: '/v1/recommendations/runs', payload: {} });
    expect(again.statusCode, again.body).toBe(202);
    expect(again.json()).toMatchObject({ id: last, settings: { minPairCount: 1 } });
    await t.services.recommendations.runs.idle();
    expect((await t.call({ method: 'GET', url: '/v1/recommendations/pairs' })).json().items).toHaveLength(4);
  });
});
