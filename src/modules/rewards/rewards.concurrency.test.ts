import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { platformTx } from '../../platform/db-views.ts';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * The rewards catalog under concurrency, on real PostgreSQL (PGlite serves one connection at a
 * time, so it cannot race): the stock is never oversold, a customer never overdraws, a voucher
 * is never handed out twice, and cancels racing new orders return each unit and each point once.
 */
describe.runIf(onPostgres)('rewards under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let phone = 79160000000;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  const customer = async (points: number) => {
    const id = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+${++phone}` } })).json().id as string;
    const given = await t.call({ method: 'POST', url: `/v1/customers/${id}/points/adjustments`, payload: { points, reason: 'test' } });
    expect(given.statusCode, given.body).toBe(201);
    return id;
  };
  const reward = async (body: object) => {
    const response = await t.call({ method: 'POST', url: '/v1/rewards', payload: { status: 'active', ...body } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const buy = (customerId: string, rewardId: string, key?: string) =>
    t.call({ method: 'POST', url: `/v1/customers/${customerId}/rewards`, payload: { rewardId }, ...(key ? { headers: { 'idempotency-key': key } } : {}) });
  const balance = async (customerId: string) => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/balance` })).json().available as number;
  const noServerErrors = (answers: Array<{ statusCode: number; body: string }>) => expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
  const counters = async (rewardId: string) => {
    const row = await sql<{ issued: number; cancelled: number; stock: number | null; orders: number; active: number }>`
      select r.issued, r.cancelled, r.stock,
        (select count(*)::int from reward_orders o where o.reward_id = r.id) as orders,
        (select count(*)::int from reward_orders o where o.reward_id = r.id and o.status <> 'cancelled') as active
      from rewards r where r.id = ${rewardId}`.execute(t.database.db);
    return row.rows[0]!;
  };

  it('50 concurrent purchases of a reward with stock 10: exactly 10 orders, the other 40 spend nothing', async () => {
    const id = await reward({ name: 'Ten left', kind: 'goods', pointsCost: 100, stock: 10 });
    const buyers = await Promise.all(Array.from({ length: 50 }, () => customer(100)));
    const answers = await Promise.all(buyers.map((buyer) => buy(buyer, id)));
    noServerErrors(answers);
    const won = answers.filter((a) => a.statusCode === 201);
    expect(won).toHaveLength(10);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().code)).toEqual(Array(40).fill('reward.out_of_stock'));
    expect(new Set(won.map((a) => a.json().code)).size).toBe(10);
    expect(await counters(id)).toEqual({ issued: 10, cancelled: 0, stock: 10, orders: 10, active: 10 });
    const balances = await Promise.all(buyers.map(balance));
    expect(balances.filter((b) => b === 0)).toHaveLength(10);
    expect(balances.filter((b) => b === 100)).toHaveLength(40);
    await expectLedgerConsistent(t.database.db);
  });

  it('a customer with points for 3 buying 10 in parallel gets exactly 3', async () => {
    const id = await reward({ name: 'Unlimited', kind: 'goods', pointsCost: 250 });
    const buyer = await customer(800);
    const answers = await Promise.all(Array.from({ length: 10 }, () => buy(buyer, id)));
    noServerErrors(answers);
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(3);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().code)).toEqual(Array(7).fill('points.insufficient'));
    expect(await balance(buyer)).toBe(50);
    expect(await counters(id)).toEqual({ issued: 3, cancelled: 0, stock: null, orders: 3, active: 3 });
    await expectLedgerConsistent(t.database.db);
  });

  it('the same Idempotency-Key sent 10 times at once makes one order and spends once', async () => {
    const id = await reward({ name: 'Keyed', kind: 'goods', pointsCost: 100 });
    const buyer = await customer(1000);
    const answers = await Promise.all(Array.from({ length: 10 }, () => buy(buyer, id, 'tap-twice')));
    noServerErrors(answers);
    expect(new Set(answers.map((a) => a.json().id)).size).toBe(1);
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(await balance(buyer)).toBe(900);
  });

  it('40 concurrent orders for a pool of 25 vouchers: each voucher to exactly one order, never twice', async () => {
    const id = await reward({ name: 'Partner voucher', kind: 'partner_voucher', pointsCost: 10 });
    const codes = Array.from({ length: 25 }, (_, i) => `V-${String(i).padStart(3, '0')}`);
    await t.call({ method: 'POST', url: `/v1/rewards/${id}/vouchers`, payload: { vouchers: codes.map((code) => ({ code })) } });
    const buyers = await Promise.all(Array.from({ length: 8 }, () => customer(100)));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => buy(buyers[i % 8]!, id)));
    noServerErrors(answers);
    const issued = answers.filter((a) => a.statusCode === 201).map((a) => a.json().code as string);
    expect(issued.sort()).toEqual(codes);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().code)).toEqual(Array(15).fill('reward.out_of_stock'));
    const pool = await sql<{ status: string; n: number; orders: number }>`
      select status, count(*)::int as n, count(distinct order_id)::int as orders from reward_vouchers where reward_id = ${id} group by status`.execute(t.database.db);
    expect(pool.rows).toEqual([{ status: 'issued', n: 25, orders: 25 }]);
    await expectLedgerConsistent(t.database.db);
  });

  it('cancels racing new purchases keep stock, points and orders consistent; each cancel returns once', async () => {
    const id = await reward({ name: 'Racing', kind: 'goods', pointsCost: 100, stock: 10 });
    const buyers = await Promise.all(Array.from({ length: 10 }, () => customer(300)));
    const first = await Promise.all(buyers.map((buyer) => buy(buyer, id)));
    expect(first.every((a) => a.statusCode === 201)).toBe(true);
    const work = [
      // Every first order cancelled twice at once (a retried cancel must return nothing more) …
      ...first.flatMap((a, i) => [0, 1].map(() => t.call({ method: 'POST', url: `/v1/customers/${buyers[i]}/rewards/${a.json().id}/cancel` }))),
      // … while the same customers buy again, twice each.
      ...buyers.flatMap((buyer) => [buy(buyer, id), buy(buyer, id)]),
    ];
    const answers = await Promise.all(work);
    noServerErrors(answers);
    expect(answers.slice(0, 20).every((a) => a.statusCode === 200 && a.json().status === 'cancelled')).toBe(true);
    const c = await counters(id);
    expect(c.cancelled).toBe(10);
    expect(c.issued).toBe(c.orders);
    expect(c.issued - c.cancelled).toBe(c.active);
    expect(c.active).toBeLessThanOrEqual(10);
    // Every unit the cancels gave back was sold again, or is still on the shelf.
    const kept = answers.slice(20).filter((a) => a.statusCode === 201).length;
    expect(c.active).toBe(kept);
    // Each customer paid exactly for the orders they hold now.
    const held = await sql<{ customerId: string; n: number }>`
      select customer_id, count(*)::int as n from reward_orders where reward_id = ${id} and status <> 'cancelled' group by customer_id`.execute(t.database.db);
    const holds = new Map(held.rows.map((row) => [row.customerId, row.n]));
    for (const buyer of buyers) expect(await balance(buyer)).toBe(300 - 100 * (holds.get(buyer) ?? 0));
    await expectLedgerConsistent(t.database.db);
  });

  it('restocking while orders run: no deadlock, no unit lost, never below what is out', async () => {
    const id = await reward({ name: 'Restocked', kind: 'goods', pointsCost: 10, stock: 5 });
    const buyers = await Promise.all(Array.from({ length: 10 }, () => customer(100)));
    const patch = (stock: number) => t.call({ method: 'PATCH', url: `/v1/rewards/${id}`, payload: { stock } });
    const answers = await Promise.all([...buyers.flatMap((buyer) => [buy(buyer, id), buy(buyer, id), buy(buyer, id)]), patch(20), patch(8), patch(30), patch(12)]);
    noServerErrors(answers);
    const patches = answers.slice(30);
    // A patch is refused only for going below the units already out, in those words.
    for (const p of patches.filter((a) => a.statusCode !== 200)) expect(p.json().detail).toMatch(/^stock: must be at least the \d+ units already ordered/);
    const c = await counters(id);
    expect(c.issued).toBe(answers.slice(0, 30).filter((a) => a.statusCode === 201).length);
    expect(c.issued).toBe(c.active);
    expect(c.active).toBeLessThanOrEqual(c.stock!);
    await expectLedgerConsistent(t.database.db);
  });

  it('concurrent grants with one reference issue one prize; with others, never past the stock', async () => {
    const id = await reward({ name: 'Prize', kind: 'goods', pointsCost: 1, stock: 3, status: 'draft' });
    const winner = await customer(0 + 1);
    const grant = (reference: string) =>
      t.database.db.transaction().execute((tx) =>
        t.services.rewards.grant(platformTx(tx), { rewardId: id, customerId: winner, reference, actor: null }).catch((error: { code?: string }) => error.code ?? String(error)),
      );
    const same = await Promise.all(Array.from({ length: 10 }, () => grant('draw-1:slot-0')));
    expect(new Set(same.map((r) => JSON.stringify(r))).size).toBe(1);
    const others = await Promise.all(Array.from({ length: 10 }, (_, i) => grant(`draw-2:slot-${i}`)));
    expect(others.filter((r) => r === 'reward.out_of_stock')).toHaveLength(8);
    expect(await counters(id)).toEqual({ issued: 3, cancelled: 0, stock: 3, orders: 3, active: 3 });
  });
});
