import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { startLoopbackServer, type LoopbackServer, type RecordedRequest, type Reply } from '../../../../tests/helpers/loopback-http.ts';
import type { SendOutcome } from './channel.ts';
import { createTelegramTransport, deepLink, newLinkToken, parseStartCommand, verifyTelegramSecretToken, type TelegramTransport } from './telegram.ts';

const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const clock = new ManualClock('2026-03-01T09:00:00Z');

let server: LoopbackServer;
let bot: TelegramTransport;
const outcomes: SendOutcome[] = [];

const fail = (status: number, description: string, parameters?: object): Reply => ({ status, body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) } });

/** A Bot API stand-in: answers by method and, for sendMessage, by chat id. */
function botApi(request: RecordedRequest): Reply {
  const match = /^\/bot([^/]+)\/(\w+)$/.exec(request.path);
  if (!match || match[1] !== token) return fail(401, 'Unauthorized');
  const body = JSON.parse(request.body) as Record<string, unknown>;
  if (match[2] === 'getUpdates') {
    return { status: 200, body: { ok: true, result: [
      { update_id: 500, message: { message_id: 1, date: 1, chat: { id: 777001, type: 'private' }, from: { id: 777001 }, text: '/start tok_AbC-123' } },
      { update_id: 501, message: { message_id: 2, date: 2, chat: { id: 777002, type: 'private' }, text: 'hello' } },
    ] } };
  }
  if (match[2] === 'setWebhook' || match[2] === 'deleteWebhook') return { status: 200, body: { ok: true, result: true, description: 'Webhook was set' } };
  if (match[2] !== 'sendMessage') return fail(404, 'Not Found');
  switch (body.chat_id) {
    case '1001': return { status: 200, body: { ok: true, result: { message_id: 42, chat: { id: 1001, type: 'private' }, date: 1, text: body.text } } };
    case '1002': return fail(429, 'Too Many Requests: retry after 3', { retry_after: 3 });
    case '1003': return fail(403, 'Forbidden: bot was blocked by the user');
    case '1004': return fail(400, 'Bad Request: chat not found');
    case '1005': return body.parse_mode ? fail(400, "Bad Request: can't parse entities: Unsupported start tag \"table\" at byte offset 0") : { status: 200, body: { ok: true, result: { message_id: 43 } } };
    case '1006': return fail(502, 'Bad Gateway');
    case '1007': return fail(400, 'Bad Request: message is too long');
    case '-1008': return fail(400, 'Bad Request: group chat was upgraded to a supergroup chat', { migrate_to_chat_id: -1001234567890 });
    default: return fail(400, 'Bad Request: unexpected');
  }
}

beforeAll(async () => {
  server = await startLoopbackServer(botApi);
  bot = createTelegramTransport({ token, baseUrl: server.url, allowPrivateNetwork: true, timeoutMs: 2000 }, { clock });
});
afterAll(async () => {
  await bot.close();
  await server.close();
  for (const outcome of outcomes) if (outcome.status !== 'accepted') expect(outcome.reason).not.toContain(token.split(':')[1]);
});
afterEach(() => {
  server.requests.length = 0;
});

async function send(to: string, text = 'Your balance: 120 points', html?: string) {
  const outcome = await bot.send({ messageId: 'msg_1', to, text, ...(html ? { html } : {}) });
  outcomes.push(outcome);
  return outcome;
}

