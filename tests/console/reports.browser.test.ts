import fs from 'node:fs';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * Scheduled reports and alerts in Chromium, on a history made through the API with the test
 * clock: three receipts a day at one store for four weeks, then one receipt yesterday — a drop
 * an alert rule on receipts must catch.
 */
let h: ConsoleHarness;
const started = new Date();
const daysAgo = (days: number, hour = 10) => new Date(Date.UTC(started.getUTCFullYear(), started.getUTCMonth(), started.getUTCDate() - days, hour, 0, 0));
const yesterday = daysAgo(1).toISOString().slice(0, 10);
let receiptNo = 0;

beforeAll(async () => {
  h = await startConsole({ clock: new ManualClock(daysAgo(40)) });
  await h.t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Central', timezone: 'UTC' } });
  const created = await h.t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79167770001' } });
  expect(created.statusCode, created.body).toBe(201);
  const customerId = created.json().id;
  for (let day = 29; day >= 1; day--) {
    for (let k = 0; k < (day === 1 ? 1 : 3); k++) {
      h.t.clock.set(daysAgo(day, 9 + k));
      const confirmed = await h.t.call({
        method: 'POST',
        url: '/v1/checkout/confirm',
        payload: { storeId: 's1', posReceiptId: `rc-${++receiptNo}`, customer: { customerId }, lines: [{ sku: 'SKU', qty: 1, price: 50_000 + k * 10_000 }] },
      });
      expect(confirmed.statusCode, confirmed.body).toBe(201);
    }
  }
  h.t.clock.set(started);
}, 180_000);
afterAll(async () => h?.close());

const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
  const response = await h.t.call({ method, url, role: 'analyst', ...(payload ? { payload } : {}) });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response;
};
const main = (page: Page) => page.getByRole('main');

