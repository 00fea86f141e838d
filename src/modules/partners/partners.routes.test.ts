import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
let anna: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({
    method: 'PUT',
    url: '/v1/stores',
    payload: ['msk-01', 'fuel-1', 'fuel-2', 'cafe-1', 'cafe-2'].map((id) => ({ id, name: id, timezone: 'Europe/Moscow' })),
  });
  // A Gold tier (7%, ×2) the operator's stores honour and a partner's do not.
  await t.call({
    method: 'PUT',
    url: '/v1/tiers',
    payload: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'gold', name: 'Gold', threshold: 0, earnRateBp: 700, earnMultiplier: 2, privileges: [] }] },
  });
  anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123456789' } })).json().id;
});
afterAll(async () => t?.close());

const createPartner = async (body: object) => {
  const response = await t.call({ method: 'POST', url: '/v1/partners', payload: { earnRateBp: 200, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8000, ...body } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; version: number; storeIds: string[] };
};
const keyOf = async (partnerId: string) => {
  const response = await t.call({ method: 'POST', url: `/v1/partners/${partnerId}/api-keys`, payload: { name: `till of ${partnerId}` } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { key: { id: string; role: string; partnerId: string }; secret: string };
};
const as = (secret: string) => ({ authorization: `Bearer ${secret}` });
const count = async (table: 'receipts' | 'refunds' | 'point_entries') =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(t.database.db)).rows[0]!.n);
const line = { sku: 'FUEL-95', qty: 1, price: 100000 };

describe('partners: CRUD', () => {
  it('creates, reads, lists and patches a partner; its stores are sorted and a store has one partner', async () => {
    const fuel = await createPartner({ name: 'Fuel Co', storeIds: ['fuel-2', 'fuel-1'] });
    expect(fuel).toMatchObject({ name: 'Fuel Co', status: 'active', storeIds: ['fuel-1', 'fuel-2'], earnRateBp: 200, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8000, version: 1 });
    expect((await t.call({ method: 'GET', url: `/v1/partners/${fuel.id}` })).json()).toEqual(fuel);

    const taken = await t.call({ method: 'POST', url: '/v1/partners', payload: { name: 'Cafe', storeIds: ['cafe-1', 'fuel-2'], earnRateBp: 100, issuedPer100PointsMinor: 0, redeemedPer100PointsMinor: 0 } });
    expect([taken.statusCode, taken.json().code]).toEqual([409, 'partner.store_taken']);
    expect(taken.json().detail).toContain(`fuel-2 belongs to partner ${fuel.id}`);
    const unknown = await t.call({ method: 'POST', url: '/v1/partners', payload: { name: 'Cafe', storeIds: ['nowhere'], earnRateBp: 100, issuedPer100PointsMinor: 0, redeemedPer100PointsMinor: 0 } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([400, 'partner.unknown_store']);
    // Neither refusal left a partner behind.
    expect((await t.call({ method: 'GET', url: '/v1/partners' })).json().items).toHaveLength(1);

    const patched = await t.call({ method: 'PATCH', url: `/v1/partners/${fuel.id}`, payload: { earnRateBp: 300, storeIds: ['fuel-1', 'fuel-2'] } });
    expect(patched.json()).toMatchObject({ earnRateBp: 300, version: 2 });
    const same = await t.call({ method: 'PATCH', url: `/v1/partners/${fuel.id}`, payload: {} });
    expect(same.json().version).toBe(2);
    const stale = await t.call({ method: 'PATCH', url: `/v1/partners/${fuel.id}`, payload: { version: 1, name: 'X' } });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'partner.version_conflict']);
    const cafe = await createPartner({ name: 'Cafe', storeIds: ['cafe-1', 'cafe-2'], earnRateBp: 1000 });
    const byStore = await t.call({ method: 'GET', url: '/v1/partners?storeId=cafe-2' });
    expect(byStore.json().items.map((p: { id: string }) => p.id)).toEqual([cafe.id]);
  });

  it('a store moves to another partner only once the first lets it go; the database holds one owner per store', async () => {
    const [fuel, cafe] = (await t.call({ method: 'GET', url: '/v1/partners' })).json().items as Array<{ id: string }>;
    const grab = await t.call({ method: 'PATCH', url: `/v1/partners/${cafe!.id}`, payload: { storeIds: ['cafe-1', 'cafe-2', 'fuel-1'] } });
    expect([grab.statusCode, grab.json().code]).toEqual([409, 'partner.store_taken']);
    await expect(sql`insert into partner_stores (store_id, partner_id, added_at) values ('fuel-1', ${cafe!.id}, now())`.execute(t.database.db)).rejects.toThrow(/duplicate key|unique/);
    expect((await t.call({ method: 'GET', url: `/v1/partners/${fuel!.id}` })).json().storeIds).toEqual(['fuel-1', 'fuel-2']);
  });
});

describe('partner rates at checkout', () => {
  it("a partner's store earns at the partner's rate; the operator's store at the program's rules and the tier", async () => {
    const at = async (storeId: string) => (await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId, customer: { customerId: anna }, lines: [line] } })).json();
    const own = await at('msk-01');
    // Gold: 7% of 1,000.00 = 70 points, ×2 = 140.
    expect(own.pointsToEarn).toBe(140);
    const fuel = await at('fuel-1');
    // Fuel Co: 3% of 1,000.00 = 30 points; no tier rate, no multiplier.
    expect(fuel.pointsToEarn).toBe(30);
    expect(fuel.applied).toEqual([expect.objectContaining({ ruleId: expect.stringMatching(/^partner:prt_/), name: 'Fuel Co rate', points: 30 })]);
    expect((await at('cafe-1')).pointsToEarn).toBe(100);
  });

  it('a program rule aimed at a partner store still applies there', async () => {
    const rules = (await t.call({ method: 'GET', url: '/v1/earning-rules' })).json();
    await t.call({
      method: 'PUT',
      url: '/v1/earning-rules',
      payload: { rules: [...rules.rules, { id: 'fuel-bonus', name: 'Fuel +50', kind: 'per_receipt', points: 50, conditions: { stores: ['fuel-1'] }, priority: 0, stacking: 'sum', active: true }] },
    });
    const fuel = (await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 'fuel-1', customer: { customerId: anna }, lines: [line] } })).json();
    expect(fuel.pointsToEarn).toBe(80);
    await t.call({ method: 'PUT', url: '/v1/earning-rules', payload: { rules: rules.rules } });
  });
});

