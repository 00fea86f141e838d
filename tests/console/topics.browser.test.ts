import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * Subscription topics in Chromium against a real server: a marketer defines and renames a topic
 * and names it in a template; a support operator sees a customer's topic choices on the 360° page
 * and changes one; an analyst only reads; the pages speak Russian.
 */
let h: ConsoleHarness;
let templateId: string;
let customerId: string;

const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
  const answer = await h.t.call({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  expect(answer.statusCode, answer.body).toBeLessThan(300);
  return answer.json();
};
const mainText = (page: Page) => page.getByRole('main').textContent();

beforeAll(async () => {
  h = await startConsole();
  await call('PUT', '/v1/messaging/topics/news', { name: { ru: 'Новости', en: 'News' }, description: { ru: 'Новинки и события клуба', en: 'What is new in the club' }, defaultSubscribed: true });
  templateId = (await call('POST', '/v1/templates', { name: 'Weekend sale', kind: 'sms', purpose: 'marketing', parts: { text: 'Sale this weekend, {{ customer.firstName }}' } })).id;
  customerId = (await call('POST', '/v1/customers', { phone: '+79161110001', firstName: 'Anna', locale: 'en' })).id;
}, 90_000);
afterAll(async () => h?.close());

describe('subscription topics', () => {
  it('a marketer creates a topic, is told in words what is wrong with a key, and renames the topic', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/templates' });
    await page.getByRole('navigation').getByRole('link', { name: 'Topics' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Subscription topics');
    await expect.poll(() => page.getByRole('table', { name: 'Subscription topics' }).textContent()).toContain('News');
    expect(await mainText(page)).toContain('A customer can leave “offers” and keep “news”');

    await page.getByRole('button', { name: 'New topic' }).click();
    const dialog = page.getByRole('dialog', { name: 'New topic' });
    // No key, a key taken, a key the server refuses: each said in words at the key.
    await dialog.getByRole('button', { name: 'Create the topic' }).click();
    await expect.poll(() => dialog.locator('.field-error').first().textContent()).toContain('Give the topic a key');
    await dialog.getByLabel('Key').fill('news');
    await dialog.getByRole('button', { name: 'Create the topic' }).click();
    await expect.poll(() => dialog.locator('.field-error').first().textContent()).toContain('There is already a topic "news"');
    await dialog.getByLabel('Key').fill('Big Offers');
    await dialog.getByLabel('Name in English').fill('Offers');
    await dialog.getByRole('button', { name: 'Create the topic' }).click();
    await expect.poll(() => dialog.locator('.field-error').first().textContent()).toContain('lower-case letters, digits');
    expect(await dialog.getByLabel('Key').getAttribute('aria-invalid')).toBe('true');

    await dialog.getByLabel('Key').fill('offers');
    await dialog.getByLabel('Name in Russian').fill('Акции');
    await dialog.getByLabel('Description in English (optional)').fill('Sales and personal offers');
    await dialog.getByLabel('A customer who never chose').selectOption('off');
    await dialog.getByRole('button', { name: 'Create the topic' }).click();
    await expect.poll(() => mainText(page)).toContain('Topic “Offers” is created');
    const table = page.getByRole('table', { name: 'Subscription topics' });
    // The list is read again after the save: the message can show before the new row does.
    await expect.poll(() => table.textContent()).toContain('Sales and personal offers');
    expect(await table.getByRole('row', { name: /Offers/ }).textContent()).toContain('Off');
    expect(await call('GET', '/v1/messaging/topics/offers')).toMatchObject({ key: 'offers', name: { ru: 'Акции', en: 'Offers' }, description: { en: 'Sales and personal offers' }, defaultSubscribed: false });

    await page.getByRole('button', { name: 'Edit “Offers”' }).click();
    const edit = page.getByRole('dialog', { name: 'Topic “Offers”' });
    expect(await edit.getByLabel('Key').isDisabled()).toBe(true);
    await edit.getByLabel('Name in English').fill('Deals');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => mainText(page)).toContain('Topic “Deals” is saved.');
    // The list reloads after the save (empty for a moment): wait for its rows.
    await expect.poll(() => table.textContent()).toContain('Deals');
    const listed = (await call('GET', '/v1/messaging/topics')).items;
    expect(listed.map((topic: { key: string }) => topic.key)).toEqual(['news', 'offers']);
    expect(listed[1]).toMatchObject({ name: { ru: 'Акции', en: 'Deals' }, defaultSubscribed: false });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a marketer names a topic in a template; the server’s refusal of an unknown topic shows beside the field', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: `/messaging/templates/${templateId}` });
    const select = page.getByLabel('Topic', { exact: true });
    await expect.poll(() => select.locator('option').allTextContents()).toContain('News');
    expect((await select.locator('option').allTextContents())[0]).toBe('No topic');
    await select.selectOption('news');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // The topic is no part of the text: the template keeps its version.
    await expect.poll(() => mainText(page)).toContain('Saved as version 1.');
    expect(await call('GET', `/v1/templates/${templateId}`)).toMatchObject({ topic: 'news', version: 1 });

    // A topic that is gone by the time of saving (here: the request rewritten on its way) is refused by the server, in its words at the field.
    await page.route('**/v1/templates/*', (route) =>
      route.request().method() === 'PATCH' ? route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), topic: 'ofers' }) }) : route.continue(),
    );
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('names no topic');
    expect(await select.getAttribute('aria-invalid')).toBe('true');
    expect((await call('GET', `/v1/templates/${templateId}`)).topic).toBe('news');
    await page.unrouteAll();

    await select.selectOption('');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(async () => (await call('GET', `/v1/templates/${templateId}`)).topic).toBeNull();
    await expect.poll(() => mainText(page)).toContain('Saved as version 1.');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a support operator sees a customer’s topic choice on the 360° page and changes it', async () => {
    await call('PUT', `/v1/customers/${customerId}/topics`, [{ topic: 'news', subscribed: false, source: 'account' }]);
    const { page, context, problems } = await h.signIn('support', { path: `/customers/${customerId}` });
    const current = page.getByRole('table', { name: 'The customer’s state on each subscription topic' });
    const news = current.getByRole('row', { name: /News/ });
    await expect.poll(() => news.textContent()).toContain('Not subscribed');
    expect(await news.textContent()).toContain('Account page');
    expect(await page.getByRole('table', { name: 'Every topic choice the customer made, newest first' }).textContent()).toContain('Account page');

    await news.getByRole('button', { name: 'Subscribe to “News”' }).click();
    await expect.poll(() => mainText(page)).toContain('“News”: Subscribed, recorded as the operator’s change.');
    await expect.poll(() => news.textContent()).toContain('Operator');
    const stored = await call('GET', `/v1/customers/${customerId}/topics`);
    expect(stored.current.find((entry: { topic: string }) => entry.topic === 'news')).toMatchObject({ subscribed: true, source: 'operator' });
    expect(stored.history.at(-1)).toMatchObject({ topic: 'news', subscribed: true, source: 'operator', evidence: { operator: 'Support Person' } });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an analyst reads topics and a customer’s choices but gets no button to change them', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/messaging/topics' });
    await expect.poll(() => page.getByRole('table', { name: 'Subscription topics' }).textContent()).toContain('News');
    expect(await page.getByRole('button', { name: 'New topic' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Edit/ }).count()).toBe(0);
    await page.goto(`${h.base}/console/customers/${customerId}`);
    await expect.poll(() => page.getByRole('table', { name: 'The customer’s state on each subscription topic' }).textContent()).toContain('News');
    expect(await page.getByRole('button', { name: /^(Subscribe to|Unsubscribe from)/ }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the topic pages speak Russian, with no serious accessibility violation', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/topics', locale: 'ru-RU' });
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Темы рассылок');
    expect(await page.getByRole('navigation').textContent()).toContain('Темы рассылок');
    const row = page.getByRole('table', { name: 'Темы рассылок' }).getByRole('row', { name: /Новости/ });
    await expect.poll(() => row.textContent()).toContain('Новинки и события клуба');
    expect(await row.textContent()).toContain('Подписан');
    await page.getByRole('button', { name: 'Новая тема' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Новая тема' }).getByLabel('Название по-русски').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${h.base}/console/messaging/templates/${templateId}`);
    await expect.poll(() => page.getByLabel('Тема рассылки').locator('option').allTextContents()).toContain('Новости');
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${h.base}/console/customers/${customerId}`);
    await expect.poll(() => page.getByRole('table', { name: 'Подписка клиента на каждую тему рассылок' }).textContent()).toContain('Новости');
    expect(await page.getByRole('button', { name: 'Отписать от «Новости»' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
