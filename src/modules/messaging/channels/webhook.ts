import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { systemClock, type Clock } from '../../../platform/clock.ts';
import type { ChannelTransport, OutgoingMessage, SendOutcome } from './channel.ts';
import { parseChannelConfig, type WebhookChannelConfig } from './channels.schemas.ts';
import { createHttpClient, headerValue } from './http-client.ts';
import { createCooldown, createRedactor, outcomeOfFailure, parseRetryAfter, rejected, retry } from './outcomes.ts';

/**
 * Webhooks: a JSON event POSTed to the subscriber's URL, signed so the receiver knows it came
 * from us and is fresh.
 *
 *   Patron-Event-Id: msg_…            the same on every retry: receivers deduplicate on it
 *   Patron-Event-Type: loyalty.points_earned
 *   Patron-Timestamp: 1767225600      unix seconds of this attempt
 *   Patron-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
 *
 * The timestamp is inside the signature, so a captured request cannot be replayed later than
 * the receiver's tolerance (verifyWebhookSignature: 5 minutes).
 */
export const WEBHOOK_HEADERS = {
  eventId: 'Patron-Event-Id',
  eventType: 'Patron-Event-Type',
  timestamp: 'Patron-Timestamp',
  signature: 'Patron-Signature',
} as const;

/** The Patron-Signature value for a body sent at `timestamp` (unix seconds): `v1=<hex>`. */
export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
  return `v1=${mac}`;
}

export type WebhookVerification = { valid: true; timestamp: number } | { valid: false; reason: 'missing-headers' | 'stale-timestamp' | 'bad-signature' };

/**
 * Checks a webhook as a receiver would: the signature over the raw body (the bytes received,
 * before any JSON parsing) and a timestamp within `toleranceSec` of now, either way. Several
 * secrets may be given while one is being rotated; the header may carry several v1= values.
 */
export function verifyWebhookSignature(
  secret: string | readonly string[],
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  body: string | Buffer,
  nowSeconds: number,
  toleranceSec = 300,
): WebhookVerification {
  const stamp = headerValue(headers, WEBHOOK_HEADERS.timestamp);
  const signature = headerValue(headers, WEBHOOK_HEADERS.signature);
  if (!stamp || !signature || !/^\d{1,12}$/.test(stamp)) return { valid: false, reason: 'missing-headers' };
  const timestamp = Number(stamp);
  if (Math.abs(nowSeconds - timestamp) > toleranceSec) return { valid: false, reason: 'stale-timestamp' };
  const given = signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => Buffer.from(part.slice(3), 'hex'));
  for (const key of typeof secret === 'string' ? [secret] : secret) {
    const expected = Buffer.from(signWebhook(key, timestamp, body).slice(3), 'hex');
    // timingSafeEqual throws on unequal lengths; the length of a MAC is no secret.
    if (given.some((mac) => mac.length === expected.length && timingSafeEqual(mac, expected))) return { valid: true, timestamp };
  }
  return { valid: false, reason: 'bad-signature' };
}

export type WebhookDeps = { clock?: Clock };

export function createWebhookTransport(config: WebhookChannelConfig, deps: WebhookDeps = {}): ChannelTransport {
  const settings = parseChannelConfig('webhook', config);
  const clock = deps.clock ?? systemClock;
  const http = createHttpClient({ allowPrivateNetwork: settings.allowPrivateNetwork ?? false });
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const redact = createRedactor([settings.secret]);
  const cooldown = createCooldown(clock);

  async function send(message: OutgoingMessage): Promise<SendOutcome> {
    let url: URL;
    try {
      url = new URL(message.to);
    } catch {
      return rejected('the webhook address is not a URL', false);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return rejected(`webhook URLs must be http or https, not ${url.protocol.replace(':', '')}`, false);
    const wait = cooldown.remainingMs(url.origin);
    if (wait > 0) return retry('the endpoint asked us to slow down; waiting before the next call', wait);

    const body = JSON.stringify(message.data ?? { text: message.text });
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    const answer = await http.request({
      url,
      method: 'POST',
      timeoutMs,
      body,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Patron-Webhooks/1',
        [WEBHOOK_HEADERS.eventId]: message.messageId,
        [WEBHOOK_HEADERS.eventType]: message.eventType ?? 'message',
        [WEBHOOK_HEADERS.timestamp]: String(timestamp),
        [WEBHOOK_HEADERS.signature]: signWebhook(settings.secret, timestamp, body),
      },
    });
    if (answer.kind !== 'answer') return outcomeOfFailure(answer, 'the endpoint', redact);

    const { status } = answer;
    if (status >= 200 && status < 300) return { status: 'accepted', providerId: null };
    if (status >= 300 && status < 400) {
      // A redirect could send a signed event (and our retries) somewhere the subscriber never named.
      return rejected(`the endpoint answered ${status} (a redirect); redirects are not followed: register the final URL`, false);
    }
    if (status === 410) return rejected('the endpoint answered 410 Gone: it no longer takes events', true);
    if (status === 408 || status === 429 || status >= 500) {
      const after = parseRetryAfter(answer.headers['retry-after'], clock.now());
      if (after !== null && (status === 429 || status === 503)) cooldown.hold(url.origin, after);
      return retry(`the endpoint answered ${status}`, after);
    }
    return rejected(`the endpoint answered ${status}`, false);
  }

  return {
    kind: 'webhook',
    send,
    async close() {
      http.close();
    },
  };
}
