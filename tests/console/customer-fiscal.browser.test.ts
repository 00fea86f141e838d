import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/platform/clock.ts';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';
import { newCustomer, qrText, setUpBrand, submit } from '../helpers/fiscal-receipts.ts';

/**
 * A customer's receipts from other shops (fiscal receipts sent by their QR) on the 360° page, under
 * the till's receipts: for a customer who sent some, and not at all for one who sent none.
 */
let h: ConsoleHarness;
let sender = '';
let other = '';

beforeAll(async () => {
  h = await startConsole({ clock: new ManualClock(new Date('2026-03-01T09:00:00Z')) });
  // A verification service nobody answers on: the receipt waits, being checked.
  await setUpBrand(h.t, 'http://127.0.0.1:9/check');
  sender = await newCustomer(h.t, '+79161230001');
  other = await newCustomer(h.t, '+79161230002');
  const sent = await submit(h.t, sender, qrText(7));
  expect(sent.statusCode, sent.body).toBe(202);
});
afterAll(async () => h?.close());

describe('receipts from other shops on the 360° page', () => {
  it('support sees the customer’s receipt being checked, with its total; a customer who sent none shows no such part', async () => {
    const { page, context, problems } = await h.signIn('support', { path: `/customers/${sender}?tab=receipts` });
    const card = page.getByRole('table', { name: 'The customer’s fiscal receipts, newest first' });
    await expect.poll(() => card.textContent()).toContain('Being checked');
    expect(await card.textContent()).toMatch(/1,495\.00/);
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(`${h.base}/console/customers/${other}?tab=receipts`);
    // The till's receipts (none: their empty state) are shown, and nothing from other shops.
    await page.getByText('No receipts yet').waitFor();
    expect(await page.getByRole('heading', { name: 'Receipts from other shops' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('in Russian', async () => {
    const { page, context } = await h.signIn('analyst', { path: `/customers/${sender}?tab=receipts`, locale: 'ru-RU' });
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Чеки других магазинов');
    expect(await page.getByRole('main').textContent()).toContain('Проверяется');
    await context.close();
  });
});
