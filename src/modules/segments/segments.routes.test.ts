import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
});
afterAll(async () => t?.close());

let phones = 0;
const customer = async (body: object = {}) => {
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7915444${String(++phones).padStart(4, '0')}`, ...body } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};
const confirm = async (customerId: string, posReceiptId: string, lines: Array<{ sku: string; qty: number; price: number; category?: string }>) => {
  const response = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId, customer: { customerId }, lines } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { receiptId: string };
};
const create = async (body: object) => {
  const response = await t.call({ method: 'POST', url: '/v1/segments', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  await t.services.segments.recomputes.idle();
  return response.json() as { id: string; version: number };
};
const members = async (id: string) => ((await t.call({ method: 'GET', url: `/v1/segments/${id}/members?limit=1000` })).json().items as Array<{ customerId: string }>).map((m) => m.customerId).sort();
const live = () => t.services.segments.updateLive();

const bigSpender = { all: [{ field: 'purchases.spentMinor', window: { days: 30 }, op: 'gte', value: 500_000 }] };

describe('segments', () => {
  it('a receipt moves a customer into "spent 5,000.00 in 30 days" on the next live run, a refund moves them out; both recorded and emitted', async () => {
    const segment = await create({ name: 'Big spenders', rules: bigSpender });
    const ada = await customer({ firstName: 'Ada' });
    await live();
    expect(await members(segment.id)).toEqual([]);
    const receipt = await confirm(ada, 'BIG-1', [{ sku: 'TV', qty: 1, price: 450_000 }, { sku: 'CABLE', qty: 1, price: 60_000 }]);
    const moved = await live();
    expect(moved.entered).toBe(1);
    expect(await members(segment.id)).toEqual([ada]);
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${receipt.receiptId}/refunds`, payload: { refundId: 'ret-big', lines: [{ sku: 'CABLE', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    expect((await live()).left).toBe(1);
    expect(await members(segment.id)).toEqual([]);
    const changes = (await t.call({ method: 'GET', url: `/v1/segments/${segment.id}/changes?customerId=${ada}` })).json().items as Array<{ change: string; cause: string }>;
    expect(changes.map((c) => [c.change, c.cause])).toEqual([['left', 'event'], ['entered', 'event']]);
    const csv = await t.call({ method: 'GET', url: `/v1/segments/${segment.id}/changes?customerId=${ada}`, headers: { accept: 'text/csv' } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.trim().split('\n').map((line) => line.split(',').slice(1, 4).join(','))).toEqual(['customer_id,change,cause', `${ada},left,event`, `${ada},entered,event`]);
    const missing = await t.call({ method: 'GET', url: '/v1/segments/seg_0190c0ffee00700080000000000000ab/changes', headers: { accept: 'text/csv' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const events = await t.database.db.selectFrom('outboxEvents').select(['type', 'payload']).where('customerId', '=', ada).where('type', 'like', 'segment.%').orderBy('id').execute();
    expect(events.map((e) => e.type)).toEqual(['segment.entered', 'segment.left']);
    expect(events[0]!.payload).toEqual({ segmentId: segment.id, customerId: ada, cause: 'event' });
    const view = (await t.call({ method: 'GET', url: `/v1/segments/${segment.id}` })).json();
    expect(view.memberCount).toBe(0);
  });

  it('preview counts and samples without saving; a recompute finds what was there before the segment; bad rules are 400 in plain words', async () => {
    const ids = [await customer({ city: 'Kazan', firstName: 'Ivan' }), await customer({ city: 'Kazan' }), await customer({ city: 'Omsk' })];
    const rules = { all: [{ field: 'profile.city', op: 'eq', value: 'Kazan' }] };
    const preview = await t.call({ method: 'POST', url: '/v1/segments/preview', payload: { rules } });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().count).toBe(2);
    expect(preview.json().sample.map((m: { customerId: string }) => m.customerId).sort()).toEqual(ids.slice(0, 2).sort());
    const kazan = await create({ name: 'Kazan', rules });
    expect(await members(kazan.id)).toEqual(ids.slice(0, 2).sort());
    const got = (await t.call({ method: 'GET', url: `/v1/segments/${kazan.id}` })).json();
    expect(got.lastRecompute).toMatchObject({ status: 'completed', entered: 2, left: 0 });
    expect(got.memberCount).toBe(2);
    expect(got.computedAt).not.toBeNull();
    const bad = await t.call({ method: 'POST', url: '/v1/segments/preview', payload: { rules: { all: [{ field: 'profile.shoeSize', op: 'eq', value: 1 }, { field: 'purchases.count', op: 'gt', value: 'many' }] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('segment.invalid');
    expect(bad.json().detail).toContain('rules.all[0].field: profile.shoeSize is not a field');
    expect(bad.json().detail).toContain('rules.all[1].value: must be a number');
  });

  it('rules change: a recompute follows; a segment built on another cannot lead back to itself; one in use cannot be deleted', async () => {
    const a = await create({ name: 'Has e-mail', rules: { field: 'identifier', kind: 'email', op: 'eq', value: true } });
    const b = await create({ name: 'Has e-mail, not in Omsk', rules: { all: [{ field: 'segment', id: a.id, op: 'eq', value: true }, { not: { field: 'profile.city', op: 'eq', value: 'Omsk' } }] } });
    const cycle = await t.call({ method: 'PATCH', url: `/v1/segments/${a.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ rules: { field: 'segment', kind: null, id: b.id } }) });
    expect(cycle.statusCode, cycle.body).toBe(400);
    expect(cycle.json().detail).toContain('cannot be built on itself');
    const inUse = await t.call({ method: 'DELETE', url: `/v1/segments/${a.id}` });
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().code).toBe('segment.in_use');
    const lena = await customer({ email: 'lena.seg@example.com', city: 'Tver' });
    const omsk = await customer({ email: 'omsk.seg@example.com', city: 'Omsk' });
    await live();
    await live(); // b follows a's entry (its segment.entered event)
    expect(await members(a.id)).toEqual(expect.arrayContaining([lena, omsk]));
    expect(await members(b.id)).toContain(lena);
    expect(await members(b.id)).not.toContain(omsk);
    const renamed = await t.call({ method: 'PATCH', url: `/v1/segments/${b.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ name: 'E-mail, outside Omsk' }) });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().version).toBe(2);
  });

  it('members as CSV, contacts masked for an analyst; a segment condition in an earning rule applies to members only', async () => {
    const vip = await create({ name: 'Coffee buyers', rules: { field: 'purchases.bought', filter: { categories: ['coffee'] }, op: 'eq', value: true } });
    const [kate, max] = [await customer({ firstName: 'Kate' }), await customer({ firstName: 'Max' })];
    await confirm(kate, 'COF-1', [{ sku: 'BEANS', qty: 1, price: 100_000, category: 'coffee' }]);
    await confirm(max, 'TEA-1', [{ sku: 'LEAF', qty: 1, price: 100_000, category: 'tea' }]);
    await live();
    expect(await members(vip.id)).toEqual([kate]);
    const csv = await t.call({ method: 'GET', url: `/v1/segments/${vip.id}/members`, headers: { accept: 'text/csv' }, role: 'analyst' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('customer_id,entered_at,first_name,last_name,phone,email');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(kate);
    expect(lines[1]).not.toMatch(/\+7915444\d{4}/);
    // An earning rule for the segment's members: 10% more on everything.
    const rules = (await t.call({ method: 'GET', url: '/v1/earning-rules' })).json();
    const replaced = await t.call({
      method: 'PUT',
      url: '/v1/earning-rules',
      payload: { ...rules, rules: [...rules.rules, { id: 'coffee-club', name: 'Coffee club', kind: 'percent', rateBp: 1000, conditions: { segments: [vip.id] }, priority: 0, stacking: 'sum', active: true }] },
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    const calc = async (customerId: string) =>
      (await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 's1', customer: { customerId }, lines: [{ sku: 'X', qty: 1, price: 10_000 }] } })).json();
    const [forKate, forMax] = [await calc(kate), await calc(max)];
    expect(forKate.pointsToEarn).toBeGreaterThan(forMax.pointsToEarn);
    // A promotion for the segment's audience: 5% off for members only.
    const promo = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'Coffee club 5%', status: 'active', audience: { kind: 'segments', segments: [vip.id] }, benefit: { kind: 'percent_off', percentBp: 500 } } });
    expect(promo.statusCode, promo.body).toBe(201);
    const [kateNow, maxNow] = [await calc(kate), await calc(max)];
    expect(kateNow.discount).toBe(500);
    expect(maxNow.discount).toBe(0);
    // The customer view names the segments the customer is in.
    const view = (await t.call({ method: 'GET', url: `/v1/customers/${kate}` })).json();
    expect(view.segments).toContainEqual({ id: vip.id, name: 'Coffee buyers' });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${max}` })).json().segments).not.toContainEqual({ id: vip.id, name: 'Coffee buyers' });
  });

  it('the audience export holds only members who allow profiling, hashed as ad platforms take them, no clear-text contact', async () => {
    const allows = await customer({ email: '  Zoe.Audience@Example.COM ', firstName: 'Zoe', consents: [{ channel: 'all', purpose: 'profiling', granted: true, source: 'web' }] });
    const phoneOnly = await customer({ consents: [{ channel: 'all', purpose: 'profiling', granted: true, source: 'web' }] });
    const refuses = await customer({ email: 'no.ads@example.com', consents: [{ channel: 'all', purpose: 'profiling', granted: false, source: 'web' }] });
    const silent = await customer({ email: 'silent@example.com' });
    const ids = [allows, phoneOnly, refuses, silent];
    const segment = await create({ name: 'Audience test', rules: { field: 'profile.daysSinceJoined', op: 'gte', value: 0 } });
    expect(await members(segment.id)).toEqual(expect.arrayContaining(ids));
    const answer = await t.call({ method: 'GET', url: `/v1/segments/${segment.id}/audience-export` });
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toContain('text/csv');
    const hash = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
    const records = await Promise.all(ids.map(async (id) => (await t.call({ method: 'GET', url: `/v1/customers/${id}` })).json() as { email: string | null; phone: string }));
    const lines = answer.body.trim().split('\n');
    expect(lines[0]).toBe('email_sha256,phone_sha256');
    const expected = [records[0]!, records[1]!].map((r) => `${r.email ? hash(r.email.trim().toLowerCase()) : ''},${hash(r.phone)}`);
    expect(lines.slice(1).sort()).toEqual(expected.sort());
    expect(hash('zoe.audience@example.com')).toBe(lines.slice(1).find((line) => line.startsWith(hash('zoe.audience@example.com')))?.split(',')[0]);
    for (const r of records) {
      if (r.email) expect(answer.body).not.toContain(r.email);
      expect(answer.body).not.toContain(r.phone.slice(1));
    }
    expect((await t.call({ method: 'GET', url: `/v1/segments/${segment.id}/audience-export`, role: 'analyst' })).statusCode).toBe(403);
  });
});
