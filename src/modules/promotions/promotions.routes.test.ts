import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { CODE_ALPHABET, hasValidCheckCharacter } from './promo-codes.ts';

let t: TestApp;
let anna: string;
let ivan: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Moscow', timezone: 'Europe/Moscow' } });
  await t.call({ method: 'PUT', url: '/v1/stores/spb-01', payload: { name: 'Petersburg', timezone: 'Europe/Moscow' } });
  await t.call({
    method: 'PUT',
    url: '/v1/products',
    payload: [
      { sku: 'COF-1KG', name: 'Arabica 1 kg', categoryPath: ['grocery', 'coffee'] },
      { sku: 'CROISSANT', name: 'Croissant', categoryPath: ['bakery'] },
      { sku: 'CIG-20', name: 'Cigarettes', categoryPath: ['tobacco'] },
    ],
  });
  anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123456789' } })).json().id;
  ivan = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123456780' } })).json().id;
});
afterAll(async () => t?.close());

const lines = [
  { sku: 'COF-1KG', qty: 1, price: 149000 },
  { sku: 'CROISSANT', qty: 3, price: 12000 },
  { sku: 'CIG-20', qty: 1, price: 25000 },
];
const create = async (body: object) => {
  const response = await t.call({ method: 'POST', url: '/v1/promotions', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; version: number; usage: { usedMinor: number; uses: number; budgetLeftMinor: number | null; usesLeft: number | null } };
};
const calculate = async (body: object) => {
  const response = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 'msk-01', lines, ...body } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
let receiptNo = 0;
const confirm = (body: object) => t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 'msk-01', posReceiptId: `P-${++receiptNo}`, lines, ...body } });
const pause = (id: string) => t.call({ method: 'PATCH', url: `/v1/promotions/${id}`, payload: { status: 'paused' } });

