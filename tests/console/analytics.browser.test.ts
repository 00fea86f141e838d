import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The dashboard and the analytics pages in Chromium, on a small history made through the API:
 * five customers buying at two stores over four months (anonymous receipts too), 10 % points
 * that expire a year on, and an NPS survey answered. Each page must show what its route
 * answers, draw its charts under the console's CSP, and pass axe in English and Russian.
 *
 * The server's clock is the real time, as the browser's is: the pages' presets ("the last 30
 * days") count days back from the browser's today.
 */
let h: ConsoleHarness;
const started = new Date();
const daysAgo = (days: number) => new Date(Date.UTC(started.getUTCFullYear(), started.getUTCMonth(), started.getUTCDate() - days, 10, 0, 0));
const ids: Record<string, string> = {};
let receiptNo = 0;

async function buy(days: number, store: string, price: number, who?: string, register = 'r1') {
  h.t.clock.set(daysAgo(days));
  const response = await h.t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: { storeId: store, registerId: register, posReceiptId: `rc-${++receiptNo}`, ...(who ? { customer: { customerId: ids[who] } } : {}), lines: [{ sku: 'SKU', qty: 1, price }] },
  });
  expect(response.statusCode, response.body).toBe(201);
}

beforeAll(async () => {
  h = await startConsole({ clock: new ManualClock(daysAgo(200)) });
  await h.t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Central', timezone: 'UTC' } });
  await h.t.call({ method: 'PUT', url: '/v1/stores/s2', payload: { name: 'Riverside', timezone: 'UTC' } });
  expect((await h.t.call({ method: 'PATCH', url: '/v1/program', payload: { pendingDays: 0, expiry: { kind: 'days', days: 365 } } })).statusCode).toBe(200);
  const rules = await h.t.call({
    method: 'PUT',
    url: '/v1/earning-rules',
    payload: { rules: [{ id: 'base', name: 'Base 10%', kind: 'percent', rateBp: 1000, conditions: {}, priority: 0, stacking: 'highest', active: true }] },
  });
  expect(rules.statusCode, rules.body).toBe(200);
  for (const [n, name] of ['A', 'B', 'C', 'D', 'E'].entries()) {
    const response = await h.t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916777${String(n).padStart(4, '0')}`, firstName: name } });
    ids[name] = response.json().id;
  }
  // Four months of purchases: cohorts of A and B (120 days ago), C (90), D (20); E buys nothing.
  await buy(120, 's1', 100_000, 'A');
  await buy(118, 's2', 250_000, 'B');
  await buy(90, 's1', 80_000, 'C');
  await buy(85, 's1', 120_000, 'A');
  await buy(60, 's2', 60_000, 'C');
  await buy(45, 's1', 90_000, 'B');
  await buy(40, 's2', 30_000);
  await buy(20, 's2', 150_000, 'D', 'r2');
  await buy(15, 's1', 200_000, 'A');
  await buy(10, 's1', 50_000);
  await buy(8, 's2', 70_000, 'C');
  await buy(3, 's1', 40_000, 'B', 'r2');
  h.t.clock.set(new Date(started.getTime() - 60_000));
  const survey = await h.t.call({
    method: 'POST',
    url: '/v1/surveys',
    payload: { kind: 'nps', status: 'open', title: { en: 'Rate us', ru: 'Оцените нас' }, questions: [{ type: 'nps', text: { en: 'Would you recommend us?', ru: 'Порекомендуете нас?' } }] },
  });
  expect(survey.statusCode, survey.body).toBe(201);
  for (const [who, score] of [['A', 10], ['B', 9], ['C', 4]] as const) {
    const answer = await h.t.call({ method: 'POST', url: `/v1/surveys/${survey.json().id}/responses`, payload: { customerId: ids[who], answers: { q1: score } } });
    expect(answer.statusCode, answer.body).toBe(201);
  }
  h.t.clock.set(started);
}, 120_000);
afterAll(async () => h?.close());

/** The browser's today and zone, as the pages' presets count them. */
async function browserDays(page: Page, back: number) {
  return page.evaluate((days) => {
    const now = new Date();
    const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    return { from: iso(new Date(now.getFullYear(), now.getMonth(), now.getDate() - days)), to: iso(now), timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
  }, back);
}

/** Formats as the console does (Intl in the browser), so the test compares the same words. */
const inBrowser = (page: Page, locale: string) => ({
  money: (minor: number) => page.evaluate(([m, l]) => new Intl.NumberFormat(l, { style: 'currency', currency: 'RUB', maximumFractionDigits: 2 }).format(m / 100), [minor, locale] as const),
  number: (value: number) => page.evaluate(([v, l]) => new Intl.NumberFormat(l).format(v), [value, locale] as const),
  percent: (share: number) => page.evaluate(([v, l]) => new Intl.NumberFormat(l, { style: 'percent', maximumFractionDigits: 1 }).format(v), [share, locale] as const),
});

const get = async (url: string) => {
  const response = await h.t.call({ method: 'GET', url, role: 'analyst' });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
/** Every chart on the page has drawn (none still says it is loading). */
const chartsDrawn = (page: Page, loading: string) => expect.poll(() => page.getByRole('main').textContent()).not.toContain(loading);
const figure = (page: Page, name: string) => page.getByRole('group', { name, exact: true }).textContent();

describe('the dashboard', () => {
  it("is an analyst's first page and shows the period's KPIs as the KPI route answers them", async () => {
    const { page, context, problems } = await h.signIn('analyst');
    await expect.poll(() => page.url()).toBe(`${h.base}/console/dashboard`);
    const nav = await page.getByRole('navigation').getByRole('link').allTextContents();
    expect(nav[0]).toBe('Dashboard');
    const analytics = ['Cohorts and LTV', 'Funnels', 'Customer lifetime value', 'Bonus economics', 'Surveys and NPS'];
    const at = nav.indexOf(analytics[0]!);
    expect(nav.slice(at, at + analytics.length)).toEqual(analytics);
    const period = await browserDays(page, 29);
    const kpis = await get(`/v1/analytics/kpis?from=${period.from}&to=${period.to}&timezone=${encodeURIComponent(period.timezone)}&compare=previous`);
    const now = kpis.overall.current;
    expect(now.receipts).toBe(5); // the history above: 20, 15, 10, 8 and 3 days ago
    const f = inBrowser(page, 'en-GB');
    await expect.poll(() => figure(page, 'Revenue')).toContain(await f.money(now.revenueMinor));
    expect(await figure(page, 'Receipts')).toContain(await f.number(now.receipts));
    expect(await figure(page, 'Average check')).toContain(await f.money(now.averageCheckMinor));
    expect(await figure(page, 'Active customers')).toContain(`${now.customers} of them new: ${now.newCustomers}`);
    expect(await figure(page, 'Recognition at the till')).toContain(await f.percent(now.recognitionRate));
    // The change against the period before, in words.
    const revenueChange = kpis.overall.change.previous.revenueMinor as number;
    expect(await figure(page, 'Revenue')).toContain(revenueChange > 0 ? 'up' : 'down');
    expect(await figure(page, 'Revenue')).toContain(await f.percent(Math.abs(revenueChange)));

    // Recognition by store: a bar chart and a table with the store names.
    const byStore = await get(`/v1/analytics/kpis?from=${period.from}&to=${period.to}&timezone=${encodeURIComponent(period.timezone)}&groupBy=store`);
    const table = page.getByRole('table', { name: 'Recognition rate by store' });
    for (const row of byStore.rows as Array<{ group: { store: string }; current: { tillReceipts: number; recognitionRate: number } }>) {
      const name = row.group.store === 's1' ? 'Central' : 'Riverside';
      await expect.poll(() => table.getByRole('row', { name: new RegExp(name) }).textContent()).toContain(await f.percent(row.current.recognitionRate));
    }
    await page.getByRole('img', { name: 'Recognition rate by store, a bar per store' }).locator('canvas').first().waitFor();

    // Points from the economics route, and NPS from the survey's report.
    const economics = await get(`/v1/analytics/economics?from=${period.from}&to=${period.to}&timezone=${encodeURIComponent(period.timezone)}`);
    await expect.poll(() => figure(page, 'Points outstanding')).toContain(await f.number(economics.points.outstandingAtEnd));
    expect(await figure(page, 'Points issued')).toContain(await f.number(economics.points.issued + economics.points.awarded));
    await expect.poll(() => figure(page, 'NPS')).toContain('33.3 ±'); // 2 promoters, 1 detractor of 3
    await chartsDrawn(page, 'Drawing the chart');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('changes the period and compares in words; a custom period refused by the browser is said in words', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/dashboard' });
    await page.getByLabel('Period').selectOption('last90');
    const period = await browserDays(page, 89);
    const kpis = await get(`/v1/analytics/kpis?from=${period.from}&to=${period.to}&timezone=${encodeURIComponent(period.timezone)}`);
    await expect.poll(() => figure(page, 'Receipts')).toContain(String(kpis.overall.current.receipts));
    await page.getByLabel('Period').selectOption('custom');
    await page.getByLabel('From', { exact: true }).fill(period.to);
    await page.getByLabel('To', { exact: true }).fill(period.from);
    await page.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Give both days, the first not after the last.');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('is not in the menu of support, whose role may not read analytics', async () => {
    const { page, context } = await h.signIn('support');
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).count()).toBe(0);
    await page.goto(`${h.base}/console/dashboard`);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('may not open this page');
    await context.close();
  });
});

describe('cohorts', () => {
  it('shows the cohorts the API gives as a heatmap and a table, and the LTV curves', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/cohorts' });
    const period = await page.evaluate(() => {
      const now = new Date();
      const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      return { from: iso(new Date(now.getFullYear(), now.getMonth() - 11, 1)), to: iso(now), timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    });
    const report = await get(`/v1/analytics/cohorts?from=${period.from}&to=${period.to}&timezone=${encodeURIComponent(period.timezone)}&unit=month`);
    expect(report.cohorts.map((c: { size: number }) => c.size).reduce((a: number, b: number) => a + b, 0)).toBe(4); // A, B, C, D
    const table = page.getByRole('table', { name: /Share of each cohort who bought/ });
    await table.waitFor();
    const f = inBrowser(page, 'en-GB');
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(report.cohorts.length);
    for (const [i, cohort] of (report.cohorts as Array<{ size: number; periods: Array<{ retention: number }> }>).entries()) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      expect(cells[0]).toBe(await f.number(cohort.size));
      expect(cells.slice(1, 1 + cohort.periods.length)).toEqual(await Promise.all(cohort.periods.map((p) => f.percent(p.retention))));
    }
    await page.getByRole('img', { name: /Retention heatmap/ }).locator('canvas').first().waitFor();
    await chartsDrawn(page, 'Drawing the chart');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('tab', { name: 'LTV curves' }).click();
    const ltv = page.getByRole('table', { name: /Revenue per customer of each cohort/ });
    const last = (report.average as Array<{ cumulativeRevenuePerCustomerMinor: number }>).at(-1)!;
    await expect.poll(() => ltv.locator('tfoot').textContent()).toContain(await f.money(last.cumulativeRevenuePerCustomerMinor));
    await chartsDrawn(page, 'Drawing the chart');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('the economics of the bonus system', () => {
  it('shows the liability and the liability by expiry month as the route answers', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/economics' });
    const period = await page.evaluate(() => {
      const now = new Date();
      const iso = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
      return { from: iso(new Date(now.getFullYear(), now.getMonth() - 11, 1)), to: iso(now), timezone: Intl.DateTimeFormat().resolvedOptions().timeZone };
    });
    const report = await get(`/v1/analytics/economics?from=${period.from}&to=${period.to}&timezone=${encodeURIComponent(period.timezone)}`);
    expect(report.liability.atEndMinor).toBeGreaterThan(0);
    const f = inBrowser(page, 'en-GB');
    await expect.poll(() => figure(page, 'Liability at the end')).toContain(await f.money(report.liability.atEndMinor));
    const table = page.getByRole('table', { name: 'Liability by expiry month' });
    expect(await table.locator('tbody tr').count()).toBe(report.liabilityByExpiryMonth.months.length);
    for (const month of report.liabilityByExpiryMonth.months as Array<{ points: number; valueMinor: number }>) {
      expect(await table.textContent()).toContain(await f.money(month.valueMinor));
    }
    await chartsDrawn(page, 'Drawing the chart');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('in Russian', () => {
  it('the dashboard, cohorts and economics speak Russian and pass axe', async () => {
    const { page, context, problems } = await h.signIn('analyst', { locale: 'ru-RU' });
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Обзор');
    await expect.poll(() => figure(page, 'Выручка')).toMatch(/₽|RUB/);
    await chartsDrawn(page, 'Рисуем график');
    expect(await seriousViolations(page)).toEqual([]);
    for (const [link, heading] of [['Когорты и LTV', 'Когорты'], ['Экономика бонусов', 'Экономика бонусной программы']] as const) {
      await page.getByRole('navigation').getByRole('link', { name: link }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
      await page.getByRole('table').first().waitFor();
      await chartsDrawn(page, 'Рисуем график');
      expect(await seriousViolations(page)).toEqual([]);
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('the first page stays small', () => {
  it('loads ECharts only on a page that draws a chart', async () => {
    const context = await h.browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('response', async (response) => {
      if (response.url().endsWith('.js')) scripts.push(await response.text().catch(() => ''));
    });
    await page.goto(`${h.base}/console/`);
    await page.getByLabel('Password').waitFor();
    const echarts = (body: string) => body.includes('zrender') || body.includes('echarts');
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.filter(echarts)).toEqual([]);
    await context.close();
    const signedIn = await h.signIn('support', { path: '/customers' });
    const customerScripts: string[] = [];
    signedIn.page.on('response', async (response) => {
      if (response.url().endsWith('.js')) customerScripts.push(await response.text().catch(() => ''));
    });
    await signedIn.page.reload();
    await signedIn.page.getByRole('heading', { level: 1 }).waitFor();
    expect(customerScripts.filter(echarts).length).toBe(0);
    await signedIn.context.close();
    const analyst = await h.signIn('analyst', { path: '/analytics/cohorts' });
    const chartScripts: string[] = [];
    analyst.page.on('response', async (response) => {
      if (response.url().endsWith('.js')) chartScripts.push(await response.text().catch(() => ''));
    });
    await analyst.page.reload();
    await analyst.page.locator('canvas').first().waitFor();
    expect(chartScripts.filter(echarts).length).toBeGreaterThan(0);
    await analyst.context.close();
  });
});
