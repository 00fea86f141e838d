import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The segments pages in Chromium against the real server: a marketer builds "spent over 5,000.00
 * in 30 days AND has e-mail consent" and watches the live count, saves it and sees the count the
 * server computed; an analyst reads the RFM grid and the clusters as the API gives them.
 * The app's clock is 2026-03-01T09:00Z.
 */
let h: ConsoleHarness;
const DAY = 86_400_000;
let receipts = 0;
let phones = 0;

async function customer(name: string, emailConsent: boolean, purchases: Array<[daysAgo: number, priceMinor: number]>): Promise<string> {
  const created = await h.t.call({
    method: 'POST',
    url: '/v1/customers',
    payload: {
      phone: `+7916444${String(++phones).padStart(4, '0')}`,
      firstName: name,
      email: `${name.toLowerCase()}@example.com`,
      ...(emailConsent ? { consents: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }] } : {}),
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  for (const [daysAgo, price] of purchases) {
    const occurredAt = new Date(h.t.clock.now().getTime() - daysAgo * DAY).toISOString();
    const confirmed = await h.t.call({
      method: 'POST',
      url: '/v1/checkout/confirm',
      payload: { storeId: 's1', posReceiptId: `SEG-${++receipts}`, customer: { customerId: id }, occurredAt, lines: [{ sku: 'BEANS', qty: 1, price, category: 'coffee' }] },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
  }
  return id;
}

beforeAll(async () => {
  h = await startConsole();
  await h.t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main street', timezone: 'Europe/Moscow' } });
  // Over 5,000.00 in 30 days: Anna and Eva with e-mail consent, Boris without; Clara spent too little, Dmitry too long ago.
  await customer('Anna', true, [[10, 350_000], [3, 250_000]]);
  await customer('Boris', false, [[12, 600_000]]);
  await customer('Clara', true, [[5, 100_000]]);
  await customer('Dmitry', true, [[60, 700_000]]);
  await customer('Eva', true, [[5, 550_000]]);
  for (let i = 0; i < 6; i++) await customer(`Guest${i}`, i % 2 === 0, [[20 + i * 40, 20_000 + i * 15_000], [100 + i * 30, 30_000]]);
}, 120_000);
afterAll(async () => h?.close());

const liveCount = (page: Page) => page.locator('.live-count').getAttribute('data-count');

describe('segments in the console', () => {
  it('a marketer builds a segment, watches its live count, saves it, and sees the count the server computed', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/segments' });
    await page.getByRole('link', { name: 'New segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'New segment' }).waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Add a condition to see how many customers match');

    await page.getByRole('button', { name: 'Add a condition' }).click();
    await page.getByLabel('Field', { exact: true }).selectOption('purchases.spentMinor');
    await page.getByLabel('Condition', { exact: true }).selectOption('gt');
    await page.getByLabel('Period', { exact: true }).selectOption('days');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Finish 1 condition to see the count');
    await page.getByLabel('Days', { exact: true }).fill('30');
    await page.getByLabel(/^Amount/).fill('5000');
    await expect.poll(() => liveCount(page)).toBe('3');
    await expect.poll(() => page.locator('.segment-live').textContent()).toContain('Boris');

    await page.getByRole('button', { name: 'Add a condition' }).click();
    const second = page.locator('.condition').nth(1);
    await second.getByLabel('Field', { exact: true }).selectOption('consent');
    await expect.poll(() => second.getByLabel('Channel', { exact: true }).inputValue()).toBe('email');
    await expect.poll(() => liveCount(page)).toBe('2');
    const sample = await page.locator('.segment-live table').textContent();
    expect(sample).toContain('Anna');
    expect(sample).toContain('Eva');
    expect(sample).not.toContain('Boris');
    // What the page counts is what the server counts for the same rules.
    const rules = { all: [{ field: 'purchases.spentMinor', window: { days: 30 }, op: 'gt', value: 500_000 }, { field: 'consent', channel: 'email', purpose: 'marketing', op: 'eq', value: true }] };
    expect((await h.t.call({ method: 'POST', url: '/v1/segments/preview', payload: { rules } })).json().count).toBe(2);

    // A wrong value is refused in words beside its condition.
    await page.getByLabel(/^Amount/).fill('a lot');
    await expect.poll(() => page.locator('.condition-problems').first().textContent()).toContain('must be a number');
    await page.getByLabel(/^Amount/).fill('5000');
    await expect.poll(() => liveCount(page)).toBe('2');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Save the segment' }).click();
    await expect.poll(() => page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Name', { exact: true }).fill('Big spenders on e-mail');
    await page.getByRole('button', { name: 'Save the segment' }).click();
    await page.getByRole('heading', { level: 1, name: 'Big spenders on e-mail' }).waitFor();
    const saved = (await h.t.call({ method: 'GET', url: '/v1/segments' })).json().items[0];
    expect(saved).toMatchObject({ name: 'Big spenders on e-mail', rules });
    await h.t.services.segments.recomputes.idle();
    const server = (await h.t.call({ method: 'GET', url: `/v1/segments/${saved.id}` })).json();
    expect(server.memberCount).toBe(2);
    await expect.poll(() => page.getByTestId('member-count').textContent(), { timeout: 15_000 }).toBe(String(server.memberCount));
    await expect.poll(() => page.getByRole('table', { name: /Members of the segment/ }).textContent()).toContain('Eva');
    // The members as CSV, and the hashed audience for ad platforms.
    const [members] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download members (CSV)' }).click()]);
    const csv = fs.readFileSync((await members.path())!, 'utf8');
    expect(csv.split('\n')[0]).toBe('customer_id,entered_at,first_name,last_name,phone,email');
    expect(csv).toContain('anna@example.com');
    const [audience] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Audience for ad platforms/ }).click()]);
    expect(fs.readFileSync((await audience.path())!, 'utf8').split('\n')[0]).toBe('email_sha256,phone_sha256');
    await page.getByRole('tab', { name: 'Entries and exits' }).click();
    await expect.poll(async () => page.getByRole('table', { name: /Entries and exits/ }).getByText('entered').count()).toBe(2);

    // The list shows it with its size.
    await page.getByRole('link', { name: 'Segments', exact: true }).click();
    await expect.poll(() => page.getByRole('row', { name: /Big spenders on e-mail/ }).textContent()).toContain('2');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a saved segment opens in the builder with its rules; a NOT group of OR conditions narrows it; a marketer recomputes it with progress', async () => {
    const segment = (await h.t.call({ method: 'GET', url: '/v1/segments' })).json().items[0];
    const { page, context, problems } = await h.signIn('marketer', { path: `/segments/${segment.id}` });
    await expect.poll(() => liveCount(page)).toBe('2');
    expect(await page.getByLabel(/^Amount/).inputValue()).toBe('5000');

    // "… and not (first name is Anna or city is Kazan)": Anna leaves, Eva stays.
    await page.getByRole('button', { name: 'Add a group' }).click();
    const group = page.locator('.rule-group .rule-group');
    expect(await group.getByLabel('Match', { exact: true }).inputValue()).toBe('any');
    await group.getByRole('button', { name: 'Add a condition' }).click();
    await group.getByLabel('Value', { exact: true }).fill('Anna');
    await group.getByRole('button', { name: 'Add a condition' }).click();
    await group.locator('.condition').nth(1).getByLabel('Field', { exact: true }).selectOption('profile.city');
    await group.locator('.condition').nth(1).getByLabel('Value', { exact: true }).fill('Kazan');
    await expect.poll(() => page.locator('.segment-live').textContent()).toMatch(/1 customer(?!s).*Anna/);
    await group.getByLabel(/^Not: customers who do not match/).check();
    await expect.poll(() => page.locator('.segment-live').textContent()).toMatch(/1 customer(?!s).*Eva/);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Saved.');
    const rules = {
      all: [
        { field: 'purchases.spentMinor', window: { days: 30 }, op: 'gt', value: 500_000 },
        { field: 'consent', channel: 'email', purpose: 'marketing', op: 'eq', value: true },
        { not: { any: [{ field: 'profile.firstName', op: 'eq', value: 'Anna' }, { field: 'profile.city', op: 'eq', value: 'Kazan' }] } },
      ],
    };
    expect((await h.t.call({ method: 'GET', url: `/v1/segments/${segment.id}` })).json()).toMatchObject({ rules, version: 2 });
    await h.t.services.segments.recomputes.idle();
    await expect.poll(() => page.getByTestId('member-count').textContent(), { timeout: 15_000 }).toBe('1');
    expect((await h.t.call({ method: 'GET', url: `/v1/segments/${segment.id}` })).json().memberCount).toBe(1);

    await page.getByRole('button', { name: 'Recompute now' }).click();
    await page.getByRole('progressbar').or(page.getByText('0 entered, 0 left')).first().waitFor();
    await h.t.services.segments.recomputes.idle();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('0 entered, 0 left');
    await page.reload();
    await expect.poll(() => liveCount(page)).toBe('1');
    expect(await page.locator('.rule-group .rule-group').getByLabel(/^Not: customers who do not match/).isChecked()).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a marketer recomputes RFM with progress; an analyst sees the grid, groups and figures the API gives, in English and in Russian', async () => {
    const marketer = await h.signIn('marketer', { path: '/segments/rfm' });
    await expect.poll(() => marketer.page.getByRole('main').textContent()).toContain('No RFM run yet');
    await marketer.page.getByLabel('Window, days').fill('0');
    await marketer.page.getByRole('button', { name: 'Recompute RFM now' }).click();
    await expect.poll(() => marketer.page.locator('.field-error').count()).toBe(1);
    await marketer.page.getByLabel('Window, days').fill('365');
    await marketer.page.getByRole('button', { name: 'Recompute RFM now' }).click();
    await marketer.page.getByRole('progressbar').waitFor();
    await h.t.services.segments.rfm.idle();
    await expect.poll(() => marketer.page.getByTestId('rfm-scored').textContent(), { timeout: 15_000 }).toBe('11');
    expect(marketer.problems).toEqual([]);
    await marketer.context.close();
    const report = (await h.t.call({ method: 'GET', url: '/v1/analytics/rfm', role: 'analyst' })).json().report as {
      customers: number;
      grid: Array<{ recency: number; frequency: number; customers: number }>;
      groups: Array<{ group: string; customers: number }>;
    };
    expect(report.customers).toBeGreaterThan(0);

    const { page, context, problems } = await h.signIn('analyst', { path: '/segments/rfm' });
    await expect.poll(() => page.getByTestId('rfm-scored').textContent()).toBe(String(report.customers));
    for (const cell of report.grid.filter((c) => c.customers > 0)) {
      expect(await page.locator(`td[data-cell="${cell.recency}${cell.frequency}"] .cell-figure`).first().textContent()).toBe(`Customers: ${cell.customers}`);
    }
    for (const group of report.groups) {
      expect(await page.locator(`tr[data-group="${group.group}"] td.num`).first().textContent()).toBe(String(group.customers));
    }
    await page.locator('canvas').first().waitFor();
    expect(await page.getByRole('button', { name: 'Recompute RFM now' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Language').first().selectOption('ru');
    await page.getByRole('heading', { level: 2, name: 'Группы' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('Клиентов с оценкой');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a marketer starts a clustering run with progress and sees its clusters; the analyst reads them', async () => {
    const marketer = await h.signIn('marketer', { path: '/segments/clusters' });
    await expect.poll(() => marketer.page.getByRole('main').textContent()).toContain('No clustering yet');
    await marketer.page.getByLabel('Most clusters').fill('3');
    await marketer.page.getByRole('button', { name: 'Start clustering' }).click();
    await marketer.page.getByRole('progressbar').waitFor();
    await h.t.services.clusters.runs.idle();
    const report = (await h.t.call({ method: 'GET', url: '/v1/clusters' })).json() as { clusters: Array<{ cluster: number; size: number; description: string; unstable: boolean }> };
    expect(report.clusters.length).toBeGreaterThanOrEqual(2);
    await expect.poll(() => marketer.page.locator('tr[data-cluster]').count(), { timeout: 15_000 }).toBe(report.clusters.length);
    for (const cluster of report.clusters) {
      const row = await marketer.page.locator(`tr[data-cluster="${cluster.cluster}"]`).textContent();
      expect(row).toContain(cluster.description);
      expect(row).toContain(cluster.unstable ? 'unstable' : 'stable');
    }
    expect(await seriousViolations(marketer.page)).toEqual([]);
    expect(marketer.problems).toEqual([]);
    await marketer.context.close();

    const analyst = await h.signIn('analyst', { path: '/segments/clusters', locale: 'ru-RU' });
    await expect.poll(() => analyst.page.locator('tr[data-cluster]').count()).toBe(report.clusters.length);
    expect(await analyst.page.getByRole('button', { name: 'Запустить кластеризацию' }).count()).toBe(0);
    expect(await seriousViolations(analyst.page)).toEqual([]);
    expect(analyst.problems).toEqual([]);
    await analyst.context.close();
  });

  it('messages and topics: what happened to a message is chosen from a list, a topic named by its key', async () => {
    await h.t.call({ method: 'PUT', url: '/v1/messaging/topics/offers', payload: { name: { en: 'Offers' }, defaultSubscribed: true } });
    const anna = (await h.t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79164440001' })).json().id as string;
    expect((await h.t.call({ method: 'PUT', url: `/v1/customers/${anna}/topics`, payload: [{ topic: 'offers', subscribed: false }] })).statusCode).toBe(200);
    const { page, context, problems } = await h.signIn('marketer', { path: '/segments/new' });
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await page.getByLabel('Field', { exact: true }).selectOption('messages.count');
    // A new condition on messages starts as "opened, in the last 30 days".
    expect(await page.getByLabel('What happened', { exact: true }).inputValue()).toBe('opened');
    expect(await page.getByLabel('Days', { exact: true }).inputValue()).toBe('30');
    expect(await page.getByLabel('What happened', { exact: true }).locator('option').allTextContents()).toContain('clicked');
    expect(await page.getByLabel('Channel', { exact: true }).locator('option').allTextContents()).toEqual(['any channel', 'e-mail', 'SMS', 'push', 'Telegram']);
    await page.getByLabel('Condition', { exact: true }).selectOption('eq');
    await page.getByLabel('Value', { exact: true }).fill('0');
    // No one here was sent anything: all eleven opened none.
    await expect.poll(() => liveCount(page)).toBe('11');
    await page.getByRole('button', { name: 'Add a condition' }).click();
    const second = page.locator('.condition').nth(1);
    await second.getByLabel('Field', { exact: true }).selectOption('topic');
    await second.getByLabel('Topic key', { exact: true }).fill('offers');
    // Everyone but Anna, who left the topic.
    await expect.poll(() => liveCount(page)).toBe('10');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the builder, the list and a segment in Russian without serious accessibility problems; an analyst sees masked contacts and no save', async () => {
    const segment = (await h.t.call({ method: 'GET', url: '/v1/segments' })).json().items[0];
    const { page, context, problems } = await h.signIn('analyst', { path: `/segments/${segment.id}`, locale: 'ru-RU' });
    await expect.poll(() => page.locator('.live-count').textContent()).toBe('1 клиент');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Ваша роль может считать');
    expect(await page.getByRole('button', { name: 'Сохранить изменения' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Пересчитать сейчас' }).count()).toBe(0);
    await expect.poll(() => page.getByRole('table', { name: /Участники сегмента/ }).textContent()).toContain('***');
    expect(await page.getByRole('table', { name: /Участники сегмента/ }).textContent()).not.toContain('eva@example.com');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Сегменты', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Сегменты' }).waitFor();
    expect(await page.getByRole('link', { name: 'Новый сегмент' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
