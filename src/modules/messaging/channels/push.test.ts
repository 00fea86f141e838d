import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { startLoopbackServer, type LoopbackServer } from '../../../../tests/helpers/loopback-http.ts';
import { ChannelConfigError, type ChannelTransport, type SendOutcome } from './channel.ts';
import { createPushTransport, generateVapidKeys, parsePushSubscription } from './push.ts';

/**
 * The test plays the browser: it holds the subscription's private key and auth secret, and
 * decrypts what reached the push endpoint by RFC 8291 / RFC 8188 by hand — so a payload that
 * only web-push itself could read back would fail here.
 */
const vapid = generateVapidKeys();
const subject = 'mailto:push@shop.example';
const browser = createECDH('prime256v1');
browser.generateKeys();
const authSecret = randomBytes(16);
const clock = new ManualClock('2026-03-01T09:00:00Z');

let server: LoopbackServer;
let transport: ChannelTransport;
const outcomes: SendOutcome[] = [];

const subscription = (path: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ endpoint: `${server.url}${path}`, keys: { p256dh: browser.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') }, ...extra });

async function send(path: string, extra: Partial<Parameters<ChannelTransport['send']>[0]> = {}) {
  const outcome = await transport.send({ messageId: 'msg_1', to: subscription(path), subject: 'Бонусы начислены', text: '+120 points', data: { url: 'https://shop.example/balance', tag: 'balance' }, ...extra });
  outcomes.push(outcome);
  return outcome;
}

/** RFC 8291 §3.4 and RFC 8188 §2: the user agent's side. */
function decryptAes128gcm(body: Buffer): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const serverPublicKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  expect(recordSize).toBeGreaterThanOrEqual(ciphertext.length);
  expect(idLength).toBe(65);
  const ecdhSecret = browser.computeSecret(serverPublicKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), browser.getPublicKey(), serverPublicKey]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(-16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, -16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero or more padding zeros.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  expect(padded[end]).toBe(2);
  return padded.subarray(0, end).toString('utf8');
}

/** `vapid t=<JWT>, k=<key>`: the JWT verifies as ES256 under k, which is our public key. */
function checkVapid(header: string | undefined, audience: string) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  expect(match, header).not.toBeNull();
  const [, jwt, k] = match!;
  expect(k).toBe(vapid.publicKey);
  const point = Buffer.from(k!, 'base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
  const [head, claims, signature] = jwt!.split('.');
  expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toEqual({ typ: 'JWT', alg: 'ES256' });
  const ok = verify('sha256', Buffer.from(`${head}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature!, 'base64url'));
  expect(ok).toBe(true);
  const payload = JSON.parse(Buffer.from(claims!, 'base64url').toString()) as { aud: string; exp: number; sub: string };
  expect(payload.aud).toBe(audience);
  expect(payload.sub).toBe(subject);
  // RFC 8292: no more than 24 hours ahead (web-push signs with the real clock).
  const now = Date.now() / 1000;
  expect(payload.exp).toBeGreaterThan(now);
  expect(payload.exp).toBeLessThanOrEqual(now + 24 * 3600);
}

beforeAll(async () => {
  server = await startLoopbackServer(() => ({ status: 201, headers: { location: '/m/msg-123' } }));
  transport = createPushTransport({ vapid: { ...vapid, subject }, ttlSeconds: 3600, urgency: 'high', allowPrivateNetwork: true, timeoutMs: 2000 }, { clock });
});
afterAll(async () => {
  await transport.close();
  await server.close();
  for (const outcome of outcomes) if (outcome.status !== 'accepted') expect(outcome.reason).not.toContain(vapid.privateKey);
});
afterEach(() => {
  server.requests.length = 0;
  server.respond(() => ({ status: 201, headers: { location: '/m/msg-123' } }));
});

describe('web push', () => {
  it('delivers an encrypted payload the browser can read, signed with VAPID', async () => {
    expect(await send('/push/sub-1')).toEqual({ status: 'accepted', providerId: '/m/msg-123' });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/push/sub-1');
    expect(request?.headers['content-encoding']).toBe('aes128gcm');
    expect(request?.headers['content-type']).toBe('application/octet-stream');
    expect(request?.headers.ttl).toBe('3600');
    expect(request?.headers.urgency).toBe('high');
    checkVapid(request?.headers.authorization, server.url);
    expect(JSON.parse(decryptAes128gcm(request!.raw))).toEqual({ title: 'Бонусы начислены', body: '+120 points', url: 'https://shop.example/balance', tag: 'balance' });
  });

  it('202 is accepted too', async () => {
    server.respond(() => ({ status: 202 }));
    expect(await send('/push/sub-2')).toEqual({ status: 'accepted', providerId: null });
  });

  it.each([404, 410])('%s: the subscription is gone, suppress it', async (status) => {
    server.respond(() => ({ status }));
    expect(await send('/push/expired')).toEqual({ status: 'rejected', reason: `the push service answered ${status}: the subscription has expired or was removed`, suppress: true });
  });

  it('429 with Retry-After: retry then, and that push service is held meanwhile', async () => {
    server.respond(() => ({ status: 429, headers: { 'retry-after': '30' } }));
    expect(await send('/push/busy')).toEqual({ status: 'retry', retryAfterMs: 30_000, reason: 'the push service answered 429' });
    server.respond(() => ({ status: 201 }));
    expect(await send('/push/other')).toMatchObject({ status: 'retry', retryAfterMs: 30_000 });
    expect(server.requests).toHaveLength(1);
    clock.advance(30_000);
    expect(await send('/push/other')).toMatchObject({ status: 'accepted' });
  });

  it('5xx: retry', async () => {
    server.respond(() => ({ status: 503, body: 'maintenance' }));
    expect(await send('/push/down')).toEqual({ status: 'retry', retryAfterMs: null, reason: 'the push service answered 503: maintenance' });
  });

  it('413 and 400: rejected, not suppressed; 401: the channel\'s fault', async () => {
    server.respond(() => ({ status: 413 }));
    expect(await send('/push/x')).toMatchObject({ status: 'rejected', suppress: false });
    server.respond(() => ({ status: 400, body: 'bad' }));
    expect(await send('/push/x')).toEqual({ status: 'rejected', reason: 'the push service answered 400: bad', suppress: false });
    server.respond(() => ({ status: 401 }));
    expect(await send('/push/x')).toMatchObject({ status: 'rejected', suppress: false, channelFault: true });
  });

  it('a subscription that cannot be used is suppressed without a call', async () => {
    const cases = [
      'not json',
      JSON.stringify({ endpoint: `${server.url}/p` }),
      JSON.stringify({ endpoint: `${server.url}/p`, keys: { p256dh: 'short', auth: authSecret.toString('base64url') } }),
      subscription('/p', { expirationTime: clock.now().getTime() - 1 }),
      JSON.stringify({ endpoint: 'ftp://push.example/x', keys: { p256dh: browser.getPublicKey().toString('base64url'), auth: authSecret.toString('base64url') } }),
    ];
    for (const to of cases) expect(await transport.send({ messageId: 'msg_2', to, text: 'x' })).toMatchObject({ status: 'rejected', suppress: true });
    expect(server.requests).toHaveLength(0);
  });

  it('a payload over the push services\' limit is refused before sending', async () => {
    const outcome = await send('/push/big', { text: 'x'.repeat(4000) });
    expect(outcome).toMatchObject({ status: 'rejected', suppress: false });
    expect(outcome.status === 'rejected' && outcome.reason).toMatch(/at most 3993/);
    expect(server.requests).toHaveLength(0);
  });

  it('requires https endpoints and public addresses unless the channel allows a private network', async () => {
    const strict = createPushTransport({ vapid: { ...vapid, subject } }, { clock });
    try {
      expect(await strict.send({ messageId: 'msg_3', to: subscription('/p'), text: 'x' })).toEqual({ status: 'rejected', reason: "the push subscription's endpoint is not https", suppress: true });
      const local = subscription('/p').replace(server.url, 'https://127.0.0.1:9');
      expect(await strict.send({ messageId: 'msg_3', to: local, text: 'x' })).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/private network/) });
    } finally {
      await strict.close();
    }
  });

  it('parsePushSubscription keeps what a browser sends', () => {
    const json = subscription('/p', { expirationTime: null });
    expect(parsePushSubscription(json)).toEqual({ ...(JSON.parse(json) as object), expirationTime: null });
  });

  it('refuses VAPID keys of the wrong size, naming the field only', () => {
    try {
      createPushTransport({ vapid: { publicKey: vapid.publicKey.slice(0, 86), privateKey: vapid.privateKey, subject } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ChannelConfigError);
      expect((error as ChannelConfigError).problems).toEqual([{ field: 'vapid.publicKey', reason: 'must decode to 65 bytes (an uncompressed P-256 point)' }]);
      expect((error as Error).message).not.toContain(vapid.privateKey);
    }
    expect(() => createPushTransport({ vapid: { ...vapid, subject: 'someone' } })).toThrow(/vapid.subject must be a mailto: address or an https URL/);
  });
});
