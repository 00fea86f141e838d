import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { Ids } from './messaging.ids.ts';

/**
 * Web push subscriptions: what a browser's PushManager.subscribe() gave, sent by the site or
 * the app for a customer. An endpoint belongs to one browser: subscribing it again (the same
 * browser, another customer signed in) moves it. A push service's 404/410 removes it (sender.ts).
 */
export type SubscriptionInput = { customerId: string; endpoint: string; keys: { p256dh: string; auth: string }; userAgent?: string };
export type SubscriptionView = { id: string; customerId: string; endpoint: string; createdAt: string };

const BASE64URL = /^[A-Za-z0-9_-]+=*$/;

function check(input: SubscriptionInput): void {
  const problems: FieldProblem[] = [];
  let url: URL | null = null;
  try {
    url = new URL(input.endpoint);
  } catch {
    problems.push({ field: 'endpoint', reason: 'must be the https URL the browser gave' });
  }
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') problems.push({ field: 'endpoint', reason: 'must be the https URL the browser gave' });
  // P-256 public key: 65 bytes uncompressed (87 base64url characters); auth secret: 16 bytes (22).
  if (!BASE64URL.test(input.keys.p256dh) || Buffer.from(input.keys.p256dh, 'base64url').length !== 65) problems.push({ field: 'keys.p256dh', reason: 'must be the 65-byte P-256 public key, base64url, as the browser gave it' });
  if (!BASE64URL.test(input.keys.auth) || Buffer.from(input.keys.auth, 'base64url').length !== 16) problems.push({ field: 'keys.auth', reason: 'must be the 16-byte auth secret, base64url, as the browser gave it' });
  if (problems.length > 0) throw messagingError('messaging.invalid_subscription', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

export function createPushSubscriptions(deps: { db: Db; clock: Clock; ids: Ids }) {
  const { db, clock, ids } = deps;
  return {
    /** Saves a subscription for a customer (whose existence the route checked); answers it and whether it was new. */
    async subscribe(input: SubscriptionInput): Promise<{ subscription: SubscriptionView; created: boolean }> {
      check(input);
      const now = clock.now();
      const existing = await db.selectFrom('pushSubscriptions').select('id').where('endpoint', '=', input.endpoint).executeTakeFirst();
      const row = await db
        .insertInto('pushSubscriptions')
        .values({ id: ids.next('psb'), customerId: input.customerId, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth, userAgent: input.userAgent ?? null, createdAt: now, lastSentAt: null })
        .onConflict((oc) => oc.column('endpoint').doUpdateSet({ customerId: input.customerId, p256dh: input.keys.p256dh, auth: input.keys.auth, userAgent: input.userAgent ?? null }))
        .returningAll()
        .executeTakeFirstOrThrow();
      return { subscription: { id: row.id, customerId: row.customerId, endpoint: row.endpoint, createdAt: row.createdAt.toISOString() }, created: !existing };
    },
  };
}
