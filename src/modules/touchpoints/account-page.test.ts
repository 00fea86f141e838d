import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accountSignIn, type AccountSignIn } from '../../../tests/helpers/account-session.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * The account page over HTTP: the customer's topics shown and changed (recorded with evidence,
 * source account), the personal offers (promotions for a segment the customer is in, or naming
 * them; no code needed), and one read of the contact policy per view.
 */
let t: TestApp;
let account: AccountSignIn;
let kate: string;
let session: string;

const form = (body: string) => /name="form" value="([^"]+)"/.exec(body)![1]!;
const me = async () => {
  const page = await t.call({ method: 'GET', url: '/me?lang=en', role: null, headers: { cookie: session } });
  expect(page.statusCode, page.body).toBe(200);
  return page.body;
};

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-03-02T09:00:00Z');
  account = await accountSignIn(t);
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Coffee Club', publicUrl: 'https://club.example' } });
  kate = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79120000501', firstName: 'Kate', tags: ['coffee'] } })).json().id;
  session = await account.signIn('+79120000501');
}, 60_000);
afterAll(async () => {
  await account?.close();
  await t?.close();
});

describe('the account page', () => {
  it('shows the topics with the customer\'s state, and saves the ticked ones with evidence', async () => {
    expect(await me()).not.toContain('id="topics"');
    await t.call({ method: 'PUT', url: '/v1/messaging/topics/news', payload: { name: { ru: 'Новости', en: 'News' }, defaultSubscribed: true } });
    await t.call({ method: 'PUT', url: '/v1/messaging/topics/offers', payload: { name: { en: 'Offers' }, description: { en: 'Sales first' }, defaultSubscribed: false } });
    const body = await me();
    expect(body).toMatch(/name="topic:news" value="yes" checked/);
    expect(body).toMatch(/name="topic:offers" value="yes">/);
    expect(body).toContain('Sales first');
    const saved = await t.call({
      method: 'POST', url: '/me/topics?lang=en', role: null,
      headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Phone' },
      payload: new URLSearchParams({ form: form(body), shown: 'news offers', 'topic:offers': 'yes' }).toString(),
    });
    expect([saved.statusCode, saved.headers.location]).toEqual([303, '/me?lang=en&done=saved#topics']);
    const topics = (await t.call({ method: 'GET', url: `/v1/customers/${kate}/topics` })).json();
    expect(topics.current).toEqual([
      { topic: 'news', subscribed: false, source: 'account', at: '2026-03-02T09:00:00.000Z' },
      { topic: 'offers', subscribed: true, source: 'account', at: '2026-03-02T09:00:00.000Z' },
    ]);
    expect(topics.history[0].evidence).toEqual({ ip: '127.0.0.1', userAgent: 'Phone' });
    expect(await me()).toMatch(/name="topic:offers" value="yes" checked/);
    // A post without the page's token changes nothing.
    const forged = await t.call({ method: 'POST', url: '/me/topics?lang=en', role: null, headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'shown=news&topic%3Anews=yes' });
    expect(forged.statusCode).toBe(400);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${kate}/topics` })).json().history).toHaveLength(2);
  });

  it('lists the promotions meant for a segment the customer is in, or for them, with what they give and when they end', async () => {
    const segment = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Coffee people', rules: { field: 'profile.tags', op: 'includes', value: 'coffee' } } })).json();
    expect(segment.id, JSON.stringify(segment)).toMatch(/^seg_/);
    const other = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Tea people', rules: { field: 'profile.tags', op: 'includes', value: 'tea' } } })).json();
    await t.services.segments.recomputes.idle();
    const promotion = async (payload: Record<string, unknown>) => {
      const made = await t.call({ method: 'POST', url: '/v1/promotions', payload: { status: 'active', ...payload } });
      expect(made.statusCode, made.body).toBe(201);
    };
    await promotion({ name: 'Coffee week', audience: { kind: 'segments', segments: [segment.id] }, benefit: { kind: 'percent_off', percentBp: 1000 }, validity: { to: '2026-03-09T00:00:00Z' } });
    await promotion({ name: 'Kate\'s treat', audience: { kind: 'customers', customerIds: [kate] }, benefit: { kind: 'bonus_points', points: 150 } });
    await promotion({ name: 'Tea week', audience: { kind: 'segments', segments: [other.id] }, benefit: { kind: 'percent_off', percentBp: 500 } });
    await promotion({ name: 'With a code', audience: { kind: 'segments', segments: [segment.id] }, benefit: { kind: 'percent_off', percentBp: 500 }, requiresCode: true });
    await promotion({ name: 'For all', audience: { kind: 'everyone' }, benefit: { kind: 'percent_off', percentBp: 300 } });
    await promotion({ name: 'Ended', audience: { kind: 'segments', segments: [segment.id] }, benefit: { kind: 'percent_off', percentBp: 300 }, validity: { to: '2026-03-01T00:00:00Z' } });
    await promotion({ name: 'Paused', status: 'paused', audience: { kind: 'segments', segments: [segment.id] }, benefit: { kind: 'percent_off', percentBp: 300 } });
    const offers = [...(await me()).matchAll(/<div class="row" data-testid="offer"><span><strong>([^<]+)<\/strong> · ([^<]+)<\/span><span>([^<]*)<\/span>/g)].map((m) => m.slice(1));
    expect(offers).toEqual([
      ['Coffee week', '10% off', 'until 9 March 2026'],
      ['Kate&#39;s treat', '+150 bonus points', ''],
    ]);
  });

  it('names each points movement by its kind in the page\'s language, never by the staff\'s note', async () => {
    const adjusted = await t.call({ method: 'POST', url: `/v1/customers/${kate}/points/adjustments`, headers: { 'idempotency-key': 'kate-adjust-1' }, payload: { points: 50, reason: 'Goodwill: checked by Maria, ticket 4711' } });
    expect(adjusted.statusCode, adjusted.body).toBe(201);
    const english = await me();
    expect(english).toMatch(/ · adjustment<\/span><span>\+50</);
    expect(english).not.toContain('ticket 4711');
    const russian = await t.call({ method: 'GET', url: '/me?lang=ru', role: null, headers: { cookie: session } });
    expect(russian.body).toMatch(/ · корректировка<\/span><span>\+50</);
  });

  it('reads the contact policy once for a view', async () => {
    const reads = vi.spyOn(t.services.messaging.policy, 'get');
    try {
      await me();
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
  });
});
