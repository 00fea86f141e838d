import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { LOCALE_COOKIE } from '../../platform/pages/i18n.ts';

/**
 * Every page a customer meets picks its language one way (responder.ts): the link's ?lang=, the
 * language remembered from the switch (a cookie), the customer's own, the browser's. The
 * preference centre behind a message's link and a survey's link follow it as /join and /me do.
 */
let t: TestApp;
let unsubscribePath: string;
let surveyPath: string;
let englishCustomerPath: string;

const langOf = (body: string) => /<html lang="(\w+)"/.exec(body)?.[1];
const open = async (url: string, headers: Record<string, string> = {}) => {
  const answer = await t.call({ method: 'GET', url, role: null, headers });
  expect(answer.statusCode, answer.body).toBe(200);
  return answer;
};

beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Club', publicUrl: 'https://club.example' } });
  const customer = async (payload: Record<string, unknown>) => (await t.call({ method: 'POST', url: '/v1/customers', payload })).json().id as string;
  const [nobody, english] = [await customer({ phone: '+79120000401', email: 'a@example.com' }), await customer({ phone: '+79120000402', email: 'b@example.com', locale: 'en' })];
  const template = (await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'News', kind: 'email', purpose: 'marketing', parts: { subject: 'News', text: 'News {{ links.unsubscribe }}' } } })).json();
  await t.services.messaging.enqueue({ template: { id: template.id, version: 1, kind: 'email', purpose: 'marketing', parts: template.parts }, source: 'campaign', sourceId: 'cmp_lang', items: [nobody, english].map((customerId) => ({ customerId, dedupeKey: `lang:${customerId}` })) });
  const linkOf = async (customerId: string) => {
    const row = await t.database.db.selectFrom('messages').select('content').where('customerId', '=', customerId).executeTakeFirstOrThrow();
    return new URL(/https:\/\/club\.example\/t\/u\/\S+/.exec(row.content!.text)![0]).pathname;
  };
  unsubscribePath = await linkOf(nobody);
  englishCustomerPath = await linkOf(english);
  const surveyId = (await t.call({ method: 'POST', url: '/v1/surveys', payload: { kind: 'nps', status: 'open', title: { ru: 'Оцените нас', en: 'Rate us' }, questions: [{ type: 'nps', text: { ru: 'Порекомендуете?', en: 'Recommend us?' } }] } })).json().id;
  surveyPath = new URL(await t.services.surveys.linkFor(surveyId, nobody)).pathname;
});
afterAll(async () => t?.close());

describe('the language of the pages behind messages\' links', () => {
  it.each([
    ['the preference centre', () => unsubscribePath],
    ['a survey', () => surveyPath],
  ])('%s: the remembered language (cookie) over the browser\'s; the browser\'s when nothing else says; Russian by default', async (_name, path) => {
    expect(langOf((await open(path())).body)).toBe('ru');
    expect(langOf((await open(path(), { 'accept-language': 'en-GB,en;q=0.9' })).body)).toBe('en');
    expect(langOf((await open(path(), { cookie: `${LOCALE_COOKIE}=en`, 'accept-language': 'ru' })).body)).toBe('en');
    // ?lang= wins, and is remembered for the next page (as on /join and /me).
    const switched = await open(`${path()}?lang=en`, { cookie: `${LOCALE_COOKIE}=ru` });
    expect(langOf(switched.body)).toBe('en');
    expect(String(switched.headers['set-cookie'])).toContain(`${LOCALE_COOKIE}=en`);
  });

  it('the customer\'s own language when neither the link nor a remembered choice says; a remembered choice over it', async () => {
    const page = await open(englishCustomerPath, { 'accept-language': 'ru' });
    expect(langOf(page.body)).toBe('en');
    expect(page.body).toContain('Unsubscribe from all marketing messages');
    expect(langOf((await open(englishCustomerPath, { cookie: `${LOCALE_COOKIE}=ru` })).body)).toBe('ru');
    // The answer of the one-click POST speaks the customer's language too.
    const done = await t.call({ method: 'POST', url: englishCustomerPath, role: null, headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ru' }, payload: 'List-Unsubscribe=One-Click' });
    expect(done.body).toContain('You are unsubscribed: no more marketing e-mails.');
  });
});
