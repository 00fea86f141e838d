import type { Browser, BrowserContext, Page } from 'playwright-core';
import { systemActor } from '../../src/platform/actor.ts';
import type { StaffRole } from '../../src/platform/staff/staff-users.ts';
import { launchChromium, listenOnLoopback } from './browser.ts';
import { createTestApp, type TestApp, type TestAppOptions } from './test-app.ts';

/**
 * The console in Chromium against a real test app on loopback: one staff user per role (made on
 * first use), a desktop-sized browser signed in through the sign-in form, and the page's errors
 * collected (a CSP refusal or an uncaught exception fails the test that checks `problems`).
 */
export type ConsoleHarness = {
  t: TestApp;
  base: string;
  browser: Browser;
  /** A new browser context signed in as a staff user of `role`, on `path` (under /console). */
  signIn(role: StaffRole, options?: { path?: string; locale?: 'en-GB' | 'ru-RU' }): Promise<{ page: Page; context: BrowserContext; problems: string[] }>;
  emailOf(role: StaffRole): string;
  close(): Promise<void>;
};

export const STAFF_PASSWORD = 'console test password';

export async function startConsole(options: TestAppOptions = {}): Promise<ConsoleHarness> {
  const t = await createTestApp(options);
  const base = await listenOnLoopback(t.app);
  const browser = await launchChromium();
  const made = new Set<StaffRole>();
  const emailOf = (role: StaffRole) => `${role}@console.test`;

  async function ensureStaff(role: StaffRole): Promise<void> {
    if (made.has(role)) return;
    await t.services.staff.create({ email: emailOf(role), name: `${role[0]!.toUpperCase()}${role.slice(1)} Person`, role, password: STAFF_PASSWORD }, systemActor);
    made.add(role);
  }

  return {
    t,
    base,
    browser,
    emailOf,
    async signIn(role, { path = '/', locale = 'en-GB' } = {}) {
      await ensureStaff(role);
      const context = await browser.newContext({ locale, viewport: { width: 1360, height: 900 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) problems.push(`console: ${message.text()}`);
      });
      await page.goto(`${base}/console${path}`);
      await page.getByLabel(locale === 'ru-RU' ? 'Эл. почта' : 'E-mail').fill(emailOf(role));
      await page.getByLabel(locale === 'ru-RU' ? 'Пароль' : 'Password').fill(STAFF_PASSWORD);
      await page.getByRole('button', { name: locale === 'ru-RU' ? 'Войти' : 'Sign in' }).click();
      await page.getByRole('navigation').waitFor();
      return { page, context, problems };
    },
    async close() {
      await browser.close();
      await t.close();
    },
  };
}
