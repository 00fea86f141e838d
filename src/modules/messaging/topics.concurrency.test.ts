import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

// PGlite serves one connection at a time, so races only show on a real PostgreSQL server.
describe.runIf(onPostgres)('topic choices under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/messaging/topics/offers', payload: { name: { en: 'Offers' }, defaultSubscribed: true } });
  });
  afterAll(async () => t.close());

  it('the same choice made 20 times at once (a double-clicked page, retried calls) is recorded once, with one event', async () => {
    const customer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79219990101' } })).json();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.call({ method: 'PUT', url: `/v1/customers/${customer.id}/topics`, payload: [{ topic: 'offers', subscribed: false }] })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array.from({ length: 20 }, () => 200));
    const rows = await t.database.db.selectFrom('topicEvents').select(['topic', 'subscribed']).where('customerId', '=', customer.id).execute();
    expect(rows).toEqual([{ topic: 'offers', subscribed: false }]);
    const events = (await t.database.db.selectFrom('outboxEvents').select('payload').where('customerId', '=', customer.id).where('type', '=', 'customer.updated').execute())
      .filter((e) => (e.payload as { changed: string[] }).changed.includes('topics'));
    expect(events).toHaveLength(1);
  });

  it('leaving and joining at once ends in the state of the last choice recorded', async () => {
    const customer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79219990102' } })).json();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.call({ method: 'PUT', url: `/v1/customers/${customer.id}/topics`, payload: [{ topic: 'offers', subscribed: i % 2 === 0 }] })),
    );
    const history = await t.database.db.selectFrom('topicEvents').select(['subscribed']).where('customerId', '=', customer.id).orderBy('occurredAt').orderBy('id').execute();
    // No two entries in a row say the same: each recorded choice changed the state.
    expect(history.every((row, i) => i === 0 || row.subscribed !== history[i - 1]!.subscribed)).toBe(true);
    const state = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/topics` })).json().current[0];
    expect(state.subscribed).toBe(history.at(-1)?.subscribed ?? true);
  });
});
