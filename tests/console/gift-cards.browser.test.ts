import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/** The console's gift-card pages in Chromium: batches to print, one card sold, adjusted and blocked, by role. */
let h: ConsoleHarness;
let customerId: string;

type Card = { id: string; code: string; status: string; balanceMinor: number; blockReason: string | null };
type Entry = { kind: string; amountMinor: number; balanceAfterMinor: number; reason: string | null };

async function issueCard(payload: Record<string, unknown>): Promise<Card> {
  const answer = await h.t.call({ method: 'POST', url: '/v1/gift-cards', payload });
  expect(answer.statusCode).toBe(201);
  return answer.json();
}
const cardOf = async (ref: string): Promise<Card> => (await h.t.call({ method: 'GET', url: `/v1/gift-cards/${ref}` })).json();
const entriesOf = async (ref: string): Promise<Entry[]> => (await h.t.call({ method: 'GET', url: `/v1/gift-cards/${ref}/entries` })).json().items;

beforeAll(async () => {
  h = await startConsole();
  customerId = (await h.t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161230077', firstName: 'Vera' } })).json().id;
}, 90_000);
afterAll(async () => h?.close());

describe('the gift-card pages', () => {
  it('a marketer makes a batch, follows it to done, downloads its codes and pages through its cards', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/settings' });
    await page.getByRole('navigation').getByRole('link', { name: 'Gift cards' }).click();
    await page.getByRole('heading', { level: 1, name: 'Gift cards' }).waitFor();
    await page.getByText('No gift cards yet').waitFor();
    await page.getByRole('link', { name: 'Batches' }).click();
    await page.getByText('No batches yet').waitFor();

    await page.getByLabel('How many cards').fill('0');
    await page.getByRole('button', { name: 'Make the cards' }).click();
    await expect.poll(() => page.locator('.field.invalid').textContent()).toBe('How many cardsmust be at least 1');
    expect((await h.t.call({ method: 'GET', url: '/v1/gift-cards/batches' })).json().items).toEqual([]);

    await page.getByLabel('How many cards').fill('120');
    await page.getByLabel('Value of each card').fill('1 000');
    await page.getByLabel('Prefix', { exact: true }).fill('XM');
    await page.getByRole('button', { name: 'Make the cards' }).click();
    await page.getByRole('progressbar', { name: 'Making cards' }).waitFor();
    await expect.poll(() => page.getByRole('progressbar', { name: 'Making cards' }).getAttribute('aria-valuenow'), { timeout: 30_000 }).toBe('100');
    await expect.poll(() => page.getByRole('main').textContent()).toContain('120 cards made.');
    const [batch] = (await h.t.call({ method: 'GET', url: '/v1/gift-cards/batches' })).json().items;
    expect(batch).toMatchObject({ count: 120, generated: 120, status: 'completed', prefix: 'XM', amountMinor: 100_000, validDays: 365 });
    await expect.poll(() => page.getByRole('table', { name: 'Batches, newest first' }).textContent()).toContain('Completed');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export the codes (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe(`gift-cards-${batch.id}.csv`);
    const lines = (await readFile((await download.path())!, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(121);
    expect(lines[0]).toBe('code,id,amount_minor,currency,expires_at,valid_days');
    expect(lines[1]).toMatch(/^XM[\w-]+,gcd_\w+,100000,RUB,,365$/);
    expect(await seriousViolations(page)).toEqual([]);

    // The batch's cards, 50 at a time from the server.
    await page.getByRole('link', { name: `Show the cards of batch ${batch.id}` }).click();
    await page.getByText(`Only batch ${batch.id}`).waitFor();
    const table = page.getByRole('table', { name: 'Gift cards, newest first' });
    await expect.poll(() => table.locator('tbody tr').count()).toBe(50);
    expect(await table.locator('tbody tr').first().textContent()).toMatch(/^\*{12}\w{4}Issued, not sold.*1,000\.00/);
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(100);
    await page.getByLabel('Status').selectOption('active');
    await page.getByText('No card matches').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a marketer issues a card and sees its code once; support finds it by that code and sells it', async () => {
    const marketer = await h.signIn('marketer', { path: '/program/gift-cards' });
    await marketer.page.getByRole('button', { name: 'Issue a card' }).click();
    const dialog = marketer.page.getByRole('dialog', { name: 'Issue a gift card' });
    await dialog.getByLabel('Value').fill('three thousand');
    await dialog.getByRole('button', { name: 'Issue the card' }).click();
    await expect.poll(() => dialog.locator('.field-error').textContent()).toContain('must be a whole number of minor units');
    await dialog.getByLabel('Value').fill('3000');
    await dialog.getByLabel('Valid for, days').fill('180');
    await dialog.getByLabel('Given to (optional)').fill('+7916123');
    await dialog.getByRole('button', { name: /Vera/ }).click();
    await dialog.getByText('Chosen: Vera').waitFor();
    expect(await seriousViolations(marketer.page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Issue the card' }).click();
    const code = (await marketer.page.getByTestId('issued-code').textContent()) ?? '';
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{16}$/);
    expect(await cardOf(code)).toMatchObject({ status: 'issued', balanceMinor: 300_000, validDays: 180, customerId });
    await expect.poll(() => marketer.page.getByRole('table').textContent()).toContain(code.slice(-4));
    expect(await marketer.page.getByRole('link', { name: `Customer ${customerId}` }).getAttribute('href')).toBe(`/console/customers/${customerId}`);
    // A marketer issues cards but does not sell or change them.
    await marketer.page.getByRole('link', { name: 'Open the card' }).click();
    await marketer.page.getByRole('heading', { level: 1, name: `Gift card …${code.slice(-4)}` }).waitFor();
    expect(await marketer.page.getByRole('group', { name: 'Actions' }).count()).toBe(0);
    expect(await marketer.page.getByRole('link', { name: 'Open the customer' }).getAttribute('href')).toBe(`/console/customers/${customerId}`);
    expect(marketer.problems).toEqual([]);
    await marketer.context.close();

    const { page, context, problems } = await h.signIn('support', { path: '/program/gift-cards' });
    expect(await page.getByRole('button', { name: 'Issue a card' }).count()).toBe(0);
    await page.getByLabel('Find a card by its code').fill('NOSUCHCARD222222');
    await page.getByRole('button', { name: 'Open' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('check the code as printed on the card');
    await page.getByLabel('Find a card by its code').fill(`${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}-${code.slice(12)}`.toLowerCase());
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('heading', { level: 1, name: `Gift card …${code.slice(-4)}` }).waitFor();
    expect(page.url()).not.toContain(code);
    await page.getByRole('button', { name: 'Activate (sell)' }).click();
    const activate = page.getByRole('dialog', { name: 'Activate (sell) the card' });
    await activate.getByLabel('Money to load').fill('500');
    await activate.getByRole('button', { name: 'Activate' }).click();
    await page.getByText('The card is active.').waitFor();
    await expect.poll(() => page.getByTestId('gc-balance').textContent()).toContain('3,500.00');
    const ledger = page.getByRole('table', { name: 'Every change of the card’s balance, newest first' });
    await expect.poll(() => ledger.locator('tbody tr').count()).toBe(2);
    expect(await ledger.locator('tbody tr').first().textContent()).toContain('Sold and loaded');
    expect(await cardOf(code)).toMatchObject({ status: 'active', balanceMinor: 350_000 });
    expect((await entriesOf(code)).map((e) => [e.kind, e.amountMinor])).toEqual([['activate', 50_000], ['issue', 300_000]]);
    expect(await page.getByRole('button', { name: 'Activate (sell)' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('support takes money off a card with a reason and blocks it: the ledger line and the block are stored', async () => {
    const card = await issueCard({ amountMinor: 200_000, activate: true, validDays: 365 });
    const { page, context, problems } = await h.signIn('support', { path: `/program/gift-cards/${card.id}` });
    await page.getByRole('heading', { level: 1, name: `Gift card …${card.code.slice(-4)}` }).waitFor();
    await page.getByRole('button', { name: 'Change the balance' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change the balance by hand' });
    await dialog.getByLabel('Take money off the card').check();
    await dialog.getByLabel('Amount').fill('5000');
    await dialog.getByLabel('Reason').fill('Till 3 loaded twice');
    await dialog.getByRole('button', { name: /^Take .*5,000\.00 off the card$/ }).click();
    await expect.poll(() => dialog.locator('.field-error').textContent()).toContain('must be at least -200000');
    await dialog.getByLabel('Amount').fill('500');
    await dialog.getByLabel('Reason').fill('');
    await dialog.getByRole('button', { name: /^Take .*500\.00 off the card$/ }).click();
    await expect.poll(() => dialog.locator('.field-error').textContent()).toBe('must not be empty');
    await dialog.getByLabel('Reason').fill('Till 3 loaded twice');
    await dialog.getByRole('button', { name: /^Take .*500\.00 off the card$/ }).click();
    await page.getByText('The balance is changed.').waitFor();
    await expect.poll(() => page.getByTestId('gc-balance').textContent()).toContain('1,500.00');
    const ledger = page.getByRole('table', { name: 'Every change of the card’s balance, newest first' });
    await expect.poll(() => ledger.locator('tbody tr').first().textContent()).toMatch(/By hand.*-.*500\.00.*1,500\.00.*Till 3 loaded twice/);
    const [adjusted] = await entriesOf(card.id);
    expect(adjusted).toMatchObject({ kind: 'adjust', amountMinor: -50_000, balanceAfterMinor: 150_000, reason: 'Till 3 loaded twice' });

    await page.getByRole('button', { name: 'Block', exact: true }).click();
    const block = page.getByRole('dialog', { name: 'Block the card' });
    await block.getByLabel('Reason').fill('Lost, reported by phone');
    expect(await seriousViolations(page)).toEqual([]);
    await block.getByRole('button', { name: 'Block the card' }).click();
    await page.getByText('The card is blocked.').waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Lost, reported by phone');
    expect(await cardOf(card.id)).toMatchObject({ status: 'blocked', balanceMinor: 150_000, blockReason: 'Lost, reported by phone' });
    expect(await page.getByRole('button', { name: 'Block', exact: true }).count()).toBe(0);
    await page.getByRole('button', { name: 'Unblock' }).click();
    await page.getByRole('dialog', { name: 'Unblock the card' }).getByRole('button', { name: 'Unblock' }).click();
    await page.getByText('The card is unblocked.').waitFor();
    expect(await cardOf(card.id)).toMatchObject({ status: 'active' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an analyst reads cards, ledgers and batches but gets no button that changes them', async () => {
    const card = await issueCard({ amountMinor: 100_000 });
    const { page, context, problems } = await h.signIn('analyst', { path: '/program/gift-cards' });
    await page.getByRole('heading', { level: 1, name: 'Gift cards' }).waitFor();
    await expect.poll(() => page.getByRole('table').textContent()).toContain(card.code.slice(-4));
    expect(await page.getByRole('button', { name: 'Issue a card' }).count()).toBe(0);
    await page.getByRole('link', { name: `************${card.code.slice(-4)}` }).click();
    await page.getByRole('heading', { level: 1, name: `Gift card …${card.code.slice(-4)}` }).waitFor();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Issued');
    expect(await page.getByRole('group', { name: 'Actions' }).count()).toBe(0);
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    await page.getByRole('link', { name: 'All gift cards' }).click();
    await page.getByRole('link', { name: 'Batches' }).click();
    await page.getByRole('heading', { level: 1, name: 'Gift-card batches' }).waitFor();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Completed');
    expect(await page.getByRole('button', { name: 'Make the cards' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /CSV/ }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${h.base}/console/program/gift-cards/gcd_0195f3c2f1a27b3c4d5e6f708192a3b4`);
    await page.getByRole('heading', { level: 1, name: 'Gift card' }).waitFor();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('No gift card');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('speaks Russian on every gift-card page, with nothing serious for axe', async () => {
    const card = await issueCard({ amountMinor: 250_000, activate: true, validDays: 30 });
    const { page, context, problems } = await h.signIn('owner', { path: '/program/gift-cards', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Подарочные карты' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Подарочные карты' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Активна');
    expect(await page.getByRole('table').textContent()).toMatch(/2\s500,00\s₽/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Выпустить карту' }).click();
    await page.getByRole('dialog', { name: 'Выпустить подарочную карту' }).getByLabel('Номинал').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Отмена' }).click();

    await page.goto(`${h.base}/console/program/gift-cards/${card.id}`);
    await page.getByRole('heading', { level: 1, name: `Подарочная карта …${card.code.slice(-4)}` }).waitFor();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Выпуск');
    await page.getByRole('button', { name: 'Изменить баланс' }).click();
    await page.getByRole('dialog', { name: 'Изменить баланс вручную' }).getByLabel('Причина').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('dialog').getByRole('button', { name: 'Отмена' }).click();

    await page.getByRole('link', { name: 'Все подарочные карты' }).click();
    await page.getByRole('link', { name: 'Партии' }).click();
    await page.getByRole('heading', { level: 1, name: 'Партии подарочных карт' }).waitFor();
    await page.getByLabel('Сколько карт').waitFor();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Готова');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
