import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { systemActor } from '../../platform/actor.ts';
import { sql } from 'kysely';
import { viewOf } from '../../db/database.ts';
import { createCheckoutCache } from './checkout-cache.ts';
import type { LoyaltyView } from './loyalty.db.ts';
import { createLoyalty } from './index.ts';

/**
 * Checkout caches config, stores and products in process. A change through this instance's
 * API is seen by its next request; a change made by another instance within PATRON_CACHE_MS.
 */
let t: TestApp;
let other: ReturnType<typeof createLoyalty>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const receipt = { storeId: 's1', lines: [{ sku: 'beans', qty: 1, price: 10_000 }] };

beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  // A second instance of the module on the same database, with its own cache (a 200 ms bound).
  other = createLoyalty(
    { db: viewOf(t.database.db), clock: t.clock, ids: { next: (p) => `${p}_${crypto.randomUUID().replaceAll('-', '')}` }, customers: t.services.customers, phoneRegion: 'RU', cacheMaxAgeMs: 200 },
    { onMerge: [], onErase: [] },
  );
});
afterAll(async () => t.close());

describe('the checkout cache', () => {
  it('sees a change made through its own API on the very next request', async () => {
    expect((await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: receipt, role: 'pos' })).statusCode).toBe(200);
    const closed = await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow', active: false } });
    expect(closed.statusCode).toBe(200);
    const refused = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: receipt, role: 'pos' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('checkout.store_inactive');
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow', active: true } });
  });

  it('sees a change made by another instance within its bound', async () => {
    await sleep(250);
    expect((await other.calculate(receipt)).total).toBe(10_000);
    await t.call({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'beans', name: 'Beans', categoryPath: ['tobacco'] }] });
    await t.call({ method: 'PUT', url: '/v1/program', payload: { ...(await t.services.loyalty.config()).program.body, excludedCategories: ['tobacco'] } });
    // After the bound the other instance has dropped its cache and reads the change.
    await sleep(250);
    const later = await other.calculate({ ...receipt, lines: [{ sku: 'beans', qty: 1, price: 10_000 }] });
    expect(later.lines[0]!.excluded).toBe(true);
  });

  it('serves from the cache within the bound, with no query, and compares the counter after it', async () => {
    let now = 0;
    const cache = createCheckoutCache({ maxAgeMs: 1000, now: () => now });
    const db = viewOf<LoyaltyView>(t.database.db);
    expect((await cache.store(db, 's2'))?.active).toBeUndefined();
    await t.call({ method: 'PUT', url: '/v1/stores/s2', payload: { name: 'Second', timezone: 'Europe/Moscow' } });
    now = 999;
    expect(await cache.store(db, 's2'), 'still cached: the bound has not passed').toBeUndefined();
    now = 1000;
    expect((await cache.store(db, 's2'))?.active, 'the counter moved: cache dropped').toBe(true);
    // A change in SQL that does not bump the counter is not seen: every writer must bump it.
    await sql`update stores set active = false where id = 's2'`.execute(t.database.db);
    now = 5000;
    expect((await cache.store(db, 's2'))?.active).toBe(true);
    cache.changed();
    expect((await cache.store(db, 's2'))?.active).toBe(false);
  });

  it('a store closed by another instance stops its checkouts within the bound', async () => {
    await other.stores.upsert([{ id: 's1', name: 'Main', timezone: 'Europe/Moscow', active: false }], systemActor);
    await sleep(1100); // this instance's bound is the default, one second
    const refused = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: receipt, role: 'pos' });
    expect(refused.json().code).toBe('checkout.store_inactive');
  });
});
