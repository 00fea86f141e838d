import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header, startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { ticketFixtures } from '../../../tests/helpers/tickets.ts';

let t: TestApp;
let smtp: SmtpSink;
let anna: string;
let boris: string;

const { customer, ticket } = ticketFixtures(() => t);

const write = (id: string, payload: { kind: string; text: string }) => t.call({ method: 'POST', url: `/v1/tickets/${id}/messages`, payload, role: 'support' });

/** The body of a plain-text mail as sent (quoted-printable soft breaks undone). */
const bodyOf = (raw: string) => raw.split(/\r?\n\r?\n/).slice(1).join('\n').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)));

beforeAll(async () => {
  t = await createTestApp();
  smtp = await startSmtpSink();
  const channel = await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'Club <club@shop.example>' } } });
  expect(channel.statusCode, channel.body).toBe(201);
  // No marketing consent: a reply is a service message, sent all the same.
  anna = await customer({ phone: '+79161240001', email: 'anna@example.com', firstName: 'Anna' });
  boris = await customer({ phone: '+79161240002', firstName: 'Boris' });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('replies by e-mail', () => {
  it('a reply reaches the customer by e-mail with its text as written; the ticket shows its delivery and waits for the customer', async () => {
    const { id } = await ticket({ customerId: anna, subject: 'Missing points', text: 'Where are my points?' });
    const text = 'Hello Anna,\nthe points of {{ receipt }} {% raw %} arrive in 14 days.\nSupport';
    const replied = await write(id, { kind: 'reply', text });
    expect(replied.statusCode, replied.body).toBe(201);
    const thread = replied.json();
    expect(thread).toMatchObject({ status: 'pending', messageCount: 2 });
    const out = thread.messages[1];
    expect(out).toMatchObject({ direction: 'out', body: text, author: 'test support', delivery: { messageId: expect.stringMatching(/^msg_/), status: 'queued', reason: null, sentAt: null } });
    const stored = await t.database.db.selectFrom('ticketMessages').select(['direction', 'body', 'messageId']).where('ticketId', '=', id).orderBy('createdAt').orderBy('id').execute();
    expect(stored).toEqual([
      { direction: 'in', body: 'Where are my points?', messageId: null },
      { direction: 'out', body: text, messageId: out.delivery.messageId },
    ]);

    expect(await t.services.messaging.sendDue()).toMatchObject({ sent: 1 });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['anna@example.com']);
    expect(header(mail!.raw, 'subject')).toBe('Re: Missing points');
    expect(bodyOf(mail!.raw)).toContain('the points of {{ receipt }} {% raw %} arrive in 14 days.');
    expect(bodyOf(mail!.raw)).toContain('Hello Anna,');

    const after = await t.call({ method: 'GET', url: `/v1/tickets/${id}`, role: 'support' });
    expect(after.json().messages[1].delivery).toMatchObject({ status: 'sent', sentAt: '2026-03-01T09:00:00.000Z' });
    const message = await t.services.messaging.message(out.delivery.messageId);
    expect(message).toMatchObject({ source: 'ticket', sourceId: id, purpose: 'service', customerId: anna });
    const events = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'ticket.updated').execute();
    expect(events.map((e) => e.payload)).toContainEqual({ ticketId: id, status: 'pending', previousStatus: 'open' });
    const audit = await t.database.db.selectFrom('auditLog').select('action').where('entityId', '=', id).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['ticket.create', 'ticket.reply']);
  });

  it('a customer without an e-mail address gets a clear error and nothing is stored or queued', async () => {
    const { id } = await ticket({ customerId: boris, text: 'Call me back please' });
    const messagesBefore = await t.database.db.selectFrom('messages').select('id').execute();
    const refused = await write(id, { kind: 'reply', text: 'We will call you' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({
      code: 'ticket.no_address',
      detail: `Customer ${boris} has no e-mail address, and replies go by e-mail; add one to the profile (PATCH /v1/customers/{id}) or add a note instead`,
    });
    expect(await t.database.db.selectFrom('ticketMessages').select('body').where('ticketId', '=', id).execute()).toEqual([{ body: 'Call me back please' }]);
    expect(await t.database.db.selectFrom('messages').select('id').execute()).toEqual(messagesBefore);
    const row = await t.database.db.selectFrom('tickets').select(['status', 'messages']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'open', messages: 1 });
    // A note needs no address: it stays inside.
    const note = await write(id, { kind: 'note', text: 'Phoned him, sorted' });
    expect(note.statusCode).toBe(201);
    expect(note.json()).toMatchObject({ status: 'open', messageCount: 2 });
    expect(note.json().messages[1]).toMatchObject({ direction: 'note', body: 'Phoned him, sorted', delivery: null });
    expect(await t.database.db.selectFrom('messages').select('id').execute()).toEqual(messagesBefore);
  });

  it('an anonymous ticket or a closed one gets no reply, in words', async () => {
    const { id: anonymous } = await ticket({ contact: { email: 'vera@example.com' }, text: 'Opening hours?' });
    const refused = await write(anonymous, { kind: 'reply', text: 'Nine to nine' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toBe(`Ticket ${anonymous} is an anonymous message: there is no customer to send a reply to; write to the contact it gave yourself, and add a note`);
    const { id } = await ticket({ customerId: anna, text: 'Thanks!' });
    await t.call({ method: 'PATCH', url: `/v1/tickets/${id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { status: 'closed' }, role: 'support' });
    const closed = await write(id, { kind: 'reply', text: 'You are welcome' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().code).toBe('ticket.closed');
    expect((await write(id, { kind: 'reply', text: '   ' })).statusCode).toBe(400);
    expect(await t.database.db.selectFrom('ticketMessages').select('id').where('ticketId', 'in', [anonymous, id]).execute()).toHaveLength(2);
  });
});