describe('telegram sendMessage', () => {
  it('posts the Bot API shape and returns the message id', async () => {
    expect(await send('1001', 'Привет! Your balance: 120 points')).toEqual({ status: 'accepted', providerId: '42' });
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(`/bot${token}/sendMessage`);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(request!.body)).toEqual({ chat_id: '1001', text: 'Привет! Your balance: 120 points' });
  });

  it('sends the HTML text with parse_mode HTML when there is one', async () => {
    await send('1001', 'plain', '<b>120</b> points');
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ chat_id: '1001', text: '<b>120</b> points', parse_mode: 'HTML' });
  });

  it('falls back to the text part when Telegram cannot parse the HTML', async () => {
    expect(await send('1005', 'Table: 120 points', '<table><tr><td>120</td></tr></table>')).toEqual({ status: 'accepted', providerId: '43' });
    expect(server.requests.map((r) => JSON.parse(r.body) as unknown)).toEqual([
      { chat_id: '1005', text: '<table><tr><td>120</td></tr></table>', parse_mode: 'HTML' },
      { chat_id: '1005', text: 'Table: 120 points' },
    ]);
  });

  it('429 with retry_after: retry after that long, and the bot holds its next messages', async () => {
    expect(await send('1002')).toEqual({ status: 'retry', retryAfterMs: 3000, reason: 'Telegram answered 429: Too Many Requests: retry after 3' });
    expect(await send('1001')).toMatchObject({ status: 'retry', retryAfterMs: 3000 });
    expect(server.requests).toHaveLength(1);
    clock.advance(3000);
    expect(await send('1001')).toMatchObject({ status: 'accepted' });
  });

  it('403 blocked by the user: rejected and suppressed', async () => {
    expect(await send('1003')).toEqual({ status: 'rejected', reason: 'Telegram answered 403: Forbidden: bot was blocked by the user', suppress: true });
  });

  it('400 chat not found: rejected and suppressed', async () => {
    expect(await send('1004')).toEqual({ status: 'rejected', reason: 'Telegram answered 400: Bad Request: chat not found', suppress: true });
  });

  it('a group that became a supergroup: the old id is gone', async () => {
    expect(await send('-1008')).toMatchObject({ status: 'rejected', suppress: true, reason: expect.stringContaining('-1001234567890') });
  });

  it('another 400: rejected, not suppressed', async () => {
    expect(await send('1007')).toEqual({ status: 'rejected', reason: 'Telegram answered 400: Bad Request: message is too long', suppress: false });
  });

  it('5xx: retry', async () => {
    expect(await send('1006')).toEqual({ status: 'retry', retryAfterMs: null, reason: 'Telegram answered 502: Bad Gateway' });
  });

  it('a refused token is the channel\'s fault, and the token is not in the reason', async () => {
    const wrong = createTelegramTransport({ token: '123456789:BBBdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', baseUrl: server.url, allowPrivateNetwork: true }, { clock });
    try {
      const outcome = await wrong.send({ messageId: 'msg_2', to: '1001', text: 'x' });
      expect(outcome).toEqual({ status: 'rejected', reason: "Telegram refused the bot token (401): check the channel's token", suppress: false, channelFault: true });
    } finally {
      await wrong.close();
    }
  });

  it('refuses what is not a chat id, and plain text over 4096 characters, without calling', async () => {
    expect(await send('not-a-chat')).toMatchObject({ status: 'rejected', suppress: false });
    expect(await send('1001', 'я'.repeat(4097))).toEqual({ status: 'rejected', reason: "the text is longer than Telegram's 4096 characters", suppress: false });
    expect(server.requests).toHaveLength(0);
  });

  it('a network failure is a retry whose reason holds no token', async () => {
    const gone = await startLoopbackServer();
    await gone.close();
    const offline = createTelegramTransport({ token, baseUrl: gone.url, allowPrivateNetwork: true }, { clock });
    try {
      const outcome = await offline.send({ messageId: 'msg_3', to: '1001', text: 'x' });
      outcomes.push(outcome);
      expect(outcome).toMatchObject({ status: 'retry', retryAfterMs: null });
    } finally {
      await offline.close();
    }
  });
});