describe('points benefits (a promotion that gives points, not money)', () => {
  const earned = (answer: { promotions: Array<{ id: string; points: number; applied: boolean; reason: string | null }> }, id: string) => answer.promotions.find((p) => p.id === id);

  it('×2 points on coffee earns the coffee line\'s points again; discounts still come first; its usage counts points', async () => {
    const double = await create({ name: 'Double coffee points', status: 'active', benefit: { kind: 'points_multiplier', factor: 2, target: { categories: ['coffee'] } }, limits: { budgetPoints: 100 } });
    const tenOff = await create({ name: 'Coffee −10%', status: 'active', benefit: { kind: 'percent_off', percentBp: 1000, target: { categories: ['coffee'] } } });
    const answer = await calculate({ customer: { customerId: ivan } });
    // Coffee 1,490.00 − 149.00 = 1,341.00 → 67 base points, ×2 adds 67; croissants 360.00 → 18; tobacco nothing.
    expect(answer.lines.map((l: { discount: number }) => l.discount)).toEqual([14900, 0, 0]);
    expect(earned(answer, double.id)).toMatchObject({ applied: true, discount: 0, points: 67 });
    expect(answer.pointsToEarn).toBe(67 + 67 + 18);
    const confirmed = await confirm({ customer: { customerId: ivan } });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    expect(confirmed.json().pointsToEarn).toBe(152);
    const usage = (await t.call({ method: 'GET', url: `/v1/promotions/${double.id}` })).json().usage;
    expect(usage).toEqual({ usedMinor: 0, uses: 1, budgetLeftMinor: null, usedPoints: 67, budgetLeftPoints: 33, usesLeft: null });
    // 67 more would pass the budget's 33 left: the benefit does not apply, and the receipt earns without it.
    const next = await calculate({ customer: { customerId: ivan } });
    expect(earned(next, double.id)).toMatchObject({ applied: false, reason: 'budget_exhausted', points: 0 });
    expect(next.pointsToEarn).toBe(67 + 18);
    // Returning the coffee gives the promotion its 67 points back (and the ledger takes the 134 the line earned).
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${confirmed.json().receiptId}/refunds`, payload: { refundId: 'PTS-1', lines: [{ sku: 'COF-1KG', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    expect((await t.call({ method: 'GET', url: `/v1/promotions/${double.id}` })).json().usage).toMatchObject({ usedPoints: 0, budgetLeftPoints: 100, uses: 1 });
    await pause(double.id);
    await pause(tenOff.id);
    await expectLedgerConsistent(t.database.db);
  });

  it('bonus points are shared by the target lines; an anonymous receipt gets none (needs_customer); an exclusive discount keeps them out', async () => {
    const bonus = await create({ name: '+200 points from 1,000.00', status: 'active', minSpendMinor: 100000, benefit: { kind: 'bonus_points', points: 200 } });
    const answer = await calculate({ customer: { customerId: ivan } });
    expect(earned(answer, bonus.id)).toMatchObject({ applied: true, points: 200 });
    expect(answer.pointsToEarn).toBe(74 + 18 + 200);
    expect(earned(await calculate({}), bonus.id)).toMatchObject({ applied: false, reason: 'needs_customer' });
    const alone = await create({ name: 'Everything −5%, alone', status: 'active', benefit: { kind: 'percent_off', percentBp: 500 }, stacking: { exclusive: true } });
    expect(earned(await calculate({ customer: { customerId: ivan } }), bonus.id)).toMatchObject({ applied: false, reason: 'not_combinable' });
    await pause(alone.id);
    const small = await calculate({ customer: { customerId: ivan }, lines: [{ sku: 'CROISSANT', qty: 1, price: 12000 }] });
    expect(earned(small, bonus.id)).toMatchObject({ applied: false, reason: 'below_minimum' });
    await pause(bonus.id);
  });

  it('a points benefit cannot be exclusive or carry a money budget', async () => {
    const refused = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'x', benefit: { kind: 'bonus_points', points: 10 }, stacking: { exclusive: true }, limits: { budgetMinor: 100 } } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual(['stacking.exclusive', 'limits.budgetMinor']);
  });
});

describe('promotions in the checkout', () => {
  it('a 10% promotion applies before points: per-line discounts, points on what is paid, tobacco untouched', async () => {
    const promo = await create({ name: 'Autumn 10%', status: 'active', benefit: { kind: 'percent_off', percentBp: 1000 } });
    const answer = await calculate({ customer: { customerId: anna } });
    expect(answer.lines.map((l: { discount: number }) => l.discount)).toEqual([14900, 3600, 0]);
    expect(answer.discount).toBe(18500);
    expect(answer.promotions).toEqual([{ id: promo.id, name: 'Autumn 10%', code: null, applied: true, discount: 18500, points: 0, reason: null, detail: null }]);
    // 5% base on 1,341.00 + 324.00 (the tobacco line earns nothing): 67 + 16 points.
    expect(answer.pointsToEarn).toBe(83);
    await pause(promo.id);
  });

  it('confirm reserves the budget and uses; a refund gives back its share; a cancel the rest and the use', async () => {
    const promo = await create({ name: 'Coffee −200', status: 'active', benefit: { kind: 'amount_off', amountMinor: 20000, target: { categories: ['coffee'] } }, limits: { budgetMinor: 100000, uses: 10 } });
    const confirmed = await confirm({ customer: { customerId: anna } });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    expect(confirmed.json().promotions).toEqual([expect.objectContaining({ id: promo.id, applied: true, discount: 20000 })]);
    const used = (await t.call({ method: 'GET', url: `/v1/promotions/${promo.id}` })).json();
    expect(used.usage).toEqual({ usedMinor: 20000, uses: 1, budgetLeftMinor: 80000, usedPoints: 0, budgetLeftPoints: null, usesLeft: 9 });
    const receiptId = confirmed.json().receiptId;
    // Returning the coffee line gives its whole discount back; the use stays while the croissants are kept.
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, payload: { refundId: 'R1', lines: [{ sku: 'COF-1KG', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    expect((await t.call({ method: 'GET', url: `/v1/promotions/${promo.id}` })).json().usage).toEqual({ usedMinor: 0, uses: 1, budgetLeftMinor: 100000, usedPoints: 0, budgetLeftPoints: null, usesLeft: 9 });
    const cancel = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 'msk-01', posReceiptId: `P-${receiptNo}` } });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect((await t.call({ method: 'GET', url: `/v1/promotions/${promo.id}` })).json().usage).toEqual({ usedMinor: 0, uses: 0, budgetLeftMinor: 100000, usedPoints: 0, budgetLeftPoints: null, usesLeft: 10 });
    await pause(promo.id);
    await expectLedgerConsistent(t.database.db);
  });

  it('a partial return releases its share by cumulative rounding: all returns add up to the discount exactly', async () => {
    const promo = await create({ name: 'Bakery 1/3 off', status: 'active', benefit: { kind: 'percent_off', percentBp: 3333, target: { categories: ['bakery'] } } });
    const confirmed = await confirm({});
    const receiptId = confirmed.json().receiptId;
    const discount = confirmed.json().promotions[0].discount as number;
    expect(discount).toBe(11999);
    for (const refundId of ['a', 'b', 'c']) {
      await t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, payload: { refundId, lines: [{ sku: 'CROISSANT', qty: 1 }] } });
      const usage = (await t.call({ method: 'GET', url: `/v1/promotions/${promo.id}` })).json().usage;
      expect(usage.usedMinor).toBe({ a: 8000, b: 4000, c: 0 }[refundId]);
    }
    await pause(promo.id);
  });

  it('says why a promotion does not apply: below its minimum, another store, used up', async () => {
    const min = await create({ name: 'From 3,000', status: 'active', benefit: { kind: 'percent_off', percentBp: 1000 }, minSpendMinor: 300000 });
    const elsewhere = await create({ name: 'Petersburg only', status: 'active', benefit: { kind: 'percent_off', percentBp: 500 }, validity: { stores: ['spb-01'] } });
    const answer = await calculate({});
    expect(answer.promotions).toEqual([{ id: min.id, name: null, code: null, applied: false, discount: 0, points: 0, reason: 'below_minimum', detail: 'From 3,000: the receipt does not reach its minimum spend' }]);
    expect(answer.discount).toBe(0);
    await pause(min.id);
    await pause(elsewhere.id);
  });

  it('per customer: once per customer; another customer still gets it', async () => {
    const once = await create({ name: 'Welcome', status: 'active', benefit: { kind: 'amount_off', amountMinor: 5000 }, limits: { perCustomer: 1 } });
    expect((await confirm({ customer: { customerId: ivan } })).json().discount).toBe(5000);
    const second = await calculate({ customer: { customerId: ivan } });
    expect(second.promotions).toEqual([expect.objectContaining({ id: once.id, applied: false, reason: 'customer_limit' })]);
    expect((await calculate({ customer: { customerId: anna } })).discount).toBe(5000);
    await pause(once.id);
  });
});

describe('promo codes', () => {
  it('a public code applies when presented; a personal code only for its customer; an unknown code says so', async () => {
    const promo = await create({ name: 'Code 15%', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 1500, target: { categories: ['coffee'] } } });
    expect((await calculate({})).promotions).toEqual([]);
    const code = await t.call({ method: 'POST', url: '/v1/promo-codes', payload: { promotionId: promo.id, code: 'autumn-15' } });
    expect(code.json()).toMatchObject({ code: 'AUTUMN15', usesLimit: null, uses: 0 });
    const withCode = await calculate({ promoCodes: ['Autumn 15', 'NOPE'] });
    expect(withCode.promotions).toEqual([
      { id: promo.id, name: 'Code 15%', code: 'AUTUMN15', applied: true, discount: 22350, points: 0, reason: null, detail: null },
      { id: 'NOPE', name: null, code: 'NOPE', applied: false, discount: 0, points: 0, reason: 'unknown', detail: 'Code NOPE: no such promo code' },
    ]);
    const personal = (await t.call({ method: 'POST', url: '/v1/promo-codes', payload: { promotionId: promo.id, customerId: anna, usesLimit: 1 } })).json();
    expect(personal.code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{8}$`));
    expect((await calculate({ promoCodes: [personal.code], customer: { customerId: ivan } })).promotions).toEqual([expect.objectContaining({ reason: 'other_customer' })]);
    const used = await confirm({ promoCodes: [personal.code], customer: { customerId: anna } });
    expect(used.json().discount).toBe(22350);
    expect((await calculate({ promoCodes: [personal.code], customer: { customerId: anna } })).promotions).toEqual([expect.objectContaining({ reason: 'used_up' })]);
    expect((await t.call({ method: 'GET', url: `/v1/promo-codes/${personal.code}` })).json()).toMatchObject({ uses: 1, customerId: anna });
    await pause(promo.id);
  });

  it('a batch is generated in the background with progress, unique, without look-alikes, with check characters; exported as CSV', async () => {
    const promo = await create({ name: 'Flyer', status: 'active', requiresCode: true, benefit: { kind: 'amount_off', amountMinor: 10000 } });
    const started = await t.call({ method: 'POST', url: '/v1/promo-codes/batches', payload: { promotionId: promo.id, count: 2000, prefix: 'fly', checkCharacter: true } });
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json()).toMatchObject({ count: 2000, length: 5, prefix: 'FLY', status: 'queued' });
    const early = await t.call({ method: 'GET', url: `/v1/promo-codes/batches/${started.json().id}/export` });
    if (early.statusCode !== 200) expect(early.json().code).toBe('promo_code_batch.not_ready');
    await t.services.promotions.batches.idle();
    const batch = (await t.call({ method: 'GET', url: `/v1/promo-codes/batches/${started.json().id}` })).json();
    expect(batch).toMatchObject({ status: 'completed', generated: 2000, progress: 1 });
    const csv = await t.call({ method: 'GET', url: `/v1/promo-codes/batches/${batch.id}/export` });
    const codes = csv.body.trim().split('\n').slice(1).map((row) => row.split(',')[0]!);
    expect(codes).toHaveLength(2000);
    expect(new Set(codes).size).toBe(2000);
    for (const code of codes) {
      expect(code).toMatch(new RegExp(`^FLY[${CODE_ALPHABET}]{6}$`));
      expect(hasValidCheckCharacter(code)).toBe(true);
    }
    const first = await confirm({ promoCodes: [codes[0]] });
    expect(first.json().discount).toBe(10000);
    const again = await confirm({ promoCodes: [codes[0]] });
    expect([again.statusCode, again.json().promotions?.[0]?.reason]).toEqual([201, 'used_up']);
    const tooShort = await t.call({ method: 'POST', url: '/v1/promo-codes/batches', payload: { promotionId: promo.id, count: 1_000_000, length: 5 } });
    expect([tooShort.statusCode, tooShort.json().errors]).toEqual([400, [{ field: 'length', reason: 'must be at least 7 for 1000000 codes, so that a guessed code is one in 10,000 at most' }]]);
    await pause(promo.id);
  });
});

