import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

// The tier review used to read, decide and write without the balance lock, so it could undo an
// upgrade a concurrent confirm had just made. PGlite serves one connection: races need PostgreSQL.
describe.runIf(onPostgres)('tier review racing confirms (PostgreSQL)', () => {
  let t: TestApp;
  const customers: string[] = [];
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
    const tiers = await t.call({
      method: 'PUT',
      url: '/v1/tiers',
      payload: {
        metric: 'spend',
        window: { kind: 'rolling', days: 365 },
        downgrade: 'one_level',
        tiers: [
          { id: 'base', name: 'Base', threshold: 0, privileges: [] },
          { id: 'gold', name: 'Gold', threshold: 100_000, privileges: [] },
        ],
      },
    });
    expect(tiers.statusCode, tiers.body).toBe(200);
    for (let i = 0; i < 20; i++) {
      customers.push((await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916555${String(1000 + i)}` } })).json().id);
    }
  });
  afterAll(async () => t.close());

  it('20 confirms that each cross the Gold threshold, while reviews run: no upgrade is lost', async () => {
    const confirms = customers.map((customerId, i) =>
      t.call({
        method: 'POST',
        url: '/v1/checkout/confirm',
        role: 'pos',
        payload: { storeId: 's1', posReceiptId: `TIER-${i}`, customer: { customerId }, lines: [{ sku: 'tv', qty: 1, price: 150_000 }] },
      }),
    );
    // Reviews started among the confirms, over and over, each seeing some receipts and not others.
    const reviews = Array.from({ length: 4 }, () => t.services.loyalty.runJob('review-tiers'));
    const responses = await Promise.all(confirms);
    await Promise.all(reviews);
    expect(responses.map((r) => r.statusCode)).toEqual(customers.map(() => 201));
    const tiers = await t.database.db.selectFrom('customerTiers').select(['customerId', 'tierId']).where('customerId', 'in', customers).execute();
    expect(tiers.filter((row) => row.tierId === 'gold')).toHaveLength(20);
    // One upgrade event a customer: a review that saw the receipt found nothing to change.
    const events = await sql<{ n: number }>`select count(*)::int as n from outbox_events where type = 'tier.changed' and customer_id = any(${customers}::text[])`.execute(t.database.db);
    expect(events.rows[0]!.n).toBe(20);
    await expectLedgerConsistent(t.database.db);
  });
});
