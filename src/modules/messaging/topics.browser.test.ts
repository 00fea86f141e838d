import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, listenOnLoopback, phoneContext, seriousViolations } from '../../../tests/helpers/browser.ts';
import { header, startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Topics end to end in real Chromium on a phone: an "offers" e-mail reaches the loopback SMTP
 * server, its unsubscribe link opens the preference centre, the customer leaves "offers" in one
 * click; the next "offers" e-mail is skipped with the reason, a "news" one still goes out, and
 * the e-mail channel's consent is untouched.
 */
let t: TestApp;
let smtp: SmtpSink;
let browser: Browser;
let customerId: string;
const templates: Record<'offers' | 'news', { id: string; version: number; parts: Record<string, string> }> = {} as never;

async function mail(topic: 'offers' | 'news', key: string) {
  const template = templates[topic];
  await t.services.messaging.enqueue({
    template: { id: template.id, version: template.version, kind: 'email', purpose: 'marketing', parts: template.parts },
    source: 'campaign',
    sourceId: `cmp_${key}`,
    items: [{ customerId, dedupeKey: key }],
  });
  return t.services.messaging.sendDue();
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-03-02T09:00:00Z');
  smtp = await startSmtpSink();
  const base = await listenOnLoopback(t.app);
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Coffee Club', publicUrl: base } });
  expect((await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'Club <club@shop.example>' } } })).statusCode).toBe(201);
  for (const [key, en, ru] of [['offers', 'Offers', 'Акции'], ['news', 'News', 'Новости']] as const) {
    expect((await t.call({ method: 'PUT', url: `/v1/messaging/topics/${key}`, payload: { name: { ru, en }, defaultSubscribed: true } })).statusCode).toBe(200);
    const made = await t.call({
      method: 'POST',
      url: '/v1/templates',
      payload: { name: en, kind: 'email', purpose: 'marketing', topic: key, parts: { subject: en, text: `${en} {{ links.unsubscribe }}`, html: `<p>${en}</p><p><a href="{{ links.unsubscribe }}">Manage your e-mails</a></p>` } },
    });
    expect(made.statusCode, made.body).toBe(201);
    templates[key] = made.json();
  }
  customerId = (await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'anna@example.com', consents: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }] } })).json().id;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await smtp?.close();
  await t?.close();
});

describe('a topic left from a message\'s preference centre', () => {
  it('stops that topic\'s messages and no other', async () => {
    expect(await mail('offers', 'offers-1')).toMatchObject({ sent: 1 });
    const received = smtp.received.at(-1)!;
    expect(header(received.raw, 'subject')).toBe('Offers');
    const link = /href="(http:\/\/127\.0\.0\.1:\d+\/t\/u\/[^"]+)"/.exec(received.raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='))![1]!;
    expect(link).toBe(header(received.raw, 'list-unsubscribe')!.replace(/^<|>$/g, ''));

    const context = await phoneContext(browser, 'en-GB');
    const page = await context.newPage();
    await page.goto(link);
    expect(await page.locator('main').textContent()).toContain('Stop sending you marketing e-mails?');
    expect(await page.getByRole('checkbox', { name: 'Offers' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'News' }).isChecked()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Unsubscribe from the topic «Offers»' }).click();
    await page.locator('.ok').waitFor();
    expect(await page.locator('.ok').textContent()).toBe('You are unsubscribed from the topic «Offers».');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();

    const topics = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/topics` })).json();
    expect(topics.current).toEqual([
      { topic: 'news', subscribed: true, source: 'default', at: null },
      { topic: 'offers', subscribed: false, source: 'preference_centre', at: '2026-03-02T09:00:00.000Z' },
    ]);
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/consents` })).json().current;
    expect(consents).toEqual([expect.objectContaining({ channel: 'email', purpose: 'marketing', granted: true })]);

    const before = smtp.received.length;
    expect(await mail('offers', 'offers-2')).toMatchObject({ sent: 0, skipped: 1 });
    expect(await mail('news', 'news-1')).toMatchObject({ sent: 1, skipped: 0 });
    expect(smtp.received.slice(before).map((m) => header(m.raw, 'subject'))).toEqual(['News']);
    const messages = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/messages` })).json().items as Array<{ templateId: string; status: string; reason: string | null }>;
    expect(messages.map((m) => [m.templateId === templates.offers.id ? 'offers' : 'news', m.status, m.reason])).toEqual([
      ['news', 'sent', null],
      ['offers', 'skipped', 'topic_unsubscribed'],
      ['offers', 'sent', null],
    ]);
  }, 90_000);
});
