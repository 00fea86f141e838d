import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The lottery pages in Chromium: a marketer creates a lottery in the form (its rules and prizes
 * reordered), customers earn entries by receipts in its period, the marketer draws it and sees
 * the winners the API stored, with the proof checked in the browser; a draft is deleted; a role
 * that may only read sees no action; the pages speak Russian.
 */
let h: ConsoleHarness;
const customers: string[] = [];
let drawnId = '';
let machine = '';

const ok = async (request: Parameters<ConsoleHarness['t']['call']>[0], status = 200) => {
  const response = await h.t.call(request);
  expect(response.statusCode, response.body).toBe(status);
  return response.json();
};

beforeAll(async () => {
  h = await startConsole(); // the clock stands at 2026-03-01T09:00Z
  await ok({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Tverskaya', timezone: 'Europe/Moscow' } });
  await ok({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'GOODS', name: 'Goods', categoryPath: ['grocery'] }] });
  machine = (await ok({ method: 'POST', url: '/v1/rewards', payload: { name: 'Coffee machine', kind: 'goods', status: 'active', pointsCost: 100000, stock: 1 } }, 201)).id;
  for (const phone of ['+79120000001', '+79120000002', '+79120000003']) customers.push((await ok({ method: 'POST', url: '/v1/customers', payload: { phone } }, 201)).id);
}, 120_000);
afterAll(async () => h?.close());

/** An instant as the browser's datetime-local field takes it, in the browser's own time zone. */
const localOf = (page: Page, iso: string) =>
  page.evaluate((at) => {
    const date = new Date(at);
    return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }, iso);

let receiptNo = 0;
const buy = (customerId: string, price: number) =>
  ok({ method: 'POST', url: '/v1/checkout/confirm', role: 'pos', payload: { storeId: 'msk-01', posReceiptId: `LT-${++receiptNo}`, customer: { customerId }, lines: [{ sku: 'GOODS', qty: 1, price }] } }, 201);

