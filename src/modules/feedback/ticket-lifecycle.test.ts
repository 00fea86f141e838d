import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { ticketFixtures } from '../../../tests/helpers/tickets.ts';

let t: TestApp;

const { customer, ticket } = ticketFixtures(() => t);

const customerTickets = async (id: string) => (await t.call({ method: 'GET', url: `/v1/customers/${id}/tickets`, role: 'support' })).json().items.map((item: { id: string }) => item.id);

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe("tickets through the customer's lifecycle", () => {
  it("a merge moves the duplicate's tickets and their threads to the survivor", async () => {
    const survivor = await customer({ phone: '+79161260001', email: 'anna@example.com' });
    const duplicate = await customer({ phone: '+79161260002' });
    const { id: own } = await ticket({ customerId: survivor, text: 'First question' });
    t.clock.set('2026-03-01T10:00:00Z');
    const { id: moved } = await ticket({ customerId: duplicate, text: 'Second question' });
    await t.call({ method: 'POST', url: `/v1/tickets/${moved}/messages`, payload: { kind: 'note', text: 'Same person as Anna?' }, role: 'support' });
    expect((await t.call({ method: 'POST', url: `/v1/customers/${survivor}/merge`, payload: { from: duplicate } })).statusCode).toBe(200);
    expect(await customerTickets(survivor)).toEqual([moved, own]);
    // The duplicate's id still finds them: it names its survivor now.
    expect(await customerTickets(duplicate)).toEqual([moved, own]);
    const rows = await t.database.db.selectFrom('ticketMessages').select('customerId').where('ticketId', '=', moved).execute();
    expect(rows).toEqual([{ customerId: survivor }, { customerId: survivor }]);
    expect((await t.call({ method: 'GET', url: `/v1/tickets?customerId=${duplicate}`, role: 'support' })).json().items.map((i: { id: string }) => i.id)).toEqual([moved, own]);
  });

  it("an erase blanks every message body and the subject, drops the contact, and keeps the tickets' counts and state", async () => {
    const boris = await customer({ phone: '+79161260003', email: 'boris@example.com' });
    const other = await customer({ phone: '+79161260004' });
    const { id } = await ticket({ customerId: boris, text: 'My address is Lenina 1, flat 5', tags: ['delivery'] });
    await t.call({ method: 'POST', url: `/v1/tickets/${id}/messages`, payload: { kind: 'reply', text: 'Boris, we will come to Lenina 1' }, role: 'support' });
    const { id: kept } = await ticket({ customerId: other, text: 'Not about Boris' });
    expect((await t.call({ method: 'POST', url: `/v1/customers/${boris}/erase` })).statusCode).toBe(200);

    const read = await t.call({ method: 'GET', url: `/v1/tickets/${id}`, role: 'support' });
    expect(read.json()).toMatchObject({ customerId: boris, subject: '(erased)', status: 'pending', tags: ['delivery'], messageCount: 2, erasedAt: '2026-03-01T10:00:00.000Z' });
    expect(read.json().messages.map((m: { direction: string; body: string | null }) => [m.direction, m.body])).toEqual([['in', null], ['out', null]]);
    expect(read.body).not.toContain('Lenina');
    const stored = await t.database.db.selectFrom('ticketMessages').select(['body', 'question']).where('customerId', '=', boris).execute();
    expect(stored).toEqual([{ body: null, question: null }, { body: null, question: null }]);
    expect((await t.call({ method: 'GET', url: `/v1/tickets/${kept}`, role: 'support' })).json().messages[0].body).toBe('Not about Boris');
    // The reply's e-mail lost its text too (messaging's own erase).
    const mail = read.json().messages[1].delivery;
    expect((await t.services.messaging.message(mail.messageId))?.content).toBeNull();

    const again = await t.call({ method: 'POST', url: `/v1/tickets/${id}/messages`, payload: { kind: 'reply', text: 'Hello?' }, role: 'support' });
    expect(again.statusCode).toBe(422);
    expect(again.json().detail).toBe(`Customer ${boris} was erased: a reply cannot be sent`);
    const refused = await t.call({ method: 'POST', url: '/v1/tickets', payload: { customerId: boris, text: 'I am back' }, role: 'pos' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('ticket.customer_gone');
  });
});
