import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformTx } from '../../platform/db-views.ts';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
let anna: string;
let ivan: string;
beforeAll(async () => {
  t = await createTestApp();
  anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123456789' } })).json().id;
  ivan = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123456780' } })).json().id;
  await give(anna, 5000);
  await give(ivan, 300);
});
afterAll(async () => t?.close());

async function give(customerId: string, points: number) {
  const response = await t.call({ method: 'POST', url: `/v1/customers/${customerId}/points/adjustments`, payload: { points, reason: 'test' } });
  expect(response.statusCode, response.body).toBe(201);
}
const balance = async (customerId: string) => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/balance` })).json().available as number;
const reward = async (body: object) => {
  const response = await t.call({ method: 'POST', url: '/v1/rewards', payload: { status: 'active', ...body } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; version: number; usage: Record<string, number | null> };
};
const usage = async (id: string) => (await t.call({ method: 'GET', url: `/v1/rewards/${id}` })).json().usage;
const buy = (customerId: string, rewardId: string, key?: string) =>
  t.call({ method: 'POST', url: `/v1/customers/${customerId}/rewards`, payload: { rewardId }, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
const cancel = (customerId: string, orderId: string) => t.call({ method: 'POST', url: `/v1/customers/${customerId}/rewards/${orderId}/cancel` });
/** Everything a refused order must leave as it was. */
const snapshot = async () => {
  const row = await sql<{ rewards: unknown; orders: number; vouchers: unknown; entries: number; codes: number }>`
    select (select json_agg(json_build_array(id, issued, cancelled, redeemed) order by id) from rewards) as rewards,
      (select count(*)::int from reward_orders) as orders,
      (select json_agg(json_build_array(code, status, order_id) order by code) from reward_vouchers) as vouchers,
      (select count(*)::int from point_entries) as entries,
      (select count(*)::int from reward_codes) as codes`.execute(t.database.db);
  return row.rows[0];
};

describe('buying a reward with points', () => {
  it('debits the points, issues a redemption code and takes a unit of stock, atomically', async () => {
    const mug = await reward({ name: 'Branded mug', kind: 'goods', pointsCost: 1200, stock: 5, validDays: 30 });
    expect(mug.usage).toEqual({ issued: 0, cancelled: 0, redeemed: 0, stockLeft: 5, vouchersFree: null });
    const before = await balance(anna);
    const bought = await buy(anna, mug.id);
    expect(bought.statusCode, bought.body).toBe(201);
    expect(bought.json()).toEqual({
      id: expect.stringMatching(/^rwo_/),
      customerId: anna,
      reward: { id: mug.id, name: 'Branded mug', kind: 'goods' },
      source: 'purchase',
      points: 1200,
      status: 'issued',
      code: expect.stringMatching(/^RWC-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/),
      validUntil: '2026-03-31T09:00:00.000Z',
      createdAt: '2026-03-01T09:00:00.000Z',
    });
    expect(await balance(anna)).toBe(before - 1200);
    expect(await usage(mug.id)).toEqual({ issued: 1, cancelled: 0, redeemed: 0, stockLeft: 4, vouchersFree: null });
    const ledger = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/ledger?limit=1` })).json().items[0];
    expect(ledger).toMatchObject({ kind: 'redeem', available: -1200, receiptId: bought.json().id, reason: 'Reward: Branded mug' });
    const list = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/rewards` })).json();
    expect(list.items[0]).toEqual(bought.json());
    // The code is a bearer token: an analyst or a marketer sees its last four characters only.
    for (const role of ['analyst', 'marketer'] as const) {
      const seen = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/rewards`, role })).json().items[0];
      expect(seen.code).toBe(`****${String(bought.json().code).slice(-4)}`);
    }
  });

  it('with too few points: 409 points.insufficient, and no stock, voucher, order, code or ledger entry changes', async () => {
    const headphones = await reward({ name: 'Headphones', kind: 'goods', pointsCost: 301, stock: 3 });
    const voucher = await reward({ name: 'Cinema ticket', kind: 'partner_voucher', pointsCost: 301, partner: 'Kino' });
    await t.call({ method: 'POST', url: `/v1/rewards/${voucher.id}/vouchers`, payload: { vouchers: [{ code: 'KINO-1' }] } });
    const before = await snapshot();
    for (const id of [headphones.id, voucher.id]) {
      const refused = await buy(ivan, id);
      expect([refused.statusCode, refused.json().code]).toEqual([409, 'points.insufficient']);
      expect(refused.json().detail).toMatch(/300/);
    }
    expect(await snapshot()).toEqual(before);
    expect(await balance(ivan)).toBe(300);
  });

  it('out of stock: 409 reward.out_of_stock and the points stay', async () => {
    const last = await reward({ name: 'Last one', kind: 'goods', pointsCost: 10, stock: 1 });
    expect((await buy(anna, last.id)).statusCode).toBe(201);
    const before = await balance(anna);
    const refused = await buy(anna, last.id);
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'reward.out_of_stock']);
    expect(await balance(anna)).toBe(before);
    expect(await usage(last.id)).toMatchObject({ issued: 1, stockLeft: 0 });
  });

  it('refuses a paused or not-yet-valid reward, another tier\'s, and more than the per-customer limit', async () => {
    const paused = await reward({ name: 'Paused', kind: 'goods', pointsCost: 10, status: 'paused' });
    expect((await buy(anna, paused.id)).json().code).toBe('reward.unavailable');
    const later = await reward({ name: 'Later', kind: 'goods', pointsCost: 10, validFrom: '2026-04-01T00:00:00Z' });
    expect((await buy(anna, later.id)).json().detail).toContain('from 2026-04-01T00:00:00.000Z');
    const gold = await reward({ name: 'Gold lounge', kind: 'goods', pointsCost: 10, tiers: ['gold'] });
    const refused = await buy(anna, gold.id);
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'reward.unavailable']);
    expect(refused.json().detail).toContain('tiers gold');
    const once = await reward({ name: 'Once', kind: 'goods', pointsCost: 10, perCustomer: 1 });
    const first = await buy(anna, once.id);
    expect((await buy(anna, once.id)).json().code).toBe('reward.limit_reached');
    // A cancelled order no longer counts.
    expect((await cancel(anna, first.json().id)).statusCode).toBe(200);
    expect((await buy(anna, once.id)).statusCode).toBe(201);
    expect((await buy(anna, 'rwd_0190c0ffee00700080000000000000ab')).json().code).toBe('reward.not_found');
  });

  it('an Idempotency-Key replays the first order and spends nothing more; another reward under it is a 409', async () => {
    const cap = await reward({ name: 'Cap', kind: 'goods', pointsCost: 100 });
    const first = await buy(anna, cap.id, 'app-order-1');
    const before = await balance(anna);
    const again = await buy(anna, cap.id, 'app-order-1');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await balance(anna)).toBe(before);
    const other = await reward({ name: 'Scarf', kind: 'goods', pointsCost: 100 });
    const conflict = await buy(anna, other.id, 'app-order-1');
    expect([conflict.statusCode, conflict.json().code]).toEqual([409, 'reward_order.idempotency_conflict']);
  });
});