describe('the promotion resource', () => {
  it('PUT takes what GET answers; PATCH pauses; a version read earlier is refused once another was saved', async () => {
    const promo = await create({ name: 'Weekend', benefit: { kind: 'percent_off', percentBp: 500 }, validity: { weekdays: [6, 7] } });
    const read = (await t.call({ method: 'GET', url: `/v1/promotions/${promo.id}` })).json();
    expect(read.status).toBe('draft');
    const same = await t.call({ method: 'PUT', url: `/v1/promotions/${promo.id}`, payload: read });
    expect(same.json()).toEqual(read);
    const active = await t.call({ method: 'PATCH', url: `/v1/promotions/${promo.id}`, payload: { status: 'active', version: read.version } });
    expect(active.json()).toMatchObject({ status: 'active', version: read.version + 1, validity: { weekdays: [6, 7] } });
    const stale = await t.call({ method: 'PUT', url: `/v1/promotions/${promo.id}`, payload: { ...read, name: 'Old' } });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'promotion.version_conflict']);
    const deleted = await t.call({ method: 'DELETE', url: `/v1/promotions/${promo.id}` });
    expect(deleted.statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `/v1/promotions/${promo.id}` })).statusCode).toBe(404);
  });

  it('refuses a promotion that could never apply, in plain words', async () => {
    const bad = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'x', benefit: { kind: 'n_for_m', buy: 2, pay: 3 } } });
    expect([bad.statusCode, bad.json().errors]).toEqual([400, [{ field: 'benefit.pay', reason: 'must be less than buy (2)' }]]);
  });

  it('a named-customers audience: an id of no one is refused in words, a merged duplicate’s id is stored as its survivor', async () => {
    const duplicate = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123456781' } })).json().id as string;
    expect((await t.call({ method: 'POST', url: `/v1/customers/${anna}/merge`, payload: { from: duplicate } })).statusCode).toBe(200);
    const body = (customerIds: string[]) => ({ name: `Thank you ${customerIds.length}`, status: 'draft', benefit: { kind: 'percent_off', percentBp: 1000 }, audience: { kind: 'customers', customerIds } });
    const refused = await t.call({ method: 'POST', url: '/v1/promotions', payload: body([anna, 'cus_0190c0ffee00700080000000000000ab']) });
    expect([refused.statusCode, refused.json().code, refused.json().detail]).toEqual([400, 'promotion.invalid', 'audience.customerIds: no customer has the id cus_0190c0ffee00700080000000000000ab']);
    expect(refused.json().errors).toEqual([{ field: 'audience.customerIds', reason: 'names no customer: cus_0190c0ffee00700080000000000000ab' }]);
    const created = await create(body([duplicate, anna, ivan]));
    const stored = (await t.call({ method: 'GET', url: `/v1/promotions/${created.id}` })).json();
    expect(stored.audience).toEqual({ kind: 'customers', customerIds: [anna, ivan] });
    const replaced = await t.call({ method: 'PUT', url: `/v1/promotions/${created.id}`, payload: { ...stored, audience: { kind: 'customers', customerIds: ['cus_0190c0ffee00700080000000000000ac'] } } });
    expect([replaced.statusCode, replaced.json().code]).toEqual([400, 'promotion.invalid']);
  });
});

