import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { startLoopbackServer, type LoopbackServer, type Reply } from '../../../../tests/helpers/loopback-http.ts';
import type { ChannelTransport, OutgoingMessage, SendOutcome } from './channel.ts';
import type { SmsChannelConfig } from './channels.schemas.ts';
import { createSmsTransport } from './sms.ts';

const clock = new ManualClock('2026-03-01T09:00:00Z');
const apiKey = 'sk_live_9f8e7d6c5b4a39281706';
const apiId = 'A1B2C3D4-E5F6-7788-99AA-BBCCDDEEFF00';
const authToken = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const accountSid = 'AC0123456789abcdef0123456789abcdef';
const secrets = [apiKey, apiId, authToken];

let server: LoopbackServer;
const transports: ChannelTransport[] = [];
const outcomes: SendOutcome[] = [];

beforeAll(async () => {
  server = await startLoopbackServer();
});
afterAll(async () => {
  for (const transport of transports) await transport.close();
  await server.close();
  for (const outcome of outcomes) if (outcome.status !== 'accepted') for (const secret of secrets) expect(outcome.reason).not.toContain(secret);
});
afterEach(() => {
  server.requests.length = 0;
});

function transport(config: Record<string, unknown>) {
  const made = createSmsTransport({ allowPrivateNetwork: true, timeoutMs: 2000, ...config } as SmsChannelConfig, { clock });
  transports.push(made);
  return {
    async send(message: Partial<OutgoingMessage> = {}) {
      const outcome = await made.send({ messageId: 'msg_0190c2f6', to: '+79161234567', text: 'Ваш код: 1234', ...message });
      outcomes.push(outcome);
      return outcome;
    },
  };
}

const form = (body: string) => Object.fromEntries(new URLSearchParams(body));

