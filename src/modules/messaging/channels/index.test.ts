import { describe, expect, it } from 'vitest';
import {
  ChannelConfigError,
  channelConfigSchemas,
  channelKinds,
  channelSecretFields,
  createTransport,
  generateVapidKeys,
  parseRetryAfter,
  retryDelay,
  validateChannelConfig,
  type ChannelKind,
} from './index.ts';

describe('retryDelay', () => {
  const fixed = (value: number) => () => value;

  it.each([
    // [attempt, retryAfterMs, random, expected]
    [1, null, 0.999999, 1999],
    [1, null, 0, 0],
    [2, null, 0.5, 2000],
    [3, null, 0.5, 4000],
    [10, null, 0.5, 512_000],
    [11, null, 0.5, 900_000], // 2 s · 2^10 is past the 30-minute cap: half of the cap
    [1000, null, 0.5, 900_000],
    [1, 30_000, 0.5, 30_000], // the provider's wait is longer: it wins
    [10, 30_000, 0.5, 512_000], // our backoff is longer: it wins
    [1, 0, 0.5, 1000],
    [1, -5, 0.5, 1000],
    [1, 365 * 24 * 3_600_000, 0, 24 * 3_600_000], // an absurd Retry-After is held to a day
    [0, null, 0.5, 1000], // attempts count from 1
  ])('attempt %s, retry-after %s, random %s → %s ms', (attempt, retryAfterMs, random, expected) => {
    expect(retryDelay(attempt, retryAfterMs, { random: fixed(random) })).toBe(expected);
  });

  it('spreads a burst: full jitter over [0, ceiling)', () => {
    const delays = Array.from({ length: 2000 }, () => retryDelay(4, null));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(16_000);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(7000);
    expect(mean).toBeLessThan(9000);
    expect(new Set(delays).size).toBeGreaterThan(1000);
  });

  it('takes its own base and cap', () => {
    expect(retryDelay(5, null, { baseMs: 100, capMs: 1000, random: fixed(0.5) })).toBe(500);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2026-03-01T09:00:00Z');
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['Sun, 01 Mar 2026 09:01:30 GMT', 90_000],
    ['Sun, 01 Mar 2026 08:00:00 GMT', 0],
    ['soon', null],
    ['-5', null],
    ['1.5', null],
    [undefined, null],
  ])('%j → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('createTransport', () => {
  const vapid = generateVapidKeys();
  const configs: Record<ChannelKind, unknown> = {
    email: { host: 'smtp.example.net', port: 587, from: 'Shop <news@shop.example>', auth: { user: 'u', pass: 'p4ssw0rd!' } },
    sms: { preset: 'sms.ru', apiId: 'A1B2C3D4-E5F6' },
    push: { vapid: { ...vapid, subject: 'mailto:push@shop.example' } },
    telegram: { token: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', botUsername: 'PatronShopBot' },
    webhook: { secret: 'whsec_0123456789abcdef' },
  };

  it.each(channelKinds)('makes a %s transport from its stored config', async (kind) => {
    const transport = createTransport(kind, configs[kind]);
    expect(transport.kind).toBe(kind);
    await transport.close();
  });

  it('gives the Telegram transport its linking calls', async () => {
    const telegram = createTransport('telegram', configs.telegram);
    expect(typeof telegram.getUpdates).toBe('function');
    expect(typeof telegram.setWebhook).toBe('function');
    await telegram.close();
  });

  it('throws a ChannelConfigError naming the fields, never the values', () => {
    const secret = 'p4ssw0rd-that-must-not-leak';
    try {
      createTransport('email', { host: 'smtp.example.net', port: 'twenty-five', from: 'x@y.z', auth: { user: 'u', pass: secret }, extra: secret });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ChannelConfigError);
      expect((error as ChannelConfigError).problems).toEqual([
        { field: 'extra', reason: expect.stringMatching(/^is not a known field/) },
        { field: 'port', reason: 'must be a whole number' },
      ]);
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it('refuses an unknown kind', () => {
    expect(() => createTransport('fax' as ChannelKind, {})).toThrow(/no fax channel/);
  });
});

describe('channel config schemas', () => {
  it('every listed secret field exists in its schema', () => {
    type Node = { properties?: Record<string, Node>; anyOf?: Node[] };
    const has = (schema: Node, path: string[]): boolean => {
      if (schema.anyOf) return schema.anyOf.some((branch) => has(branch, path));
      const [head, ...rest] = path;
      const next = head === undefined ? undefined : schema.properties?.[head];
      if (!next) return false;
      return rest.length === 0 || has(next, rest);
    };
    for (const kind of channelKinds) {
      for (const field of channelSecretFields[kind]) expect(has(channelConfigSchemas[kind] as Node, field.split('.')), `${kind}: ${field}`).toBe(true);
    }
  });

  it('validateChannelConfig leaves the caller\'s object as it was', () => {
    const config = { secret: 'whsec_0123456789abcdef' };
    expect(validateChannelConfig('webhook', config)).toEqual([]);
    expect(config).toEqual({ secret: 'whsec_0123456789abcdef' });
  });
});
