import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { startLoopbackServer, type LoopbackServer } from '../../../../tests/helpers/loopback-http.ts';
import { ChannelConfigError, type ChannelTransport, type SendOutcome } from './channel.ts';
import { createWebhookTransport, signWebhook, verifyWebhookSignature, type WebhookVerification } from './webhook.ts';

const secret = 'whsec_0123456789abcdef0123456789abcdef';
const clock = new ManualClock('2026-03-01T09:00:00Z');
const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

let server: LoopbackServer;
let transport: ChannelTransport;
const verifications: WebhookVerification[] = [];
const outcomes: SendOutcome[] = [];

beforeAll(async () => {
  server = await startLoopbackServer();
  transport = createWebhookTransport({ secret, timeoutMs: 500, allowPrivateNetwork: true }, { clock });
});
afterAll(async () => {
  await transport.close();
  await server.close();
  // Whatever happened, no reason a marketer may read holds the secret.
  for (const outcome of outcomes) if (outcome.status !== 'accepted') expect(outcome.reason).not.toContain(secret);
});
afterEach(() => {
  server.requests.length = 0;
  verifications.length = 0;
});

async function send(path: string, data: Record<string, unknown> = { customerId: 'cus_1', points: 120 }) {
  const outcome = await transport.send({ messageId: 'msg_0001', to: `${server.url}${path}`, text: '', data, eventType: 'loyalty.points_earned' });
  outcomes.push(outcome);
  return outcome;
}