describe('partner vouchers', () => {
  it('a pool from JSON and CSV: duplicates skipped, free ones counted, each code handed out once, none left is out of stock', async () => {
    const coffee = await reward({ name: 'Coffee at Partner', kind: 'partner_voucher', pointsCost: 50, partner: 'Coffee Co' });
    const json = await t.call({ method: 'POST', url: `/v1/rewards/${coffee.id}/vouchers`, payload: { vouchers: [{ code: 'CC-001' }, { code: 'CC-002', validUntil: '2026-06-30T21:00:00Z' }, { code: 'CC-001' }] } });
    expect(json.json()).toEqual({ added: 2, duplicates: 1, vouchersFree: 2 });
    const csv = await t.call({ method: 'POST', url: `/v1/rewards/${coffee.id}/vouchers`, headers: { 'content-type': 'text/csv' }, payload: 'code,valid_until\nCC-002,\nCC-003,2026-03-02T00:00:00Z\n' });
    expect(csv.json()).toEqual({ added: 1, duplicates: 1, vouchersFree: 3 });
    const badCsv = await t.call({ method: 'POST', url: `/v1/rewards/${coffee.id}/vouchers`, headers: { 'content-type': 'text/csv' }, payload: 'voucher\nX\n' });
    expect([badCsv.statusCode, badCsv.json().code]).toEqual([400, 'reward.vouchers_invalid']);
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const order = await buy(anna, coffee.id);
      expect(order.statusCode, order.body).toBe(201);
      codes.push(order.json().code);
    }
    expect(codes).toEqual(['CC-001', 'CC-002', 'CC-003']);
    const before = await balance(anna);
    expect((await buy(anna, coffee.id)).json().code).toBe('reward.out_of_stock');
    expect(await balance(anna)).toBe(before);
    expect(await usage(coffee.id)).toEqual({ issued: 3, cancelled: 0, redeemed: 0, stockLeft: null, vouchersFree: 0 });
  });

  it('an expired voucher is never handed out; a cancelled order\'s voucher is void, never given to anyone else', async () => {
    const spa = await reward({ name: 'Spa', kind: 'partner_voucher', pointsCost: 50 });
    await t.call({ method: 'POST', url: `/v1/rewards/${spa.id}/vouchers`, payload: { vouchers: [{ code: 'OLD', validUntil: '2026-02-01T00:00:00Z' }, { code: 'SPA-1', validUntil: '2026-05-01T00:00:00Z' }, { code: 'SPA-2' }] } });
    expect(await usage(spa.id)).toMatchObject({ vouchersFree: 2 });
    const first = (await buy(anna, spa.id)).json();
    expect([first.code, first.validUntil]).toEqual(['SPA-1', '2026-05-01T00:00:00.000Z']);
    expect((await cancel(anna, first.id)).json().status).toBe('cancelled');
    expect((await buy(anna, spa.id)).json().code).toBe('SPA-2');
    expect((await buy(anna, spa.id)).json().code).toBe('reward.out_of_stock');
  });

  it('goods and privileges take no vouchers', async () => {
    const goods = await reward({ name: 'Goods', kind: 'goods', pointsCost: 10 });
    const refused = await t.call({ method: 'POST', url: `/v1/rewards/${goods.id}/vouchers`, payload: { vouchers: [{ code: 'X' }] } });
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'reward.vouchers_invalid']);
  });
});

