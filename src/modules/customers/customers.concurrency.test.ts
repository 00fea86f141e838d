import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

// PGlite serves one connection at a time, so races only show on a real PostgreSQL server.
describe.runIf(onPostgres)('customers under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('20 concurrent creates with one phone: exactly one customer, the rest 409', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79219990000', email: `racer${i}@example.com` } }),
      ),
    );
    const statuses = responses.map((r) => r.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const owners = await t.database.db.selectFrom('customerIdentifiers').select('customerId').where('value', '=', '+79219990000').execute();
    expect(owners).toHaveLength(1);
    const orphans = await t.database.db
      .selectFrom('customers')
      .select('id')
      .where('id', 'not in', t.database.db.selectFrom('customerIdentifiers').select('customerId'))
      .execute();
    expect(orphans).toHaveLength(0);
  });

  it('merging A into B and B into A at once leaves one survivor and no cycle', async () => {
    const a = (await t.call({ method: 'POST', url: '/v1/customers', payload: { cardNumber: 'RACEA1' } })).json();
    const b = (await t.call({ method: 'POST', url: '/v1/customers', payload: { cardNumber: 'RACEB1' } })).json();
    const [ab, ba] = await Promise.all([
      t.call({ method: 'POST', url: `/v1/customers/${b.id}/merge`, payload: { from: a.id } }),
      t.call({ method: 'POST', url: `/v1/customers/${a.id}/merge`, payload: { from: b.id } }),
    ]);
    expect([ab.statusCode, ba.statusCode].sort()).toEqual([200, 409]);
    const rows = await t.database.db.selectFrom('customers').select(['id', 'status', 'mergedInto']).where('id', 'in', [a.id, b.id]).execute();
    expect(rows.filter((r) => r.status === 'active')).toHaveLength(1);
    const survivor = rows.find((r) => r.status === 'active')!;
    const cards = await t.call({ method: 'GET', url: '/v1/customers/lookup?card=RACEA1' });
    expect(cards.json().id).toBe(survivor.id);
  });
});