describe('the lottery pages', () => {
  it('a marketer creates a lottery, customers earn entries, the marketer draws it and sees the winners the API stored', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/lotteries' });
    await page.getByRole('heading', { level: 1, name: 'Lotteries' }).waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('No lottery yet');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'New lottery' }).click();
    await page.getByRole('heading', { level: 1, name: 'New lottery' }).waitFor();
    // The period the wrong way round: the server's words stand at the field.
    await page.getByLabel('Name', { exact: true }).fill('Spring draw');
    await page.getByLabel('Entries from').fill(await localOf(page, '2026-03-01T12:00:00Z'));
    await page.getByLabel('Entries until').fill(await localOf(page, '2026-03-01T10:00:00Z'));
    await page.getByLabel('One entry per this spend (rule 1)').fill('1000');
    await page.getByLabel('Prize name (1)').fill('Coffee machine');
    await page.getByRole('button', { name: 'Create the lottery' }).click();
    await expect.poll(() => page.locator('.field.invalid').textContent()).toContain('must be after entryPeriod.from');
    expect(await page.getByLabel('Entries until').getAttribute('aria-invalid')).toBe('true');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Entries from').fill(await localOf(page, '2026-03-01T10:00:00Z'));
    await page.getByLabel('Entries until').fill(await localOf(page, '2026-03-01T12:00:00Z'));
    await page.getByLabel('Tier multipliers (rule 1)').fill('gold: 2');
    await page.getByLabel('Reward from the catalog (prize 1)').fill(machine);
    await page.getByRole('button', { name: 'Add a rule' }).click();
    await page.getByLabel('Entries for (rule 2)').selectOption('action');
    await page.getByLabel('Event type (rule 2)').fill('survey.answered');
    await page.getByLabel('Entries per event (rule 2)').fill('2');
    await page.getByLabel('At most entries per customer (rule 2)').fill('10');
    await page.getByRole('button', { name: 'Add a prize' }).click();
    await page.getByLabel('Prize name (2)').fill('Mug');
    await page.getByLabel('Winners of prize 2').fill('2');
    await page.getByRole('button', { name: 'Move prize 2 up' }).click();
    expect(await page.getByLabel('Prize name (1)').inputValue()).toBe('Mug');
    await page.getByRole('button', { name: 'Create the lottery' }).click();
    await page.getByRole('heading', { level: 1, name: 'Spring draw' }).waitFor();
    const id = page.url().split('/program/lotteries/')[1]!.split('?')[0]!;
    drawnId = id;
    const stored = await ok({ method: 'GET', url: `/v1/lotteries/${id}` });
    expect(stored).toMatchObject({
      name: 'Spring draw',
      status: 'upcoming',
      entryPeriod: { from: '2026-03-01T10:00:00.000Z', to: '2026-03-01T12:00:00.000Z' },
      rules: [{ kind: 'spend', perMinor: 100_000, tierMultipliers: { gold: 2 } }, { kind: 'action', eventType: 'survey.answered', entries: 2, maxEntries: 10 }],
      prizes: [{ name: 'Mug', count: 2 }, { name: 'Coffee machine', rewardId: machine, count: 1 }],
    });
    expect(await page.getByTestId('commitment').textContent()).toBe(stored.commitment);
    expect(await page.getByRole('main').textContent()).toContain('One entry per');
    expect(await page.getByRole('button', { name: 'Draw the winners' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    // Receipts in the period give entries: 2, 1 and 3.
    h.t.clock.set('2026-03-01T10:30:00Z');
    await buy(customers[0]!, 250_000);
    await buy(customers[1]!, 100_000);
    await buy(customers[2]!, 300_000);
    h.t.clock.set('2026-03-01T12:30:00Z');

    await page.reload();
    await page.getByRole('button', { name: 'Draw the winners' }).click();
    const dialog = page.getByRole('dialog', { name: 'Draw the winners?' });
    expect(await dialog.textContent()).toContain('3 winners');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Draw now' }).click();
    await page.getByText('The winners are drawn.').waitFor();

    const drawn = await ok({ method: 'GET', url: `/v1/lotteries/${id}` });
    expect(drawn).toMatchObject({ status: 'drawn', entrants: 3, totalEntries: 6 });
    expect(drawn.winners).toHaveLength(3);
    // The catalog's reward went to the coffee machine's winner in the same draw.
    expect(drawn.winners[2]).toMatchObject({ prizeName: 'Coffee machine', rewardId: machine, prizeStatus: 'granted' });
    const rows = page.getByRole('table', { name: 'Winners' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(4);
    for (const [i, winner] of (drawn.winners as Array<{ customerId: string; prizeName: string; ticket: number }>).entries()) {
      const cells = await rows.nth(i + 1).getByRole('cell').allTextContents();
      expect(cells.slice(0, 4)).toEqual([String(i + 1), winner.prizeName, winner.customerId, String(winner.ticket)]);
      expect(cells[4]).toBe(i === 2 ? `issued (order ${drawn.winners[2].orderId})` : 'by hand');
    }
    expect(await page.getByTestId('seed').textContent()).toBe(drawn.seed);
    expect(await page.getByTestId('entries-digest').textContent()).toBe(drawn.entriesDigest);
    // The frozen entries, a page at a time from the server.
    const entries = page.getByRole('table', { name: 'Entries by customer id, in the order the draw counted them' });
    await expect.poll(() => entries.getByRole('row').count()).toBe(4);
    expect(await entries.textContent()).toContain(customers[2]!);

    // The draw recomputed in the browser from the published seed and entries.
    await page.getByRole('button', { name: 'Check the draw in this browser' }).click();
    await expect.poll(() => page.getByTestId('draw-check').textContent()).toContain('Every winner is the one the algorithm gives.');
    const check = await page.getByTestId('draw-check').textContent();
    expect(check).toContain('The seed matches the commitment.');
    expect(check).toContain('The 3 entrants match the entries digest.');
    expect(check).not.toContain('NOT');
    expect(await page.getByRole('button', { name: 'Draw the winners' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('deletes a lottery that has not started, after asking', async () => {
    const draft = await ok({
      method: 'POST',
      url: '/v1/lotteries',
      payload: { name: 'Summer draw', entryPeriod: { from: '2026-06-01T00:00:00Z', to: '2026-07-01T00:00:00Z' }, rules: [{ kind: 'spend', perMinor: 100_000 }], prizes: [{ name: 'Bike', count: 1 }] },
    }, 201);
    const { page, context, problems } = await h.signIn('marketer', { path: `/program/lotteries/${draft.id}` });
    await page.getByRole('heading', { level: 1, name: 'Summer draw' }).waitFor();
    // Before its period every part may change: one more prize.
    await page.getByRole('link', { name: 'Change' }).click();
    await page.getByRole('heading', { level: 1, name: 'Change “Summer draw”' }).waitFor();
    expect(await page.getByLabel('One entry per this spend (rule 1)').inputValue()).toBe('1000');
    await page.getByRole('button', { name: 'Add a prize' }).click();
    await page.getByLabel('Prize name (2)').fill('Helmet');
    await page.getByLabel('Winners of prize 2').fill('many');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await expect.poll(() => page.locator('.field.invalid').textContent()).toContain('must be');
    expect(await page.getByLabel('Winners of prize 2').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Winners of prize 2').fill('3');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.getByText('The changes are saved.').waitFor();
    expect((await ok({ method: 'GET', url: `/v1/lotteries/${draft.id}` })).prizes).toEqual([{ name: 'Bike', count: 1 }, { name: 'Helmet', count: 3 }]);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete the lottery?' }).getByRole('button', { name: 'Delete for good' }).click();
    await page.getByText('The lottery “Summer draw” is deleted.').waitFor();
    expect((await h.t.call({ method: 'GET', url: `/v1/lotteries/${draft.id}` })).statusCode).toBe(404);
    expect(await page.getByRole('table', { name: 'Lotteries, newest first' }).textContent()).not.toContain('Summer draw');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('renames a lottery taking entries (its rules stay locked) and cancels it, after asking', async () => {
    const open = await ok({
      method: 'POST',
      url: '/v1/lotteries',
      payload: { name: 'Evening draw', entryPeriod: { from: '2026-03-01T12:00:00Z', to: '2026-03-01T20:00:00Z' }, rules: [{ kind: 'action', eventType: 'app.login', entries: 1 }], prizes: [{ name: 'Cake', count: 1 }] },
    }, 201);
    expect(open.status).toBe('open');
    const { page, context, problems } = await h.signIn('marketer', { path: `/program/lotteries/${open.id}/edit` });
    await page.getByText('The entry period has started').waitFor();
    expect(await page.getByLabel('Event type (rule 1)').isDisabled()).toBe(true);
    await page.getByLabel('Name', { exact: true }).fill('Late evening draw');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Late evening draw' }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel the lottery' }).click();
    await page.getByRole('dialog', { name: 'Cancel the lottery?' }).getByRole('button', { name: 'Yes, cancel it' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('cancelled');
    // The page's text holds "cancelled" in the dialog before the answer: the stored state is polled.
    await expect.poll(async () => (await ok({ method: 'GET', url: `/v1/lotteries/${open.id}` })).status).toBe('cancelled');
    expect(await ok({ method: 'GET', url: `/v1/lotteries/${open.id}` })).toMatchObject({ name: 'Late evening draw', status: 'cancelled' });
    expect(await page.getByRole('button', { name: 'Cancel the lottery' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an analyst reads lotteries and their winners but sees no action', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/program/lotteries' });
    await page.getByRole('heading', { level: 1, name: 'Lotteries' }).waitFor();
    await page.getByRole('link', { name: 'Spring draw' }).click();
    await page.getByRole('heading', { level: 1, name: 'Spring draw' }).waitFor();
    await page.getByRole('table', { name: 'Winners' }).waitFor();
    for (const name of ['Change', 'Draw the winners', 'Cancel the lottery', 'Delete']) expect(await page.getByRole('button', { name }).or(page.getByRole('link', { name })).count()).toBe(0);
    await page.goto(`${h.base}/console/program/lotteries`);
    await page.getByRole('heading', { level: 1, name: 'Lotteries' }).waitFor();
    expect(await page.getByRole('link', { name: 'New lottery' }).count()).toBe(0);
    await page.goto(`${h.base}/console/program/lotteries/new`);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('may not open this page');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('speaks Russian: the menu entry, the list and the proof of the draw', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/lotteries', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Розыгрыши' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Розыгрыши' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('table', { name: 'Розыгрыши, сначала новые' }).textContent()).toContain('разыгран');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Spring draw' }).click();
    await page.getByRole('heading', { level: 2, name: 'Доказательство честного розыгрыша' }).waitFor();
    expect(await page.getByRole('main').textContent()).toContain('Одно участие за каждые');
    await page.getByRole('button', { name: 'Проверить розыгрыш в браузере' }).click();
    await expect.poll(() => page.getByTestId('draw-check').textContent()).toContain('Все победители те, кого даёт алгоритм.');
    expect(page.url()).toContain(drawnId);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
