import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { startLoopbackSmtp, type LoopbackSmtp } from '../../../tests/helpers/loopback-smtp.ts';
import { messageIdFromHeader } from './channels/index.ts';
import { parseMime } from './channels/mime.ts';

/**
 * What the sender writes for each answer, row by row. A group of acceptances is recorded in one
 * statement (the message, its history row, its `message.sent` event); a group with retries or
 * refusals in it goes through a transaction, the acceptances with the same statement. Both must
 * leave exactly the rows each answer always left: checked here against a relay that answers a
 * 451 to some messages and a dead mailbox to one, over several rounds. On PostgreSQL, where a
 * write takes a round trip, answers arriving together make groups of several and of both kinds;
 * PGlite writes before the next answer arrives, so there each group is one answer.
 */
describe('the sender records every answer', () => {
  let t: TestApp;
  let smtp: LoopbackSmtp;
  const customers: string[] = [];
  const dead = 'c7@example.com';

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T09:00:00Z');
    // A 451 to every fourth DATA; a 550 5.1.1 to one address at RCPT TO. The relay answers DATA in
    // bursts (three at a time, or after 50 ms), as a busy relay does: answers that arrive together
    // are recorded together (on PostgreSQL), acceptances mixed with refusals.
    let index = 0;
    let held: Array<() => void> = [];
    const release = () => {
      const burst = held;
      held = [];
      for (const answer of burst) answer();
    };
    smtp = await startLoopbackSmtp(
      { rcptTo: (address) => (address === dead ? { code: 550, text: '5.1.1 No such user' } : null) },
      {
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            const n = index++;
            held.push(() => {
              if (n % 4 === 3) {
                smtp.refused.push({ raw, refusal: { code: 451, text: '4.3.0 Try again later' } });
                return callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 }));
              }
              smtp.accepted.push({ raw, from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), session: session.id, envelope: session.envelope });
              callback(null, `OK: queued as Q${String(smtp.accepted.length).padStart(6, '0')}`);
            });
            if (held.length >= 3) release();
            else setTimeout(release, 50);
          });
        },
      },
    );
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example', maxConnections: 3 } } });
    for (let i = 0; i < 24; i++) customers.push((await t.call({ method: 'POST', url: '/v1/customers', payload: { email: `c${i}@example.com` } })).json().id);
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('sent, retried and bounced messages have the status, the history rows and the events of their answers', async () => {
    const template = (await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'Receipt', kind: 'email', purpose: 'service', parts: { subject: 'Receipt {{ message.id }}', text: 'Thanks' } } })).json();
    const queued = await t.services.messaging.enqueue({
      template: { id: template.id, version: 1, kind: 'email', purpose: 'service', parts: template.parts },
      source: 'api',
      sourceId: 'receipts',
      items: customers.map((customerId) => ({ customerId, dedupeKey: `receipt:${customerId}` })),
    });
    expect(queued.queued).toHaveLength(customers.length);
    const rounds: string[] = [];
    for (let round = 0; round < 10; round++) {
      rounds.push(t.clock.now().toISOString());
      const report = await t.services.messaging.sendDue();
      if (report.retried === 0 && report.sent === 0 && report.failed === 0) break;
      t.clock.advance(10 * 60_000); // past every retry delay
    }
    const db = t.database.db;
    const messages = await db.selectFrom('messages').select(['id', 'customerId', 'recipient', 'status', 'sentAt', 'reason', 'lockedUntil', 'attempts', 'providerId']).where('sourceId', '=', 'receipts').orderBy('id').execute();
    const history = await db.selectFrom('messageEvents').select(['messageId', 'customerId', 'status', 'occurredAt', 'detail']).where('messageId', 'in', messages.map((m) => m.id)).orderBy('id').execute();
    const events = await db.selectFrom('outboxEvents').select(['type', 'customerId', 'payload', 'occurredAt']).where('type', 'in', ['message.sent', 'message.failed', 'message.bounced']).orderBy('id').execute();
    expect(smtp.refused.length).toBeGreaterThanOrEqual(4);
    expect(smtp.accepted).toHaveLength(customers.length - 1);

    for (const message of messages) {
      const rows = history.filter((row) => row.messageId === message.id);
      const own = events.filter((event) => (event.payload as { messageId: string }).messageId === message.id);
      const payload = { messageId: message.id, kind: 'email', source: 'api', sourceId: 'receipts' };
      // Every row names the message's customer; the first says it was queued.
      expect(rows.every((row) => row.customerId === message.customerId)).toBe(true);
      expect(rows[0]).toMatchObject({ status: 'queued', detail: {} });
      const retries = rows.filter((row) => row.status === 'retrying');
      retries.forEach((row, i) => {
        expect(row.detail).toEqual({ reason: 'SMTP 451 to DATA: 4.3.0 Try again later', attempt: i + 1, retryInMs: expect.any(Number) });
        expect(new Date(row.occurredAt).toISOString()).toBe(rounds[i]);
      });
      if (message.recipient === dead) {
        expect(rows.map((row) => row.status)).toEqual(['queued', 'bounced']);
        expect(rows[1]!.detail).toEqual({ reason: 'SMTP 550 to RCPT TO: 5.1.1 No such user' });
        expect(message).toMatchObject({ status: 'bounced', sentAt: null, lockedUntil: null, reason: 'SMTP 550 to RCPT TO: 5.1.1 No such user' });
        expect(own.map((event) => [event.type, event.customerId, event.payload])).toEqual([['message.bounced', message.customerId, payload]]);
        continue;
      }
      // Sent: after its retries, one `sent` row at the round that sent it, and one event then.
      expect(rows.map((row) => row.status)).toEqual(['queued', ...retries.map(() => 'retrying'), 'sent']);
      const sentAt = rounds[retries.length]!;
      expect(rows.at(-1)).toMatchObject({ status: 'sent', detail: {} });
      expect(new Date(rows.at(-1)!.occurredAt).toISOString()).toBe(sentAt);
      expect(message).toMatchObject({ status: 'sent', reason: null, lockedUntil: null, attempts: retries.length + 1 });
      expect(new Date(message.sentAt!).toISOString()).toBe(sentAt);
      expect(own.map((event) => [event.type, event.customerId, event.payload, new Date(event.occurredAt).toISOString()])).toEqual([['message.sent', message.customerId, payload, sentAt]]);
    }
    // Each accepted message reached the relay once, and only those are marked sent.
    const sent = messages.filter((m) => m.status === 'sent');
    expect(sent).toHaveLength(customers.length - 1);
    expect(new Set(smtp.accepted.flatMap((mail) => mail.to))).toEqual(new Set(sent.map((m) => m.recipient)));
    // And each kept the queue id the relay gave it (the k-th accepted mail is "queued as Q00000k").
    const providerOf = new Map(sent.map((m) => [m.id, m.providerId]));
    smtp.accepted.forEach((mail, k) => {
      expect(providerOf.get(messageIdFromHeader(parseMime(mail.raw).header('message-id') ?? '') ?? '')).toBe(`Q${String(k + 1).padStart(6, '0')}`);
    });
  });
});
