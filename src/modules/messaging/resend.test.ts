import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Sending a message again (POST /v1/messages/{id}/resend): a campaign's e-mail carrying a code
 * goes out to a real SMTP server on loopback, the customer's address is corrected, support
 * resends, and the same text arrives at the new address, once however often the button is pressed.
 */
describe('resending a message', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let templateId: string;

  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: unknown, extra: { role?: 'owner' | 'support' | 'analyst' | 'marketer'; headers?: Record<string, string> } = {}) => {
    const answer = await t.call({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}), ...extra });
    return { status: answer.statusCode, body: answer.json() };
  };
  const customer = async (email: string, consent = true) =>
    (await call('POST', '/v1/customers', { email, firstName: 'Anna', consents: consent ? [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }] : [] })).body.id as string;
  /** A one-customer campaign run and sent: the customer's message id. */
  const campaignTo = async (customerId: string) => {
    const created = await call('POST', '/v1/campaigns', { name: `Gift ${customerId}`, audience: { kind: 'list', customerIds: [customerId] }, controlShareBp: 0, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId }] }] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await call('POST', `/v1/campaigns/${created.body.id}/start`);
    await t.services.messaging.runCampaigns();
    await t.services.messaging.sendDue();
    const messages = (await call('GET', `/v1/customers/${customerId}/messages`)).body.items as Array<{ id: string; status: string }>;
    expect(messages.map((m) => m.status)).toEqual(['sent']);
    return messages[0]!.id;
  };
  const mailsTo = (address: string) => smtp.received.filter((mail) => mail.raw.includes(`To: ${address}`));

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T09:00:00Z');
    smtp = await startSmtpSink();
    await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
    await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } });
    templateId = (await call('POST', '/v1/templates', { name: 'Gift', kind: 'email', purpose: 'marketing', parts: { subject: 'A gift for {{ customer.firstName }}', text: 'Your code: GIFT-{{ customer.firstName | upcase }}-42' } })).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('sends the same text to the corrected address, once per Idempotency-Key, and records who did it', async () => {
    const anna = await customer('anna@exmaple.com');
    const first = await campaignTo(anna);
    expect(mailsTo('anna@exmaple.com')).toHaveLength(1);
    // The typo fixed by support, then the e-mail sent again: to the new address, with the same code.
    expect((await call('PATCH', `/v1/customers/${anna}`, { email: 'anna@example.com' })).status).toBe(200);
    const resent = await call('POST', `/v1/messages/${first}/resend`, undefined, { role: 'support', headers: { 'idempotency-key': 'call-1' } });
    expect(resent.status, JSON.stringify(resent.body)).toBe(201);
    expect(resent.body).toMatchObject({
      customerId: anna, kind: 'email', purpose: 'marketing', source: 'resend', sourceId: first, templateId, status: 'queued', recipient: 'anna@example.com',
      content: { subject: 'A gift for Anna', text: 'Your code: GIFT-ANNA-42' },
      history: [{ status: 'queued', detail: { resendOf: first } }],
    });
    // Pressed twice: the same resend answered, nothing more queued.
    const again = await call('POST', `/v1/messages/${first}/resend`, undefined, { role: 'support', headers: { 'idempotency-key': 'call-1' } });
    expect([again.status, again.body.id]).toEqual([200, resent.body.id]);
    await t.services.messaging.sendDue();
    const arrived = mailsTo('anna@example.com');
    expect(arrived).toHaveLength(1);
    expect(arrived[0]!.raw).toContain('GIFT-ANNA-42');
    const messages = (await call('GET', `/v1/customers/${anna}/messages`)).body.items as Array<{ id: string; status: string }>;
    expect(messages.map((m) => [m.id, m.status])).toEqual([[resent.body.id, 'sent'], [first, 'sent']]);
    const audit = await t.database.db.selectFrom('auditLog').select(['action', 'entityId', 'actorRole', 'details']).where('action', '=', 'message.resend').execute();
    expect(audit).toEqual([{ action: 'message.resend', entityId: resent.body.id, actorRole: 'support', details: { resendOf: first, customerId: anna, kind: 'email' } }]);
  });

  it('a marketing text follows consent as the first one did: withdrawn consent means skipped, not sent', async () => {
    const boris = await customer('boris@example.com');
    const first = await campaignTo(boris);
    const withdrawn = await t.call({ method: 'PUT', url: `/v1/customers/${boris}/consents`, payload: [{ channel: 'email', purpose: 'marketing', granted: false, source: 'web' }] });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    const resent = await call('POST', `/v1/messages/${first}/resend`, undefined, { role: 'support' });
    expect(resent.status).toBe(201);
    await t.services.messaging.sendDue();
    expect(await t.services.messaging.message(resent.body.id)).toMatchObject({ status: 'skipped', reason: 'no_consent' });
    expect(mailsTo('boris@example.com')).toHaveLength(1);
  });

  it('refuses in words what cannot be sent again, writing nothing', async () => {
    const before = await t.database.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const missing = await call('POST', '/v1/messages/msg_0190c0ffee00700080000000000000ab/resend', undefined, { role: 'support' });
    expect([missing.status, missing.body.code]).toEqual([404, 'messaging.message_not_found']);
    // A test send: sent again from its template, not from here.
    const vera = await customer('vera@example.com');
    const test = await call('POST', `/v1/templates/${templateId}/test`, { customerId: vera });
    const refusedTest = await call('POST', `/v1/messages/${test.body.id}/resend`, undefined, { role: 'support' });
    expect([refusedTest.status, refusedTest.body.code, refusedTest.body.detail]).toEqual([409, 'messaging.not_resendable', `Message ${test.body.id} is a test send; send the test again from its template instead`]);
    // No address now: said, and how to fix it.
    const first = await campaignTo(await customer('gleb@example.com'));
    const gleb = (await t.services.messaging.message(first))!.customerId!;
    await call('PATCH', `/v1/customers/${gleb}`, { email: null });
    const noAddress = await call('POST', `/v1/messages/${first}/resend`, undefined, { role: 'support' });
    expect([noAddress.status, noAddress.body.code, noAddress.body.detail]).toEqual([422, 'messaging.no_address', `Customer ${gleb} has no email address now; add one to the profile, then send again`]);
    // Erased: no text is left to send.
    await call('POST', `/v1/customers/${gleb}/erase`, { reason: 'request' });
    const erased = await call('POST', `/v1/messages/${first}/resend`, undefined, { role: 'support' });
    expect([erased.status, erased.body.code]).toEqual([409, 'messaging.not_resendable']);
    // An analyst may read reports, not send.
    const analyst = await call('POST', `/v1/messages/${test.body.id}/resend`, undefined, { role: 'analyst' });
    expect(analyst.status).toBe(403);
    const after = await t.database.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    // Only the test send and Gleb's campaign message were added meanwhile.
    expect(Number(after.n) - Number(before.n)).toBe(2);
  });
});
