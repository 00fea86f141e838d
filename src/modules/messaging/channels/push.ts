import webpush from 'web-push';
import { systemClock, type Clock } from '../../../platform/clock.ts';
import type { ChannelTransport, OutgoingMessage, SendOutcome } from './channel.ts';
import { parseChannelConfig, type PushChannelConfig } from './channels.schemas.ts';
import { createHttpClient, headerValue } from './http-client.ts';
import { createCooldown, createRedactor, outcomeOfFailure, parseRetryAfter, rejected, retry } from './outcomes.ts';

/**
 * Web push (RFC 8030) with VAPID (RFC 8292) and an aes128gcm-encrypted payload (RFC 8291).
 * `web-push` builds the request (encryption, the signed `Authorization: vapid t=…, k=…`); we
 * send it ourselves, so the push endpoint — a URL a browser handed us — gets the same
 * treatment as any other: no redirects, no private addresses, one deadline.
 *
 * A subscription the push service no longer knows (404, 410) is dead: `suppress` tells the
 * caller to delete it.
 */
export type PushSubscriptionJson = { endpoint: string; expirationTime?: number | null; keys: { p256dh: string; auth: string } };

export type VapidKeys = { publicKey: string; privateKey: string };

/** A new VAPID key pair (URL-safe base64): made once per installation, the public one goes to the browser. */
export function generateVapidKeys(): VapidKeys {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  return { publicKey, privateKey };
}

/** The subscription a browser's PushSubscription.toJSON() gave, or null when it is not one. */
export function parsePushSubscription(to: string): PushSubscriptionJson | null {
  let value: unknown;
  try {
    value = JSON.parse(to);
  } catch {
    return null;
  }
  const sub = value as Partial<PushSubscriptionJson> | null;
  if (!sub || typeof sub.endpoint !== 'string' || !sub.keys || typeof sub.keys.p256dh !== 'string' || typeof sub.keys.auth !== 'string') return null;
  const base64url = /^[A-Za-z0-9_-]+={0,2}$/;
  if (!base64url.test(sub.keys.p256dh) || !base64url.test(sub.keys.auth)) return null;
  if (Buffer.from(sub.keys.p256dh, 'base64url').length !== 65 || Buffer.from(sub.keys.auth, 'base64url').length < 16) return null;
  const expirationTime = typeof sub.expirationTime === 'number' ? sub.expirationTime : null;
  return { endpoint: sub.endpoint, expirationTime, keys: { p256dh: sub.keys.p256dh, auth: sub.keys.auth } };
}

// A push service takes 4096 bytes of body; aes128gcm spends 86 on its header and 17 on the
// padding delimiter and the tag, which leaves this much for our JSON.
const MAX_PAYLOAD_BYTES = 4096 - 86 - 17;

export type PushDeps = { clock?: Clock };

export function createPushTransport(config: PushChannelConfig, deps: PushDeps = {}): ChannelTransport {
  const settings = parseChannelConfig('push', config);
  const clock = deps.clock ?? systemClock;
  const allowPrivate = settings.allowPrivateNetwork ?? false;
  const http = createHttpClient({ allowPrivateNetwork: allowPrivate });
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const redact = createRedactor([settings.vapid.privateKey]);
  // 429 from one push service (FCM, Mozilla, Apple) says nothing about the others.
  const cooldown = createCooldown(clock);

  async function send(message: OutgoingMessage): Promise<SendOutcome> {
    const subscription = parsePushSubscription(message.to);
    if (!subscription) return rejected('the push subscription is not valid (it needs an endpoint and p256dh and auth keys)', true);
    let endpoint: URL;
    try {
      endpoint = new URL(subscription.endpoint);
    } catch {
      return rejected('the push subscription\'s endpoint is not a URL', true);
    }
    // Push services are https; plain http is for a push service on our own network (tests).
    if (endpoint.protocol !== 'https:' && !(allowPrivate && endpoint.protocol === 'http:')) return rejected('the push subscription\'s endpoint is not https', true);
    if (subscription.expirationTime !== null && subscription.expirationTime !== undefined && subscription.expirationTime <= clock.now().getTime()) {
      return rejected('the push subscription has expired', true);
    }
    const payload = JSON.stringify({ title: message.subject ?? '', body: message.text, ...message.data });
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) return rejected(`the push payload is ${Buffer.byteLength(payload)} bytes; push services take at most ${MAX_PAYLOAD_BYTES}`, false);
    const wait = cooldown.remainingMs(endpoint.origin);
    if (wait > 0) return retry('the push service asked us to slow down; waiting before the next message', wait);

    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      details = webpush.generateRequestDetails(subscription, payload, {
        vapidDetails: { subject: settings.vapid.subject, publicKey: settings.vapid.publicKey, privateKey: settings.vapid.privateKey },
        TTL: settings.ttlSeconds ?? 86_400,
        urgency: settings.urgency ?? 'normal',
        contentEncoding: 'aes128gcm',
      });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      // web-push names the part it could not use: the subscription's keys, or our VAPID ones.
      if (/p256dh|auth|subscription/i.test(text)) return rejected(redact(`the push subscription cannot be used: ${text}`), true);
      return rejected(redact(`the VAPID settings cannot be used: ${text}`), false, true);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(details.headers)) {
      // The client sets the length of what it really sends.
      if (name.toLowerCase() !== 'content-length') headers[name] = String(value);
    }
    const answer = await http.request({ url: endpoint, method: 'POST', headers, body: details.body ?? undefined, timeoutMs });
    if (answer.kind !== 'answer') return outcomeOfFailure(answer, 'the push service', redact);

    const { status } = answer;
    const said = answer.body.trim() ? `: ${answer.body.trim()}` : '';
    if (status >= 200 && status < 300) return { status: 'accepted', providerId: headerValue(answer.headers, 'location') ?? null };
    if (status === 404 || status === 410) return rejected(`the push service answered ${status}: the subscription has expired or was removed`, true);
    if (status === 429 || status >= 500) {
      const after = parseRetryAfter(answer.headers['retry-after'], clock.now());
      if (after !== null && status === 429) cooldown.hold(endpoint.origin, after);
      return retry(redact(`the push service answered ${status}${said}`), after);
    }
    if (status === 413) return rejected('the push service answered 413: the payload is too large', false);
    // 401: our VAPID JWT itself was refused (a broken key pair: every message will fail). 403:
    // FCM's word for a subscription made under another public key, which only that one fails.
    if (status === 401) return rejected(redact(`the push service refused our VAPID credentials (401)${said}`), false, true);
    if (status === 403) return rejected(redact(`the push service refused our VAPID credentials for this subscription (403)${said}`), false);
    return rejected(redact(`the push service answered ${status}${said}`), false);
  }

  return {
    kind: 'push',
    send,
    async close() {
      http.close();
    },
  };
}