describe('partner keys act only at their own stores', () => {
  let fuelId: string;
  let cafeId: string;
  let fuelKey: string;
  let cafeKey: string;
  beforeAll(async () => {
    const [fuel, cafe] = (await t.call({ method: 'GET', url: '/v1/partners' })).json().items as Array<{ id: string }>;
    fuelId = fuel!.id;
    cafeId = cafe!.id;
    const key = await keyOf(fuelId);
    expect(key.key).toMatchObject({ role: 'partner', partnerId: fuelId });
    fuelKey = key.secret;
    cafeKey = (await keyOf(cafeId)).secret;
  });

  it('checks out, cancels and refunds at its own store', async () => {
    const calc = await t.app.inject({ method: 'POST', url: '/v1/checkout/calculate', headers: as(fuelKey), payload: { storeId: 'fuel-1', customer: { customerId: anna }, lines: [line] } });
    expect(calc.statusCode, calc.body).toBe(200);
    const confirmed = await t.app.inject({ method: 'POST', url: '/v1/checkout/confirm', headers: as(fuelKey), payload: { storeId: 'fuel-1', posReceiptId: 'F-1', customer: { customerId: anna }, lines: [line] } });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    const refund = await t.app.inject({ method: 'POST', url: `/v1/receipts/${confirmed.json().receiptId}/refunds`, headers: as(fuelKey), payload: { refundId: 'FR-1', lines: [{ sku: 'FUEL-95', qty: 0.5 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    const cancel = await t.app.inject({ method: 'POST', url: '/v1/checkout/cancel', headers: as(fuelKey), payload: { storeId: 'fuel-1', posReceiptId: 'F-1' } });
    expect(cancel.statusCode, cancel.body).toBe(200);
  });

  it("is refused at another partner's store and at the operator's, with nothing written", async () => {
    const byOwner = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 'cafe-1', posReceiptId: 'C-1', customer: { customerId: anna }, lines: [line] } });
    const cafeReceipt = byOwner.json().receiptId as string;
    const before = await Promise.all([count('receipts'), count('refunds'), count('point_entries')]);
    const attempts = [
      { method: 'POST' as const, url: '/v1/checkout/calculate', payload: { storeId: 'cafe-1', lines: [line] } },
      { method: 'POST' as const, url: '/v1/checkout/confirm', payload: { storeId: 'cafe-1', posReceiptId: 'X-1', customer: { customerId: anna }, lines: [line] } },
      { method: 'POST' as const, url: '/v1/checkout/confirm', payload: { storeId: 'msk-01', posReceiptId: 'X-2', customer: { customerId: anna }, lines: [line] } },
      { method: 'POST' as const, url: '/v1/checkout/confirm', payload: { storeId: 'no-such-store', posReceiptId: 'X-3', lines: [line] } },
      { method: 'POST' as const, url: '/v1/checkout/cancel', payload: { storeId: 'cafe-1', posReceiptId: 'C-1' } },
      { method: 'POST' as const, url: `/v1/receipts/${cafeReceipt}/refunds`, payload: { refundId: 'X-R', lines: [{ sku: 'FUEL-95', qty: 1 }] } },
    ];
    for (const attempt of attempts) {
      const response = await t.app.inject({ ...attempt, headers: as(fuelKey) });
      expect([response.statusCode, response.json().code], `${attempt.url} ${JSON.stringify(attempt.payload)}`).toEqual([403, 'auth.store_out_of_scope']);
    }
    expect(await Promise.all([count('receipts'), count('refunds'), count('point_entries')])).toEqual(before);
    // The cafe's own key may.
    const own = await t.app.inject({ method: 'POST', url: '/v1/checkout/cancel', headers: as(cafeKey), payload: { storeId: 'cafe-1', posReceiptId: 'C-1' } });
    expect(own.statusCode, own.body).toBe(200);
  });

  it('a partner key bound to no partner acts nowhere; a pos key everywhere', async () => {
    const unbound = await t.app.inject({ method: 'POST', url: '/v1/checkout/calculate', headers: as(await t.key('partner')), payload: { storeId: 'fuel-1', lines: [line] } });
    expect([unbound.statusCode, unbound.json().code]).toEqual([403, 'auth.store_out_of_scope']);
    const pos = await t.call({ method: 'POST', url: '/v1/checkout/calculate', role: 'pos', payload: { storeId: 'fuel-1', lines: [line] } });
    expect(pos.statusCode).toBe(200);
  });

  it("a suspended partner's keys are refused; its stores keep its rate", async () => {
    await t.call({ method: 'PATCH', url: `/v1/partners/${fuelId}`, payload: { status: 'suspended' } });
    const refused = await t.app.inject({ method: 'POST', url: '/v1/checkout/calculate', headers: as(fuelKey), payload: { storeId: 'fuel-1', lines: [line] } });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'auth.partner_suspended']);
    const byOwner = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 'fuel-1', customer: { customerId: anna }, lines: [line] } });
    expect(byOwner.json().pointsToEarn).toBe(30);
    await t.call({ method: 'PATCH', url: `/v1/partners/${fuelId}`, payload: { status: 'active' } });
    const again = await t.app.inject({ method: 'POST', url: '/v1/checkout/calculate', headers: as(fuelKey), payload: { storeId: 'fuel-1', lines: [line] } });
    expect(again.statusCode).toBe(200);
  });

  it("reads its own settlement and never another partner's; cannot read or change partners", async () => {
    const own = await t.app.inject({ method: 'GET', url: `/v1/partners/${fuelId}/settlement?from=2026-03-01&to=2026-03-31`, headers: as(fuelKey) });
    expect(own.statusCode, own.body).toBe(200);
    const other = await t.app.inject({ method: 'GET', url: `/v1/partners/${cafeId}/settlement?from=2026-03-01&to=2026-03-31`, headers: as(fuelKey) });
    expect([other.statusCode, other.json().code]).toEqual([403, 'partner.out_of_scope']);
    const read = await t.app.inject({ method: 'GET', url: `/v1/partners/${cafeId}`, headers: as(fuelKey) });
    expect([read.statusCode, read.json().code]).toEqual([403, 'auth.forbidden']);
    const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: as(fuelKey) });
    expect(list.statusCode).toBe(403);
  });

  it('the key list shows which keys belong to a partner', async () => {
    const keys = (await t.call({ method: 'GET', url: '/v1/api-keys?limit=100' })).json().items as Array<{ role: string; partnerId: string | null }>;
    expect(keys.filter((k) => k.partnerId !== null).map((k) => [k.role, k.partnerId])).toEqual([
      ['partner', fuelId],
      ['partner', cafeId],
    ]);
    const missing = await t.call({ method: 'POST', url: '/v1/partners/prt_0190c0ffee00700080000000000000ab/api-keys', payload: { name: 'x' } });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'partner.not_found']);
  });
});
