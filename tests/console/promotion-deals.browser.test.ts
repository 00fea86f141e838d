import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The promotion kinds that name goods on both sides, made in the console: "buy two coffees,
 * get a croissant free" and a bundle at one price. What the form saves is what the API stores,
 * and the till's calculate gives the discount the marketer meant.
 */
let h: ConsoleHarness;
const people: Record<string, string> = {};
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });

beforeAll(async () => {
  h = await startConsole();
  const ok = async (request: Parameters<ConsoleHarness['t']['call']>[0], status = 200) => {
    const response = await h.t.call(request);
    expect(response.statusCode, response.body).toBe(status);
    return response.json();
  };
  await ok({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Tverskaya', timezone: 'Europe/Moscow' } });
  await ok({
    method: 'PUT',
    url: '/v1/products',
    payload: [
      { sku: 'beans', name: 'Coffee beans 1kg', categoryPath: ['drinks', 'coffee'], brand: 'Acme' },
      { sku: 'croissant', name: 'Croissant', categoryPath: ['bakery'] },
      { sku: 'mug', name: 'Mug', categoryPath: ['home'] },
    ],
  });
  people.anna = (await ok({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161230001', firstName: 'Anna' } }, 201)).id;
  people.boris = (await ok({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161230002', firstName: 'Boris' } }, 201)).id;
  await ok({ method: 'POST', url: '/v1/checkout/confirm', role: 'pos', payload: { storeId: 'msk-01', posReceiptId: 'R-1', lines: [{ sku: 'beans', qty: 2, price: 100000 }, { sku: 'croissant', qty: 1, price: 9000 }] } }, 201);
}, 120_000);
afterAll(async () => h?.close());

const calculate = async (lines: Array<{ sku: string; qty: number; price: number }>, customerId?: string) =>
  (await h.t.call({ method: 'POST', url: '/v1/checkout/calculate', role: 'pos', payload: { storeId: 'msk-01', lines, ...(customerId ? { customer: { customerId } } : {}) } })).json() as { discount: number };

describe('buy-X-get-Y and bundle promotions in the console', () => {
  it('a marketer makes "two coffees, a croissant free"; the till gives the croissant away', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/promotions/new' });
    await page.getByLabel('Name', { exact: true }).fill('Two coffees, a croissant free');
    await page.getByLabel('Benefit').selectOption('buy_x_get_y');
    const buys = page.getByRole('group', { name: 'What the customer buys' });
    await buys.getByLabel('Categories').fill('coffee');
    await buys.getByLabel('Quantity').fill('2');
    const gets = page.getByRole('group', { name: 'What the customer gets' });
    await gets.getByLabel('SKUs').fill('croissant');
    expect(await gets.getByLabel('Off the gift, % (100 = free)').inputValue()).toBe('100');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Show the cost (last 30 days)' }).click();
    await page.getByTestId('what-if-report').waitFor();
    await page.getByRole('button', { name: 'Save the promotion' }).click();
    await page.getByRole('heading', { level: 1, name: 'Promotion “Two coffees, a croissant free”' }).waitFor();
    const [stored] = (await h.t.call({ method: 'GET', url: '/v1/promotions' })).json().items;
    expect(stored.benefit).toEqual({ kind: 'buy_x_get_y', buy: { target: { categories: ['coffee'] }, qty: 2 }, get: { target: { skus: ['croissant'] }, qty: 1, percentBp: 10_000 } });
    expect((await calculate([{ sku: 'beans', qty: 2, price: 100000 }, { sku: 'croissant', qty: 1, price: 9000 }])).discount).toBe(9000);
    expect((await calculate([{ sku: 'beans', qty: 1, price: 100000 }, { sku: 'croissant', qty: 1, price: 9000 }])).discount).toBe(0);
    // Opened again, the form shows what was saved.
    await page.reload();
    await poll(() => page.getByRole('group', { name: 'What the customer buys' }).getByLabel('Categories').inputValue()).toBe('coffee');
    expect(await page.getByRole('group', { name: 'What the customer gets' }).getByLabel('SKUs').inputValue()).toBe('croissant');
    // Paused again, so the bundle below is priced on its own.
    await page.getByLabel('Status').selectOption('paused');
    await page.getByRole('button', { name: 'Show the cost (last 30 days)' }).click();
    await page.getByTestId('what-if-report').waitFor();
    await page.getByRole('button', { name: 'Save the promotion' }).click();
    await poll(() => page.url()).toContain('saved=');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a bundle of items at one price: items added and removed, a missing price said at its field until it is given', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/promotions/new', locale: 'ru-RU' });
    await page.getByLabel('Название', { exact: true }).fill('Кофе с кружкой');
    await page.getByLabel('Выгода').selectOption('bundle_price');
    await page.getByRole('group', { name: 'Товар 1' }).getByLabel('Артикулы').fill('beans');
    await page.getByRole('group', { name: 'Товар 2' }).getByLabel('Артикулы').fill('mug');
    await page.getByRole('button', { name: 'Добавить товар' }).click();
    await page.getByRole('group', { name: 'Товар 3' }).getByLabel('Артикулы').fill('croissant');
    await page.getByRole('button', { name: 'Убрать товар 3' }).click();
    await poll(() => page.getByRole('group', { name: 'Товар 3' }).count()).toBe(0);
    // No price yet: the server's words, and nothing stored.
    await page.getByRole('button', { name: /Показать цену/ }).click();
    await poll(() => page.getByLabel('Цена комплекта').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('.field.invalid', { has: page.getByLabel('Цена комплекта') }).locator('.field-error').textContent()).toBe('is required');
    expect((await h.t.call({ method: 'GET', url: '/v1/promotions' })).json().items).toHaveLength(1);
    await page.getByLabel('Цена комплекта').fill('1500');
    await page.getByRole('button', { name: /Показать цену/ }).click();
    await page.getByTestId('what-if-report').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: /Сохранить акцию/ }).click();
    await page.getByRole('heading', { level: 1, name: /Кофе с кружкой/ }).waitFor();
    const bundle = ((await h.t.call({ method: 'GET', url: '/v1/promotions' })).json().items as Array<{ name: string; benefit: unknown }>).find((p) => p.name === 'Кофе с кружкой');
    expect(bundle?.benefit).toEqual({ kind: 'bundle_price', items: [{ target: { skus: ['beans'] }, qty: 1 }, { target: { skus: ['mug'] }, qty: 1 }], priceMinor: 150_000 });
    // Beans at 1,000.00 and a mug at 700.00 for 1,500.00 together.
    expect((await calculate([{ sku: 'beans', qty: 1, price: 100000 }, { sku: 'mug', qty: 1, price: 70000 }])).discount).toBe(20_000);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a promotion for named customers: ids typed in, an unknown one refused at the field, only they get it', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/promotions/new' });
    await page.getByLabel('Name', { exact: true }).fill('Thank-you offer');
    await page.getByLabel('Percent off').first().fill('20');
    await page.getByLabel('SKUs').fill('mug');
    await page.getByLabel('Audience').selectOption('customers');
    const ids = page.getByLabel('Chosen customers');
    await ids.fill(`${people.anna}, cus_0190c0ffee00700080000000000000ab`);
    await page.getByRole('button', { name: 'Show the cost (last 30 days)' }).click();
    await page.getByTestId('what-if-report').waitFor();
    await page.getByRole('button', { name: 'Save the promotion' }).click();
    await poll(() => ids.getAttribute('aria-invalid')).toBe('true');
    expect(((await h.t.call({ method: 'GET', url: '/v1/promotions' })).json().items as Array<{ name: string }>).map((p) => p.name)).not.toContain('Thank-you offer');
    await ids.fill(people.anna!);
    await page.getByRole('button', { name: 'Show the cost (last 30 days)' }).click();
    await page.getByTestId('what-if-report').waitFor();
    await page.getByRole('button', { name: 'Save the promotion' }).click();
    await page.getByRole('heading', { level: 1, name: 'Promotion “Thank-you offer”' }).waitFor();
    const mug = [{ sku: 'mug', qty: 1, price: 70000 }];
    expect((await calculate(mug, people.anna)).discount).toBe(14_000);
    expect((await calculate(mug, people.boris)).discount).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
