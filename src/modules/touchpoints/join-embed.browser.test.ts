import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { launchChromium, listenOnLoopback, phoneContext } from '../../../tests/helpers/browser.ts';
import { startLoopbackServer, type LoopbackServer } from '../../../tests/helpers/loopback-http.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * The join form in a site's pop-up, in Chromium: a shop's page on another origin (a server of its
 * own on the loopback, another port) frames /join?mode=embed. A site named in the join form's
 * `embedOrigins` shows the form inside its frame; any other site, and the hosted page (not the
 * pop-up mode) on any site, the browser refuses to frame (CSP frame-ancestors).
 */
let t: TestApp;
let browser: Browser;
let base: string;
let allowedShop: LoopbackServer;
let otherShop: LoopbackServer;

/** A shop's page with the pop-up snippet, framing `src` (a path of the app). */
const shopPage = (src: string) => ({
  status: 200,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html><html lang="en"><head><title>Coffee shop</title></head><body><h1>Coffee shop</h1><iframe src="${base}${src}" title="Join the club" style="width:420px;height:640px;border:0"></iframe></body></html>`,
});

beforeAll(async () => {
  t = await createTestApp();
  base = await listenOnLoopback(t.app);
  allowedShop = await startLoopbackServer((request) => shopPage(request.path.replace(/^\/shop/, '')));
  otherShop = await startLoopbackServer((request) => shopPage(request.path.replace(/^\/shop/, '')));
  const form = (await t.call({ method: 'GET', url: '/v1/touchpoints/join-form' })).json();
  const saved = await t.call({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: { ...form, embedOrigins: [allowedShop.url] } });
  expect(saved.statusCode, saved.body).toBe(200);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await allowedShop?.close();
  await otherShop?.close();
  await t?.close();
});

/** The shop's page with its frame loaded (or refused), and what the browser said about framing. */
async function open(shop: LoopbackServer, src: string): Promise<{ page: Page; frame: Frame; refusals: string[] }> {
  const context = await phoneContext(browser, 'en-GB');
  const page = await context.newPage();
  const refusals: string[] = [];
  page.on('console', (message) => { if (message.text().includes('frame-ancestors')) refusals.push(message.text()); });
  await page.goto(`${shop.url}/shop${src}`);
  await page.waitForLoadState('load');
  const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
  if (!frame) throw new Error('the shop page has no frame');
  return { page, frame, refusals };
}

describe('the join form in a pop-up on a site', () => {
  it('shows inside the frame of a site named in embedOrigins, without the header', async () => {
    const { page, frame, refusals } = await open(allowedShop, '/join?mode=embed&lang=en');
    await frame.locator('h1').waitFor();
    expect(frame.url()).toBe(`${base}/join?mode=embed&lang=en`);
    expect(await frame.locator('h1').textContent()).toBe('Join the club');
    expect(await frame.getByLabel('Phone').isVisible()).toBe(true);
    expect(await frame.locator('header').isVisible()).toBe(false);
    expect(refusals).toEqual([]);
    const csp = String((await t.call({ method: 'GET', url: '/join?mode=embed&lang=en', role: null })).headers['content-security-policy']);
    expect(csp).toContain(`frame-ancestors ${allowedShop.url}`);
    await page.context().close();
  }, 60_000);

  it('is refused by the browser in the frame of a site not in embedOrigins', async () => {
    const { page, frame, refusals } = await open(otherShop, '/join?mode=embed&lang=en');
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    expect(refusals[0]).toContain(`frame-ancestors ${allowedShop.url}`);
    expect(frame.url()).not.toBe(`${base}/join?mode=embed&lang=en`);
    expect(await frame.locator('form').count()).toBe(0);
    expect(await page.locator('h1').textContent()).toBe('Coffee shop');
    await page.context().close();
  }, 60_000);

  it('frames only the pop-up mode: the hosted page is refused even on a site in embedOrigins', async () => {
    const { page, frame, refusals } = await open(allowedShop, '/join?lang=en');
    await expect.poll(() => refusals.length).toBeGreaterThan(0);
    expect(refusals[0]).toContain("frame-ancestors 'none'");
    expect(await frame.locator('form').count()).toBe(0);
    await page.context().close();
  }, 60_000);
});
