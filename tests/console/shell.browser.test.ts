import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, STAFF_PASSWORD, type ConsoleHarness } from '../helpers/console.ts';

/** The console's frame in Chromium: sign-in, the menu each role gets, languages, and its policy. */
let h: ConsoleHarness;

beforeAll(async () => {
  h = await startConsole();
  for (const [phone, firstName] of [['+79161110001', 'Anna'], ['+79161110002', 'Boris']] as const) {
    await h.t.call({ method: 'POST', url: '/v1/customers', payload: { phone, firstName, email: `${firstName.toLowerCase()}@example.com` } });
  }
}, 90_000);
afterAll(async () => h?.close());

describe('the console', () => {
  it('leads / to the sign-in page and refuses a wrong password in words', async () => {
    const context = await h.browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const response = await page.goto(`${h.base}/`);
    expect(page.url()).toBe(`${h.base}/console/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByLabel('E-mail').fill('nobody@console.test');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('The e-mail or password is wrong');
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it("shows each role only the menu entries its role may open, and says so at a forbidden page's address", async () => {
    const marketer = await h.signIn('marketer');
    const menu = await marketer.page.getByRole('navigation').textContent();
    expect(menu).toContain('Customers');
    await marketer.page.goto(`${h.base}/console/settings/nowhere`);
    await expect.poll(() => marketer.page.getByRole('main').textContent()).toContain('There is no such page');
    expect(marketer.problems).toEqual([]);
    await marketer.context.close();
  });

  it('finds a customer by the start of a phone, and keeps the search in the address', async () => {
    const { page, context, problems } = await h.signIn('support', { path: '/customers' });
    await page.getByRole('link', { name: 'Customers' }).click();
    await page.getByLabel('Search').fill('+7916111000');
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Boris');
    await page.getByLabel('Search').fill('+79161110002');
    await expect.poll(async () => (await page.getByRole('row').count()) - 1).toBe(1);
    await expect.poll(() => page.url()).toContain('?q=%2B79161110002');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('switches to Russian and remembers it; signs out', async () => {
    const { page, context, problems } = await h.signIn('marketer');
    await page.getByLabel('Language').first().selectOption('ru');
    await expect.poll(() => page.getByRole('button', { name: 'Выйти' }).count()).toBe(1);
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    await page.reload();
    await expect.poll(() => page.getByRole('button', { name: 'Выйти' }).count()).toBe(1);
    await page.getByRole('button', { name: 'Выйти' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Вход в Patron');
    // The session is over on the server too: the API refuses the old cookie.
    const answer = await page.evaluate(async () => (await fetch('/v1/customers?limit=1')).status);
    expect(answer).toBe(401);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('changes the own password on "My account"', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/settings/account' });
    await page.getByLabel('Current password').fill(STAFF_PASSWORD);
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toMatch(/at least 10 characters/);
    await page.getByLabel('New password').fill('a longer analyst phrase');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The password is changed');
    expect(problems).toEqual([]);
    await context.close();
    await h.t.services.staff.resetPassword((await h.t.services.staff.list(10)).items.find((u) => u.role === 'analyst')!.id, STAFF_PASSWORD, { keyId: null, name: 'test', role: 'owner' });
  });
});
