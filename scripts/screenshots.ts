/**
 * Screenshots of every page a customer sees, at phone width, and of every page of the console
 * (the menu's, as an owner sees it) at a laptop's width, from the demo data:
 * `npm run screenshots` writes them to docs/screenshots/ (the README shows them); give another
 * directory as the first argument. It starts Patron in this process on a fresh embedded
 * database in a temporary directory, with an SMS gateway of its own on the loopback (the codes
 * are read from there), and drives Debian's Chromium through playwright-core.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, devices, type Page } from 'playwright-core';
import { buildApp } from '../src/app.ts';
import { openPgliteDir } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadDemoData } from '../src/demo/demo-data.ts';
import { systemActor } from '../src/platform/actor.ts';
import { systemClock } from '../src/platform/clock.ts';
import { uuidV7Ids } from '../src/platform/ids.ts';
import { ensureConsoleBuilt } from '../src/platform/console/console-build.ts';

const outDir = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'docs', 'screenshots'));
const demoCustomers = Number(process.env.PATRON_SCREENSHOT_CUSTOMERS ?? 300);
// Only these console pages (their file names without `console-`, comma-separated) beside the
// sign-in page; every page of the menu when unset. The test shoots a few: each page has tests of its own.
const onlyConsole = process.env.PATRON_SCREENSHOT_CONSOLE ? new Set(process.env.PATRON_SCREENSHOT_CONSOLE.split(',')) : null;
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && fs.existsSync(p));
if (!chromiumPath) throw new Error('No Chromium: install Debian\'s chromium (apt-get install -y chromium) or set CHROMIUM_PATH');

/** The SMS gateway: answers every message accepted and keeps the texts, to read the codes from. */
const texts: Array<{ to: string; text: string }> = [];
const gateway = http.createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  request.on('end', () => {
    texts.push(JSON.parse(body) as { to: string; text: string });
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: String(texts.length) }));
  });
});
await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
const gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
const codeSentTo = (phone: string) => /(\d{6})/.exec([...texts].reverse().find((t) => t.to === phone)?.text ?? '')?.[1] ?? '';