describe('privileges', () => {
  it('a privilege is held for its period and listed with the customer', async () => {
    const priority = await reward({ name: 'Priority service', kind: 'privilege', privilege: 'priority_service', validDays: 30, pointsCost: 500 });
    const order = (await buy(anna, priority.id)).json();
    expect(order).toMatchObject({ privilege: 'priority_service', validUntil: '2026-03-31T09:00:00.000Z' });
    expect(order.code).toBeUndefined();
    const held = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/privileges` })).json();
    expect(held).toEqual({ items: [{ orderId: order.id, rewardId: priority.id, name: 'Priority service', privilege: 'priority_service', since: '2026-03-01T09:00:00.000Z', validUntil: '2026-03-31T09:00:00.000Z' }], nextCursor: null });
    t.clock.set('2026-03-31T09:00:00Z');
    expect((await t.call({ method: 'GET', url: `/v1/customers/${anna}/privileges` })).json().items).toEqual([]);
    t.clock.set('2026-03-01T09:00:00Z');
  });

  it('a privilege needs its key and period', async () => {
    const refused = await t.call({ method: 'POST', url: '/v1/rewards', payload: { name: 'Manager', kind: 'privilege', pointsCost: 10 } });
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'reward.invalid']);
    expect(refused.json().errors.map((e: { field: string }) => e.field)).toEqual(['privilege', 'validDays']);
  });
});

describe('cancelling and redeeming', () => {
  it('a cancel returns the points, the stock and the order exactly once', async () => {
    const bag = await reward({ name: 'Bag', kind: 'goods', pointsCost: 700, stock: 2 });
    const before = await balance(anna);
    const order = (await buy(anna, bag.id)).json();
    const cancelled = await cancel(anna, order.id);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelledAt: '2026-03-01T09:00:00.000Z' });
    expect(await balance(anna)).toBe(before);
    expect(await usage(bag.id)).toMatchObject({ issued: 1, cancelled: 1, stockLeft: 2 });
    const again = await cancel(anna, order.id);
    expect(again.json()).toEqual(cancelled.json());
    expect(await balance(anna)).toBe(before);
    expect(await usage(bag.id)).toMatchObject({ cancelled: 1, stockLeft: 2 });
    // The cancelled code is void at the till.
    const void_ = await t.call({ method: 'POST', url: `/v1/reward-codes/${order.code}/redeem`, role: 'pos' });
    expect([void_.statusCode, void_.json().code]).toEqual([409, 'reward_order.cancelled']);
    expect((await cancel(ivan, order.id)).json().code).toBe('reward_order.not_found');
  });

  it('the till redeems a goods code once, typed any way; a used code cannot be cancelled; an expired one is refused', async () => {
    const cake = await reward({ name: 'Cake', kind: 'goods', pointsCost: 100, validDays: 7 });
    const order = (await buy(anna, cake.id)).json();
    const typed = (order.code as string).toLowerCase().replaceAll('-', ' ');
    const redeemed = await t.call({ method: 'POST', url: `/v1/reward-codes/${encodeURIComponent(typed)}/redeem`, role: 'pos' });
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    expect(redeemed.json()).toMatchObject({ id: order.id, status: 'redeemed', redeemedAt: '2026-03-01T09:00:00.000Z' });
    const twice = await t.call({ method: 'POST', url: `/v1/reward-codes/${order.code}/redeem`, role: 'pos' });
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'reward_order.redeemed']);
    expect(twice.json().detail).toContain('a code is accepted once');
    const cancelled = (await cancel(anna, order.id)).json();
    expect([cancelled.code, cancelled.detail]).toEqual(['reward_order.redeemed', expect.stringContaining('a used reward cannot be cancelled')]);
    expect(await usage(cake.id)).toMatchObject({ redeemed: 1 });
    const late = (await buy(anna, cake.id)).json();
    t.clock.set('2026-03-08T09:00:00Z');
    const expired = await t.call({ method: 'POST', url: `/v1/reward-codes/${late.code}/redeem`, role: 'pos' });
    t.clock.set('2026-03-01T09:00:00Z');
    expect([expired.statusCode, expired.json().code]).toEqual([409, 'reward_order.expired']);
    expect((await t.call({ method: 'POST', url: '/v1/reward-codes/RWC-2222-2222/redeem', role: 'pos' })).json().code).toBe('reward_code.not_found');
    expect((await t.call({ method: 'POST', url: '/v1/reward-codes/PROMO10/redeem', role: 'pos' })).json().code).toBe('reward_code.not_found');
    await expectLedgerConsistent(t.database.db);
  });
});

describe('the catalog', () => {
  it('PATCH restocks and pauses; PUT with a stale version is a 409; stock never below what is out; kind fixed once ordered', async () => {
    const tee = await reward({ name: 'T-shirt', kind: 'goods', pointsCost: 300, stock: 1 });
    await buy(anna, tee.id);
    const patched = await t.call({ method: 'PATCH', url: `/v1/rewards/${tee.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { stock: 10, status: 'paused' } });
    expect(patched.json()).toMatchObject({ stock: 10, status: 'paused', version: 2, usage: { issued: 1, stockLeft: 9 } });
    const stale = await t.call({ method: 'PUT', url: `/v1/rewards/${tee.id}`, payload: { ...(patched.json() as object), version: 1 } });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'reward.version_conflict']);
    const low = await t.call({ method: 'PATCH', url: `/v1/rewards/${tee.id}`, payload: { stock: 0 } });
    expect([low.statusCode, low.json().detail]).toEqual([400, 'stock: must be at least the 1 units already ordered and not cancelled']);
    const kind = await t.call({ method: 'PATCH', url: `/v1/rewards/${tee.id}`, payload: { kind: 'privilege', privilege: 'early_access', validDays: 10 } });
    expect(kind.json().errors).toEqual([{ field: 'kind', reason: 'stays goods: the reward has orders' }]);
    const unlimited = await t.call({ method: 'PATCH', url: `/v1/rewards/${tee.id}`, payload: { stock: null } });
    expect(unlimited.json()).toMatchObject({ usage: { stockLeft: null }, version: 3 });
    expect(unlimited.json().stock).toBeUndefined();
    const inUse = await t.call({ method: 'DELETE', url: `/v1/rewards/${tee.id}` });
    expect([inUse.statusCode, inUse.json().code]).toEqual([409, 'reward.in_use']);
    const draft = await reward({ name: 'Draft', kind: 'partner_voucher', pointsCost: 1, status: 'draft' });
    await t.call({ method: 'POST', url: `/v1/rewards/${draft.id}/vouchers`, payload: { vouchers: [{ code: 'A' }] } });
    expect((await t.call({ method: 'DELETE', url: `/v1/rewards/${draft.id}` })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `/v1/rewards/${draft.id}` })).statusCode).toBe(404);
  });

  it('lists by kind and status, a page at a time', async () => {
    const vouchers = (await t.call({ method: 'GET', url: '/v1/rewards?kind=partner_voucher&status=active&limit=1' })).json();
    expect(vouchers.items).toHaveLength(1);
    expect(vouchers.items[0].kind).toBe('partner_voucher');
    const next = (await t.call({ method: 'GET', url: `/v1/rewards?kind=partner_voucher&status=active&limit=1&cursor=${vouchers.nextCursor}` })).json();
    expect(next.items[0].id < vouchers.items[0].id).toBe(true);
  });
});

