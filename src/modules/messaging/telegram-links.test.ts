import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../../../tests/helpers/loopback-http.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Linking customers' Telegram chats end to end: the one-time deep link, the bot's webhook
 * refusing what does not carry the channel's secret token, "/start <token>" linking the chat
 * (once, within a day, moving a chat between customers), the confirmation sent through the
 * normal queue to a Bot API stand-in on loopback, and a blocked bot unlinking the chat.
 */
const BOT_TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const HOOK_SECRET = 'hook-secret-0123456789';
const BLOCKED_CHAT = 5550003;

describe('telegram links', () => {
  let t: TestApp;
  let bot: LoopbackServer;
  let channelId: string;
  let anna: string;
  let boris: string;

  const customer = async (phone: string) => (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } })).json().id as string;
  const issue = async (customerId: string) => {
    const response = await t.call({ method: 'POST', url: `/v1/customers/${customerId}/telegram-link`, role: 'pos' });
    expect(response.statusCode, response.body).toBe(201);
    return response.json() as { token: string; url: string; expiresAt: string };
  };
  const update = (text: string | null, chatId = 5550001, secret: string | null = HOOK_SECRET, chatType = 'private') =>
    t.call({
      method: 'POST',
      url: `/t/telegram/${channelId}`,
      role: null,
      headers: secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret },
      payload: { update_id: 1, ...(text === null ? {} : { message: { message_id: 1, date: 1, chat: { id: chatId, type: chatType }, text } }) },
    });
  const state = async (customerId: string, role: 'owner' | 'pos' = 'owner') => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/telegram-link`, role })).json();

  beforeAll(async () => {
    t = await createTestApp();
    bot = await startLoopbackServer((request) => {
      const body = JSON.parse(request.body) as { chat_id: string };
      if (body.chat_id === String(BLOCKED_CHAT)) return { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } };
      return { status: 200, body: { ok: true, result: { message_id: 77 } } };
    });
    const channel = await t.call({
      method: 'POST',
      url: '/v1/channels',
      payload: { name: 'Bot', kind: 'telegram', config: { token: BOT_TOKEN, botUsername: 'coffee_club_bot', baseUrl: bot.url, allowPrivateNetwork: true, webhookSecret: HOOK_SECRET } },
    });
    expect(channel.statusCode, channel.body).toBe(201);
    expect(channel.json().secretsSet).toEqual(['token', 'webhookSecret']);
    channelId = channel.json().id;
    anna = await customer('+79161230001');
    boris = await customer('+79161230002');
  });
  afterAll(async () => {
    await t?.close();
    await bot?.close();
  });

  it('gives a one-time deep link for a day, and keeps only the hash of its token', async () => {
    const link = await issue(anna);
    expect(link.url).toBe(`https://t.me/coffee_club_bot?start=${link.token}`);
    expect(link.expiresAt).toBe('2026-03-02T09:00:00.000Z');
    const stored = await t.database.db.selectFrom('telegramLinkTokens').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(link.token);
    expect(await state(anna)).toEqual({ linked: false, linkedAt: null, chatId: null });
  });

  it('refuses bot updates without the channel\'s secret token, in the same words whatever is wrong', async () => {
    const { token } = await issue(anna);
    for (const secret of [null, 'not-the-secret-at-all']) {
      const refused = await update(`/start ${token}`, 5550001, secret);
      expect(refused.statusCode).toBe(403);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ code: 'messaging.callback_refused', detail: 'The update does not carry the secret token this channel gave Telegram' });
      expect(refused.body).not.toContain(HOOK_SECRET);
    }
    expect(await state(anna)).toMatchObject({ linked: false });
    const unknown = await t.call({ method: 'POST', url: '/t/telegram/chn_0190c0ffee00700080000000000000ab', role: null, headers: { 'x-telegram-bot-api-secret-token': HOOK_SECRET }, payload: { update_id: 1 } });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'messaging.channel_not_found']);
  });

  it('links the chat on "/start <token>", once: a retried update changes nothing; other updates are taken and ignored', async () => {
    const { token } = await issue(anna);
    for (const ignored of [await update(null), await update('hello'), await update(`/start ${token}`, -100200, HOOK_SECRET, 'group'), await update('/start not-a-token-we-gave')]) {
      expect([ignored.statusCode, ignored.json()]).toEqual([200, { ok: true }]);
    }
    expect(await state(anna)).toMatchObject({ linked: false });
    const linked = await update(`/start ${token}`);
    expect([linked.statusCode, linked.json()]).toEqual([200, { ok: true }]);
    expect(await state(anna)).toEqual({ linked: true, linkedAt: '2026-03-01T09:00:00.000Z', chatId: '5550001' });
    // The till's key (an app backend) sees that it is linked, not the chat.
    expect(await state(anna, 'pos')).toEqual({ linked: true, linkedAt: '2026-03-01T09:00:00.000Z', chatId: '***0001' });
    t.clock.advance(60_000);
    expect((await update(`/start ${token}`, 5550009)).statusCode).toBe(200);
    expect(await state(anna)).toMatchObject({ chatId: '5550001', linkedAt: '2026-03-01T09:00:00.000Z' });
  });

  it('sends the customer a confirmation through the queue, once', async () => {
    const messages = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/messages` })).json().items;
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'telegram', purpose: 'service', source: 'api', templateId: null, recipient: '5550001', status: 'queued' });
    expect(messages[0].content.text).toBe('Готово: Patron будет писать вам сюда. / Done: Patron will message you here.');
    await t.services.messaging.sendDue();
    expect((await t.services.messaging.message(messages[0].id))?.status).toBe('sent');
    expect(JSON.parse(bot.requests.at(-1)!.body)).toMatchObject({ chat_id: '5550001', text: messages[0].content.text });
  });

  it('a new link replaces the chat; a chat linked to another customer moves; an expired token links nothing', async () => {
    const first = await issue(boris);
    const second = await issue(boris);
    // The earlier link stops working when a new one is given.
    expect((await update(`/start ${first.token}`, 5550002)).statusCode).toBe(200);
    expect(await state(boris)).toMatchObject({ linked: false });
    await update(`/start ${second.token}`, 5550002);
    expect(await state(boris)).toMatchObject({ linked: true, chatId: '5550002' });
    // Anna's chat opens Boris's next link: the chat is Boris's now, Anna has none.
    const third = await issue(boris);
    await update(`/start ${third.token}`, 5550001);
    expect(await state(boris)).toMatchObject({ linked: true, chatId: '5550001' });
    expect(await state(anna)).toMatchObject({ linked: false });
    const late = await issue(anna);
    t.clock.advance(24 * 3_600_000 + 1);
    await update(`/start ${late.token}`, 5550004);
    expect(await state(anna)).toMatchObject({ linked: false });
  });

  it('unlinking answers the link as it was and voids the open links', async () => {
    const open = await issue(anna);
    await update(`/start ${open.token}`, 5550005);
    const next = await issue(anna);
    const removed = await t.call({ method: 'DELETE', url: `/v1/customers/${anna}/telegram-link`, role: 'support' });
    expect([removed.statusCode, removed.json()]).toEqual([200, { linked: true, linkedAt: t.clock.now().toISOString(), chatId: '5550005' }]);
    expect(await state(anna)).toEqual({ linked: false, linkedAt: null, chatId: null });
    await update(`/start ${next.token}`, 5550005);
    expect(await state(anna)).toMatchObject({ linked: false });
    const again = await t.call({ method: 'DELETE', url: `/v1/customers/${anna}/telegram-link` });
    expect(again.json()).toEqual({ linked: false, linkedAt: null, chatId: null });
    expect((await t.call({ method: 'DELETE', url: `/v1/customers/${anna}/telegram-link`, role: 'marketer' })).statusCode).toBe(403);
  });

  it('a blocked bot (403 from Telegram) unlinks the chat and suppresses it; linking again brings it back', async () => {
    const { token } = await issue(anna);
    await update(`/start ${token}`, BLOCKED_CHAT);
    expect(await state(anna)).toMatchObject({ linked: true });
    await t.services.messaging.sendDue();
    const [confirmation] = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/messages?limit=1` })).json().items;
    expect(confirmation).toMatchObject({ recipient: String(BLOCKED_CHAT), status: 'bounced' });
    expect(await state(anna)).toEqual({ linked: false, linkedAt: null, chatId: null });
    const suppressed = () => t.database.db.selectFrom('messagingSuppressions').select('address').where('kind', '=', 'telegram').execute();
    expect(await suppressed()).toEqual([{ address: String(BLOCKED_CHAT) }]);
    const relink = await issue(anna);
    await update(`/start ${relink.token}`, BLOCKED_CHAT);
    expect(await state(anna)).toMatchObject({ linked: true, chatId: String(BLOCKED_CHAT) });
    expect(await suppressed()).toEqual([]);
  });

  it('refuses a link when there is no bot to open it, and for an erased customer', async () => {
    const erased = await customer('+79161230003');
    expect((await t.call({ method: 'POST', url: `/v1/customers/${erased}/erase`, payload: {} })).statusCode).toBeLessThan(300);
    const gone = await t.call({ method: 'POST', url: `/v1/customers/${erased}/telegram-link` });
    expect([gone.statusCode, gone.json().code]).toEqual([422, 'messaging.no_address']);
    await t.call({ method: 'PATCH', url: `/v1/channels/${channelId}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { active: false } });
    const none = await t.call({ method: 'POST', url: `/v1/customers/${anna}/telegram-link` });
    expect([none.statusCode, none.json().code]).toEqual([409, 'messaging.no_channel']);
    expect((await t.call({ method: 'POST', url: '/v1/customers/cus_0190c0ffee00700080000000000000ab/telegram-link' })).statusCode).toBe(404);
  });
});
