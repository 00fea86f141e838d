import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The customer 360° page in Chromium against the real server: a support operator finds a
 * customer by phone and adjusts points, an analyst sees masked contacts and no actions, a
 * duplicate is merged and a customer erased through their dialogs.
 */
let h: ConsoleHarness;
// Pages load over the loopback on a busy machine: wait up to 10 s for what a page should show.
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });
const ids: Record<string, string> = {};

async function createCustomer(key: string, payload: Record<string, unknown>): Promise<void> {
  const answer = await h.t.call({ method: 'POST', url: '/v1/customers', payload });
  expect(answer.statusCode).toBe(201);
  ids[key] = answer.json().id;
}

beforeAll(async () => {
  h = await startConsole();
  await h.t.call({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Moscow, Tverskaya', region: 'Moscow', timezone: 'Europe/Moscow' } });
  await h.t.call({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'COF-1KG', name: 'Arabica 1 kg', categoryPath: ['grocery', 'coffee'], brand: 'Roastery' }] });
  await h.t.call({ method: 'PUT', url: '/v1/earning-rules', payload: { rules: [{ id: 'base', name: 'Base rate 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true }] } });
  await createCustomer('anna', {
    phone: '+79261234501',
    email: 'anna@example.com',
    cardNumber: '77700001',
    firstName: 'Anna',
    lastName: 'Petrova',
    tags: ['coffee'],
    consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', evidence: { operator: 'Maria K.' } }],
  });
  await createCustomer('duplicate', { cardNumber: '77700002', firstName: 'Anna', lastName: 'Duplicate' });
  await createCustomer('ivan', { phone: '+79261234503', firstName: 'Ivan', email: 'ivan@example.com' });
  const receipt = await h.t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    role: 'pos',
    payload: { storeId: 'msk-01', posReceiptId: 'R-1001', customer: { phone: '+79261234501' }, lines: [{ sku: 'COF-1KG', qty: 2, price: 149000 }] },
  });
  expect(receipt.statusCode).toBe(201);
  // The duplicate's points, to see them arrive with the merge.
  await h.t.call({ method: 'POST', url: `/v1/customers/${ids.duplicate}/points/adjustments`, payload: { points: 40, reason: 'Old card balance' } });
}, 90_000);
afterAll(async () => h?.close());

const main = (page: Page) => page.getByRole('main');

describe('the customer 360° page', () => {
  it('lets support find a customer by phone, adjust points with a reason and see the ledger line and the new balance', async () => {
    const { page, context, problems } = await h.signIn('support', { path: '/customers' });
    await page.getByLabel('Search').fill('+79261234501');
    await page.getByRole('link', { name: 'Anna Petrova' }).click();
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Anna Petrova');
    expect(page.url()).toContain(`/console/customers/${ids.anna}`);
    // The summary: contacts in full, the balance, the tier, the last purchase.
    const summary = await main(page).textContent();
    expect(summary).toContain('+79261234501');
    expect(summary).toContain('anna@example.com');
    expect(await page.getByRole('table', { name: 'Current consents by channel and purpose' }).textContent()).toContain('sms');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('tab', { name: 'Points' }).click();
    await poll(() => page.getByRole('table', { name: 'Every change to the balance, newest first' }).textContent()).toContain('Earned');
    await page.getByRole('button', { name: 'Adjust points' }).click();
    const dialog = page.getByRole('dialog', { name: 'Adjust points' });
    await dialog.getByLabel('Points', { exact: true }).fill('abc');
    await dialog.getByRole('button', { name: 'Adjust' }).click();
    await poll(() => dialog.textContent()).toContain('Write a whole number of points');
    // More than the balance: the server's words, nothing stored.
    await dialog.getByLabel('Points', { exact: true }).fill('-100000');
    await dialog.getByLabel('Reason').fill('Too much');
    await dialog.getByRole('button', { name: 'Adjust' }).click();
    await poll(() => dialog.getByRole('alert').textContent()).toContain('less than 100000');
    await dialog.getByLabel('Points', { exact: true }).fill('250');
    await dialog.getByLabel('Reason').fill('Lost receipt, ticket 42');
    await dialog.getByRole('button', { name: 'Adjust' }).click();
    await poll(() => page.getByRole('table', { name: 'Every change to the balance, newest first' }).textContent()).toContain('Lost receipt, ticket 42');
    const row = page.getByRole('row').filter({ hasText: 'Lost receipt, ticket 42' });
    expect(await row.textContent()).toContain('+250');
    // The server's ledger has the line, and the page shows the balance it answered.
    const ledger = (await h.t.call({ method: 'GET', url: `/v1/customers/${ids.anna}/ledger?limit=5` })).json();
    expect(ledger.items[0]).toMatchObject({ kind: 'adjust', available: 250, reason: 'Lost receipt, ticket 42' });
    const balance = (await h.t.call({ method: 'GET', url: `/v1/customers/${ids.anna}/balance` })).json();
    expect(balance.available).toBeGreaterThanOrEqual(250);
    await poll(() => page.getByTestId('balance').textContent()).toBe(new Intl.NumberFormat('en-GB').format(balance.available));
    expect(await page.getByRole('status').first().textContent()).toContain(`+250 points: the balance is now ${new Intl.NumberFormat('en-GB').format(balance.available)}`);
    expect(await seriousViolations(page)).toEqual([]);

    // A receipt's lines on demand.
    await page.getByRole('tab', { name: 'Receipts' }).click();
    await page.getByRole('button', { name: 'Lines of R-1001' }).click();
    await poll(() => page.getByRole('dialog').textContent()).toContain('Arabica 1 kg');
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');

    for (const tab of ['Messages and feedback', 'Offers and rewards']) {
      await page.getByRole('tab', { name: tab }).click();
      await poll(() => main(page).getByRole('status').count()).toBe(0);
      expect(await main(page).getByRole('alert').count()).toBe(0);
      expect(await seriousViolations(page)).toEqual([]);
    }
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows an analyst masked contacts and no actions', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: `/customers/${ids.anna}` });
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Anna Petrova');
    const text = await main(page).textContent();
    expect(text).not.toContain('+79261234501');
    expect(text).not.toContain('anna@example.com');
    expect(text).toMatch(/\+7926\*+01/);
    for (const name of ['Edit the profile', 'Merge a duplicate', 'Erase on request']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Points' }).click();
    // The tab is in the address: a reload opens it again.
    expect(page.url()).toContain('?tab=points');
    await page.reload();
    await poll(() => page.getByRole('table', { name: 'Every change to the balance, newest first' }).count()).toBe(1);
    expect(await page.getByRole('tab', { name: 'Points' }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByRole('button', { name: 'Adjust points' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('merges a duplicate through the dialog and stays on the survivor', async () => {
    const { page, context, problems } = await h.signIn('support', { path: `/customers/${ids.anna}` });
    // First a profile edit: a merge patch of what changed, the server's words for a wrong value.
    await page.getByRole('button', { name: 'Edit the profile' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit the profile' });
    await edit.getByLabel('E-mail').fill('not an e-mail');
    await edit.getByRole('button', { name: 'Save' }).click();
    await poll(() => edit.locator('.field-error, .alert').count()).toBeGreaterThan(0);
    await edit.getByLabel('E-mail').fill('anna@example.com');
    await edit.getByLabel('City').fill('Kazan');
    await edit.getByRole('button', { name: 'Save' }).click();
    await poll(() => page.getByRole('dialog').count()).toBe(0);
    await poll(() => main(page).textContent()).toContain('Kazan');
    expect((await h.t.call({ method: 'GET', url: `/v1/customers/${ids.anna}` })).json()).toMatchObject({ city: 'Kazan', email: 'anna@example.com' });

    await page.getByRole('button', { name: 'Merge a duplicate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge a duplicate into this customer' });
    await dialog.getByLabel('Find the duplicate').fill('77700002');
    await dialog.getByRole('button', { name: 'Find the duplicate' }).click();
    await dialog.getByRole('button', { name: 'Choose Anna Duplicate' }).click();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Merge Anna Duplicate into Anna Petrova' }).click();
    await poll(() => page.getByRole('table', { name: 'The customer’s phones, e-mails, cards and external ids' }).textContent()).toContain('77700002');
    expect(page.url()).toContain(`/console/customers/${ids.anna}`);
    // On the server: the duplicate's id leads to the survivor, which holds its card.
    const duplicate = (await h.t.call({ method: 'GET', url: `/v1/customers/${ids.duplicate}` })).json();
    expect(duplicate.id).toBe(ids.anna);
    // The duplicate's address shows the survivor under its own.
    await page.goto(`${h.base}/console/customers/${ids.duplicate}`);
    await poll(() => page.url()).toContain(`/console/customers/${ids.anna}`);
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Anna Petrova');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('erases a customer on request after the word is typed, in Russian', async () => {
    const { page, context, problems } = await h.signIn('support', { path: `/customers/${ids.ivan}`, locale: 'ru-RU' });
    await poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Ivan');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Удалить по запросу' }).click();
    const dialog = page.getByRole('dialog', { name: 'Удалить данные клиента' });
    expect(await dialog.textContent()).toContain('Отменить это нельзя');
    await dialog.getByLabel('Для подтверждения введите УДАЛИТЬ').fill('да');
    await dialog.getByRole('button', { name: 'Удалить навсегда' }).click();
    await poll(() => dialog.textContent()).toContain('Введите УДАЛИТЬ точно');
    expect((await h.t.call({ method: 'GET', url: `/v1/customers/${ids.ivan}` })).json().status).toBe('active');
    await dialog.getByLabel('Для подтверждения введите УДАЛИТЬ').fill('удалить');
    await dialog.getByRole('button', { name: 'Удалить навсегда' }).click();
    await poll(() => main(page).textContent()).toContain('Данные клиента удалены по его запросу');
    const erased = (await h.t.call({ method: 'GET', url: `/v1/customers/${ids.ivan}` })).json();
    expect(erased).toMatchObject({ status: 'erased', phone: null, email: null, firstName: null });
    expect(await main(page).textContent()).not.toContain('+79261234503');
    expect(await page.getByRole('button', { name: 'Удалить по запросу' }).count()).toBe(0);
    for (const tab of ['Баллы', 'Сообщения и обращения']) {
      await page.getByRole('tab', { name: tab }).click();
      expect(await seriousViolations(page)).toEqual([]);
    }
    expect(problems).toEqual([]);
    await context.close();
  });
});
