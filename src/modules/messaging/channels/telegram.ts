import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { systemClock, type Clock } from '../../../platform/clock.ts';
import type { ChannelTransport, OutgoingMessage, SendOutcome } from './channel.ts';
import { parseChannelConfig, type TelegramChannelConfig } from './channels.schemas.ts';
import { createHttpClient, headerValue, type HttpAnswer, type HttpFailure } from './http-client.ts';
import { createCooldown, createPacer, createRedactor, outcomeOfFailure, rejected, retry } from './outcomes.ts';

/**
 * Telegram through the Bot API (https://core.telegram.org/bots/api) over HTTPS.
 *
 * Linking: a customer opens `deepLink(bot, token)` (t.me/<bot>?start=<token>), Telegram opens
 * the chat with our bot and sends "/start <token>" when they press Start; `parseStartCommand`
 * reads the chat id and the one-time token from that update (arriving by webhook or by
 * `getUpdates`), and the caller binds the chat to whoever the token was issued to.
 */
export type TelegramUpdate = {
  update_id: number;
  message?: {
    message_id: number;
    date: number;
    text?: string;
    chat: { id: number; type: string };
    from?: { id: number; is_bot?: boolean; username?: string };
  };
};

export type TelegramTransport = ChannelTransport & {
  /** Long poll: updates after `offset` (the last update_id + 1), waiting up to `timeoutSec` for one. */
  getUpdates(offset: number | null, timeoutSec: number): Promise<TelegramUpdate[]>;
  /** Telegram will POST updates to `url` with X-Telegram-Bot-Api-Secret-Token: secretToken. */
  setWebhook(url: string, secretToken: string): Promise<void>;
  deleteWebhook(): Promise<void>;
};

type BotApiAnswer = { ok: boolean; result?: unknown; error_code?: number; description?: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };

export const TELEGRAM_SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

// Telegram's own rules: a start parameter is 1–64 of A-Z a-z 0-9 _ -; a webhook secret 1–256 of the same.
const START_PARAM = /^[A-Za-z0-9_-]{1,64}$/;
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
const MAX_TEXT = 4096;

/** A one-time link token: 24 random bytes, 32 URL-safe characters (fits Telegram's 64). */
export function newLinkToken(): string {
  return randomBytes(24).toString('base64url');
}

/** https://t.me/<bot>?start=<token> */
export function deepLink(botUsername: string, token: string): string {
  const bot = botUsername.replace(/^@/, '');
  if (!/^[A-Za-z][A-Za-z0-9_]{3,31}$/.test(bot)) throw new Error('A bot username is 4–32 letters, digits and underscores, starting with a letter');
  if (!START_PARAM.test(token)) throw new Error('A Telegram start token is 1–64 letters, digits, underscores and dashes');
  return `https://t.me/${bot}?start=${token}`;
}

/**
 * The chat and token of a "/start <token>" message in a private chat; null for anything else.
 * Group chats are refused: a token opened in a group would bind the whole group to a customer.
 */
export function parseStartCommand(update: unknown): { chatId: string; token: string } | null {
  const message = (update as TelegramUpdate | null)?.message;
  if (!message || typeof message.text !== 'string' || message.chat?.type !== 'private') return null;
  const match = /^\/start(?:@[A-Za-z0-9_]+)?[ \t]+(\S+)\s*$/.exec(message.text);
  if (!match || !START_PARAM.test(match[1]!)) return null;
  if (!Number.isSafeInteger(message.chat.id)) return null;
  return { chatId: String(message.chat.id), token: match[1]! };
}

/** True when a webhook request carries our secret token (compared in constant time). */
export function verifyTelegramSecretToken(headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>, secretToken: string): boolean {
  const given = headerValue(headers, TELEGRAM_SECRET_HEADER);
  if (given === undefined) return false;
  // Hashing first makes the lengths equal, so the comparison says nothing about the length either.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(secretToken));
}

export type TelegramDeps = { clock?: Clock };

