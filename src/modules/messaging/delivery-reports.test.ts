import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../../../tests/helpers/loopback-http.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * SMS delivery reports end to end: messages sent through a generic gateway on loopback (which
 * answers its own ids), then the gateway's reports — JSON, a GET query, SMS.ru's form, Twilio's
 * signed form — each moving its message from sent to delivered or failed once, never back, and
 * refused without the channel's callback secret or a valid signature.
 */
const SECRET = 'cb-secret-0123456789abcdef';
const TWILIO_TOKEN = 'twilio-auth-token-0123456789';

describe('sms delivery reports', () => {
  let t: TestApp;
  let gateway: LoopbackServer;
  let generic: string;
  let smsRu: string;
  let twilio: string;
  let bare: string;
  let templateId: string;
  let customerId: string;

  const channel = async (name: string, config: Record<string, unknown>, active = false) => {
    const response = await t.call({ method: 'POST', url: '/v1/channels', payload: { name, kind: 'sms', active, config } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  /** Sends one SMS through the gateway: the message id and the gateway's id for it. */
  const sendOne = async () => {
    const queued = await t.call({ method: 'POST', url: `/v1/templates/${templateId}/test`, payload: { customerId } });
    expect(queued.statusCode, queued.body).toBe(202);
    await t.services.messaging.sendDue();
    const row = await t.database.db.selectFrom('messages').select(['id', 'status', 'providerId']).where('id', '=', queued.json().id).executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
    return { id: row.id, providerId: row.providerId! };
  };
  const message = async (id: string) => (await t.services.messaging.message(id))!;
  const report = (channelId: string, payload: unknown, query = `secret=${SECRET}`, headers: Record<string, string> = {}) =>
    t.call({ method: 'POST', url: `/t/sms/${channelId}/status${query ? `?${query}` : ''}`, role: null, headers, payload: payload as object });

  beforeAll(async () => {
    t = await createTestApp();
    gateway = await startLoopbackServer((_request, index) => ({ status: 200, body: { id: `gw-${index + 1}` } }));
    generic = await channel('Gateway', { preset: 'generic', url: `${gateway.url}/sms`, apiKey: 'gateway-api-key', allowPrivateNetwork: true, callbackSecret: SECRET }, true);
    smsRu = await channel('SMS.ru', { preset: 'sms.ru', apiId: 'sms-ru-api-id', callbackSecret: SECRET });
    twilio = await channel('Twilio', { preset: 'twilio', accountSid: `AC${'a'.repeat(32)}`, authToken: TWILIO_TOKEN, sender: '+15005550006' });
    bare = await channel('No secret', { preset: 'generic', url: 'https://gw.example/sms', apiKey: 'gateway-api-key' });
    customerId = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161240001' } })).json().id;
    templateId = (await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'Code', kind: 'sms', purpose: 'service', parts: { text: 'Your code: 1234' } } })).json().id;
  });
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
  });

  it('refuses a report without the channel\'s secret, with a wrong one, and on a channel that has none', async () => {
    const sent = await sendOne();
    for (const [channelId, query] of [[generic, ''], [generic, 'secret=not-the-secret-0000'], [bare, `secret=${SECRET}`]] as const) {
      const refused = await report(channelId, { id: sent.providerId, status: 'delivered' }, query);
      expect([refused.statusCode, refused.json().code], `${channelId} ${query}`).toEqual([403, 'messaging.callback_refused']);
      expect(refused.body).not.toContain(SECRET);
    }
    expect((await message(sent.id)).status).toBe('sent');
    expect((await report('chn_0190c0ffee00700080000000000000ab', {})).statusCode).toBe(404);
  });

  it('moves a sent message to delivered once: a repeat, a late "sent" and a "failed" after it change nothing', async () => {
    const sent = await sendOne();
    const answer = await report(generic, { id: sent.providerId, status: 'delivered', at: '2026-03-01T09:00:05Z' });
    expect([answer.statusCode, answer.body]).toEqual([200, '']);
    expect(answer.headers['content-type']).toMatch(/^text\/plain/);
    for (const late of ['delivered', 'sent', 'failed']) expect((await report(generic, { id: sent.providerId, status: late })).statusCode).toBe(200);
    const after = await message(sent.id);
    expect(after.status).toBe('delivered');
    expect(after.history.map((h) => h.status)).toEqual(['queued', 'sent', 'delivered']);
    expect(after.history.at(-1)!.detail).toEqual({ via: 'delivery report', reportedAt: '2026-03-01T09:00:05.000Z' });
    const events = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'message.delivered').execute();
    expect(events.map((e) => (e.payload as { messageId: string }).messageId)).toEqual([sent.id]);
  });

  it('takes a report by GET (the fields in the query), the secret in a header, and our own message id', async () => {
    const [a, b] = [await sendOne(), await sendOne()];
    const got = await t.call({ method: 'GET', url: `/t/sms/${generic}/status?secret=${SECRET}&id=${a.providerId}&status=failed&error=absent%20subscriber`, role: null });
    expect(got.statusCode, got.body).toBe(200);
    expect(await message(a.id)).toMatchObject({ status: 'failed', reason: 'absent subscriber' });
    expect((await report(generic, [{ messageId: b.id, status: 'delivered' }], '', { 'x-patron-callback-secret': SECRET })).statusCode).toBe(200);
    expect((await message(b.id)).status).toBe('delivered');
    // A report for a message Patron does not know: taken, nothing recorded.
    const before = await t.database.db.selectFrom('messageEvents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect((await report(generic, { id: 'gw-unknown', status: 'delivered' })).statusCode).toBe(200);
    expect(await t.database.db.selectFrom('messageEvents').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual(before);
  });

  it('SMS.ru: its form of data[] entries, answered "100"', async () => {
    const [a, b] = [await sendOne(), await sendOne()];
    const form = new URLSearchParams([['data[0]', `sms_status\n${a.providerId}\n103\n1772355600`], ['data[1]', `sms_status\n${b.providerId}\n105`]]).toString();
    const answer = await t.call({ method: 'POST', url: `/t/sms/${smsRu}/status?secret=${SECRET}`, role: null, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
    expect([answer.statusCode, answer.body]).toEqual([200, '100']);
    expect((await message(a.id)).status).toBe('delivered');
    expect(await message(b.id)).toMatchObject({ status: 'failed', reason: 'SMS.ru status 105' });
  });

  it('Twilio: taken only with a valid X-Twilio-Signature over the URL it called and its fields', async () => {
    const sent = await sendOne();
    const fields = { MessageSid: sent.providerId, MessageStatus: 'delivered', AccountSid: `AC${'a'.repeat(32)}` };
    const url = `/t/sms/${twilio}/status`;
    const sign = (token: string) => createHmac('sha1', token).update(`http://localhost:8080${url}${Object.keys(fields).sort().map((k) => k + fields[k as keyof typeof fields]).join('')}`).digest('base64');
    const post = (headers: Record<string, string>) => t.call({ method: 'POST', url, role: null, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: new URLSearchParams(fields).toString() });
    expect((await post({})).statusCode).toBe(403);
    expect((await post({ 'x-twilio-signature': sign('another-auth-token-000000') })).statusCode).toBe(403);
    expect((await message(sent.id)).status).toBe('sent');
    const taken = await post({ 'x-twilio-signature': sign(TWILIO_TOKEN) });
    expect([taken.statusCode, taken.body]).toEqual([200, '']);
    expect((await message(sent.id)).status).toBe('delivered');
  });

  it('the channels never show the callback secret', async () => {
    const shown = await t.call({ method: 'GET', url: `/v1/channels/${smsRu}`, role: 'analyst' });
    expect(shown.json().secretsSet).toEqual(['apiId', 'callbackSecret']);
    expect(shown.body).not.toContain(SECRET);
  });
});
