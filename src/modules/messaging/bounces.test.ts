import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { header, startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Bounces and complaints end to end: e-mails sent to a real SMTP server on loopback, then the
 * reports that come back for them (a DSN, an ARF complaint) handed to the bounce route as the
 * bounce mailbox received them, found by the Message-ID the e-mail went out with.
 */
const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** A Postfix DSN about the message that went out with `messageIdHeader` (the top header left out when `bare`). */
function dsn(messageIdHeader: string, recipient: string, action: string, status: string, diagnostic: string, bare = false) {
  const top = bare ? '' : 'From: MAILER-DAEMON@mx.example.net\nTo: bounces@shop.example\nSubject: Undelivered Mail Returned to Sender\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="BOUND"\n\n';
  return crlf(`${top}--BOUND
Content-Type: text/plain

Your message could not be delivered.

--BOUND
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ${recipient}
Action: ${action}
Status: ${status}
Diagnostic-Code: smtp; ${diagnostic}

--BOUND
Content-Type: text/rfc822-headers

From: Club <club@shop.example>
To: ${recipient}
Message-ID: ${messageIdHeader}

--BOUND--
`);
}

function complaint(messageIdHeader: string, recipient: string) {
  return crlf(`From: <feedback@fbl.example.com>
To: <abuse@shop.example>
Subject: Complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="FBL"

--FBL
Content-Type: text/plain

An abuse report.

--FBL
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Rcpt-To: <${recipient}>

--FBL
Content-Type: message/rfc822

From: <club@shop.example>
To: <${recipient}>
Message-ID: ${messageIdHeader}
Subject: Points

Earn points!

--FBL--
`);
}

describe('bounces and complaints', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let channelId: string;
  let templateId: string;

  const customer = async (email: string) =>
    (await t.call({ method: 'POST', url: '/v1/customers', payload: { email, consents: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }] } })).json().id as string;
  /** Sends one e-mail to the customer: our message id and the Message-ID header it went out with. */
  const sendTo = async (customerId: string) => {
    const queued = await t.call({ method: 'POST', url: `/v1/templates/${templateId}/test`, payload: { customerId } });
    expect(queued.statusCode, queued.body).toBe(202);
    await t.services.messaging.sendDue();
    const id = queued.json().id as string;
    const mail = smtp.received.find((m) => m.raw.includes(id))!;
    return { id, header: header(mail.raw, 'Message-ID')! };
  };
  const post = (body: string, type = 'message/rfc822', role: 'owner' | 'marketer' = 'owner') =>
    t.call({ method: 'POST', url: `/v1/channels/${channelId}/bounces`, role, headers: { 'content-type': type }, payload: body });
  const message = async (id: string) => (await t.services.messaging.message(id))!;
  const suppressed = async () => (await t.database.db.selectFrom('messagingSuppressions').select(['kind', 'address']).orderBy('address').execute()).map((s) => `${s.kind}:${s.address}`);

  beforeAll(async () => {
    t = await createTestApp();
    smtp = await startSmtpSink();
    const channel = await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'Club <club@shop.example>' } } });
    expect(channel.statusCode, channel.body).toBe(201);
    channelId = channel.json().id;
    templateId = (await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'News', kind: 'email', purpose: 'marketing', parts: { subject: 'News', text: 'Hello' } } })).json().id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('a hard bounce: the message bounced, its address suppressed, once', async () => {
    const sent = await sendTo(await customer('gone@example.net'));
    expect(sent.header).toMatch(/^<msg_[0-9a-f]{32}@shop\.example>$/);
    const answer = await post(dsn(sent.header, 'gone@example.net', 'failed', '5.1.1', '550 5.1.1 User unknown'));
    expect([answer.statusCode, answer.json()]).toEqual([200, { kind: 'hard', status: '5.1.1', messageId: sent.id, recorded: true, suppressed: true, consentWithdrawn: false }]);
    const after = await message(sent.id);
    expect(after).toMatchObject({ status: 'bounced', reason: 'hard bounce 5.1.1: 550 5.1.1 User unknown' });
    expect(after.history.map((h) => h.status)).toEqual(['queued', 'sent', 'bounced']);
    expect(after.history.at(-1)!.detail).toEqual({ via: 'bounce report', kind: 'hard', status: '5.1.1', diagnostic: '550 5.1.1 User unknown' });
    expect(await suppressed()).toContain('email:gone@example.net');
    const again = await post(dsn(sent.header, 'gone@example.net', 'failed', '5.1.1', '550 5.1.1 User unknown'));
    expect(again.json()).toMatchObject({ recorded: false, suppressed: true });
    expect((await message(sent.id)).history).toHaveLength(3);
    const events = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'message.bounced').execute();
    expect(events.map((e) => (e.payload as { messageId: string }).messageId)).toEqual([sent.id]);
  });

  it('a soft bounce (posted as multipart/report) loses the message, not the address; a delay is only recorded', async () => {
    const full = await sendTo(await customer('full@example.net'));
    const soft = await post(dsn(full.header, 'full@example.net', 'failed', '5.2.2', '552 5.2.2 Mailbox full', true), 'multipart/report; report-type=delivery-status; boundary="BOUND"');
    expect(soft.json()).toEqual({ kind: 'soft', status: '5.2.2', messageId: full.id, recorded: true, suppressed: false, consentWithdrawn: false });
    expect((await message(full.id)).status).toBe('bounced');
    const slow = await sendTo(await customer('slow@example.net'));
    const delayed = await post(dsn(slow.header, 'slow@example.net', 'delayed', '4.4.1', '421 4.4.1 Connection timed out'), 'text/plain');
    expect(delayed.json()).toMatchObject({ kind: 'soft', status: '4.4.1', recorded: true, suppressed: false });
    const after = await message(slow.id);
    expect(after.status).toBe('sent');
    expect(after.history.map((h) => h.status)).toEqual(['queued', 'sent', 'delayed']);
    expect(await suppressed()).not.toEqual(expect.arrayContaining(['email:full@example.net']));
  });

  it('a complaint: recorded, the address suppressed, e-mail marketing consent withdrawn', async () => {
    const customerId = await customer('angry@example.net');
    const sent = await sendTo(customerId);
    const answer = await post(complaint(sent.header, 'angry@example.net'));
    expect(answer.json()).toEqual({ kind: 'complaint', status: 'abuse', messageId: sent.id, recorded: true, suppressed: true, consentWithdrawn: true });
    const after = await message(sent.id);
    expect(after.status).toBe('sent');
    expect(after.history.at(-1)).toMatchObject({ status: 'complained', detail: { via: 'bounce report', kind: 'complaint', status: 'abuse' } });
    expect(await suppressed()).toContain('email:angry@example.net');
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/consents` })).json();
    expect(consents.current).toEqual([{ channel: 'email', purpose: 'marketing', granted: false, source: 'api', at: expect.any(String) }]);
    expect(consents.history.at(-1).evidence).toEqual({ textVersion: `spam complaint about ${sent.id}` });
    const again = await post(complaint(sent.header, 'angry@example.net'));
    expect(again.json()).toMatchObject({ recorded: false });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${customerId}/consents` })).json().history).toHaveLength(consents.history.length);
  });

  it('a report about a message that is not ours records nothing; what is no report is a 400 in plain words', async () => {
    const unknown = await post(dsn('<msg_0190c0ffee00700080000000000000ab@shop.example>', 'x@example.net', 'failed', '5.1.1', '550 no such user'));
    expect(unknown.json()).toEqual({ kind: 'hard', status: '5.1.1', messageId: null, recorded: false, suppressed: false, consentWithdrawn: false });
    const autoreply = await post('From: ann@example.net\r\nSubject: Out of office\r\n\r\nI am away until Monday.\r\n');
    expect(autoreply.statusCode).toBe(400);
    expect(autoreply.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(autoreply.json()).toMatchObject({ code: 'messaging.invalid_bounce', detail: expect.stringContaining('neither a delivery status notification') });
    expect((await post('{"kind": "hard"}', 'application/json')).statusCode).toBe(415);
    expect((await post(dsn('<x@y>', 'x@example.net', 'failed', '5.1.1', 'x'), 'message/rfc822', 'marketer')).statusCode).toBe(403);
    const sms = await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'SMS', kind: 'sms', active: false, config: { preset: 'sms.ru', apiId: 'sms-ru-api-id' } } });
    const wrong = await t.call({ method: 'POST', url: `/v1/channels/${sms.json().id}/bounces`, headers: { 'content-type': 'message/rfc822' }, payload: dsn('<x@y>', 'x@example.net', 'failed', '5.1.1', 'x') });
    expect([wrong.statusCode, wrong.json().code]).toEqual([404, 'messaging.channel_not_found']);
  });
});
