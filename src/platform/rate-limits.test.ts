import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../../tests/helpers/test-app.ts';
import { loadConfig } from '../config.ts';
import { createRateLimiter, type RateLimitSettings } from './rate-limits.ts';

function expect429(response: LightMyRequestResponse, code: string) {
  const where = `${response.statusCode} ${response.body.slice(0, 300)}`;
  expect(response.statusCode, where).toBe(429);
  expect(response.headers['content-type'], where).toMatch(/^application\/problem\+json/);
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After ${response.headers['retry-after']}`).toBe(true);
  const problem = response.json();
  expect(problem).toMatchObject({ status: 429, code, type: `https://patron.dev/problems/${code}` });
  expect(problem.detail).toMatch(/retry in \d+ s/);
  return retryAfter;
}

describe('the limiter (a clock of our own)', () => {
  const settings: RateLimitSettings = { perKeyPerSecond: 3, perIpPerSecond: 5, authFailuresPerMinute: 4, authLockoutSeconds: 30 };

  it('counts requests per key and per address in one-second windows', () => {
    let now = 10_000;
    const limiter = createRateLimiter(settings, () => now);
    expect([1, 2, 3, 4].map(() => limiter.hitKey('key_a'))).toEqual([null, null, null, 1]);
    expect(limiter.hitKey('key_b')).toBeNull();
    now += 400;
    expect(limiter.hitKey('key_a')).toBe(1);
    now += 600; // the next window
    expect(limiter.hitKey('key_a')).toBeNull();
    expect([1, 2, 3, 4, 5, 6].map(() => limiter.hitIp('10.0.0.1'))).toEqual([null, null, null, null, null, 1]);
    expect(limiter.hitIp('10.0.0.2')).toBeNull();
  });

  it('locks an address out after too many failed keys for the lockout time, then lets it try again', () => {
    let now = 0;
    const limiter = createRateLimiter(settings, () => now);
    for (let i = 0; i < 3; i++) limiter.authFailed('10.0.0.9');
    expect(limiter.lockedOut('10.0.0.9')).toBeNull();
    limiter.authFailed('10.0.0.9');
    expect(limiter.lockedOut('10.0.0.9')).toBe(30);
    expect(limiter.lockedOut('10.0.0.8')).toBeNull();
    now += 29_500;
    expect(limiter.lockedOut('10.0.0.9')).toBe(1);
    now += 31_000; // past the lockout and the minute the failures were counted in
    expect(limiter.lockedOut('10.0.0.9')).toBeNull();
    limiter.authFailed('10.0.0.9');
    expect(limiter.lockedOut('10.0.0.9')).toBeNull();
  });

  it('limits nothing where a setting is 0', () => {
    const limiter = createRateLimiter({ perKeyPerSecond: 0, perIpPerSecond: 0, authFailuresPerMinute: 0, authLockoutSeconds: 60 }, () => 0);
    for (let i = 0; i < 10_000; i++) {
      expect(limiter.hitKey('k')).toBeNull();
      expect(limiter.hitIp('ip')).toBeNull();
      limiter.authFailed('ip');
    }
    expect(limiter.lockedOut('ip')).toBeNull();
  });

  it('reads its settings from the environment, with defaults a busy till stays far below', () => {
    expect(loadConfig({}).rateLimits).toEqual({ perKeyPerSecond: 5000, perIpPerSecond: 10_000, authFailuresPerMinute: 30, authLockoutSeconds: 60 });
    const off = loadConfig({ PATRON_RATE_LIMIT_PER_KEY: '0', PATRON_RATE_LIMIT_PER_IP: '0', PATRON_AUTH_FAILURES_PER_MINUTE: '0', PATRON_AUTH_LOCKOUT_SECONDS: '5' });
    expect(off.rateLimits).toEqual({ perKeyPerSecond: 0, perIpPerSecond: 0, authFailuresPerMinute: 0, authLockoutSeconds: 5 });
    expect(() => loadConfig({ PATRON_RATE_LIMIT_PER_KEY: '-1' })).toThrow(/PATRON_RATE_LIMIT_PER_KEY/);
    expect(loadConfig({ PATRON_TRUST_PROXY: ' 10.0.0.0/8,127.0.0.1 ' }).trustProxy).toBe('10.0.0.0/8,127.0.0.1');
    expect(loadConfig({}).trustProxy).toBeUndefined();
  });
});

