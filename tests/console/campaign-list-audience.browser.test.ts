import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * A campaign to a list from a CSV file, made in the console: the draft saved with a list audience,
 * the file uploaded on its page, the server's report of each line it could not use shown in
 * words, and the campaign's audience what the file matched.
 */
let h: ConsoleHarness;
let template = '';
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });
const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
  const answer = await h.t.call({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  expect(answer.statusCode, answer.body).toBeLessThan(300);
  return answer.json();
};

beforeAll(async () => {
  h = await startConsole();
  await call('POST', '/v1/customers', { phone: '+79161110001', email: 'anna@example.com', firstName: 'Anna' });
  await call('POST', '/v1/customers', { phone: '+79161110002', email: 'boris@example.com', firstName: 'Boris' });
  template = (await call('POST', '/v1/templates', { name: 'Store opening', kind: 'email', purpose: 'service', parts: { subject: 'We open on Monday', text: 'See you there.' } })).id;
}, 90_000);
afterAll(async () => h?.close());

describe('a campaign to a list from a file', () => {
  it('a marketer saves a list campaign, uploads the CSV and reads which lines matched nobody', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/campaigns/new' });
    await page.getByLabel('Name', { exact: true }).fill('Opening, invited guests');
    await page.getByLabel('Who gets it').selectOption('list');
    await poll(() => page.getByRole('main').textContent()).toContain('Save the draft, then upload the file');
    expect(await page.getByLabel('Segment').count()).toBe(0);
    await page.getByLabel('Template 1').selectOption(template);
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Opening, invited guests');
    const id = page.url().split('/').at(-1)!;
    expect(await call('GET', `/v1/campaigns/${id}`)).toMatchObject({ status: 'draft', audience: { kind: 'list', listSize: 0 } });

    const card = page.locator('.card', { has: page.getByRole('heading', { name: 'Audience from a file' }) });
    await card.getByRole('button', { name: 'Upload the list' }).click();
    await poll(() => card.textContent()).toContain('Choose a file first');
    const csv = 'phone\n+7 916 111-00-01\n+79990000000\n+79161110001\nnot a phone\n8 916 111 00 02\n';
    await card.getByLabel('CSV file').setInputFiles({ name: 'guests.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await card.getByRole('button', { name: 'Upload the list' }).click();
    await poll(() => card.textContent()).toContain('2 of 5 lines matched a customer (by phone); the campaign will go to 2.');
    const report = (await card.textContent()) ?? '';
    expect(report).toContain('No customer for 1 line: 3.');
    expect(report).toContain('1 line named a customer already on the list: 4.');
    expect(report).toMatch(/Not read: 5: /);
    expect(await call('GET', `/v1/campaigns/${id}`)).toMatchObject({ audience: { kind: 'list', listSize: 2 } });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
