import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/** Program setup in the console: stores, custom customer attributes and the customer export. */
let h: ConsoleHarness;

beforeAll(async () => {
  h = await startConsole();
  await h.t.call({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Moscow, Tverskaya', timezone: 'Europe/Moscow' } });
  await h.t.call({ method: 'PUT', url: '/v1/customer-attributes/shoe_size', payload: { type: 'integer', label: 'Shoe size' } });
  for (const [phone, firstName, size] of [['+79161110001', 'Anna', 38], ['+79161110002', 'Boris', 44], ['+79161110003', 'Vera', null]] as const) {
    const made = await h.t.call({ method: 'POST', url: '/v1/customers', payload: { phone, firstName, email: `${firstName.toLowerCase()}@example.com`, ...(size ? { attributes: { shoe_size: size } } : {}) } });
    expect(made.statusCode).toBe(201);
  }
}, 90_000);
afterAll(async () => h?.close());

describe('stores', () => {
  it('an owner adds a store with its time zone, is told a taken code and a missing name in words, and edits it', async () => {
    const { page, context, problems } = await h.signIn('owner', { path: '/program/stores' });
    await page.getByRole('heading', { level: 1, name: 'Stores' }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Stores' }).textContent()).toContain('Moscow, Tverskaya');

    await page.getByRole('button', { name: 'Add a store' }).click();
    const dialog = page.getByRole('dialog', { name: 'A new store' });
    await dialog.getByLabel('Store code').fill('msk-01');
    await dialog.getByLabel('Name').fill('Somewhere else');
    await dialog.getByRole('button', { name: 'Add the store' }).click();
    await expect.poll(() => dialog.textContent()).toContain('A store with the code msk-01 exists already');
    await dialog.getByLabel('Store code').fill('ekb-01');
    await dialog.getByLabel('Name').fill('');
    await dialog.getByRole('button', { name: 'Add the store' }).click();
    // The server's words about the empty name, beside the field.
    await expect.poll(() => dialog.locator('.field-error').textContent()).toBe('must not be empty');
    await dialog.getByLabel('Name').fill('Yekaterinburg, Lenina');
    await dialog.getByLabel('Region').fill('Ural');
    await dialog.getByLabel('Time zone').selectOption('Asia/Yekaterinburg');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Add the store' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The store Yekaterinburg, Lenina is added.');
    expect((await h.t.call({ method: 'GET', url: '/v1/stores/ekb-01' })).json()).toEqual({ id: 'ekb-01', name: 'Yekaterinburg, Lenina', region: 'Ural', timezone: 'Asia/Yekaterinburg', active: true });
    // The msk-01 store was not touched by the refused attempt.
    expect((await h.t.call({ method: 'GET', url: '/v1/stores/msk-01' })).json()).toMatchObject({ name: 'Moscow, Tverskaya' });

    const row = page.getByRole('row', { name: /ekb-01/ });
    await expect.poll(() => row.textContent()).toContain('Asia/Yekaterinburg');
    await page.getByRole('button', { name: 'Edit Yekaterinburg, Lenina' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the store Yekaterinburg, Lenina' });
    expect(await edit.getByLabel('Time zone').inputValue()).toBe('Asia/Yekaterinburg');
    expect(await edit.getByLabel('Time zone').locator('option:checked').textContent()).toBe('Asia/Yekaterinburg (GMT+5)');
    await edit.getByLabel('Name').fill('Yekaterinburg, Malysheva');
    await edit.getByLabel('Time zone').selectOption('Asia/Omsk');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The store Yekaterinburg, Malysheva is saved.');
    expect((await h.t.call({ method: 'GET', url: '/v1/stores/ekb-01' })).json()).toEqual({ id: 'ekb-01', name: 'Yekaterinburg, Malysheva', region: 'Ural', timezone: 'Asia/Omsk', active: true });

    await page.getByRole('button', { name: 'Close Yekaterinburg, Malysheva' }).click();
    await expect.poll(() => row.textContent()).toContain('Closed');
    expect((await h.t.call({ method: 'GET', url: '/v1/stores/ekb-01' })).json()).toMatchObject({ active: false, timezone: 'Asia/Omsk' });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('pages the stores on the server: a hundred first, then "Show more"', async () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ id: `zz-${String(i).padStart(3, '0')}`, name: `Outlet ${i}`, timezone: 'Europe/Samara' }));
    expect((await h.t.call({ method: 'PUT', url: '/v1/stores', payload: many })).statusCode).toBe(200);
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/stores' });
    const table = page.getByRole('table', { name: 'Stores' });
    await expect.poll(() => table.getByRole('row').count()).toBe(101);
    expect(await page.getByRole('main').textContent()).toContain('100 shown');
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect.poll(() => table.getByRole('row').count()).toBe(1 + 122);
    expect(await page.getByRole('button', { name: 'Show more' }).count()).toBe(0);
    expect(await table.getByRole('row', { name: /zz-119/ }).textContent()).toContain('Europe/Samara');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('support sees the stores without add, edit or close, and no customer export', async () => {
    const { page, context, problems } = await h.signIn('support', { path: '/program/stores' });
    await expect.poll(() => page.getByRole('table', { name: 'Stores' }).textContent()).toContain('Moscow, Tverskaya');
    expect(await page.getByRole('button', { name: 'Add a store' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Edit|Close|Reopen) / }).count()).toBe(0);
    expect(await page.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);
    const menu = page.getByRole('navigation');
    expect(await menu.getByRole('link', { name: 'Stores' }).count()).toBe(1);
    expect(await menu.getByRole('link', { name: 'Export customers' }).count()).toBe(0);
    await page.goto(`${h.base}/console/customers`);
    await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
    expect(await page.getByRole('main').getByRole('link', { name: 'Export to CSV' }).count()).toBe(0);
    await page.goto(`${h.base}/console/customers/export`);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('may not open this page');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('customer attributes', () => {
  it('a marketer defines an attribute, sees it listed, reads the server’s words on a bad one and changes its label', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/attributes' });
    await page.getByRole('heading', { level: 1, name: 'Customer attributes' }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Declared customer attributes' }).textContent()).toContain('shoe_size');
    expect(await page.getByRole('main').textContent()).toContain('Segment conditions select customers by them');

    await page.getByRole('button', { name: 'Define an attribute' }).click();
    const dialog = page.getByRole('dialog', { name: 'A new attribute' });
    await dialog.getByLabel('Key').fill('Pet Kind');
    await dialog.getByLabel('Label').fill('Pet');
    await dialog.getByRole('button', { name: 'Define the attribute' }).click();
    // The key's pattern, as the server words it.
    await expect.poll(() => dialog.getByRole('alert').or(dialog.locator('.field-error')).first().textContent()).toMatch(/lowercase letters/);
    await dialog.getByLabel('Key').fill('shoe_size');
    await dialog.getByRole('button', { name: 'Define the attribute' }).click();
    await expect.poll(() => dialog.locator('.field-error').textContent()).toContain('The attribute shoe_size exists already');
    expect((await h.t.call({ method: 'GET', url: '/v1/customer-attributes/shoe_size' })).json()).toMatchObject({ type: 'integer', label: 'Shoe size' });
    await dialog.getByLabel('Key').fill('pet');
    await dialog.getByLabel('Type').selectOption('enum');
    await dialog.getByRole('button', { name: 'Define the attribute' }).click();
    await expect.poll(() => dialog.locator('.field-error').textContent()).toMatch(/at least 1 item|required for type enum/);
    expect((await h.t.call({ method: 'GET', url: '/v1/customer-attributes/pet' })).statusCode).toBe(404);
    await dialog.getByLabel('Allowed values').fill('cat\ndog\n\nparrot');
    await dialog.getByLabel(/Personal data/).check();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Define the attribute' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The attribute pet is declared');
    const row = page.getByRole('row', { name: /^pet / });
    await expect.poll(() => row.textContent()).toContain('One of a list');
    expect(await row.textContent()).toContain('parrot');
    expect((await h.t.call({ method: 'GET', url: '/v1/customer-attributes/pet' })).json()).toEqual({ key: 'pet', type: 'enum', label: 'Pet', options: ['cat', 'dog', 'parrot'], personal: true });

    await page.getByRole('button', { name: 'Change pet' }).click();
    const edit = page.getByRole('dialog', { name: 'The attribute pet' });
    expect(await edit.getByLabel('Type').isDisabled()).toBe(true);
    await edit.getByLabel('Label').fill('Pet at home');
    await edit.getByLabel('Allowed values').fill('cat\ndog');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The attribute pet is saved.');
    expect((await h.t.call({ method: 'GET', url: '/v1/customer-attributes/pet' })).json()).toMatchObject({ label: 'Pet at home', options: ['cat', 'dog'] });
    await expect.poll(() => row.textContent()).toContain('Pet at home');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('is in Russian, and an analyst reads the attributes without changing them', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/program/attributes', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Атрибуты клиентов' }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Объявленные атрибуты клиентов' }).textContent()).toContain('Целое число');
    expect(await page.getByRole('button', { name: 'Объявить атрибут' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('navigation').getByRole('link', { name: 'Магазины' }).click();
    await page.getByRole('heading', { level: 1, name: 'Магазины' }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Магазины' }).textContent()).toContain('Открыт');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('customer export', () => {
  it('a marketer downloads every active customer as CSV and is told how many and how large', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/customers' });
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Export customers' }).count()).toBe(1);
    // The customers list leads there too.
    await page.getByRole('main').getByRole('link', { name: 'Export to CSV' }).click();
    await page.getByRole('heading', { level: 1, name: 'Export customers' }).waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('attr.<key> — a column per custom attribute: pet, shoe_size');
    expect(await page.getByRole('main').textContent()).toContain('Analysts get phones, e-mails and cards masked');
    expect(await seriousViolations(page)).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download the CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^customers-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(lines[0]).toContain('id,phone,email,card_number');
    expect(lines[0]).toContain('attr.pet,attr.shoe_size');
    expect(lines).toHaveLength(4);
    const anna = lines.find((line) => line.includes('Anna'))!;
    expect(anna).toContain('+79161110001,anna@example.com');
    expect(anna).toMatch(/,38(,|$)/);
    await expect.poll(() => page.getByRole('status').last().textContent()).toMatch(/Done: 3 customers in [\d.]+ kB/);
    expect(await page.getByRole('link', { name: 'Save the file again' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('an analyst is told contacts are masked, and the file has them masked; in Russian', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/customers/export', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Выгрузка клиентов' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('Вашей роли контакты видны скрытыми');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Скачать CSV' }).click()]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).toContain('Anna');
    expect(text).not.toContain('+79161110001');
    expect(text).not.toContain('anna@example.com');
    await expect.poll(() => page.getByRole('status').last().textContent()).toMatch(/Готово: 3 клиента/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
