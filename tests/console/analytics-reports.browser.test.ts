import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * Funnels, CLV and NPS in Chromium on a history made through the API: 30 customers signing up
 * a day apart, 121–150 days ago, each buying one to four times at varied amounts and intervals
 * (enough repeat buyers for the CLV models), and an NPS survey answered by ten of them.
 */
let h: ConsoleHarness;
const started = new Date();
const daysAgo = (days: number, hour = 10) => new Date(Date.UTC(started.getUTCFullYear(), started.getUTCMonth(), started.getUTCDate() - days, hour, 0, 0));
let receiptNo = 0;
let surveyId = '';

beforeAll(async () => {
  h = await startConsole({ clock: new ManualClock(daysAgo(200)) });
  await h.t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Central', timezone: 'UTC' } });
  const customers: string[] = [];
  for (let i = 0; i < 30; i++) {
    const signedUp = 150 - i;
    h.t.clock.set(daysAgo(signedUp, 9));
    const created = await h.t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916888${String(i).padStart(4, '0')}`, source: i % 3 === 0 ? 'app' : 'web' } });
    expect(created.statusCode, created.body).toBe(201);
    customers.push(created.json().id);
    const purchases = 1 + ((i * 7) % 4);
    let day = signedUp - 1 - (i % 3);
    for (let k = 0; k < purchases && day > 0; k++) {
      h.t.clock.set(daysAgo(day, 11));
      const confirmed = await h.t.call({
        method: 'POST',
        url: '/v1/checkout/confirm',
        payload: { storeId: 's1', posReceiptId: `rc-${++receiptNo}`, customer: { customerId: customers[i] }, lines: [{ sku: 'SKU', qty: 1, price: 40_000 + ((i * 7919) % 97) * 1_000 + k * 13_000 }] },
      });
      expect(confirmed.statusCode, confirmed.body).toBe(201);
      day -= 6 + ((i * 13 + k * 17) % 29);
    }
  }
  h.t.clock.set(daysAgo(5));
  const survey = await h.t.call({
    method: 'POST',
    url: '/v1/surveys',
    payload: { kind: 'nps', status: 'open', title: { en: 'After your purchase', ru: 'После покупки' }, questions: [{ type: 'nps', text: { en: 'Would you recommend us?', ru: 'Порекомендуете нас?' } }], targetRespondents: 50 },
  });
  surveyId = survey.json().id;
  for (let i = 0; i < 10; i++) {
    h.t.clock.set(daysAgo(40 - i * 4));
    const answer = await h.t.call({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { customerId: customers[i], answers: { q1: [10, 9, 3, 8, 10, 6, 9, 10, 7, 2][i] } } });
    expect(answer.statusCode, answer.body).toBe(201);
  }
  h.t.clock.set(started);
}, 180_000);
afterAll(async () => h?.close());

const get = async (url: string) => {
  const response = await h.t.call({ method: 'GET', url, role: 'analyst' });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const inBrowser = (page: Page, locale: string) => ({
  money: (minor: number) => page.evaluate(([m, l]) => new Intl.NumberFormat(l, { style: 'currency', currency: 'RUB', maximumFractionDigits: 2 }).format(m / 100), [minor, locale] as const),
  percent: (share: number) => page.evaluate(([v, l]) => new Intl.NumberFormat(l, { style: 'percent', maximumFractionDigits: 1 }).format(v), [share, locale] as const),
});
const chartsDrawn = (page: Page, loading: string) => expect.poll(() => page.getByRole('main').textContent()).not.toContain(loading);

describe('funnels', () => {
  it('follows sign-up to the first, second and third purchase as the route answers, and splits by source', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/funnels' });
    await page.getByLabel('Period').selectOption('last12Months');
    const period = await page.evaluate(() => {
      const now = new Date();
      const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      return { from: iso(new Date(now.getFullYear(), now.getMonth() - 11, 1)), to: iso(now), timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    });
    const report = await get(`/v1/analytics/funnels?from=${period.from}&to=${period.to}&timezone=${encodeURIComponent(period.timezone)}`);
    expect(report.overall.steps[0].customers).toBe(30);
    const table = page.getByRole('table', { name: 'Funnel steps: All customers' });
    const f = inBrowser(page, 'en-GB');
    for (const [i, name] of ['Sign-up', '1st purchase', '2nd purchase', '3rd purchase'].entries()) {
      const step = report.overall.steps[i];
      await expect.poll(() => table.getByRole('row', { name: new RegExp(`^${name}`) }).textContent()).toContain(String(step.customers));
      if (step.conversionFromFirst !== null) expect(await table.getByRole('row', { name: new RegExp(`^${name}`) }).textContent()).toContain(await f.percent(step.conversionFromFirst));
    }
    await chartsDrawn(page, 'Drawing the chart');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Split by').selectOption('source');
    await expect.poll(() => page.getByRole('table', { name: 'Funnel steps: app' }).count()).toBe(1);
    await page.getByLabel('Within days of signing up').fill('0');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    // The server's words beside the field they are about.
    await expect.poll(async () => (await page.getByLabel('Within days of signing up').getAttribute('aria-describedby')) ?? '').toContain('-error');
    expect(await page.getByRole('main').locator('.field-error').textContent()).toBe('must be at least 1');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('customer lifetime value', () => {
  it('says no fit exists yet, starts one with progress, and shows the report by tenths', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/clv' });
    await expect.poll(() => page.getByRole('main').textContent()).toContain('No fit yet');
    await page.getByLabel('Margin on spend, %').fill('30');
    await page.getByRole('button', { name: 'Start the fit' }).click();
    await page.getByRole('progressbar').waitFor();
    await expect.poll(() => page.getByRole('main').textContent(), { timeout: 60_000 }).toContain('The fit is done');
    const report = await get('/v1/analytics/clv');
    expect(report.run.params.marginPercent).toBe(30);
    const f = inBrowser(page, 'en-GB');
    await expect.poll(() => page.getByRole('group', { name: 'CLV of all customers' }).textContent()).toContain(await f.money(report.distribution.clvMinorTotal));
    const deciles = page.getByRole('table', { name: 'Customers in tenths by CLV' });
    expect(await deciles.locator('tbody tr').count()).toBe(report.distribution.deciles.length);
    expect(await deciles.locator('tbody tr').first().textContent()).toContain(await f.money(report.distribution.deciles[0].clvMinorTotal));
    await chartsDrawn(page, 'Drawing the chart');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('surveys and NPS', () => {
  it('shows the NPS with its margin and the trend as the report answers, in English and Russian', async () => {
    const report = await get(`/v1/surveys/${surveyId}/report?interval=month`);
    const nps = report.questions[0].nps;
    for (const locale of ['en-GB', 'ru-RU'] as const) {
      const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/surveys', locale });
      const one = (value: number) => page.evaluate(([v, l]) => new Intl.NumberFormat(l, { maximumFractionDigits: 1 }).format(v), [value, locale] as const);
      await expect.poll(() => page.getByRole('group', { name: 'NPS', exact: true }).textContent()).toContain(`${await one(nps.nps)} ± ${await one(nps.marginOfError)}`);
      const trend = page.getByRole('table', { name: locale === 'en-GB' ? 'NPS trend' : 'Тренд NPS' });
      expect(await trend.locator('tbody tr').count()).toBe(nps.trend.length);
      await chartsDrawn(page, locale === 'en-GB' ? 'Drawing the chart' : 'Рисуем график');
      expect(await seriousViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      await context.close();
    }
  });
});