describe('generic JSON gateway', () => {
  it('posts {to, text, sender, messageId, callbackUrl} with the key and our id for idempotency', async () => {
    server.respond(() => ({ status: 200, body: { id: 'gw-77' } }));
    const sms = transport({ preset: 'generic', url: `${server.url}/v1/sms`, apiKey, sender: 'PatronShop', callbackUrl: 'https://patron.example/cb' });
    expect(await sms.send({ text: 'Ж'.repeat(71) })).toEqual({ status: 'accepted', providerId: 'gw-77', parts: 2 });
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/sms');
    expect(request?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(request?.headers['idempotency-key']).toBe('msg_0190c2f6');
    expect(JSON.parse(request!.body)).toEqual({ to: '+79161234567', text: 'Ж'.repeat(71), sender: 'PatronShop', messageId: 'msg_0190c2f6', callbackUrl: 'https://patron.example/cb' });
  });

  it('takes the billed parts when the gateway reports them', async () => {
    server.respond(() => ({ status: 202, body: { id: 5, parts: 3 } }));
    expect(await transport({ preset: 'generic', url: `${server.url}/v1/sms`, apiKey }).send()).toEqual({ status: 'accepted', providerId: '5', parts: 3 });
  });

  it('429 with Retry-After: retry, and the gateway is left alone until then', async () => {
    const sms = transport({ preset: 'generic', url: `${server.url}/v1/sms`, apiKey });
    server.respond(() => ({ status: 429, headers: { 'retry-after': '5' } }));
    expect(await sms.send()).toEqual({ status: 'retry', retryAfterMs: 5000, reason: 'the gateway answered 429' });
    server.respond(() => ({ status: 200, body: { id: 'x' } }));
    expect(await sms.send()).toMatchObject({ status: 'retry', retryAfterMs: 5000 });
    expect(server.requests).toHaveLength(1);
    clock.advance(5000);
    expect(await sms.send()).toMatchObject({ status: 'accepted' });
  });

  it('429 with an HTTP-date; 5xx and 408 retry', async () => {
    const sms = transport({ preset: 'generic', url: `${server.url}/v1/sms`, apiKey });
    server.respond(() => ({ status: 429, headers: { 'retry-after': new Date(clock.now().getTime() + 120_000).toUTCString() } }));
    expect(await sms.send()).toMatchObject({ status: 'retry', retryAfterMs: 120_000 });
    clock.advance(120_000);
    for (const status of [500, 502, 503, 408]) {
      server.respond(() => ({ status }));
      expect(await sms.send()).toEqual({ status: 'retry', retryAfterMs: null, reason: `the gateway answered ${status}` });
    }
  });

  it('another 4xx: rejected; 401 and 403: the channel\'s fault; a redirect is not followed', async () => {
    const sms = transport({ preset: 'generic', url: `${server.url}/v1/sms`, apiKey });
    server.respond(() => ({ status: 400, body: { error: 'invalid number' } }));
    expect(await sms.send()).toEqual({ status: 'rejected', reason: 'the gateway answered 400: invalid number', suppress: false });
    server.respond(() => ({ status: 401, body: { error: `unknown key ${apiKey}` } }));
    expect(await sms.send()).toEqual({ status: 'rejected', reason: 'the gateway refused our credentials (401): unknown key [secret]', suppress: false, channelFault: true });
    server.respond(() => ({ status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' } }));
    expect(await sms.send()).toMatchObject({ status: 'rejected', channelFault: true });
    expect(server.requests).toHaveLength(3);
  });

  it('refuses a number that is not E.164, and an empty text, without calling', async () => {
    const sms = transport({ preset: 'generic', url: `${server.url}/v1/sms`, apiKey });
    for (const to of ['89161234567', '+0123456789', '+7 916 123-45-67', '']) expect(await sms.send({ to })).toMatchObject({ status: 'rejected', suppress: false });
    expect(await sms.send({ text: '  ' })).toEqual({ status: 'rejected', reason: 'the SMS text is empty', suppress: false });
    expect(server.requests).toHaveLength(0);
  });
});

describe('SMS.ru', () => {
  const config = () => ({ preset: 'sms.ru', apiId, sender: 'PatronShop', baseUrl: server.url });
  const ok = (smsId: string): Reply => ({ status: 200, body: { status: 'OK', status_code: 100, sms: { '79161234567': { status: 'OK', status_code: 100, sms_id: smsId } }, balance: 100.5 } });

  it('posts the sms/send form and reads the sms_id', async () => {
    server.respond(() => ok('000000-10000001'));
    expect(await transport(config()).send({ text: 'Привет & до встречи' })).toEqual({ status: 'accepted', providerId: '000000-10000001', parts: 1 });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/sms/send');
    expect(request?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(form(request!.body)).toEqual({ api_id: apiId, to: '79161234567', msg: 'Привет & до встречи', json: '1', from: 'PatronShop' });
  });

  it.each([
    ['a number SMS.ru cannot route', { status: 'OK', status_code: 100, sms: { '79161234567': { status: 'ERROR', status_code: 207, status_text: 'На этот номер нет маршрута' } } }, { status: 'rejected', reason: 'SMS.ru answered 207: На этот номер нет маршрута', suppress: false }],
    ['a number on the stop list', { status: 'OK', status_code: 100, sms: { '79161234567': { status: 'ERROR', status_code: 209, status_text: 'stop list' } } }, { status: 'rejected', reason: 'SMS.ru answered 209: stop list', suppress: true }],
    ['a per-number limit', { status: 'OK', status_code: 100, sms: { '79161234567': { status: 'ERROR', status_code: 231, status_text: 'limit' } } }, { status: 'retry', retryAfterMs: null, reason: 'SMS.ru answered 231: limit' }],
    ['no money on the account', { status: 'ERROR', status_code: 201, status_text: 'Не хватает средств' }, { status: 'retry', retryAfterMs: null, reason: 'SMS.ru answered 201: Не хватает средств' }],
    ['a wrong api_id', { status: 'ERROR', status_code: 200, status_text: `Неправильный api_id ${apiId}` }, { status: 'rejected', reason: 'SMS.ru answered 200: Неправильный api_id [secret]', suppress: false, channelFault: true }],
    ['a sender name not approved', { status: 'ERROR', status_code: 204, status_text: 'Имя отправителя не согласовано' }, { status: 'rejected', reason: 'SMS.ru answered 204: Имя отправителя не согласовано', suppress: false, channelFault: true }],
  ])('%s', async (_name, body, expected) => {
    server.respond(() => ({ status: 200, body }));
    expect(await transport(config()).send()).toEqual(expected);
  });
});

describe('Twilio', () => {
  const config = (extra: object = {}) => ({ preset: 'twilio', accountSid, authToken, sender: '+15005550006', statusCallbackUrl: 'https://patron.example/v1/sms/twilio', baseUrl: server.url, ...extra });

  it('posts the Messages.json form with Basic auth and reads sid and num_segments', async () => {
    server.respond(() => ({ status: 201, body: { sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued', num_segments: '3' } }));
    expect(await transport(config()).send({ text: 'Hello' })).toEqual({ status: 'accepted', providerId: 'SM0123456789abcdef0123456789abcdef', parts: 3 });
    const [request] = server.requests;
    expect(request?.path).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
    expect(request?.headers.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`);
    expect(form(request!.body)).toEqual({ To: '+79161234567', From: '+15005550006', Body: 'Hello', StatusCallback: 'https://patron.example/v1/sms/twilio' });
  });

  it('uses a messaging service instead of a From number when given', async () => {
    server.respond(() => ({ status: 201, body: { sid: 'SM1', num_segments: '1' } }));
    await transport(config({ sender: undefined, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' })).send();
    expect(form(server.requests[0]!.body)).toMatchObject({ MessagingServiceSid: 'MG0123456789abcdef0123456789abcdef' });
    expect(form(server.requests[0]!.body).From).toBeUndefined();
  });

  it.each([
    [400, 21211, "The 'To' number is not a valid phone number.", true, false],
    [400, 21610, 'Attempt to send to unsubscribed recipient', true, false],
    [400, 21408, 'Permission to send an SMS has not been enabled for the region', false, false],
    [401, 20003, 'Authenticate', false, true],
  ])('%s with error %s', async (status, code, message, suppress, channelFault) => {
    server.respond(() => ({ status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } }));
    expect(await transport(config()).send()).toEqual({ status: 'rejected', reason: `Twilio answered ${status} (error ${code}): ${message}`, suppress, ...(channelFault ? { channelFault } : {}) });
  });

  it('429 (error 20429) retries with Retry-After', async () => {
    server.respond(() => ({ status: 429, headers: { 'retry-after': '2' }, body: { code: 20429, message: 'Too Many Requests' } }));
    expect(await transport(config()).send()).toEqual({ status: 'retry', retryAfterMs: 2000, reason: 'the gateway answered 429' });
  });
});

describe('custom gateway', () => {
  it('fills a GET URL template, URL-encoded, and never expands a placeholder inside the text', async () => {
    server.respond(() => ({ status: 200, body: { result: { id: 991 } } }));
    const sms = transport({ preset: 'custom', method: 'GET', url: `${server.url}/send?phone={toDigits}&msg={text}&from={sender}&ref={messageId}&key={apiKey}`, apiKey, sender: 'Shop', idField: 'result.id' });
    expect(await sms.send({ text: 'Код {apiKey} & 100% Привет' })).toEqual({ status: 'accepted', providerId: '991', parts: 1 });
    const url = new URL(server.requests[0]!.path, server.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({ phone: '79161234567', msg: 'Код {apiKey} & 100% Привет', from: 'Shop', ref: 'msg_0190c2f6', key: apiKey });
  });

  it('fills a JSON body template with escaped values and puts the key in a header', async () => {
    server.respond(() => ({ status: 200, body: 'OK' }));
    const sms = transport({ preset: 'custom', method: 'POST', url: `${server.url}/api/messages`, contentType: 'json', bodyTemplate: '{"recipient":"{to}","body":"{text}","meta":{"id":"{messageId}"}}', headers: { 'X-Api-Key': '{apiKey}' }, apiKey });
    expect(await sms.send({ text: 'Line 1\n"quoted" \\ back' })).toEqual({ status: 'accepted', providerId: null, parts: 1 });
    const [request] = server.requests;
    expect(request?.headers['x-api-key']).toBe(apiKey);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request!.body)).toEqual({ recipient: '+79161234567', body: 'Line 1\n"quoted" \\ back', meta: { id: 'msg_0190c2f6' } });
  });

  it('fills a form body template', async () => {
    server.respond(() => ({ status: 200 }));
    const sms = transport({ preset: 'custom', method: 'POST', url: `${server.url}/form`, contentType: 'form', bodyTemplate: 'to={to}&text={text}' });
    await sms.send({ text: 'a=b&c' });
    expect(form(server.requests[0]!.body)).toEqual({ to: '+79161234567', text: 'a=b&c' });
  });
});

describe('SMS config', () => {
  const problemOf = (config: unknown) => {
    try {
      createSmsTransport(config as SmsChannelConfig);
    } catch (error) {
      return (error as Error).message;
    }
    return expect.unreachable();
  };

  it('names what to fix in plain words, never a secret', () => {
    expect(problemOf({ preset: 'twilio', accountSid, authToken })).toMatch(/sender is required for Twilio unless messagingServiceSid is given/);
    expect(problemOf({ preset: 'carrier-pigeon' })).toBe("The sms channel's settings are not valid: preset must be one of: generic, sms.ru, twilio, custom");
    expect(problemOf({ preset: 'custom', method: 'POST', url: 'https://gw.example/x', contentType: 'json', bodyTemplate: '{"to": {to}}', apiKey })).toMatch(/bodyTemplate must be JSON/);
    const message = problemOf({ preset: 'generic', url: 'ftp://gw.example', apiKey });
    expect(message).toBe("The sms channel's settings are not valid: url must be an http or https URL");
    expect(problemOf({ preset: 'twilio', accountSid: 'AC1', authToken, sender: 'x' })).not.toContain(authToken);
  });
});
