import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';

/**
 * Subscription topics on a real database and a loopback SMTP server: the marketer defines them,
 * templates name them, the sender skips a marketing message whose topic the customer left
 * (transactional ones go), a customer's choices are kept with evidence and history and fire
 * customer.updated, and the preference centre behind a message's link changes them.
 */
describe('subscription topics', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let anna: string;
  let boris: string;
  const templates: Record<string, { id: string; version: number; parts: Record<string, string> }> = {};

  const put = (url: string, payload: unknown) => t.call({ method: 'PUT', url, payload: payload as object });
  const messagesOf = async (customerId: string) => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/messages?limit=100` })).json().items as Array<{ id: string; status: string; reason: string | null; templateId: string; content: { text: string } }>;
  const queue = async (name: string, customerIds: string[], purpose: 'marketing' | 'service' = 'marketing') => {
    const template = templates[name]!;
    await t.services.messaging.enqueue({
      template: { id: template.id, version: template.version, kind: 'email', purpose, parts: template.parts },
      source: 'campaign',
      sourceId: `cmp_${name}`,
      items: customerIds.map((customerId) => ({ customerId, dedupeKey: `${name}:${customerId}:${Math.random()}` })),
    });
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T09:00:00Z');
    smtp = await startSmtpSink();
    await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } } });
    await put('/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Club', publicUrl: 'https://club.shop.example' });
    const optIn = [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }];
    anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110001', email: 'anna@example.com', locale: 'en', consents: optIn } })).json().id;
    boris = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110002', email: 'boris@example.com', consents: optIn } })).json().id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('the marketer defines topics; a bad key or a topic without a name is refused in plain words', async () => {
    const offers = await put('/v1/messaging/topics/offers', { name: { ru: 'Акции', en: 'Offers' }, description: { en: 'Sales and personal offers' }, defaultSubscribed: true });
    expect(offers.statusCode, offers.body).toBe(200);
    expect(offers.json()).toMatchObject({ key: 'offers', name: { en: 'Offers' }, defaultSubscribed: true });
    expect((await put('/v1/messaging/topics/news', { name: { ru: 'Новости', en: 'News' }, defaultSubscribed: true })).statusCode).toBe(200);
    expect((await put('/v1/messaging/topics/surveys', { name: { en: 'Surveys' }, defaultSubscribed: false })).statusCode).toBe(200);
    const list = await t.call({ method: 'GET', url: '/v1/messaging/topics?limit=2' });
    expect(list.json().items.map((topic: { key: string }) => topic.key)).toEqual(['news', 'offers']);
    expect(list.json().nextCursor).toEqual(expect.any(String));
    // Sending back what GET answered changes nothing.
    const read = (await t.call({ method: 'GET', url: '/v1/messaging/topics/offers' })).json();
    expect((await put('/v1/messaging/topics/offers', read)).json()).toEqual(read);
    const badKey = await put('/v1/messaging/topics/Big%20Sale', { name: { en: 'Big sale' }, defaultSubscribed: true });
    expect([badKey.statusCode, badKey.json().code]).toEqual([400, 'messaging.invalid_topic']);
    expect(badKey.json().detail).toMatch(/^key: a topic key is 1 to 60 lower-case letters/);
    const noName = await put('/v1/messaging/topics/sale', { name: {}, defaultSubscribed: true });
    expect(noName.json().detail).toBe('name: give the topic\'s name in ru, en or both (the preference centre shows it)');
    const otherKey = await put('/v1/messaging/topics/sale', { ...read, key: 'offers' });
    expect(otherKey.json().detail).toMatch(/key: the body's key "offers" is not the path's "sale"/);
    expect((await t.call({ method: 'GET', url: '/v1/messaging/topics/sale' })).statusCode).toBe(404);
    expect(await t.database.db.selectFrom('messageTopics').select('key').orderBy('key').execute()).toEqual([{ key: 'news' }, { key: 'offers' }, { key: 'surveys' }]);
  });

  it('a template names a defined topic; an unknown one is refused with the topics there are', async () => {
    const make = async (name: string, topic: string | null) => {
      const made = await t.call({ method: 'POST', url: '/v1/templates', payload: { name, kind: 'email', purpose: 'marketing', topic, parts: { subject: name, text: `${name} for you`, html: `<p>${name} <a href="{{ links.unsubscribe }}">Unsubscribe</a></p>` } } });
      expect(made.statusCode, made.body).toBe(201);
      templates[name] = made.json();
    };
    await make('offers', 'offers');
    await make('news', 'news');
    await make('surveys', 'surveys');
    await make('plain', null);
    const typo = await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'Typo', kind: 'sms', purpose: 'marketing', topic: 'ofers', parts: { text: 'Hi' } } });
    expect([typo.statusCode, typo.json().detail]).toEqual([400, 'topic: there is no topic "ofers"; the topics are news, offers, surveys']);
  });

  it('a customer\'s topics: every topic with its default until they choose; a choice is kept with its evidence and fires customer.updated', async () => {
    const before = await t.call({ method: 'GET', url: `/v1/customers/${anna}/topics` });
    expect(before.json()).toEqual({
      current: [
        { topic: 'news', subscribed: true, source: 'default', at: null },
        { topic: 'offers', subscribed: true, source: 'default', at: null },
        { topic: 'surveys', subscribed: false, source: 'default', at: null },
      ],
      history: [],
    });
    // Sending back GET's answer records nothing.
    expect((await put(`/v1/customers/${anna}/topics`, before.json())).json()).toEqual(before.json());
    const outbox = async () => (await t.database.db.selectFrom('outboxEvents').select(['type', 'payload']).where('customerId', '=', anna).orderBy('id').execute()).filter((e) => (e.payload as { changed?: string[] }).changed?.includes('topics'));
    expect(await outbox()).toEqual([]);
    const chose = await put(`/v1/customers/${anna}/topics`, [{ topic: 'surveys', subscribed: true, source: 'operator', evidence: { operator: 'Maria Ivanova' } }]);
    expect(chose.statusCode, chose.body).toBe(200);
    expect(chose.json().current[2]).toEqual({ topic: 'surveys', subscribed: true, source: 'operator', at: '2026-03-02T09:00:00.000Z' });
    expect(chose.json().history).toEqual([expect.objectContaining({ topic: 'surveys', subscribed: true, source: 'operator', evidence: { operator: 'Maria Ivanova' } })]);
    expect(await outbox()).toEqual([{ type: 'customer.updated', payload: { customerId: anna, changed: ['topics'], topics: ['surveys'] } }]);
    // The same choice again grows no history; an analyst sees the operator masked.
    await put(`/v1/customers/${anna}/topics`, [{ topic: 'surveys', subscribed: true }]);
    const masked = await t.call({ method: 'GET', url: `/v1/customers/${anna}/topics`, role: 'analyst' });
    expect(masked.json().history).toHaveLength(1);
    expect(masked.json().history[0].evidence.operator).not.toBe('Maria Ivanova');
    const unknown = await put(`/v1/customers/${anna}/topics`, [{ topic: 'weather', subscribed: true }]);
    expect([unknown.statusCode, unknown.json().detail]).toEqual([400, 'topic: there is no topic "weather"; the topics are news, offers, surveys']);
    expect((await put('/v1/customers/cus_0190c0ffee00700080000000000000ab/topics', [{ topic: 'news', subscribed: true }])).statusCode).toBe(404);
  });

  it('the sender skips a marketing message whose topic the customer left; another topic, no topic and service messages go', async () => {
    await put(`/v1/customers/${boris}/topics`, [{ topic: 'offers', subscribed: false }]);
    await queue('offers', [anna, boris]);
    await queue('news', [boris]);
    await queue('plain', [boris]);
    await queue('surveys', [boris]); // opt-in: Boris never joined it
    await queue('offers', [boris], 'service');
    expect(await t.services.messaging.sendDue()).toMatchObject({ sent: 4, skipped: 2 });
    const mine = await messagesOf(boris);
    const byTemplate = (name: string, status: string) => mine.find((m) => m.templateId === templates[name]!.id && m.status === status);
    expect(byTemplate('offers', 'skipped')).toMatchObject({ reason: 'topic_unsubscribed' });
    expect(byTemplate('surveys', 'skipped')).toMatchObject({ reason: 'topic_unsubscribed' });
    expect(byTemplate('news', 'sent')).toBeDefined();
    expect(byTemplate('plain', 'sent')).toBeDefined();
    expect(byTemplate('offers', 'sent')).toBeDefined(); // the service one
    expect((await messagesOf(anna)).map((m) => m.status)).toEqual(['sent']);
  });

  it('the preference centre: leave the message\'s topic in one click, tick topics, and the one-click POST still leaves the channel', async () => {
    const [message] = await messagesOf(anna);
    const token = (await t.database.db.selectFrom('messages').select('content').where('id', '=', message!.id).executeTakeFirstOrThrow()).content!.html!.match(/\/t\/u\/([^"]+)"/)![1]!;
    const path = `/t/u/${token}`;
    const page = await t.call({ method: 'GET', url: path, role: null });
    // Anna's locale is English: the page is in it without asking.
    expect(page.body).toContain('Unsubscribe from the topic «Offers»');
    expect(page.body).toMatch(/name="topic:news" value="yes" checked/);
    expect(page.body).toMatch(/name="topic:surveys" value="yes" checked/);
    const form = (body: string) => t.call({ method: 'POST', url: path, role: null, headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Test browser' }, payload: body });
    const left = await form('scope=topic');
    expect(left.body).toContain('You are unsubscribed from the topic «Offers».');
    let topics = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/topics` })).json();
    expect(topics.current.find((c: { topic: string }) => c.topic === 'offers')).toMatchObject({ subscribed: false, source: 'preference_centre' });
    expect(topics.history.at(-1).evidence).toEqual({ messageId: message!.id, ip: '127.0.0.1', userAgent: 'Test browser' });
    // The boxes: news unticked, surveys kept; offers stays left (unticked as the page showed it).
    const saved = await form('scope=topics&shown=news+offers+surveys&topic%3Asurveys=yes');
    expect(saved.body).toContain('Your choice of topics is saved.');
    topics = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/topics` })).json();
    expect(topics.current.map((c: { topic: string; subscribed: boolean }) => [c.topic, c.subscribed])).toEqual([['news', false], ['offers', false], ['surveys', true]]);
    expect(topics.history.map((h: { topic: string }) => h.topic)).toEqual(['surveys', 'offers', 'news']);
    // The message's history says its page changed topics.
    const history = (await t.services.messaging.message(message!.id))!.history;
    expect(history.slice(-2)).toMatchObject([{ status: 'unsubscribed', detail: { scope: 'topics', topics: ['offers'] } }, { status: 'unsubscribed', detail: { scope: 'topics', topics: ['news'] } }]);
    // RFC 8058: the one-click POST still means the message's channel; the topics stay as they are.
    const oneClick = await form('List-Unsubscribe=One-Click');
    expect(oneClick.body).toContain('You are unsubscribed: no more marketing e-mails.');
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/consents` })).json();
    expect(consents.current.find((c: { channel: string; purpose: string }) => c.channel === 'email' && c.purpose === 'marketing').granted).toBe(false);
  });

  it('merge moves a duplicate\'s topic choices to the survivor; erase keeps the history without its evidence', async () => {
    const dup = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110009' } })).json().id;
    await put(`/v1/customers/${dup}/topics`, [{ topic: 'news', subscribed: false, evidence: { ip: '10.0.0.1' } }]);
    const survivor = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110008' } })).json().id;
    expect((await t.call({ method: 'POST', url: `/v1/customers/${survivor}/merge`, payload: { from: dup } })).statusCode).toBe(200);
    const topics = (await t.call({ method: 'GET', url: `/v1/customers/${survivor}/topics` })).json();
    expect(topics.current[0]).toMatchObject({ topic: 'news', subscribed: false, source: 'api' });
    expect((await t.call({ method: 'POST', url: `/v1/customers/${survivor}/erase` })).statusCode).toBe(200);
    const rows = await t.database.db.selectFrom('topicEvents').select(['topic', 'evidence']).where('customerId', '=', survivor).execute();
    expect(rows).toEqual([{ topic: 'news', evidence: {} }]);
  });

  it('an erased customer\'s old link changes nothing and still answers a page', async () => {
    const [sent] = (await messagesOf(boris)).filter((m) => m.status === 'sent');
    const html = (await t.database.db.selectFrom('messages').select('content').where('id', '=', sent!.id).executeTakeFirstOrThrow()).content!.html!;
    const path = `/t/u/${/\/t\/u\/([^"]+)"/.exec(html)![1]!}`;
    expect((await t.call({ method: 'POST', url: `/v1/customers/${boris}/erase` })).statusCode).toBe(200);
    const before = await t.database.db.selectFrom('topicEvents').select('id').where('customerId', '=', boris).execute();
    const saved = await t.call({ method: 'POST', url: path, role: null, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'scope=topics&shown=news+offers+surveys' });
    expect(saved.statusCode).toBe(200);
    expect(await t.database.db.selectFrom('topicEvents').select('id').where('customerId', '=', boris).execute()).toEqual(before);
  });
});
