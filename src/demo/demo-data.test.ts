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
    expect(await loadDemoData({ database: t.database, app: t.app, ...t.services }, t.clock)).toBe(true);
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

    expect(await loadDemoData({ database: t.database, app: t.app, ...t.services }, t.clock)).toBe(false);
    expect(await count('receipts')).toBe(receipts);
  });

  it('gives every program and marketing page of the console something to show, through the API, and leaves no key behind', async () => {
    const names = async (url: string, field = 'name') => ((await t.call({ method: 'GET', url })).json().items as Array<Record<string, unknown>>).map((item) => item[field]).sort();
    expect(await names('/v1/promotions')).toEqual(['Coffee week', 'Double points on tea']);
    const batches = (await t.call({ method: 'GET', url: '/v1/promo-codes/batches' })).json().items as Array<{ count: number }>;
    expect(batches.map((b) => b.count)).toEqual([200]);
    expect((await t.call({ method: 'GET', url: '/v1/gift-cards/batches' })).json().items).toHaveLength(1);
    expect(await names('/v1/action-rules')).toEqual(['App installed', 'Shared a recipe']);
    expect(await names('/v1/rewards')).toEqual(['Ceramic mug', 'Free cappuccino']);
    expect(await names('/v1/partners')).toEqual(['Neft filling stations']);
    const lotteries = (await t.call({ method: 'GET', url: '/v1/lotteries' })).json().items as Array<{ name: string; prizes: Array<{ name: string; rewardId?: string | null }> }>;
    expect(lotteries.map((l) => [l.name, l.prizes.map((p) => p.name)])).toEqual([['Monthly prize draw', ['Coffee grinder', 'Ceramic mug']]]);
    expect((await t.call({ method: 'GET', url: '/v1/surveys' })).json().items.map((s: { kind: string; status: string }) => [s.kind, s.status])).toEqual([['nps', 'open']]);
    expect(await names('/v1/segments')).toEqual(['Coffee lovers with e-mail', 'Lapsed for 60 days']);
    expect(await names('/v1/templates')).toEqual(['Birthday greeting, SMS', 'Your points this month']);
    const campaigns = (await t.call({ method: 'GET', url: '/v1/campaigns' })).json().items as Array<{ name: string; status: string; audience: { kind: string } }>;
    expect(campaigns.map((c) => [c.name, c.status, c.audience.kind])).toEqual([['Coffee week to regulars', 'draft', 'segment']]);
    const keys = await t.database.db.selectFrom('apiKeys').select(['name', 'revokedAt']).where('name', '=', 'demo data').execute();
    expect(keys).toHaveLength(1);
    expect(keys[0]!.revokedAt).not.toBeNull();
  });
});
