import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';

let t: TestApp;
let anna: string;
beforeAll(async () => {
  t = await createTestApp();
  anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123450001' } })).json().id;
});
afterAll(async () => t?.close());

const balance = async (customerId: string) => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/balance` })).json() as { available: number; pendingPoints: number };
const points = () => t.services.loyalty.points;

describe("the points port (other modules' awards and spends)", () => {
  it('an award is an active lot, pending until activatesAt when that is later; both show in the ledger as award', async () => {
    await points().transaction(anna, (tx, id) => points().award(tx, { customerId: id, points: 300, reference: 'evt_1', reason: 'Bonus: joining', actor: 'test' }));
    const later = new Date(t.clock.now().getTime() + 14 * 86_400_000);
    await points().transaction(anna, (tx, id) => points().award(tx, { customerId: id, points: 50, reference: 'ref_1', reason: 'Referral', actor: 'test', activatesAt: later }));
    expect(await balance(anna)).toMatchObject({ available: 300, pendingPoints: 50 });
    const ledger = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/ledger` })).json().items as Array<{ kind: string; reason: string }>;
    expect(ledger.slice(0, 2).map((e) => [e.kind, e.reason])).toEqual([['award', 'Referral'], ['award', 'Bonus: joining']]);
    await expectLedgerConsistent(t.database.db);
  });

  it('a spend over the balance is 409 points.insufficient and the transaction writes nothing, its own rows included', async () => {
    const before = await balance(anna);
    const attempt = points().transaction(anna, async (tx, id) => {
      await sql`create temporary table if not exists spend_probe (n int)`.execute(tx);
      await sql`insert into spend_probe values (1)`.execute(tx);
      return points().spend(tx, { customerId: id, points: 301, reference: 'rwo_1', reason: 'Reward', actor: 'test' });
    });
    await expect(attempt).rejects.toMatchObject({ code: 'points.insufficient', status: 409 });
    expect(await balance(anna)).toEqual(before);
    await expectLedgerConsistent(t.database.db);
  });

  it('returnSpent gives back what a reference spent, never more', async () => {
    await points().transaction(anna, (tx, id) => points().spend(tx, { customerId: id, points: 200, reference: 'rwo_2', reason: 'Reward', actor: 'test' }));
    expect((await balance(anna)).available).toBe(100);
    await points().transaction(anna, (tx, id) => points().returnSpent(tx, { customerId: id, points: 200, reference: 'rwo_2', reason: 'Reward cancelled', actor: 'test' }));
    expect((await balance(anna)).available).toBe(300);
    const again = points().transaction(anna, (tx, id) => points().returnSpent(tx, { customerId: id, points: 1, reference: 'rwo_2', reason: 'Twice', actor: 'test' }));
    await expect(again).rejects.toMatchObject({ code: 'points.nothing_to_return' });
    await expectLedgerConsistent(t.database.db);
  });

  it("a merged customer's award lands on the survivor", async () => {
    const dup = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123450002' } })).json().id as string;
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${anna}/merge`, payload: { from: dup } });
    expect(merged.statusCode, merged.body).toBeLessThan(300);
    await points().transaction(dup, (tx, id) => points().award(tx, { customerId: id, points: 7, reference: 'evt_2', reason: 'Bonus', actor: 'test' }));
    expect((await balance(anna)).available).toBe(307);
    await expectLedgerConsistent(t.database.db);
  });

  it('an erased customer gets no points', async () => {
    const gone = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123450003' } })).json().id as string;
    expect((await t.call({ method: 'POST', url: `/v1/customers/${gone}/erase` })).statusCode).toBeLessThan(300);
    const attempt = points().transaction(gone, (tx, id) => points().award(tx, { customerId: id, points: 1, reference: 'evt_3', reason: 'Bonus', actor: 'test' }));
    await expect(attempt).rejects.toMatchObject({ code: 'customer.erased' });
  });
});
