import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * Tickets under concurrency, on real PostgreSQL (PGlite serves one connection at a time): a
 * message an app retries at once makes one ticket, and notes written at once are all counted.
 */
describe.runIf(onPostgres)('tickets under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let anna: string;
  beforeAll(async () => {
    t = await createTestApp();
    anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79125550001', email: 'anna@example.com' } })).json().id;
  });
  afterAll(async () => t?.close());

  it('20 posts of one message at once (one sourceRef): one ticket, one first message, every caller answered with it', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.call({ method: 'POST', url: '/v1/tickets', payload: { customerId: anna, sourceRef: 'app-retry-1', text: 'Where is my order?' }, role: 'pos' })),
    );
    expect(answers.map((a) => a.statusCode).sort((a, b) => a - b)).toEqual([...Array.from({ length: 19 }, () => 200), 201]);
    const ids = new Set(answers.map((a) => a.json().id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await t.database.db.selectFrom('tickets').select('id').where('sourceRef', '=', 'app-retry-1').execute()).toEqual([{ id }]);
    expect(await t.database.db.selectFrom('ticketMessages').select('id').where('ticketId', '=', id!).execute()).toHaveLength(1);
    const created = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'ticket.created').execute();
    expect(created.filter((row) => (row.payload as { ticketId: string }).ticketId === id)).toHaveLength(1);
  });

  it('15 notes at once: the count of messages is the thread', async () => {
    const made = await t.call({ method: 'POST', url: '/v1/tickets', payload: { customerId: anna, text: 'The app crashes' }, role: 'pos' });
    const id = made.json().id as string;
    const notes = await Promise.all(
      Array.from({ length: 15 }, (_, i) => t.call({ method: 'POST', url: `/v1/tickets/${id}/messages`, payload: { kind: 'note', text: `Note ${i}` }, role: 'support' })),
    );
    expect(notes.every((n) => n.statusCode === 201)).toBe(true);
    const row = await t.database.db.selectFrom('tickets').select('messages').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.messages).toBe(16);
    expect(await t.database.db.selectFrom('ticketMessages').select('id').where('ticketId', '=', id).execute()).toHaveLength(16);
  });
});