describe('grant: a prize for another module', () => {
  it('issues without points, once per reference, and a refusal leaves the caller\'s transaction usable', async () => {
    const prize = await reward({ name: 'Prize mug', kind: 'goods', pointsCost: 999, stock: 1, status: 'draft' });
    const before = await balance(ivan);
    const grant = (reference: string) =>
      t.database.db.transaction().execute(async (tx) => {
        const result = await t.services.rewards.grant(platformTx(tx), { rewardId: prize.id, customerId: ivan, reference, actor: null }).catch((error: { code?: string }) => error.code);
        // The caller's transaction goes on after a refusal.
        await sql`select 1`.execute(tx);
        return result;
      });
    const first = await grant('lottery-1:slot-0');
    expect(first).toEqual({ orderId: expect.stringMatching(/^rwo_/), code: expect.stringMatching(/^RWC-/) });
    expect(await grant('lottery-1:slot-0')).toEqual(first);
    expect(await grant('lottery-1:slot-1')).toBe('reward.out_of_stock');
    expect(await balance(ivan)).toBe(before);
    const orders = (await t.call({ method: 'GET', url: `/v1/customers/${ivan}/rewards` })).json().items;
    expect(orders).toEqual([expect.objectContaining({ id: (first as { orderId: string }).orderId, source: 'prize', points: 0 })]);
    expect((await sql<{ n: number }>`select count(*)::int as n from reward_orders where reward_id = ${prize.id}`.execute(t.database.db)).rows[0]!.n).toBe(1);
    // A prize's cancel gives the unit back and no points.
    expect((await cancel(ivan, (first as { orderId: string }).orderId)).json()).toMatchObject({ status: 'cancelled', points: 0 });
    expect(await balance(ivan)).toBe(before);
    expect(await usage(prize.id)).toMatchObject({ stockLeft: 1 });
  });
});

describe('merge', () => {
  it('moves the duplicate\'s orders and codes to the survivor', async () => {
    const dup = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123450000' } })).json().id;
    await give(dup, 100);
    const pen = await reward({ name: 'Pen', kind: 'goods', pointsCost: 100, perCustomer: 1 });
    const order = (await buy(dup, pen.id)).json();
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${anna}/merge`, payload: { from: dup } });
    expect(merged.statusCode, merged.body).toBe(200);
    const orders = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/rewards?limit=1` })).json().items;
    expect(orders[0]).toMatchObject({ id: order.id, customerId: anna });
    // The per-customer limit counts the moved order.
    expect((await buy(anna, pen.id)).json().code).toBe('reward.limit_reached');
    expect((await t.call({ method: 'POST', url: `/v1/reward-codes/${order.code}/redeem`, role: 'pos' })).json()).toMatchObject({ customerId: anna, status: 'redeemed' });
    await expectLedgerConsistent(t.database.db);
  });
});
