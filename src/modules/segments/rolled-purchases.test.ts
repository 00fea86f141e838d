import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { matchingQuery, prepareFields, type Compiler } from './membership.ts';
import { segmentPopulation } from '../customers/index.ts';
import type { SegmentField } from '../../platform/segment-fields.ts';

/**
 * Purchase conditions read from the folded purchases (loyalty's rollup-purchases.ts) and the raw
 * receipts since: live membership stays exact when a refund changes a folded hour (the rules'
 * preparation repairs it first), and an upgrade's backfill takes over from raw reading only once
 * every customer is written. The property test (compile.property.test.ts) holds both readings
 * equal on random rules.
 */
let t: TestApp;
let compiler: Compiler;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  compiler = { fields: new Map<string, SegmentField>(t.services.registry.segmentFields().map((field) => [field.key, field])), population: segmentPopulation() };
});
afterAll(async () => t?.close());

let phones = 0;
const customer = async () => {
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7915777${String(++phones).padStart(4, '0')}` } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};
const confirm = async (customerId: string, posReceiptId: string, lines: object[]) => {
  const response = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId, customer: { customerId }, lines } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { receiptId: string };
};
const create = async (body: object) => {
  const response = await t.call({ method: 'POST', url: '/v1/segments', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  await t.services.segments.recomputes.idle();
  return response.json() as { id: string };
};
const members = async (id: string) => ((await t.call({ method: 'GET', url: `/v1/segments/${id}/members?limit=1000` })).json().items as Array<{ customerId: string }>).map((m) => m.customerId).sort();
const live = () => t.services.segments.updateLive();
const coffee = { field: 'purchases.bought', window: { days: 30 }, filter: { categories: ['coffee'] }, op: 'eq', value: true };
const bigSpender = { field: 'purchases.spentMinor', window: { days: 30 }, op: 'gte', value: 500_000 };
/** What the rules match over everyone, read raw and read from the rollups. */
const bothReadings = async (rules: object) => {
  const prepared = await prepareFields(compiler);
  const read = async (p?: typeof prepared) => (await matchingQuery(compiler, rules as never, t.clock.now(), { kind: 'all' }, p).execute(t.database.db)).rows.map((r) => r.id).sort();
  return { raw: await read(), rolled: await read(prepared), prepared };
};

describe('purchase conditions over the folded purchases', () => {
  it('a refund of a folded purchase moves the customer out live: the rollups are repaired before the rules run', async () => {
    const inCoffee = await create({ name: 'Coffee lately', rules: coffee });
    const big = await create({ name: 'Big spenders', rules: bigSpender });
    const ada = await customer();
    t.clock.set(new Date('2026-03-01T10:15:00Z'));
    const receipt = await confirm(ada, 'ROLL-1', [
      { sku: 'BEANS', qty: 1, price: 450_000, category: 'grocery/coffee', brand: 'Illy' },
      { sku: 'MUG', qty: 1, price: 60_000, category: 'home/kitchen' },
    ]);
    // Two hours on, the fold closes the receipt's hour: the conditions read it from the rollups.
    t.clock.set(new Date('2026-03-01T12:20:00Z'));
    await t.services.loyalty.rollups.fold();
    const row = await sql<{ items: string[]; netCum: string[] }>`select array(select d.item from rollup_items d where d.id = any(p.items) order by d.item) as items, p.net_cum
      from rollup_customer_purchases p where p.customer_id = ${ada}`.execute(t.database.db);
    expect(row.rows[0]!.items).toEqual(['b:Illy', 'c:coffee', 'c:grocery', 'c:home', 'c:kitchen']);
    expect(row.rows[0]!.netCum.map(Number)).toEqual([510_000]);
    const before = await bothReadings({ all: [coffee, bigSpender] });
    expect(before.prepared.get('purchases.bought')).toEqual(new Date('2026-03-01T12:00:00Z'));
    expect(before).toMatchObject({ raw: [ada], rolled: [ada] });
    expect((await live()).entered).toBe(2);
    expect(await members(inCoffee.id)).toEqual([ada]);
    expect(await members(big.id)).toEqual([ada]);
    // The coffee comes back: its hour is closed, so the refund marks it for repair.
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${receipt.receiptId}/refunds`, payload: { refundId: 'ret-beans', lines: [{ sku: 'BEANS', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    expect((await live()).left).toBe(2);
    expect(await members(inCoffee.id)).toEqual([]);
    expect(await members(big.id)).toEqual([]);
    const after = await bothReadings({ any: [coffee, bigSpender, { field: 'purchases.bought', window: { days: 30 }, filter: { categories: ['kitchen'] }, op: 'eq', value: true }] });
    expect(after).toMatchObject({ raw: [ada], rolled: [ada] });
    const repaired = await sql<{ netCum: string[] }>`select net_cum from rollup_customer_purchases where customer_id = ${ada}`.execute(t.database.db);
    expect(repaired.rows[0]!.netCum.map(Number)).toEqual([60_000]);
  });

  it('after an upgrade, conditions read raw receipts until the backfill has written every customer', async () => {
    const bob = await customer();
    t.clock.set(new Date('2026-03-02T09:10:00Z'));
    await confirm(bob, 'ROLL-2', [{ sku: 'LATTE', qty: 2, price: 30_000, category: 'coffee', brand: 'House' }]);
    t.clock.set(new Date('2026-03-02T11:05:00Z'));
    await t.services.loyalty.rollups.fold();
    // As migration 0044 leaves an install whose rollups were folded before: rows to be written from the first customer on.
    await sql`delete from rollup_customer_purchases`.execute(t.database.db);
    await sql`update rollup_state set purchases_backfill = ''`.execute(t.database.db);
    const rules = { all: [{ ...coffee, filter: { brands: ['House'] } }, { field: 'purchases.count', op: 'eq', value: 1 }] };
    const during = await bothReadings(rules);
    expect(during.prepared.get('purchases.count')).toBeNull();
    expect(during).toMatchObject({ raw: [bob], rolled: [bob] });
    const report = await t.services.loyalty.rollups.fold();
    expect(report.purchaseBackfillSteps).toBeGreaterThanOrEqual(0);
    expect((await sql<{ at: string | null }>`select purchases_backfill as at from rollup_state`.execute(t.database.db)).rows[0]!.at).toBeNull();
    const done = await bothReadings(rules);
    expect(done.prepared.get('purchases.count')).toEqual(new Date('2026-03-02T11:00:00Z'));
    expect(done).toMatchObject({ raw: [bob], rolled: [bob] });
    const count = await sql<{ n: number }>`select count(*)::int as n from rollup_customer_purchases`.execute(t.database.db);
    expect(count.rows[0]!.n).toBe(2);
  });
});