export function createTelegramTransport(config: TelegramChannelConfig, deps: TelegramDeps = {}): TelegramTransport {
  const settings = parseChannelConfig('telegram', config);
  const clock = deps.clock ?? systemClock;
  const base = (settings.baseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const http = createHttpClient({ allowPrivateNetwork: settings.allowPrivateNetwork ?? false });
  const redact = createRedactor([settings.token]);
  // Telegram's flood control is mostly per bot: after a 429 the whole bot waits, not one chat.
  const cooldown = createCooldown(clock);
  const pace = createPacer(settings.maxPerSecond ?? 25);

  function call(method: string, body: Record<string, unknown>, waitMs = timeoutMs): Promise<HttpAnswer | HttpFailure> {
    return http.request({
      url: new URL(`${base}/bot${settings.token}/${method}`),
      method: 'POST',
      timeoutMs: waitMs,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
  }

  function readAnswer(answer: HttpAnswer): BotApiAnswer {
    try {
      const parsed = JSON.parse(answer.body) as BotApiAnswer;
      if (parsed && typeof parsed === 'object') return parsed;
    } catch {
      // A proxy's HTML error page: fall through to the status alone.
    }
    return { ok: false, error_code: answer.status, description: `HTTP ${answer.status}` };
  }

  /** For the linking calls: the result, or an Error whose message holds no token. */
  async function callOrThrow(method: string, body: Record<string, unknown>, waitMs?: number): Promise<unknown> {
    const answer = await call(method, body, waitMs);
    if (answer.kind !== 'answer') throw new Error(redact(`Telegram ${method} failed: ${answer.reason}`));
    const parsed = readAnswer(answer);
    if (!parsed.ok) throw new Error(redact(`Telegram ${method} failed: ${parsed.error_code ?? answer.status} ${parsed.description ?? ''}`));
    return parsed.result;
  }

  async function sendOnce(chatId: string, text: string, html: boolean): Promise<{ answer: HttpAnswer | HttpFailure; parsed?: BotApiAnswer }> {
    await pace();
    const answer = await call('sendMessage', {
      chat_id: chatId,
      text,
      ...(html ? { parse_mode: 'HTML' } : {}),
      ...(settings.disableLinkPreview ? { link_preview_options: { is_disabled: true } } : {}),
    });
    return answer.kind === 'answer' ? { answer, parsed: readAnswer(answer) } : { answer };
  }

  async function send(message: OutgoingMessage): Promise<SendOutcome> {
    const chatId = message.to.trim();
    if (!/^-?\d{1,20}$/.test(chatId) && !/^@[A-Za-z][A-Za-z0-9_]{4,31}$/.test(chatId)) return rejected('a Telegram chat id is a number (or @channelusername)', false);
    if (!message.html && [...message.text].length > MAX_TEXT) return rejected(`the text is longer than Telegram's ${MAX_TEXT} characters`, false);
    const wait = cooldown.remainingMs('bot');
    if (wait > 0) return retry('Telegram asked us to slow down; waiting before the next message', wait);

    let { answer, parsed } = await sendOnce(chatId, message.html ?? message.text, Boolean(message.html));
    // Marketing HTML is written for e-mail; Telegram takes a few tags only. Rather than lose the
    // message, send its text part: the first try was refused, so nothing goes out twice.
    if (message.html && parsed && !parsed.ok && parsed.error_code === 400 && /can't parse entities|unsupported start tag/i.test(parsed.description ?? '')) {
      ({ answer, parsed } = await sendOnce(chatId, message.text, false));
    }
    if (answer.kind !== 'answer' || !parsed) return outcomeOfFailure(answer as HttpFailure, 'Telegram', redact);
    return outcomeOf(answer, parsed);
  }

  function outcomeOf(answer: HttpAnswer, parsed: BotApiAnswer): SendOutcome {
    const code = parsed.error_code ?? answer.status;
    const description = parsed.description ?? '';
    const reason = redact(`Telegram answered ${code}: ${description}`);
    if (parsed.ok && answer.status < 300) {
      const id = (parsed.result as { message_id?: unknown } | undefined)?.message_id;
      return { status: 'accepted', providerId: typeof id === 'number' ? String(id) : null };
    }
    if (code === 429) {
      const seconds = parsed.parameters?.retry_after;
      const after = typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : null;
      if (after !== null) cooldown.hold('bot', after);
      return retry(reason, after);
    }
    if (code >= 500) return retry(reason);
    // The user blocked the bot, deleted their account, or the bot was removed from the chat.
    if (code === 403) return rejected(reason, true);
    if (code === 401 || code === 404) return rejected(redact(`Telegram refused the bot token (${code}): check the channel's token`), false, true);
    if (code === 400 && parsed.parameters?.migrate_to_chat_id !== undefined) {
      return rejected(`the group became a supergroup with chat id ${parsed.parameters.migrate_to_chat_id}; this chat id is gone`, true);
    }
    if (code === 400 && /chat not found|user not found|PEER_ID_INVALID|chat_id is empty/i.test(description)) return rejected(reason, true);
    return rejected(reason, false);
  }

  return {
    kind: 'telegram',
    send,
    async getUpdates(offset, timeoutSec) {
      const result = await callOrThrow(
        'getUpdates',
        { ...(offset === null ? {} : { offset }), timeout: timeoutSec, allowed_updates: ['message'] },
        // The long poll itself may take timeoutSec; the usual wait comes on top.
        timeoutSec * 1000 + timeoutMs,
      );
      return Array.isArray(result) ? (result as TelegramUpdate[]) : [];
    },
    async setWebhook(url, secretToken) {
      if (!SECRET_TOKEN.test(secretToken)) throw new Error('A Telegram webhook secret token is 1–256 letters, digits, underscores and dashes');
      if (!/^https:\/\//.test(url)) throw new Error('Telegram sends webhooks to https URLs only');
      await callOrThrow('setWebhook', { url, secret_token: secretToken, allowed_updates: ['message'] });
    },
    async deleteWebhook() {
      await callOrThrow('deleteWebhook', {});
    },
    async close() {
      http.close();
    },
  };
}
