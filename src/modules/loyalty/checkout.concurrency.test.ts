import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

// PGlite serves one connection at a time, so races only show on a real PostgreSQL server.
describe.runIf(onPostgres)('checkout under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let customerId: string;
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
    customerId = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161112233' } })).json().id;
    await t.call({ method: 'POST', url: `/v1/customers/${customerId}/points/adjustments`, payload: { points: 1000, reason: 'seed' } });
  });
  afterAll(async () => t.close());

  it('20 confirms each redeeming the whole balance at once: exactly one redeems, nothing overdraws', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.call({
          method: 'POST',
          url: '/v1/checkout/confirm',
          role: 'pos',
          payload: { storeId: 's1', posReceiptId: `RACE-${i}`, customer: { customerId }, lines: [{ sku: 'tv', qty: 1, price: 1_000_000 }], redeemPoints: 1000 },
        }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const r of responses.filter((r) => r.statusCode === 409)) expect(r.json().code).toBe('checkout.insufficient_points');
    const balance = await t.database.db.selectFrom('pointBalances').select(['available']).where('customerId', '=', customerId).executeTakeFirstOrThrow();
    expect(balance.available).toBe(0);
    const redeemed = await t.database.db.selectFrom('receipts').select('pointsRedeemed').where('customerId', '=', customerId).execute();
    expect(redeemed.map((r) => r.pointsRedeemed)).toEqual([1000]);
    await expectLedgerConsistent(t.database.db);
  });

  it('folding the kept outstanding points by expiry month while confirms earn and redeem loses and doubles nothing', async () => {
    const confirms = Array.from({ length: 30 }, (_, i) =>
      t.call({
        method: 'POST',
        url: '/v1/checkout/confirm',
        role: 'pos',
        payload: { storeId: 's1', posReceiptId: `FOLD-${i}`, customer: { customerId }, lines: [{ sku: 'a', qty: 1, price: 50_000 + i }], ...(i % 3 === 0 ? { redeemPoints: 10 } : {}) },
      }),
    );
    // One fold after another, as the job runs (never two at once), all while the confirms commit.
    const folds = (async () => {
      const reports = [];
      for (let i = 0; i < 6; i++) reports.push(await t.services.loyalty.rollups.fold());
      return reports;
    })();
    const [responses, reports] = await Promise.all([Promise.all(confirms), folds]);
    for (const r of responses) expect([201, 409], r.body).toContain(r.statusCode);
    expect(responses.filter((r) => r.statusCode === 201).length).toBeGreaterThan(0);
    expect(reports.every((r) => r.outstandingChanges >= 0)).toBe(true);
    await expectLedgerConsistent(t.database.db);
    await t.services.loyalty.rollups.fold();
    await expectLedgerConsistent(t.database.db);
  });

  it('the same confirm sent 10 times at once makes one receipt and 10 identical answers', async () => {
    const payload = { storeId: 's1', posReceiptId: 'DUP-1', customer: { customerId }, lines: [{ sku: 'a', qty: 1, price: 10_000 }] };
    const responses = await Promise.all(Array.from({ length: 10 }, () => t.call({ method: 'POST', url: '/v1/checkout/confirm', role: 'pos', payload })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const bodies = new Set(responses.map((r) => r.body));
    expect(bodies.size).toBe(1);
    const receipts = await t.database.db.selectFrom('receipts').select('id').where('posReceiptId', '=', 'DUP-1').execute();
    expect(receipts).toHaveLength(1);
    await expectLedgerConsistent(t.database.db);
  });

  it('concurrent refunds of one line never return more than was bought', async () => {
    const done = (
      await t.call({ method: 'POST', url: '/v1/checkout/confirm', role: 'pos', payload: { storeId: 's1', posReceiptId: 'RF-RACE', customer: { customerId }, lines: [{ sku: 'a', qty: 3, price: 10_000 }] } })
    ).json();
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => t.call({ method: 'POST', url: `/v1/receipts/${done.receiptId}/refunds`, role: 'pos', payload: { refundId: `R${i}`, lines: [{ sku: 'a', qty: 1 }] } })),
    );
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(3);
    expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(3);
    const reversed = responses.filter((r) => r.statusCode === 201).reduce((sum, r) => sum + r.json().pointsReversed, 0);
    expect(reversed).toBe(done.pointsToEarn);
    await expectLedgerConsistent(t.database.db);
  });
});
