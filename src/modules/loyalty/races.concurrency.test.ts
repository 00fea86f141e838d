import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

// Races found from outside (integrators' API issue); PGlite serves one connection, so PostgreSQL.
describe.runIf(onPostgres)('writes racing merges and cancels (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  });
  afterAll(async () => t.close());

  const customer = async (phone: string) => (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } })).json().id as string;
  const available = async (id: string) => (await t.call({ method: 'GET', url: `/v1/customers/${id}/balance` })).json().available as number;

  it('adjustments racing a merge all reach the survivor: none is stranded on the merged record', async () => {
    for (let round = 0; round < 3; round++) {
      const survivor = await customer(`+7916700${round}001`);
      const duplicate = await customer(`+7916700${round}002`);
      const adjustments = Array.from({ length: 20 }, (_, i) =>
        t.call({ method: 'POST', url: `/v1/customers/${duplicate}/points/adjustments`, payload: { points: 10, reason: `race ${i}` } }),
      );
      const merge = t.call({ method: 'POST', url: `/v1/customers/${survivor}/merge`, payload: { from: duplicate } });
      const answers = await Promise.all([...adjustments, merge]);
      expect(answers.map((a) => a.statusCode).filter((s) => s >= 500)).toEqual([]);
      const done = answers.slice(0, 20).filter((a) => a.statusCode === 201).length;
      expect(done).toBe(20);
      expect(await available(survivor)).toBe(10 * done);
      const stranded = await t.database.db.selectFrom('pointBalances').select('available').where('customerId', '=', duplicate).executeTakeFirst();
      expect(stranded?.available ?? 0).toBe(0);
    }
    await expectLedgerConsistent(t.database.db);
  });

  it('confirms racing a merge all land on the survivor: receipts and points, none on the merged record', async () => {
    for (let round = 0; round < 3; round++) {
      const survivor = await customer(`+7916710${round}001`);
      const duplicate = await customer(`+7916710${round}002`);
      const confirms = Array.from({ length: 20 }, (_, i) =>
        t.call({
          method: 'POST',
          url: '/v1/checkout/confirm',
          payload: { storeId: 's1', posReceiptId: `merge-race-${round}-${i}`, customer: { customerId: duplicate }, lines: [{ sku: 'A', qty: 1, price: 20000 }] },
        }),
      );
      const merge = t.call({ method: 'POST', url: `/v1/customers/${survivor}/merge`, payload: { from: duplicate } });
      const answers = await Promise.all([...confirms, merge]);
      expect(answers.map((a) => a.statusCode)).toEqual([...Array(20).fill(201), 200]);
      const byCustomer = await t.database.db.selectFrom('receipts').select(['customerId', (eb) => eb.fn.countAll<number>().as('n')]).where('posReceiptId', 'like', `merge-race-${round}-%`).groupBy('customerId').execute();
      expect(byCustomer.map((row) => [row.customerId, Number(row.n)])).toEqual([[survivor, 20]]);
      const balance = (await t.call({ method: 'GET', url: `/v1/customers/${survivor}/balance` })).json();
      expect(balance.pendingPoints).toBe(20 * 10);
      const left = await t.database.db.selectFrom('pointBalances').select(['available', 'pending', 'mergedInto']).where('customerId', '=', duplicate).executeTakeFirst();
      expect(left).toEqual({ available: 0, pending: 0, mergedInto: survivor });
    }
    await expectLedgerConsistent(t.database.db);
  });

  it('refunds racing a merge all go through: the points come back from the survivor, none from the merged record', async () => {
    for (let round = 0; round < 3; round++) {
      const survivor = await customer(`+7916720${round}001`);
      const duplicate = await customer(`+7916720${round}002`);
      const receiptIds: string[] = [];
      for (let i = 0; i < 10; i++) {
        const confirmed = await t.call({
          method: 'POST',
          url: '/v1/checkout/confirm',
          payload: { storeId: 's1', posReceiptId: `refund-race-${round}-${i}`, customer: { customerId: duplicate }, lines: [{ sku: 'A', qty: 2, price: 20000 }] },
        });
        receiptIds.push(confirmed.json().receiptId);
      }
      const refunds = receiptIds.map((id) => t.call({ method: 'POST', url: `/v1/receipts/${id}/refunds`, payload: { refundId: 'r1', lines: [{ sku: 'A', qty: 1 }] } }));
      const merge = t.call({ method: 'POST', url: `/v1/customers/${survivor}/merge`, payload: { from: duplicate } });
      const answers = await Promise.all([...refunds, merge]);
      expect(answers.map((a) => a.statusCode)).toEqual([...Array(10).fill(201), 200]);
      // Each receipt earned 20 pending points and gave back 10.
      expect((await t.call({ method: 'GET', url: `/v1/customers/${survivor}/balance` })).json().pendingPoints).toBe(10 * 10);
      const left = await t.database.db.selectFrom('pointBalances').select(['available', 'pending']).where('customerId', '=', duplicate).executeTakeFirst();
      expect(left).toEqual({ available: 0, pending: 0 });
    }
    await expectLedgerConsistent(t.database.db);
  });

  it('a cancel racing refunds of the same receipt ends cancelled, returning exactly what the refunds left', async () => {
    const id = await customer('+79167009999');
    const confirm = await t.call({
      method: 'POST',
      url: '/v1/checkout/confirm',
      role: 'pos',
      payload: { storeId: 's1', posReceiptId: 'RACE-C1', customer: { customerId: id }, lines: [{ sku: 'a', qty: 6, price: 10_000 }] },
    });
    expect(confirm.statusCode).toBe(201);
    const receiptId = confirm.json().receiptId;
    const refunds = Array.from({ length: 4 }, (_, i) =>
      t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, role: 'pos', payload: { refundId: `RR-${i}`, lines: [{ sku: 'a', qty: 1 }] } }),
    );
    const cancel = t.call({ method: 'POST', url: '/v1/checkout/cancel', role: 'pos', payload: { storeId: 's1', posReceiptId: 'RACE-C1' } });
    const [cancelled, ...refunded] = await Promise.all([cancel, ...refunds]);
    expect(cancelled!.statusCode, cancelled!.body).toBe(200);
    // A refund that came after the cancel is refused as cancelled; the rest went through.
    for (const r of refunded) expect([201, 409]).toContain(r.statusCode);
    const receipt = await t.database.db.selectFrom('receipts').select(['status', 'refundedMinor']).where('id', '=', receiptId).executeTakeFirstOrThrow();
    expect(receipt).toEqual({ status: 'cancelled', refundedMinor: 60_000 });
    await expectLedgerConsistent(t.database.db);
  });
});
