import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The Program pages in Chromium: a marketer prices an earning rule with the what-if replay before
 * saving it and sees the simulator's answer change for the same receipt; the server's words stand
 * next to a wrong field; a promotion is created and its promo codes generated to the end.
 */
let h: ConsoleHarness;
let anna = '';

beforeAll(async () => {
  h = await startConsole();
  const ok = async (request: Parameters<ConsoleHarness['t']['call']>[0], status = 200) => {
    const response = await h.t.call(request);
    expect(response.statusCode, response.body).toBe(status);
    return response.json();
  };
  await ok({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Tverskaya', timezone: 'Europe/Moscow' } });
  await ok({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'beans', name: 'Coffee beans 1kg', categoryPath: ['drinks', 'coffee'], brand: 'Acme' }, { sku: 'bread', name: 'Rye bread', categoryPath: ['bakery'] }] });
  await ok({ method: 'PUT', url: '/v1/earning-rules', payload: { rules: [{ id: 'base', name: 'Base 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true }] } });
  anna = (await ok({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161234501', firstName: 'Anna' } }, 201)).id;
  // Receipts of the last days, for the what-if replay to price.
  for (let n = 1; n <= 3; n++) {
    await ok({ method: 'POST', url: '/v1/checkout/confirm', role: 'pos', payload: { storeId: 'msk-01', posReceiptId: `R-${n}`, customer: { customerId: anna }, lines: [{ sku: 'beans', qty: 1, price: 100000 }, { sku: 'bread', qty: 2, price: 5000 }] } }, 201);
  }
}, 120_000);
afterAll(async () => h?.close());

/** Picks Anna and the receipt (one kilo of beans at 1,000.00) in the simulator, calculates, and answers the points shown. */
async function simulate(page: Page): Promise<string> {
  await page.getByLabel('Find a customer').fill('+7916123450');
  await page.getByRole('button', { name: 'Choose Anna' }).click();
  await page.getByLabel('SKU (1)').fill('beans');
  await page.getByLabel('Quantity (1)').fill('1');
  await page.getByLabel('Price per unit (1)').fill('1000');
  await page.getByRole('button', { name: 'Calculate' }).click();
  await page.getByTestId('points-to-earn').waitFor();
  return (await page.getByTestId('points-to-earn').textContent()) ?? '';
}

describe('the program pages', () => {
  it('a marketer prices a new earning rule over the last 30 days, saves it, and sees the simulator give more for the same receipt', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/simulator' });
    await page.getByRole('heading', { level: 1, name: 'Checkout simulator' }).waitFor();
    expect(await simulate(page)).toBe('50');
    expect(await page.getByRole('table', { name: 'Points earned by each rule' }).textContent()).toContain('Base 5%');
    // The simulator confirmed nothing.
    expect((await h.t.call({ method: 'GET', url: `/v1/customers/${anna}/receipts` })).json().items).toHaveLength(3);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('navigation').getByRole('link', { name: 'Earning rules' }).click();
    await page.getByRole('link', { name: 'New rule' }).click();
    await page.getByLabel('Identifier').fill('coffee-x3');
    await page.getByLabel('Name').fill('Coffee ×3');
    await page.getByLabel('Kind').selectOption('multiplier');
    await page.getByLabel('Factor').fill('3');
    await page.getByLabel('Categories').fill('coffee');
    const save = page.getByRole('button', { name: 'Save the rule' });
    expect(await save.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Show the cost (last 30 days)' }).click();
    const report = page.getByTestId('what-if-report');
    await report.waitFor();
    const reportText = await report.textContent();
    expect(reportText).toContain('3 receipts replayed');
    // Three receipts of 1,000.00 of coffee at ×3 on 5%: 100 more points each.
    expect(reportText).toContain('+300 against what happened');
    expect(await page.getByRole('table', { name: 'By store' }).textContent()).toContain('msk-01');
    expect(await seriousViolations(page)).toEqual([]);
    await save.click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The rule “coffee-x3” is saved');
    expect(await page.getByRole('table').textContent()).toContain('Coffee ×3');
    const stored = (await h.t.call({ method: 'GET', url: '/v1/earning-rules/coffee-x3' })).json();
    expect(stored).toMatchObject({ kind: 'multiplier', factor: 3, conditions: { categories: ['coffee'] }, active: true });

    await page.getByRole('navigation').getByRole('link', { name: 'Checkout simulator' }).click();
    expect(await simulate(page)).toBe('150');
    expect(await page.getByRole('table', { name: 'Points earned by each rule' }).textContent()).toContain('Coffee ×3');

    // Turned off in the list, the rule no longer gives at the till.
    await page.getByRole('navigation').getByRole('link', { name: 'Earning rules' }).click();
    await page.getByRole('button', { name: 'Turn off “Coffee ×3”' }).click();
    await expect.poll(async () => (await h.t.call({ method: 'GET', url: '/v1/earning-rules/coffee-x3' })).json().active).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows the server's words next to a wrong field of a rule", async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/rules/new' });
    await page.getByLabel('Identifier').fill('broken');
    await page.getByLabel('Name').fill('No rate');
    await page.getByRole('button', { name: 'Show the cost (last 30 days)' }).click();
    const rate = page.locator('.field', { has: page.getByLabel('Rate, %') });
    await expect.poll(() => rate.locator('.field-error').textContent()).toMatch(/required for a percent rule/);
    expect(await page.getByLabel('Rate, %').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Rate, %').fill('abc');
    await page.getByRole('button', { name: 'Show the cost (last 30 days)' }).click();
    await expect.poll(() => rate.locator('.field-error').textContent()).toMatch(/integer|number/);
    expect((await h.t.call({ method: 'GET', url: '/v1/earning-rules' })).json().rules.map((r: { id: string }) => r.id)).not.toContain('broken');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lists each rule\'s conditions in words: channels and days named, money as money, in either language', async () => {
    const current = (await h.t.call({ method: 'GET', url: '/v1/earning-rules' })).json();
    const weekend = { id: 'weekend-big', name: 'Big weekend baskets', kind: 'per_receipt', points: 1, priority: 5, stacking: 'sum', active: true, conditions: { channels: ['online'], weekdays: [6, 7], timeFrom: '08:00', timeTo: '11:00', minReceiptTotal: 500_000 } };
    const saved = await h.t.call({ method: 'PUT', url: '/v1/earning-rules', payload: { rules: [...current.rules, weekend], version: current.version } });
    expect(saved.statusCode, saved.body).toBe(200);
    const { page, context, problems } = await h.signIn('analyst', { path: '/program/rules' });
    const row = page.getByRole('row', { name: /Big weekend baskets/ });
    await expect.poll(() => row.textContent()).toContain('1 point per receipt');
    // Money and dates are written with no-break spaces.
    expect((await row.textContent())!.replace(/\s/g, ' ')).toContain('channels: online; days: Sat, Sun; from 08:00 to 11:00; receipts from RUB 5,000.00');
    await page.getByLabel('Language').selectOption('ru');
    await expect.poll(() => row.textContent()).toContain('1 балл за чек');
    expect((await row.textContent())!.replace(/\s/g, ' ')).toContain('каналы: онлайн; дни: сб, вс; с 08:00 до 11:00; чек от 5 000,00 ₽');
    expect(problems).toEqual([]);
    await context.close();
    const back = (await h.t.call({ method: 'GET', url: '/v1/earning-rules' })).json();
    await h.t.call({ method: 'PUT', url: '/v1/earning-rules', payload: { rules: back.rules.filter((rule: { id: string }) => rule.id !== 'weekend-big'), version: back.version } });
  });

  it('a marketer creates a promotion after its cost and generates a batch of codes with a progress bar to done', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/promotions' });
    await page.getByText('No promotions yet').waitFor();
    await page.getByRole('link', { name: 'New promotion' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Coffee week −10%');
    await page.getByLabel('Percent off').first().fill('10');
    await page.getByLabel('Categories').fill('coffee');
    await page.getByLabel('Money budget').fill('50000');
    await page.getByLabel('Only with a promo code').check();
    await page.getByRole('button', { name: 'Show the cost (last 30 days)' }).click();
    await page.getByTestId('what-if-report').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save the promotion' }).click();
    await page.getByRole('heading', { level: 1, name: 'Promotion “Coffee week −10%”' }).waitFor();
    const [promotion] = (await h.t.call({ method: 'GET', url: '/v1/promotions' })).json().items;
    expect(promotion).toMatchObject({ name: 'Coffee week −10%', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 1000, target: { categories: ['coffee'] } }, limits: { budgetMinor: 5_000_000 } });

    await page.getByLabel('How many codes').fill('800');
    await page.getByLabel('Prefix', { exact: true }).fill('CW');
    await page.getByRole('button', { name: 'Generate codes' }).click();
    await page.getByRole('progressbar', { name: 'Making codes' }).waitFor();
    await expect.poll(() => page.getByRole('progressbar', { name: 'Making codes' }).getAttribute('aria-valuenow'), { timeout: 30_000 }).toBe('100');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('800 codes made.');
    const batches = (await h.t.call({ method: 'GET', url: `/v1/promo-codes/batches?promotionId=${promotion.id}` })).json().items;
    expect(batches).toMatchObject([{ count: 800, generated: 800, status: 'completed', prefix: 'CW' }]);
    const href = (await page.getByRole('link', { name: 'Export the codes (CSV)' }).getAttribute('href')) ?? 'missing';
    const exported = await page.evaluate(async (url) => (await fetch(url)).text(), href);
    expect(exported.trim().split('\n')).toHaveLength(801);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'All promotions' }).click();
    const row = page.getByRole('row', { name: /Coffee week/ });
    await expect.poll(() => row.textContent()).toContain('10% off');
    expect(await row.textContent()).toContain('50,000.00');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('has no serious accessibility violation on the program pages in Russian', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/rules', locale: 'ru-RU' });
    for (const [path, heading] of [
      ['/program/rules', 'Правила начисления'],
      ['/program/rules/base', 'Правило начисления «Base 5%»'],
      ['/program/promotions', 'Акции'],
      ['/program/promotions/new', 'Новая акция'],
      ['/program/simulator', 'Симулятор кассы'],
    ] as const) {
      await page.goto(`${h.base}/console${path}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      expect(await seriousViolations(page), path).toEqual([]);
    }
    await page.getByLabel('Найти клиента').fill('+7916123450');
    await page.getByRole('button', { name: 'Выбрать: Anna' }).click();
    await page.getByLabel('Артикул (1)').fill('beans');
    await page.getByLabel('Цена за единицу (1)').fill('1000');
    await page.getByRole('button', { name: 'Рассчитать' }).click();
    await page.getByTestId('points-to-earn').waitFor();
    expect(await page.getByRole('main').textContent()).toContain('Баллы по правилам');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