describe('scheduled reports', () => {
  it('an analyst creates a report (the server’s words on a missing name), runs it now with progress, reads its figures and downloads its CSV', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/reports' });
    await expect.poll(() => main(page).textContent()).toContain('No scheduled reports yet');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'New report' }).click();
    const dialog = page.getByRole('dialog', { name: 'New scheduled report' });
    await dialog.getByRole('button', { name: 'Create the report' }).click();
    await expect.poll(async () => (await dialog.getByLabel('Name').getAttribute('aria-describedby')) ?? '').toContain('-error');
    expect(await dialog.locator('.field-error').textContent()).toBe('must not be empty');
    expect(await seriousViolations(page)).toEqual([]);

    await dialog.getByLabel('Name').fill('Weekly key figures');
    // A report's own settings are checked as its route checks them, and refused beside their field.
    await dialog.getByLabel('Report', { exact: true }).selectOption('funnels');
    await dialog.getByLabel('Within days of the first step').fill('0');
    await dialog.getByRole('button', { name: 'Create the report' }).click();
    await expect.poll(async () => (await dialog.getByLabel('Within days of the first step').getAttribute('aria-describedby')) ?? '').toContain('-error');
    expect(await dialog.locator('.field-error').textContent()).toBe('must be at least 1');
    expect((await api('GET', '/v1/reports')).json().items).toEqual([]);
    await dialog.getByLabel('Report', { exact: true }).selectOption('kpis');
    await dialog.getByLabel('Schedule').selectOption('weekly');
    await dialog.getByLabel('Compare with').selectOption('previous');
    await dialog.getByLabel('Time zone').fill('UTC');
    // Where it is e-mailed: the address the server refuses is named beside its reason.
    await dialog.getByLabel('E-mail to').fill('Analyst@Shop.example, not an address');
    await dialog.getByRole('button', { name: 'Create the report' }).click();
    await expect.poll(async () => (await dialog.getByLabel('E-mail to').getAttribute('aria-describedby')) ?? '').toContain('-error');
    expect(await dialog.locator('.field-error').textContent()).toBe('not an address: is not a valid e-mail address');
    expect((await api('GET', '/v1/reports')).json().items).toEqual([]);
    await dialog.getByLabel('E-mail to').fill('Analyst@Shop.example\nboss@shop.example');
    await dialog.getByRole('button', { name: 'Create the report' }).click();
    await page.getByRole('heading', { level: 1, name: 'Weekly key figures' }).waitFor();
    const stored = (await api('GET', '/v1/reports')).json().items;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ name: 'Weekly key figures', kind: 'kpis', schedule: 'weekly', timezone: 'UTC', query: { compare: 'previous' }, recipients: ['analyst@shop.example', 'boss@shop.example'] });
    expect(page.url()).toContain(`/console/analytics/reports/${stored[0].id}`);
    expect(await main(page).locator('dd').allTextContents()).toContain('analyst@shop.example, boss@shop.example');
    await expect.poll(() => main(page).textContent()).toContain('No runs yet');

    // The run is made while the request lasts; held back a little here so the bar can be seen.
    await page.route('**/v1/reports/*/runs', async (route) => {
      if (route.request().method() === 'POST') await new Promise((resolve) => setTimeout(resolve, 700));
      await route.continue();
    });
    await page.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('progressbar', { name: 'Running the report over its last complete period…' }).waitFor();
    await expect.poll(() => main(page).textContent()).toContain('The run is done');
    expect(await page.getByRole('progressbar').count()).toBe(0);

    const runs = (await api('GET', `/v1/reports/${stored[0].id}/runs`)).json().items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'request', status: 'completed' });
    const run = (await api('GET', `/v1/reports/${stored[0].id}/runs/${runs[0].id}`)).json();
    const revenue = run.result.overall.current.revenueMinor;
    expect(revenue).toBeGreaterThan(0);
    const money = await page.evaluate((m) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'RUB', maximumFractionDigits: 2 }).format(m / 100), revenue);
    const figures = page.getByRole('table', { name: 'Key figures of the run' });
    await expect.poll(() => figures.getByRole('row', { name: /^In total/ }).textContent()).toContain(money);
    expect(await figures.getByRole('row', { name: /^In total/ }).textContent()).toContain(String(run.result.overall.current.receipts));
    expect(await page.getByRole('table', { name: 'Runs of the report, newest first' }).textContent()).toContain('Run by hand');

    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(csv.suggestedFilename()).toBe(`report-${run.from}-${run.to}.csv`);
    const expected = (await api('GET', `/v1/reports/${stored[0].id}/runs/${runs[0].id}?format=csv`)).body;
    const file = fs.readFileSync((await csv.path())!, 'utf8');
    expect(file).toBe(expected);
    expect(file.split('\n')[0]).toMatch(/^revenue_minor,receipts,/);
    expect(file.split('\n')[1]).toMatch(new RegExp(`^${revenue},${run.result.overall.current.receipts},`));
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
    expect(JSON.parse(fs.readFileSync((await json.path())!, 'utf8'))).toMatchObject({ id: runs[0].id, result: { overall: { current: { revenueMinor: revenue } } } });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lists the report with its last run, changes its schedule, and deletes it after asking', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/reports' });
    const table = page.getByRole('table', { name: 'Scheduled reports' });
    const row = table.getByRole('row', { name: /Weekly key figures/ });
    await expect.poll(() => row.textContent()).toContain('Done');
    expect(await row.textContent()).toContain('Every Monday, for last week');
    expect(await row.textContent()).toContain('Key figures (KPIs) · compared with the period before');

    await page.getByRole('button', { name: 'Edit: Weekly key figures' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the report' });
    await edit.getByLabel('Schedule', { exact: true }).selectOption('monthly');
    await edit.getByRole('button', { name: 'Save' }).click();
    // The dialog sits in the row's cell, its schedule options and all: the row says the new schedule only once it has closed.
    await edit.waitFor({ state: 'detached' });
    await expect.poll(() => row.textContent()).toContain('On the 1st of each month, for last month');
    const [report] = (await api('GET', '/v1/reports')).json().items;
    expect(report).toMatchObject({ schedule: 'monthly', query: { compare: 'previous' } });

    await page.getByRole('button', { name: 'Delete: Weekly key figures' }).click();
    const ask = page.getByRole('dialog', { name: 'Delete the report?' });
    expect(await ask.textContent()).toContain('“Weekly key figures” and all its runs will be deleted');
    expect(await seriousViolations(page)).toEqual([]);
    await ask.getByRole('button', { name: 'Delete the report and its runs' }).click();
    await expect.poll(() => main(page).textContent()).toContain('No scheduled reports yet');
    expect((await h.t.call({ method: 'GET', url: `/v1/reports/${report.id}`, role: 'analyst' })).statusCode).toBe(404);
    expect(problems).toEqual([]);
    await context.close();
  });
  it('reads a cohort and a funnel run as tables of their figures', async () => {
    const cohorts = (await api('POST', '/v1/reports', { name: 'Monthly cohorts', kind: 'cohorts', schedule: 'monthly', timezone: 'UTC', query: { unit: 'week' } })).json();
    const funnel = (await api('POST', '/v1/reports', { name: 'Weekly funnel', kind: 'funnels', schedule: 'weekly', timezone: 'UTC', query: { steps: 'signup,purchase,purchase' } })).json();
    const cohortRun = (await api('POST', `/v1/reports/${cohorts.id}/runs`)).json();
    const funnelRun = (await api('POST', `/v1/reports/${funnel.id}/runs`)).json();
    const { page, context, problems } = await h.signIn('analyst', { path: `/analytics/reports/${cohorts.id}` });
    const retention = page.getByRole('table', { name: 'Retention of each cohort by period since its first purchase' });
    await expect.poll(() => retention.locator('tbody tr').count()).toBe(cohortRun.result.cohorts.length);
    expect(cohortRun.result.cohorts.length).toBeGreaterThan(0);
    expect(await retention.locator('tbody tr').first().textContent()).toContain(String(cohortRun.result.cohorts[0].size));
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${h.base}/console/analytics/reports/${funnel.id}`);
    const steps = page.getByRole('table', { name: 'Funnel steps: All customers' });
    await expect.poll(() => steps.locator('tbody tr').count()).toBe(3);
    const [first, second] = funnelRun.result.overall.steps;
    expect(await steps.locator('tbody tr').first().textContent()).toBe(`1. signup${first.customers}———`);
    expect(await steps.locator('tbody tr').nth(1).textContent()).toContain(`2. purchase${second.customers}`);
    expect(problems).toEqual([]);
    await context.close();
    await api('DELETE', `/v1/reports/${cohorts.id}`);
    await api('DELETE', `/v1/reports/${funnel.id}`);
  });

  it('says why a run failed, and offers no file of it', async () => {
    const report = (await api('POST', '/v1/reports', { name: 'Store figures', kind: 'kpis', schedule: 'daily', timezone: 'UTC', query: { groupBy: 'store' } })).json();
    // A run the schedule could not make, as runPeriod stores one (the newest id, so it is shown first).
    const runId = `rpr_${'f'.repeat(32)}`;
    await sql`insert into analytics_report_runs (id, report_id, period_from, period_to, trigger, status, result, csv, failure, created_at)
      values (${runId}, ${report.id}, ${yesterday}, ${yesterday}, 'schedule', 'failed', null, null, 'canceling statement due to statement timeout', ${new Date()})`.execute(h.t.database.db);
    const { page, context, problems } = await h.signIn('analyst', { path: `/analytics/reports/${report.id}` });
    await expect.poll(() => main(page).getByRole('alert').textContent()).toBe('This run failed: canceling statement due to statement timeout');
    expect(await page.getByRole('table', { name: 'Runs of the report, newest first' }).textContent()).toContain('On schedule');
    expect(await page.getByRole('table', { name: 'Runs of the report, newest first' }).textContent()).toContain('Failed');
    expect(await main(page).getByRole('button', { name: /Download/ }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
    await api('DELETE', `/v1/reports/${report.id}`);
  });
});

describe('alerts', () => {
  it('a rule on receipts catches the planted drop on “Check now”, and the alert shows in the list', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/alerts' });
    await expect.poll(() => main(page).textContent()).toContain('No alert rules yet');
    await expect.poll(() => main(page).textContent()).toContain('No alert has fired');

    await page.getByRole('button', { name: 'New rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New alert rule' });
    await dialog.getByLabel('Name').fill('Receipts fell');
    await dialog.getByLabel('Key figure').selectOption('receipts');
    await dialog.getByLabel('Fall that alerts, %').fill('100');
    await dialog.getByLabel('Time zone').fill('UTC');
    await dialog.getByRole('button', { name: 'Create the rule' }).click();
    // 100 % is a fraction of 1: the server's words beside the field.
    await expect.poll(async () => (await dialog.getByLabel('Fall that alerts, %').getAttribute('aria-describedby')) ?? '').toContain('-error');
    expect(await dialog.locator('.field-error').textContent()).toContain('1');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByLabel('Fall that alerts, %').fill('25');
    await dialog.getByRole('button', { name: 'Create the rule' }).click();
    const rules = page.getByRole('table', { name: 'Alert rules' });
    await expect.poll(() => rules.textContent()).toContain('Receipts fell');
    expect(await rules.textContent()).toContain('Falls more than 25% below the median of the 28 days before');
    const [rule] = (await api('GET', '/v1/alert-rules')).json().items;
    expect(rule).toMatchObject({ name: 'Receipts fell', kind: 'drop', kpi: 'receipts', groupBy: 'none', timezone: 'UTC', params: { threshold: 0.25, days: 28 } });

    await page.getByRole('button', { name: 'Check now: Receipts fell' }).click();
    const check = page.getByRole('dialog', { name: 'Check “Receipts fell” now' });
    await check.getByLabel('Day to judge').fill(daysAgo(5).toISOString().slice(0, 10));
    await check.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => check.getByRole('status').textContent()).toContain('Nothing unusual');
    expect(await check.getByRole('status').textContent()).toContain('in total: 3 against a median of 3 (alert below 2.25)');
    await check.getByLabel('Day to judge').fill(yesterday);
    await check.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => check.getByRole('status').textContent()).toContain('It fired 1 alert on');
    expect(await check.getByRole('status').textContent()).toContain('Receipts in total: 1 against a median of 3 (-66.7%)');
    expect(await seriousViolations(page)).toEqual([]);
    await check.getByRole('button', { name: 'Close' }).click();

    const fired = (await api('GET', '/v1/alerts')).json().items;
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ ruleId: rule.id, day: yesterday, kpi: 'receipts', value: 1 });
    const alerts = page.getByRole('table', { name: 'Fired alerts, newest first' });
    await expect.poll(() => alerts.locator('tbody tr').count()).toBe(1);
    const line = await alerts.locator('tbody tr').first().textContent();
    for (const words of ['Receipts, in total', 'below 2.25', '-66.7%', 'Receipts fell']) expect(line).toContain(words);
    // The list filtered by rule is read from the server, filtered there.
    await Promise.all([
      page.waitForResponse((response) => response.url().includes(`/v1/alerts?ruleId=${rule.id}`) && response.status() === 200),
      page.getByLabel('Rule', { exact: true }).selectOption({ label: 'Receipts fell' }),
    ]);
    await expect.poll(() => alerts.locator('tbody tr').count()).toBe(1);
    const day = await page.evaluate((iso) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' }).format(new Date(iso)), yesterday);
    expect(line).toContain(day);

    // Paused, the rule is no longer checked every day; its other settings stay as they were.
    await page.getByRole('button', { name: 'Edit: Receipts fell' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the alert rule' });
    expect(await edit.getByLabel('Fall that alerts, %').inputValue()).toBe('25');
    await edit.getByLabel('Checked every day').uncheck();
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => rules.getByRole('row', { name: /Receipts fell/ }).textContent()).toContain('Paused');
    expect((await api('GET', `/v1/alert-rules/${rule.id}`)).json()).toMatchObject({ active: false, params: { threshold: 0.25, days: 28 } });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('roles and languages', () => {
  it('a role that may read but not change analytics sees no button that changes anything', async () => {
    const report = (await api('POST', '/v1/reports', { name: 'Daily economics', kind: 'economics', schedule: 'daily', timezone: 'UTC' })).json();
    await api('POST', `/v1/reports/${report.id}/runs`);
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/reports' });
    // No built-in role reads analytics without changing them: the session is answered without analytics:write.
    await page.route('**/v1/console/session', async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      const response = await route.fetch();
      const session = await response.json();
      await route.fulfill({ response, json: { ...session, permissions: session.permissions.filter((p: string) => p !== 'analytics:write') } });
    });
    await page.reload();
    await expect.poll(() => page.getByRole('table', { name: 'Scheduled reports' }).textContent()).toContain('Daily economics');
    const changes = /New report|Edit|Delete|Run now|New rule|Check now/;
    expect(await main(page).getByRole('button', { name: changes }).count()).toBe(0);
    await page.getByRole('link', { name: 'Daily economics' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Bonus economics of the run' }).count()).toBe(1);
    expect(await main(page).getByRole('button', { name: changes }).count()).toBe(0);
    expect(await main(page).getByRole('button', { name: 'Download CSV' }).count()).toBe(1);
    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Alert rules' }).textContent()).toContain('Receipts fell');
    expect(await main(page).getByRole('button', { name: changes }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the pages in Russian', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/analytics/reports', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Отчёты по расписанию' }).waitFor();
    const row = page.getByRole('table', { name: 'Отчёты по расписанию' }).getByRole('row', { name: /Daily economics/ });
    await expect.poll(() => row.textContent()).toContain('Готов');
    expect(await row.textContent()).toContain('Каждый день — за вчера');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Daily economics' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Экономика бонусов за период запуска' }).textContent()).toContain('Начислено баллов за покупки');
    expect(await page.getByRole('button', { name: 'Запустить сейчас' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('navigation').getByRole('link', { name: 'Оповещения' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Правила оповещений' }).textContent()).toContain('Падает больше чем на 25');
    const alerts = page.getByRole('table', { name: 'Сработавшие оповещения, сначала новые' });
    await expect.poll(() => alerts.textContent()).toContain('Чеки, в целом');
    expect(await alerts.textContent()).toContain('Receipts fell');
    expect(await seriousViolations(page)).toEqual([]);
    // Deleted after asking, the rule takes the alerts it fired with it.
    await page.getByRole('button', { name: 'Удалить: Receipts fell' }).click();
    const ask = page.getByRole('dialog', { name: 'Удалить правило оповещения?' });
    expect(await ask.textContent()).toContain('«Receipts fell» и сработавшие по нему оповещения будут удалены');
    await ask.getByRole('button', { name: 'Удалить правило и оповещения' }).click();
    await expect.poll(() => main(page).textContent()).toContain('Правил оповещений пока нет');
    await expect.poll(() => main(page).textContent()).toContain('Оповещений ещё не было');
    expect((await api('GET', '/v1/alert-rules')).json().items).toEqual([]);
    expect((await api('GET', '/v1/alerts')).json().items).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