// The console's pages are shot as its current sources build them.
await ensureConsoleBuilt();
// PATRON_SCREENSHOT_DATA_DIR: an embedded data directory to start from instead of a new one (the
// test gives a copy of its migrated template: creating a database takes PGlite 8–20 s). It is removed at the end.
const dataDir = process.env.PATRON_SCREENSHOT_DATA_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'patron-screenshots-'));
const database = await openPgliteDir(dataDir);
await migrate(database);
const { app, services } = await buildApp({
  database,
  clock: systemClock,
  ids: uuidV7Ids,
  logger: false,
  config: { dataDir, defaultPhoneRegion: 'RU', bodyLimitBytes: 1024 * 1024, importLimitBytes: 64 * 1024 * 1024, logLevel: 'silent' },
});
const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  await loadDemoData({ database, app, ...services }, systemClock, demoCustomers);
  // Points the demo's receipts left pending become available, as a server's first start does.
  for (const job of ['activate-points', 'expire-points', 'review-tiers'] as const) await services.loyalty.runJob(job);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const { secret } = await services.apiKeys.create({ name: 'screenshots', role: 'owner', source: 'cli' }, systemActor);
  const call = async (method: 'POST' | 'PUT', url: string, payload: unknown) => {
    const answer = await app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${secret}` } });
    if (answer.statusCode >= 300) throw new Error(`${method} ${url}: ${answer.statusCode} ${answer.body}`);
    return answer.json() as { id: string };
  };
  await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Coffee Club', publicUrl: base });
  await call('POST', '/v1/channels', { name: 'SMS gateway', kind: 'sms', config: { preset: 'generic', url: `${gatewayUrl}/send`, apiKey: 'screenshots', sender: 'Coffee', allowPrivateNetwork: true } });
  // The demo's NPS survey, answered below on the regular's phone.
  const survey = (await services.surveys.list({ limit: 1 })).items[0]!;
  const regular = await services.customers.lookup({ card: '7770000001' }, false);
  const context = await browser.newContext({ ...devices['Pixel 7'], locale: 'ru-RU' });
  const page = await context.newPage();
  fs.mkdirSync(outDir, { recursive: true });
  const shot = async (name: string, target: Page = page) => {
    await target.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
    process.stdout.write(`${path.join(outDir, `${name}.png`)}\n`);
  };

  await page.goto(`${base}/join?lang=ru`);
  await shot('join');
  await page.getByLabel('Телефон').fill('+7 912 555-01-02');
  await page.getByRole('textbox', { name: 'Имя (необязательно)' }).fill('Анна');
  await page.getByLabel('Я согласен на обработку моих персональных данных для участия в программе лояльности.').check();
  await page.getByLabel('Присылайте мне предложения по SMS.').check();
  await page.locator('form button[type=submit]').click();
  await page.getByLabel('Код из SMS').fill(codeSentTo('+79125550102'));
  await shot('join-code');
  await page.locator('form button[type=submit]').click();
  await page.getByRole('heading', { name: 'Добро пожаловать!' }).waitFor();
  await shot('join-welcome');

  await page.goto(`${base}/join?mode=kiosk&lang=ru`);
  await shot('kiosk');
  await page.goto(`${base}/me/sign-in?lang=en`);
  await shot('sign-in');

  // The demo's Gold regular (card 7770000001), signed in on a phone of its own.
  await context.close();
  const account = await browser.newContext({ ...devices['Pixel 7'], locale: 'ru-RU' });
  const accountPage = await account.newPage();
  const session = await services.touchpoints.startSession(regular.id);
  await account.addCookies([{ name: 'patron_session', value: session.token, url: `${base}/me`, httpOnly: true, sameSite: 'Lax' }]);
  await accountPage.goto(`${base}/me?lang=ru`);
  await shot('account', accountPage);

  await accountPage.goto(await services.surveys.linkFor(survey.id, regular.id));
  await accountPage.getByLabel('9', { exact: true }).check();
  await shot('survey', accountPage);
  await account.close();

  // The console, at a laptop's width, signed in as an owner (who may open every page): the
  // sign-in page, then every page the menu offers, the demo regular's 360° page and the builders, in English.
  await services.staff.create({ email: 'owner@coffee.example', name: 'Olga Owner', role: 'owner', password: 'screenshots only 1' }, systemActor);
  const desk = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: 'en-GB' });
  const desktop = await desk.newPage();
  await desktop.goto(`${base}/console/`);
  await desktop.getByLabel('E-mail').waitFor();
  await shot('console-sign-in', desktop);
  await desktop.getByLabel('E-mail').fill('owner@coffee.example');
  await desktop.getByLabel('Password').fill('screenshots only 1');
  await desktop.getByRole('button', { name: 'Sign in' }).click();
  await desktop.getByRole('navigation').waitFor();
  const menu = await desktop.getByRole('navigation').getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
  // Beside the menu's pages: the demo regular's 360° page, and the builders a marketer works in.
  const pages = [...new Set(menu), `/console/customers/${regular.id}`, '/console/segments/new', '/console/program/rules/new', '/console/messaging/campaigns/new', '/console/messaging/journeys/new'];
  const slugOf = (pathname: string) => pathname.replace(/^\/console\/?/, '').replace(/customers\/cus_[0-9a-f]+/, 'customer').replace(/\//g, '-') || 'home';
  for (const pathname of pages.filter((p) => !onlyConsole || onlyConsole.has(slugOf(p)))) {
    await desktop.goto(`${base}${pathname}`);
    await desktop.getByRole('heading', { level: 1 }).waitFor();
    // Lists and charts fill in after the page's first paint: wait until nothing says it is loading.
    await desktop.getByText(/^(Loading…|Drawing the chart…)$/).first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => undefined);
    await desktop.waitForTimeout(400);
    await shot(`console-${slugOf(pathname)}`, desktop);
  }
  await desk.close();
} finally {
  await browser.close();
  await app.close();
  await database.close();
  gateway.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
