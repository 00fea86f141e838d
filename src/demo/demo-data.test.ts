import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../tests/helpers/test-app.ts';
import { loadDemoData } from './demo-data.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('demo data', () => {
  it('loads customers, stores, products and a year of receipts once, with a consistent ledger', async () => {
    expect(await loadDemoData({ database: t.database, ...t.services }, t.clock)).toBe(true);
    for (const job of ['activate-points', 'expire-points', 'review-tiers'] as const) await t.services.loyalty.runJob(job);
    const count = async (table: 'customers' | 'stores' | 'products' | 'receipts') =>
      Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    expect(await count('customers')).toBe(300);
    expect(await count('stores')).toBe(4);
    expect(await count('products')).toBeGreaterThan(10);
    const receipts = await count('receipts');
    expect(receipts).toBeGreaterThan(1000);
    const anonymous = await t.database.db.selectFrom('receipts').select((eb) => eb.fn.countAll<number>().as('n')).where('customerId', 'is', null).executeTakeFirstOrThrow();
    const recognised = 1 - Number(anonymous.n) / receipts;
    expect(recognised).toBeGreaterThan(0.5);
    expect(recognised).toBeLessThan(0.8);
    const withPoints = await t.database.db.selectFrom('pointBalances').select('customerId').where('available', '>', 0).execute();
    expect(withPoints.length).toBeGreaterThan(100);
    const tiers = await t.database.db.selectFrom('customerTiers').select('tierId').distinct().execute();
    expect(tiers.map((r) => r.tierId).sort()).toContain('gold');
    await expectLedgerConsistent(t.database.db);

    // The README's and docs' demo customer: a Gold regular with a receipt history and points enough
    // for their redemptions (tests/docs-run.test.ts runs those examples).
    const regular = await t.services.customers.lookup({ card: '7770000001' }, false);
    const balance = await t.services.loyalty.balance(regular.id);
    expect(balance.tier?.id).toBe('gold');
    expect(balance.available).toBeGreaterThanOrEqual(1000);
    const history = await t.database.db.selectFrom('receipts').select((eb) => eb.fn.countAll<number>().as('n')).where('customerId', '=', regular.id).executeTakeFirstOrThrow();
    expect(Number(history.n)).toBe(16);

    expect(await loadDemoData({ database: t.database, ...t.services }, t.clock)).toBe(false);
    expect(await count('receipts')).toBe(receipts);
  });
});
