import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';

/**
 * "The code never came": a support operator opens the customer's messages on the 360° page and
 * sends the campaign's e-mail again; it goes out once to the loopback SMTP server, with the same
 * code, however often the button is pressed.
 */
let h: ConsoleHarness;
let smtp: SmtpSink;
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });
let customerId = '';
let firstMessage = '';
let templateId = '';

beforeAll(async () => {
  h = await startConsole();
  smtp = await startSmtpSink();
  const call = async (method: 'POST' | 'PUT', url: string, payload: unknown) => {
    const answer = await h.t.call({ method, url, payload: payload as Record<string, unknown> });
    expect(answer.statusCode, answer.body).toBeLessThan(300);
    return answer.json();
  };
  await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
  await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } });
  const template = await call('POST', '/v1/templates', { name: 'Birthday gift', kind: 'email', purpose: 'service', parts: { subject: 'Your birthday code', text: 'Your code: BDAY-7Q2K' } });
  templateId = template.id;
  customerId = (await call('POST', '/v1/customers', { email: 'ivan@example.com', firstName: 'Ivan', lastName: 'Orlov' })).id;
  const campaign = await call('POST', '/v1/campaigns', { name: 'Birthday', audience: { kind: 'list', customerIds: [customerId] }, controlShareBp: 0, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: template.id }] }] });
  await call('POST', `/v1/campaigns/${campaign.id}/start`, {});
  await h.t.services.messaging.runCampaigns();
  await h.t.services.messaging.sendDue();
  firstMessage = (await h.t.call({ method: 'GET', url: `/v1/customers/${customerId}/messages` })).json().items[0].id;
}, 90_000);
afterAll(async () => {
  await h?.close();
  await smtp?.close();
});

describe('sending a message again from the 360° page', () => {
  it('support resends the e-mail with the code; one more message, the same text', async () => {
    const { page, context, problems } = await h.signIn('support', { path: `/customers/${customerId}?tab=activity` });
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ivan Orlov');
    await page.getByRole('tab', { name: 'Messages and feedback' }).click();
    const resend = page.getByRole('button', { name: 'Send “Your birthday code” again' });
    await poll(() => resend.count()).toBe(1);
    await resend.click();
    const dialog = page.getByRole('dialog', { name: 'Send the message again' });
    await poll(() => dialog.textContent()).toContain('a code in it stays the same code');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Send again' }).dblclick();
    await poll(() => page.getByRole('main').getByRole('status').first().textContent()).toContain('Queued again to ivan@example.com');
    const messages = (await h.t.call({ method: 'GET', url: `/v1/customers/${customerId}/messages` })).json().items as Array<{ id: string; source: string; sourceId: string }>;
    expect(messages.map((m) => [m.source, m.sourceId])).toEqual([
      ['resend', firstMessage],
      ['campaign', expect.any(String)],
    ]);
    await h.t.services.messaging.sendDue();
    const mails = smtp.received.filter((mail) => mail.raw.includes('BDAY-7Q2K'));
    expect(mails).toHaveLength(2);
    // The list shows the new message at the top.
    await poll(async () => (await page.getByRole('table', { name: 'Messages sent to the customer, newest first' }).getByRole('row').count())).toBe(3);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('in Russian, and a marketer-only test send offers no resend', async () => {
    const test = await h.t.call({ method: 'POST', url: `/v1/templates/${templateId}/test`, payload: { customerId, to: 'marketing@shop.example' } });
    expect(test.statusCode, test.body).toBe(202);
    const { page, context, problems } = await h.signIn('support', { path: `/customers/${customerId}?tab=activity`, locale: 'ru-RU' });
    const table = page.getByRole('table', { name: 'Сообщения клиенту, новые сверху' });
    await poll(() => table.getByRole('row').count()).toBe(4);
    // Three messages with that subject (the resend, the campaign's, the test); the test has no button.
    await poll(() => page.getByRole('button', { name: 'Отправить «Your birthday code» повторно' }).count()).toBe(2);
    expect(problems).toEqual([]);
    await context.close();
  });
});
