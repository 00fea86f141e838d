import { createHash } from 'node:crypto';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { ChannelStore } from './channel-store.ts';
import { deepLink, newLinkToken, verifyTelegramSecretToken, type TelegramChannelConfig } from './channels/index.ts';
import type { EnqueueBatch } from './enqueue.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';

/**
 * Linking a customer's Telegram chat: Patron gives the customer a one-time deep link
 * (t.me/<bot>?start=<token>); when they press Start, Telegram sends the bot "/start <token>" and
 * the bot-update route links that chat to whoever the token was issued to. A token is kept as
 * its SHA-256 only, works once and for `LINK_TOKEN_TTL_MS`; a new link replaces the customer's
 * earlier ones. One chat a customer and one customer a chat: linking moves the chat from anyone
 * who had it, and replaces the customer's earlier chat.
 */
export const LINK_TOKEN_TTL_MS = 24 * 3_600_000;

export type TelegramLinkState = { linked: boolean; linkedAt: string | null; chatId: string | null };
export type TelegramLinkIssued = { token: string; url: string; expiresAt: string };

// Sent through the normal queue when a chat is linked: the customer sees at once that it worked.
const CONFIRMATION = 'Готово: {{ program.name }} будет писать вам сюда. / Done: {{ program.name }} will message you here.';

export type TelegramLinkDeps = {
  db: Db;
  clock: Clock;
  channels: ChannelStore;
  /** Whether the customer is active (an erased one gets no link). */
  active: (customerId: string) => Promise<boolean>;
  enqueue: (batch: EnqueueBatch) => Promise<unknown>;
  log?: { error(obj: object, msg: string): void };
};

export const hashLinkToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export function createTelegramLinks(deps: TelegramLinkDeps) {
  const { db, clock } = deps;
  const state = async (customerId: string): Promise<TelegramLinkState> => {
    const link = await db.selectFrom('telegramLinks').select(['chatId', 'linkedAt']).where('customerId', '=', customerId).executeTakeFirst();
    return link ? { linked: true, linkedAt: link.linkedAt.toISOString(), chatId: link.chatId } : { linked: false, linkedAt: null, chatId: null };
  };
  return {
    state,
    /**
     * A bot update is Telegram's only when it carries the secret token the channel gave
     * setWebhook; a channel without one takes no updates. The same refusal whatever is wrong.
     */
    async authenticate(channelId: string, headers: Record<string, string | string[] | undefined>): Promise<void> {
      const channel = await deps.channels.load(channelId);
      if (channel.kind !== 'telegram') throw messagingError('messaging.channel_not_found', `No telegram channel ${channelId}; the bot's webhook is the URL of its telegram channel`);
      const secret = (channel.config as TelegramChannelConfig).webhookSecret;
      if (!secret || !verifyTelegramSecretToken(headers, secret)) throw messagingError('messaging.callback_refused', 'The update does not carry the secret token this channel gave Telegram');
    },
    /** A new one-time deep link for a customer (their earlier ones stop working). */
    async issue(customerId: string, actor: Actor): Promise<TelegramLinkIssued> {
      if (!(await deps.active(customerId))) throw messagingError('messaging.no_address', `Customer ${customerId} is erased: no chat can be linked`);
      const channel = await deps.channels.activeOf('telegram');
      if (!channel) throw messagingError('messaging.no_channel', 'No active telegram channel: set up the bot (POST /v1/channels, kind telegram) before giving customers links');
      const bot = (channel.config as TelegramChannelConfig).botUsername;
      if (!bot) throw messagingError('messaging.no_channel', `The telegram channel ${channel.id} names no botUsername: PATCH its config with the bot's @username, which the link opens`);
      const token = newLinkToken();
      const now = clock.now();
      const expiresAt = new Date(now.getTime() + LINK_TOKEN_TTL_MS);
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('telegramLinkTokens').where('customerId', '=', customerId).execute();
        await tx.insertInto('telegramLinkTokens').values({ tokenHash: hashLinkToken(token), customerId, expiresAt, usedAt: null, createdAt: now }).execute();
        await writeAudit(tx, clock, actor, { action: 'telegram_link.issue', entityType: 'customer', entityId: customerId, details: { channelId: channel.id, expiresAt: expiresAt.toISOString() } });
      });
      return { token, url: deepLink(bot, token), expiresAt: expiresAt.toISOString() };
    },
    /** Unlinks the customer's chat and voids their open links; answers the link as it was. */
    async unlink(customerId: string, actor: Actor): Promise<TelegramLinkState> {
      const before = await state(customerId);
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('telegramLinks').where('customerId', '=', customerId).execute();
        await tx.deleteFrom('telegramLinkTokens').where('customerId', '=', customerId).execute();
        await writeAudit(tx, clock, actor, { action: 'telegram_link.delete', entityType: 'customer', entityId: customerId, details: { wasLinked: before.linked } });
      });
      return before;
    },
    /**
     * "/start <token>" from a chat: links it to the token's customer when the token is unused and
     * not expired (it is used up now); null otherwise, and nothing changes.
     */
    async linkChat(token: string, chatId: string): Promise<{ customerId: string } | null> {
      const now = clock.now();
      const tokenHash = hashLinkToken(token);
      const linked = await db.transaction().execute(async (tx) => {
        const claimed = await tx
          .updateTable('telegramLinkTokens')
          .set({ usedAt: now })
          .where('tokenHash', '=', tokenHash)
          .where('usedAt', 'is', null)
          .where('expiresAt', '>', now)
          .returning('customerId')
          .executeTakeFirst();
        if (!claimed) return null;
        const { customerId } = claimed;
        // One customer a chat: whoever had this chat before loses it.
        await tx.deleteFrom('telegramLinks').where('chatId', '=', chatId).where('customerId', '<>', customerId).execute();
        await tx
          .insertInto('telegramLinks')
          .values({ customerId, chatId, linkedAt: now })
          .onConflict((oc) => oc.column('customerId').doUpdateSet({ chatId, linkedAt: now }))
          .execute();
        // Pressing Start again unblocks the bot: a chat suppressed when it was blocked is reachable again.
        await tx.deleteFrom('messagingSuppressions').where('kind', '=', 'telegram').where('address', '=', chatId).execute();
        return { customerId };
      });
      if (!linked) return null;
      try {
        await deps.enqueue({
          template: { id: null, version: null, kind: 'telegram', purpose: 'service', parts: { text: CONFIRMATION } },
          source: 'api',
          sourceId: null,
          items: [{ customerId: linked.customerId, dedupeKey: `telegram-linked:${tokenHash}` }],
        });
      } catch (error) {
        // The link stands without its confirmation; Telegram is answered all the same.
        deps.log?.error({ err: error, customerId: linked.customerId }, 'the Telegram link confirmation was not queued');
      }
      return linked;
    },
  };
}

export type TelegramLinks = ReturnType<typeof createTelegramLinks>;