describe('over HTTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ rateLimits: { perKeyPerSecond: 40, perIpPerSecond: 0, authFailuresPerMinute: 10, authLockoutSeconds: 30 } });
  });
  afterAll(async () => t.close());
  afterEach(() => vi.useRealTimers());

  const from = (remoteAddress: string, authorization?: string) => ({
    method: 'GET' as const,
    url: '/v1/customers',
    remoteAddress,
    headers: authorization ? { authorization } : {},
  });

  it('1,500 wrong keys from one address: 401 for the first few, then 429 auth.too_many_attempts — for a right key too — until the lockout ends', async () => {
    const good = `Bearer ${await t.key('owner')}`;
    // The limits run on the monotonic clock: only it is faked, so the lockout's end is reached at once.
    vi.useFakeTimers({ toFake: ['performance'] });
    const statuses: number[] = [];
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < 1500; i++) {
      last = await t.app.inject(from('192.0.2.7', `Bearer patron_guess${i}`));
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10).every((status) => status === 429)).toBe(true);
    expect(expect429(last!, 'auth.too_many_attempts')).toBe(30);
    // While locked out the answer says nothing about the key: a right one is refused the same way.
    expect429(await t.app.inject(from('192.0.2.7', good)), 'auth.too_many_attempts');
    // Other addresses are not affected.
    expect((await t.app.inject(from('192.0.2.8', good))).statusCode).toBe(200);
    expect((await t.app.inject(from('192.0.2.8', 'Bearer patron_wrong'))).statusCode).toBe(401);
    // A request without a key is not a guess, and is still told what is missing.
    expect((await t.app.inject(from('192.0.2.7'))).json().code).toBe('auth.missing_key');

    vi.advanceTimersByTime(29_000);
    expect(expect429(await t.app.inject(from('192.0.2.7', good)), 'auth.too_many_attempts')).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect((await t.app.inject(from('192.0.2.7', good))).statusCode).toBe(200);
  });

  it('holds each key to its rate: 429 request.rate_limited with Retry-After; other keys go on', async () => {
    const pos = `Bearer ${await t.key('support')}`;
    const other = `Bearer ${await t.key('marketer')}`;
    await t.app.inject(from('198.51.100.250', other)); // the key is cached before the clock stops
    vi.useFakeTimers({ toFake: ['performance'] }); // one window, whatever the machine's speed
    const responses: LightMyRequestResponse[] = [];
    // Addresses vary so that only the key's limit can be what refuses.
    for (let i = 0; i < 60; i++) responses.push(await t.app.inject(from(`198.51.100.${i}`, pos)));
    expect(responses.slice(0, 40).map((r) => r.statusCode)).toEqual(Array(40).fill(200));
    for (const response of responses.slice(40)) expect429(response, 'request.rate_limited');
    expect(responses[40]!.json().detail).toMatch(/API key/);
    expect((await t.app.inject(from('198.51.100.200', other))).statusCode).toBe(200);
    vi.advanceTimersByTime(1000);
    expect((await t.app.inject(from('198.51.100.201', pos))).statusCode).toBe(200);
  });

  it('holds each address to its rate, with or without a key', async () => {
    const perIp = await createTestApp({ rateLimits: { perKeyPerSecond: 0, perIpPerSecond: 20, authFailuresPerMinute: 0, authLockoutSeconds: 60 } });
    try {
      vi.useFakeTimers({ toFake: ['performance'] }); // one window, whatever the machine's speed
      const key = `Bearer ${await perIp.key('owner')}`;
      const responses: LightMyRequestResponse[] = [];
      for (let i = 0; i < 30; i++) {
        const authorization = i % 2 ? { authorization: key } : {};
        responses.push(await perIp.app.inject({ method: 'GET', url: i % 3 ? '/health' : '/v1/customers', remoteAddress: '203.0.113.5', headers: authorization }));
      }
      expect(responses.slice(0, 20).every((r) => r.statusCode !== 429)).toBe(true);
      for (const response of responses.slice(20)) expect429(response, 'request.rate_limited');
      expect(responses[20]!.json().detail).toMatch(/address/);
      expect((await perIp.app.inject({ method: 'GET', url: '/health', remoteAddress: '203.0.113.6' })).statusCode).toBe(200);
      vi.advanceTimersByTime(1000);
      expect((await perIp.app.inject({ method: 'GET', url: '/health', remoteAddress: '203.0.113.5' })).statusCode).toBe(200);
    } finally {
      await perIp.close();
    }
  });

  it('documents 429 on every route that needs a key', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (Array.isArray(operation.security) && operation.security.length === 0) continue;
        expect(Object.keys(operation.responses), `${method} ${path}`).toContain('429');
      }
    }
  });
});
