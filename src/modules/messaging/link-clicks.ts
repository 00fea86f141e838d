import type { Clock } from '../../platform/clock.ts';
import type { ConsentChannel } from '../customers/index.ts';
import type { MessagingSecrets } from './contact-policy.ts';
import type { Db } from './messaging.db.ts';
import type { MessageKind } from './messaging.tables.ts';
import { verifyToken } from './tracking.ts';

/**
 * What the tracking links record: an open (the pixel), a click (then the redirect to the URL
 * signed with the message), an unsubscribe (marketing consent on the message's channel
 * withdrawn, in one click, RFC 8058). Each lands in the message's history; a link whose
 * signature does not hold records nothing.
 */
const consentChannel: Record<MessageKind, ConsentChannel> = { email: 'email', sms: 'sms', push: 'push', telegram: 'messenger' };

export type LinkDeps = {
  db: Db;
  clock: Clock;
  secrets: () => Promise<MessagingSecrets>;
  /** Withdraws the customer's marketing consent on a channel (customers' consents, with the link as evidence). */
  withdraw: (customerId: string, channel: ConsentChannel, messageId: string) => Promise<void>;
};

/** A message a valid link names; `topic`: its template's subscription topic when it is a marketing message on one. */
export type Found = { id: string; customerId: string | null; kind: MessageKind; topic: string | null };

async function find(deps: LinkDeps, kind: 'open' | 'click' | 'unsubscribe', token: string, url?: string): Promise<Found | null> {
  const { linkSecret } = await deps.secrets();
  const id = verifyToken(linkSecret, kind, token, url);
  if (!id) return null;
  const row = await deps.db
    .selectFrom('messages')
    .select((eb) => [
      'messages.id', 'messages.customerId', 'messages.kind', 'messages.purpose',
      eb.selectFrom('messageTemplates').select('messageTemplates.topic').whereRef('messageTemplates.id', '=', 'messages.templateId').as('topic'),
    ])
    .where('messages.id', '=', id)
    .executeTakeFirst();
  return row ? { id: row.id, customerId: row.customerId, kind: row.kind, topic: row.purpose === 'marketing' ? (row.topic ?? null) : null } : null;
}

async function record(deps: LinkDeps, message: Pick<Found, 'id' | 'customerId'>, status: 'opened' | 'clicked' | 'unsubscribed', detail: Record<string, unknown> = {}): Promise<void> {
  await deps.db.insertInto('messageEvents').values({ messageId: message.id, customerId: message.customerId, status, occurredAt: deps.clock.now(), detail: JSON.stringify(detail) }).execute();
}

export function createLinkTracking(deps: LinkDeps) {
  return {
    async opened(token: string): Promise<boolean> {
      const message = await find(deps, 'open', token);
      if (message) await record(deps, message, 'opened');
      return message !== null;
    },
    /** The URL to send the visitor to, or null when the link was not one we signed. */
    async clicked(token: string, url: string): Promise<string | null> {
      const message = await find(deps, 'click', token, url);
      if (!message) return null;
      await record(deps, message, 'clicked', { url });
      return url;
    },
    /** Who a valid unsubscribe link is for (the page asks before the POST withdraws). */
    async unsubscribeTarget(token: string): Promise<Found | null> {
      return find(deps, 'unsubscribe', token);
    },
    /** From the message's channel (RFC 8058's one click), or from every channel's marketing ('all'). */
    async unsubscribe(token: string, scope: 'channel' | 'all' = 'channel'): Promise<Found | null> {
      const message = await find(deps, 'unsubscribe', token);
      if (!message) return null;
      const channels = scope === 'all' ? [...new Set(Object.values(consentChannel))] : [consentChannel[message.kind]];
      if (message.customerId) for (const channel of channels) await deps.withdraw(message.customerId, channel, message.id);
      await record(deps, message, 'unsubscribed', scope === 'all' ? { scope } : {});
      return message;
    },
    /** Marks in the message's history that its page changed the customer's topics (what changed is in the customer's topic history). */
    async topicsChanged(message: Found, topics: string[]): Promise<void> {
      await record(deps, message, 'unsubscribed', { scope: 'topics', topics });
    },
  };
}
