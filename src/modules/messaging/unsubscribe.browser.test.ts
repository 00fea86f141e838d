import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, listenOnLoopback, phoneContext, seriousViolations } from '../../../tests/helpers/browser.ts';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * A marketing e-mail's unsubscribe link, followed in real Chromium on a phone: one click withdraws
 * the channel's marketing consent (or all of it); the mail client's RFC 8058 one-click POST does
 * the same without any page.
 */
let t: TestApp;
let smtp: SmtpSink;
let browser: Browser;
let base: string;
let templateId: string;

const header = (raw: string, name: string) => new RegExp(`^${name}: (.+)$`, 'im').exec(raw.replace(/\r\n\s+/g, ' '))?.[1]?.trim();

async function mailedUnsubscribeLink(email: string): Promise<string> {
  const customer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { email, consents: ['email', 'sms'].map((channel) => ({ channel, purpose: 'marketing', granted: true, source: 'web' })) } })).json();
  const template = await t.services.messaging.templates.get(templateId);
  await t.services.messaging.enqueue({
    template: { id: template.id, version: template.version, kind: 'email', purpose: 'marketing', parts: template.parts },
    source: 'campaign',
    sourceId: `cmp_${email}`,
    items: [{ customerId: customer.id, dedupeKey: email }],
  });
  await t.services.messaging.sendDue();
  const mail = smtp.received.find((m) => m.to.includes(email))!;
  return header(mail.raw, 'list-unsubscribe')!.replace(/^<|>$/g, '');
}

async function marketing(email: string): Promise<Record<string, boolean>> {
  const id = (await t.call({ method: 'GET', url: `/v1/customers/lookup?email=${encodeURIComponent(email)}` })).json().id;
  const current = (await t.call({ method: 'GET', url: `/v1/customers/${id}/consents` })).json().current as Array<{ channel: string; purpose: string; granted: boolean }>;
  return Object.fromEntries(current.filter((c) => c.purpose === 'marketing').map((c) => [c.channel, c.granted]));
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-03-02T09:00:00Z');
  smtp = await startSmtpSink();
  base = await listenOnLoopback(t.app);
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Coffee Club', publicUrl: base } });
  expect((await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'Club <club@shop.example>' } } })).statusCode).toBe(201);
  const template = await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'News', kind: 'email', purpose: 'marketing', parts: { subject: 'News', text: 'Hi', html: '<p>Hi</p>' } } });
  templateId = template.json().id;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await smtp?.close();
  await t?.close();
});

describe('the unsubscribe link of a message', () => {
  it('withdraws the channel\'s marketing consent in one click, and all marketing with the other button', async () => {
    const context = await phoneContext(browser, 'en-GB');
    const page = await context.newPage();
    await page.goto(await mailedUnsubscribeLink('anna@example.com'));
    expect(await page.locator('main').textContent()).toContain('Stop sending you marketing e-mails?');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Unsubscribe', exact: true }).click();
    await page.locator('.ok').waitFor();
    expect(await page.locator('.ok').textContent()).toBe('You are unsubscribed: no more marketing e-mails.');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await marketing('anna@example.com')).toEqual({ email: false, sms: true });

    await page.goto(await mailedUnsubscribeLink('boris@example.com'));
    await page.getByRole('button', { name: 'Unsubscribe from all marketing messages' }).click();
    await page.locator('.ok').waitFor();
    expect(await marketing('boris@example.com')).toEqual({ email: false, sms: false, push: false, messenger: false });
    await context.close();
  }, 60_000);

  it('honours a mail client\'s one-click POST (RFC 8058) the same way', async () => {
    const link = await mailedUnsubscribeLink('vera@example.com');
    const answer = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(answer.status).toBe(200);
    expect(await marketing('vera@example.com')).toEqual({ email: false, sms: true });
  });
});
