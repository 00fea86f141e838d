import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { defaultProgramSettings, type ExpiryPolicy } from './config-types.ts';
import { expiryFor } from './ledger.ts';

describe('expiry policies', () => {
  it.each<[ExpiryPolicy, string, string | null]>([
    [{ kind: 'never' }, '2026-05-17T10:00:00Z', null],
    [{ kind: 'days', days: 30 }, '2026-05-17T10:00:00Z', '2026-06-16T10:00:00.000Z'],
    [{ kind: 'end_of_period', period: 'month', periodsAfter: 0 }, '2026-05-17T10:00:00Z', '2026-06-01T00:00:00.000Z'],
    [{ kind: 'end_of_period', period: 'quarter', periodsAfter: 1 }, '2026-05-17T10:00:00Z', '2026-10-01T00:00:00.000Z'],
    [{ kind: 'end_of_period', period: 'year', periodsAfter: 1 }, '2026-12-31T23:59:00Z', '2028-01-01T00:00:00.000Z'],
  ])('%j for points earned %s → %s', (policy, earned, expected) => {
    expect(expiryFor(policy, new Date(earned))?.toISOString() ?? null).toBe(expected);
  });
});

describe('program settings that change the ledger', () => {
  let t: TestApp;
  let n = 0;
  const DAY = 86_400_000;
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'One', timezone: 'UTC' } });
  });
  afterEach(async () => {
    await expectLedgerConsistent(t.database.db);
    await t.call({ method: 'PUT', url: '/v1/program', payload: defaultProgramSettings });
  });
  afterAll(async () => t.close());

  const customer = async () => (await t.call({ method: 'POST', url: '/v1/customers', payload: { cardNumber: `LS${++n}000` } })).json().id as string;
  const confirm = (customerId: string, price: number, redeemPoints = 0) =>
    t.call({ method: 'POST', url: '/v1/checkout/confirm', role: 'pos', payload: { storeId: 's1', posReceiptId: `LS-${++n}`, customer: { customerId }, lines: [{ sku: 'x', qty: 1, price }], redeemPoints } });

  it('redeemed points given back by a return keep their original expiry, plus returnedPointsExtraDays', async () => {
    await t.call({ method: 'PUT', url: '/v1/program', payload: { ...defaultProgramSettings, pendingDays: 0, expiry: { kind: 'days', days: 100 }, returnedPointsExtraDays: 10 } });
    const id = await customer();
    const start = t.clock.now();
    await confirm(id, 200_000); // lot of 100 points expiring at start + 100 days
    t.clock.set(new Date(start.getTime() + 5 * DAY));
    const spent = (await confirm(id, 100_000, 100)).json();
    await t.call({ method: 'POST', url: `/v1/receipts/${spent.receiptId}/refunds`, role: 'pos', payload: { refundId: 'back', lines: [{ sku: 'x', qty: 1 }] } });
    const returned = await t.database.db.selectFrom('pointLots').select(['points', 'expiresAt']).where('customerId', '=', id).where('source', '=', 'return').execute();
    expect(returned).toEqual([{ points: 100, expiresAt: new Date(start.getTime() + 110 * DAY) }]);
    t.clock.set(start);
  });

  it('with refundShortfall "forgive", a return of spent points leaves the balance at zero', async () => {
    await t.call({ method: 'PUT', url: '/v1/program', payload: { ...defaultProgramSettings, pendingDays: 0, refundShortfall: 'forgive' } });
    const id = await customer();
    const first = (await confirm(id, 200_000)).json(); // +100
    await confirm(id, 100_000, 100); // spends them, earns 45
    const refund = (await t.call({ method: 'POST', url: `/v1/receipts/${first.receiptId}/refunds`, role: 'pos', payload: { refundId: 'f', lines: [{ sku: 'x', qty: 1 }] } })).json();
    expect(refund).toMatchObject({ pointsReversed: 45, pointsForgiven: 55 });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${id}/balance` })).json().available).toBe(0);
  });

  it('downgrade "to_earned" drops straight to the tier the customer still earns', async () => {
    await t.call({ method: 'PUT', url: '/v1/program', payload: { ...defaultProgramSettings, pendingDays: 0 } });
    await t.call({
      method: 'PUT',
      url: '/v1/tiers',
      payload: {
        metric: 'points_earned',
        window: { kind: 'rolling', days: 30 },
        downgrade: 'to_earned',
        tiers: [
          { id: 'a', name: 'A', threshold: 0, privileges: [] },
          { id: 'b', name: 'B', threshold: 100, privileges: [] },
          { id: 'c', name: 'C', threshold: 200, privileges: [] },
        ],
      },
    });
    const id = await customer();
    const start = t.clock.now();
    await confirm(id, 400_000); // 200 points → C
    expect((await t.call({ method: 'GET', url: `/v1/customers/${id}/balance` })).json().tier.id).toBe('c');
    t.clock.set(new Date(start.getTime() + 40 * DAY));
    await t.call({ method: 'POST', url: '/v1/jobs/review-tiers/run' });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${id}/balance` })).json().tier.id).toBe('a');
    t.clock.set(start);
    await t.call({ method: 'PUT', url: '/v1/tiers', payload: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'a', name: 'A', threshold: 0, privileges: [] }] } });
  });
});
