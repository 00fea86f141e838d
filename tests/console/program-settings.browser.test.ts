import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/** Program settings and tiers in Chromium: saved as a new version, a lost update refused in words, wrong values named at their field. */
let h: ConsoleHarness;

beforeAll(async () => {
  h = await startConsole();
}, 120_000);
afterAll(async () => h?.close());

describe('program settings and tiers', () => {
  it('saves the settings, and says in words when someone else saved first', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/settings' });
    await page.getByRole('heading', { level: 1, name: 'Program settings' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Currency').fill('RU');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    const currency = page.locator('.field', { has: page.getByLabel('Currency') });
    await expect.poll(() => currency.locator('.field-error').count()).toBe(1);
    expect(((await currency.locator('.field-error').textContent()) ?? '').length).toBeGreaterThan(3);
    await page.getByLabel('Currency').fill('RUB');

    // Someone saves while the page is open: the page's save is refused, not lost over theirs.
    const before = (await h.t.call({ method: 'GET', url: '/v1/program' })).json();
    expect((await h.t.call({ method: 'PATCH', url: '/v1/program', headers: { 'content-type': 'application/merge-patch+json' }, payload: { pendingDays: 7 } })).statusCode).toBe(200);
    await page.getByLabel('Days before earned points can be spent').fill('3');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent()).toContain('Someone else saved the settings after you opened them');
    expect((await h.t.call({ method: 'GET', url: '/v1/program' })).json().pendingDays).toBe(7);

    await page.reload();
    await page.getByLabel('Days before earned points can be spent').fill('3');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(`Saved as version ${before.version + 2}`);
    expect((await h.t.call({ method: 'GET', url: '/v1/program' })).json()).toMatchObject({ pendingDays: 3, version: before.version + 2 });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('adds a tier with its rate and privileges; a wrong threshold is named at its cell', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/tiers' });
    await page.getByRole('heading', { level: 1, name: 'Tiers' }).waitFor();
    const count = (await h.t.call({ method: 'GET', url: '/v1/tiers' })).json().tiers.length;
    await page.getByRole('button', { name: 'Add a tier' }).click();
    const n = count + 1;
    await page.getByLabel(`Identifier (Tier ${n})`).fill('gold');
    await page.getByLabel(`Name (Tier ${n})`).fill('Gold');
    await page.getByLabel(`Threshold (Tier ${n})`).fill('lots');
    await page.getByLabel(`Earning rate, % (Tier ${n})`).fill('7');
    await page.getByLabel(`Privileges (Tier ${n})`).fill('Free delivery, Early sales');
    await page.getByRole('button', { name: 'Save the tiers' }).click();
    await expect.poll(() => page.getByLabel(`Threshold (Tier ${n})`).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel(`Threshold (Tier ${n})`).fill('50000');
    await page.getByRole('button', { name: 'Save the tiers' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Saved as version');
    const gold = (await h.t.call({ method: 'GET', url: '/v1/tiers' })).json().tiers.find((tier: { id: string }) => tier.id === 'gold');
    expect(gold).toMatchObject({ name: 'Gold', threshold: 5_000_000, earnRateBp: 700, privileges: ['Free delivery', 'Early sales'] });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reads in Russian without serious accessibility violations, and an analyst only reads', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/settings', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Настройки программы' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('navigation').getByRole('link', { name: 'Уровни' }).click();
    await page.getByRole('heading', { level: 1, name: 'Уровни' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();

    const analyst = await h.signIn('analyst', { path: '/program/settings' });
    await analyst.page.getByText('Your role may read the settings but not change them.').waitFor();
    expect(await analyst.page.getByRole('button', { name: 'Save the settings' }).count()).toBe(0);
    await analyst.page.goto(`${h.base}/console/program/rules`);
    await analyst.page.getByRole('heading', { level: 1, name: 'Earning rules' }).waitFor();
    expect(await analyst.page.getByRole('link', { name: 'New rule' }).count()).toBe(0);
    expect(analyst.problems).toEqual([]);
    await analyst.context.close();
  });
});