describe('telegram linking', () => {
  it('deep links carry the one-time token', () => {
    const linkToken = newLinkToken();
    expect(linkToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(deepLink('PatronShopBot', linkToken)).toBe(`https://t.me/PatronShopBot?start=${linkToken}`);
    expect(deepLink('@PatronShopBot', 'abc')).toBe('https://t.me/PatronShopBot?start=abc');
    expect(() => deepLink('PatronShopBot', 'has space')).toThrow(/start token/);
    expect(() => deepLink('PatronShopBot', 'x'.repeat(65))).toThrow(/start token/);
    expect(() => deepLink('1bad', 'abc')).toThrow(/bot username/);
  });

  const update = (text: string | undefined, chat: { id: number; type: string } = { id: 777001, type: 'private' }) => ({ update_id: 1, message: { message_id: 1, date: 1, chat, text } });

  it.each([
    ['/start tok_AbC-123', { chatId: '777001', token: 'tok_AbC-123' }],
    ['/start@PatronShopBot tok_AbC-123', { chatId: '777001', token: 'tok_AbC-123' }],
    ['/start   tok_AbC-123  ', { chatId: '777001', token: 'tok_AbC-123' }],
    ['/start', null],
    ['/start ', null],
    ['/start two tokens', null],
    ['/start bad*token', null],
    ['/help tok_AbC-123', null],
    ['hello', null],
    [undefined, null],
  ])('parseStartCommand(%j)', (text, expected) => {
    expect(parseStartCommand(update(text))).toEqual(expected);
  });

  it('parseStartCommand ignores groups, other updates and junk', () => {
    expect(parseStartCommand(update('/start tok', { id: -100123, type: 'group' }))).toBeNull();
    expect(parseStartCommand(update('/start tok', { id: -100123, type: 'supergroup' }))).toBeNull();
    expect(parseStartCommand({ update_id: 1, edited_message: { text: '/start tok' } })).toBeNull();
    expect(parseStartCommand(null)).toBeNull();
    expect(parseStartCommand('string')).toBeNull();
  });

  it('getUpdates long-polls with the offset and yields /start updates', async () => {
    const updates = await bot.getUpdates(500, 25);
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ offset: 500, timeout: 25, allowed_updates: ['message'] });
    expect(updates.map((u) => u.update_id)).toEqual([500, 501]);
    expect(updates.map(parseStartCommand)).toEqual([{ chatId: '777001', token: 'tok_AbC-123' }, null]);
  });

  it('setWebhook sends the URL and the secret token Telegram will echo', async () => {
    await bot.setWebhook('https://patron.example/v1/telegram/updates', 'sec_0123456789');
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ url: 'https://patron.example/v1/telegram/updates', secret_token: 'sec_0123456789', allowed_updates: ['message'] });
    await expect(bot.setWebhook('http://patron.example/x', 'sec')).rejects.toThrow(/https/);
    await expect(bot.setWebhook('https://patron.example/x', 'not allowed!')).rejects.toThrow(/secret token/);
  });

  it('a failed Bot API call throws without the token', async () => {
    server.respond(() => fail(409, 'Conflict: can\'t use getUpdates method while webhook is active'));
    try {
      const error = await bot.getUpdates(null, 0).then(() => null, (e: unknown) => e as Error);
      expect(error?.message).toBe("Telegram getUpdates failed: 409 Conflict: can't use getUpdates method while webhook is active");
      expect(error?.message).not.toContain(token.split(':')[1]);
    } finally {
      server.respond(botApi);
    }
  });

  it('verifyTelegramSecretToken', () => {
    expect(verifyTelegramSecretToken({ 'x-telegram-bot-api-secret-token': 'sec_0123456789' }, 'sec_0123456789')).toBe(true);
    expect(verifyTelegramSecretToken({ 'X-Telegram-Bot-Api-Secret-Token': 'sec_0123456789' }, 'sec_0123456789')).toBe(true);
    expect(verifyTelegramSecretToken({ 'x-telegram-bot-api-secret-token': 'sec_012345678' }, 'sec_0123456789')).toBe(false);
    expect(verifyTelegramSecretToken({}, 'sec_0123456789')).toBe(false);
  });
});