describe('webhook delivery', () => {
  it('posts the JSON event with headers the receiver verifies', async () => {
    server.respond((request) => {
      verifications.push(verifyWebhookSignature(secret, request.headers, request.body, nowSeconds()));
      return { status: 204 };
    });
    const data = { customerId: 'cus_1', points: 120, note: 'Привет' };
    expect(await send('/hooks/patron', data)).toEqual({ status: 'accepted', providerId: null });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/patron');
    expect(JSON.parse(request!.body)).toEqual(data);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(request?.headers['patron-event-id']).toBe('msg_0001');
    expect(request?.headers['patron-event-type']).toBe('loyalty.points_earned');
    expect(request?.headers['patron-timestamp']).toBe(String(nowSeconds()));
    expect(request?.headers['patron-signature']).toBe(signWebhook(secret, nowSeconds(), request!.body));
    expect(verifications).toEqual([{ valid: true, timestamp: nowSeconds() }]);
  });

  it('retries on 500 and on 408, and on 429 without a wait given', async () => {
    for (const status of [500, 408, 429]) {
      server.respond(() => ({ status }));
      expect(await send('/flaky')).toEqual({ status: 'retry', retryAfterMs: null, reason: `the endpoint answered ${status}` });
    }
  });

  it('honours Retry-After on 503, and holds further calls to that endpoint until then', async () => {
    server.respond(() => ({ status: 503, headers: { 'retry-after': '7' } }));
    expect(await send('/busy')).toMatchObject({ status: 'retry', retryAfterMs: 7000 });
    server.respond(() => ({ status: 200 }));
    expect(await send('/busy')).toMatchObject({ status: 'retry', retryAfterMs: 7000 });
    expect(server.requests).toHaveLength(1);
    clock.advance(7000);
    expect(await send('/busy')).toMatchObject({ status: 'accepted' });
    expect(server.requests).toHaveLength(2);
  });

  it('reads an HTTP-date Retry-After', async () => {
    const later = new Date(clock.now().getTime() + 90_000).toUTCString();
    server.respond(() => ({ status: 429, headers: { 'retry-after': later } }));
    expect(await send('/date')).toMatchObject({ status: 'retry', retryAfterMs: 90_000 });
    clock.advance(90_000);
  });

  it('410 Gone: rejected and the endpoint suppressed', async () => {
    server.respond(() => ({ status: 410 }));
    expect(await send('/gone')).toEqual({ status: 'rejected', reason: 'the endpoint answered 410 Gone: it no longer takes events', suppress: true });
  });

  it('another 4xx: rejected, not suppressed', async () => {
    server.respond(() => ({ status: 400, body: { error: 'bad' } }));
    expect(await send('/bad')).toEqual({ status: 'rejected', reason: 'the endpoint answered 400', suppress: false });
  });

  it('does not follow a redirect', async () => {
    const elsewhere = await startLoopbackServer();
    try {
      server.respond(() => ({ status: 307, headers: { location: `${elsewhere.url}/steal` } }));
      const outcome = await send('/moved');
      expect(outcome).toMatchObject({ status: 'rejected', suppress: false });
      expect(outcome.status === 'rejected' && outcome.reason).toMatch(/307.*redirects are not followed/);
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('a timeout is a retry', async () => {
    server.respond(() => ({ status: 200, delayMs: 1500 }));
    const started = performance.now();
    expect(await send('/slow')).toEqual({ status: 'retry', retryAfterMs: null, reason: 'the endpoint did not answer: no answer within 500 ms' });
    expect(performance.now() - started).toBeLessThan(1400);
  });

  it('a refused connection is a retry', async () => {
    const closed = await startLoopbackServer();
    const url = closed.url;
    await closed.close();
    const outcome = await transport.send({ messageId: 'msg_2', to: `${url}/x`, text: '' });
    expect(outcome).toMatchObject({ status: 'retry', retryAfterMs: null });
    expect(outcome.status === 'retry' && outcome.reason).toMatch(/ECONNREFUSED/);
  });

  it.each([
    ['ftp://example.com/hook', 'webhook URLs must be http or https, not ftp'],
    ['file:///etc/passwd', 'webhook URLs must be http or https, not file'],
    ['not a url', 'the webhook address is not a URL'],
  ])('refuses %s', async (to, reason) => {
    expect(await transport.send({ messageId: 'msg_3', to, text: '' })).toEqual({ status: 'rejected', reason, suppress: false });
  });

  it('keeps off private networks unless the channel allows them', async () => {
    const guarded = createWebhookTransport({ secret }, { clock });
    try {
      for (const to of [`${server.url}/x`, 'http://localhost:9/x', 'http://169.254.169.254/latest/meta-data', 'http://[::1]:9/x']) {
        const outcome = await guarded.send({ messageId: 'msg_4', to, text: '' });
        expect(outcome).toMatchObject({ status: 'rejected', suppress: false });
        expect(outcome.status === 'rejected' && outcome.reason).toMatch(/private network/);
      }
      expect(server.requests).toHaveLength(0);
    } finally {
      await guarded.close();
    }
  });
});

describe('verifyWebhookSignature', () => {
  const body = '{"id":"evt_1","type":"x"}';
  const at = 1_767_225_600;
  const headers = (signature: string, timestamp = at) => ({ 'patron-timestamp': String(timestamp), 'patron-signature': signature });

  it('accepts a fresh, correctly signed body, in either direction of clock skew up to the tolerance', () => {
    expect(verifyWebhookSignature(secret, headers(signWebhook(secret, at, body)), body, at + 300)).toEqual({ valid: true, timestamp: at });
    expect(verifyWebhookSignature(secret, headers(signWebhook(secret, at, body)), Buffer.from(body), at - 300)).toEqual({ valid: true, timestamp: at });
  });

  it('refuses a stale (or far-future) timestamp even with a good signature', () => {
    expect(verifyWebhookSignature(secret, headers(signWebhook(secret, at, body)), body, at + 301)).toEqual({ valid: false, reason: 'stale-timestamp' });
    expect(verifyWebhookSignature(secret, headers(signWebhook(secret, at, body)), body, at - 301)).toEqual({ valid: false, reason: 'stale-timestamp' });
    expect(verifyWebhookSignature(secret, headers(signWebhook(secret, at, body)), body, at + 3600, 7200)).toMatchObject({ valid: true });
  });

  it('refuses a changed body, a changed timestamp, another secret and a mangled header', () => {
    const good = signWebhook(secret, at, body);
    expect(verifyWebhookSignature(secret, headers(good), `${body} `, at)).toEqual({ valid: false, reason: 'bad-signature' });
    expect(verifyWebhookSignature(secret, headers(good, at + 1), body, at)).toEqual({ valid: false, reason: 'bad-signature' });
    expect(verifyWebhookSignature('another-secret-of-enough-length', headers(good), body, at)).toEqual({ valid: false, reason: 'bad-signature' });
    expect(verifyWebhookSignature(secret, headers(good.slice(0, -2)), body, at)).toEqual({ valid: false, reason: 'bad-signature' });
    expect(verifyWebhookSignature(secret, headers('v0=abc'), body, at)).toEqual({ valid: false, reason: 'bad-signature' });
    expect(verifyWebhookSignature(secret, { 'patron-signature': good }, body, at)).toEqual({ valid: false, reason: 'missing-headers' });
    expect(verifyWebhookSignature(secret, headers(good, Number.NaN), body, at)).toEqual({ valid: false, reason: 'missing-headers' });
  });

  it('takes any of several secrets and several v1 values (rotation)', () => {
    const next = 'next-secret-0123456789abcdef';
    const both = `${signWebhook('old-secret-0123456789abcdef', at, body)}, ${signWebhook(next, at, body)}`;
    expect(verifyWebhookSignature([secret, next], headers(both), body, at)).toMatchObject({ valid: true });
    expect(verifyWebhookSignature(secret, headers(both), body, at)).toMatchObject({ valid: false });
  });

  it('matches a signature computed independently', () => {
    // HMAC-SHA256("key", "1.{}"), computed with openssl: printf '1.{}' | openssl dgst -sha256 -hmac key
    expect(signWebhook('key', 1, '{}')).toBe('v1=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224');
  });
});

describe('webhook config', () => {
  it('refuses a short secret without repeating it', () => {
    expect(() => createWebhookTransport({ secret: 'tiny-secret' })).toThrow(ChannelConfigError);
    try {
      createWebhookTransport({ secret: 'tiny-secret' });
    } catch (error) {
      expect((error as ChannelConfigError).problems).toEqual([{ field: 'secret', reason: 'must be at least 16 characters long' }]);
      expect((error as Error).message).not.toContain('tiny-secret');
    }
  });
});
