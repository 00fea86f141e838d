import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium, listenOnLoopback, phoneContext, seriousViolations } from '../../../tests/helpers/browser.ts';
import { FRAME, fakeCameraArgs, qrFrameLuma, qrVideo } from '../../../tests/helpers/fake-camera.ts';
import { coffee, foundAnswer, qrText, setUpBrand } from '../../../tests/helpers/fiscal-receipts.ts';
import { startLoopbackServer, type LoopbackServer } from '../../../tests/helpers/loopback-http.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

// jsqr is CommonJS with a default export in its types: required, it is the function itself.
const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;

/**
 * Scanning a till receipt's QR code with the phone's camera on /me, in Chromium whose fake camera
 * films a QR code drawn by bwip-js: the code read sends the receipt as typing it would (points once
 * verified, refused the second time); a camera refused or absent is said in words and the text
 * field still takes the receipt.
 */
let t: TestApp;
let base: string;
let verifier: LoopbackServer;
const browsers: Browser[] = [];

beforeAll(async () => {
  t = await createTestApp();
  verifier = await startLoopbackServer(() => ({ status: 200, body: foundAnswer([coffee]) }));
  await setUpBrand(t, `${verifier.url}/check`);
  base = await listenOnLoopback(t.app);
}, 60_000);

afterAll(async () => {
  for (const browser of browsers) await browser.close();
  await verifier?.close();
  await t?.close();
});

async function launch(args: readonly string[] = []): Promise<Browser> {
  const browser = await launchChromium(args);
  browsers.push(browser);
  return browser;
}

async function signedIn(browser: Browser, phone: string): Promise<{ customerId: string; context: BrowserContext }> {
  const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } });
  expect(created.statusCode, created.body).toBe(201);
  const session = await t.services.touchpoints.startSession(created.json().id);
  const context = await phoneContext(browser, 'en-GB');
  await context.addCookies([{ name: 'patron_session', value: session.token, url: `${base}/me`, httpOnly: true, sameSite: 'Lax' }]);
  // Every stream the page opens, kept where the test can see whether its camera was stopped.
  await context.addInitScript(KEEP_STREAMS);
  return { customerId: created.json().id as string, context };
}

/** Run in the page before its own scripts (the test's, through the DevTools protocol: the page's CSP does not govern it). */
const KEEP_STREAMS = `(() => {
  const opened = (window.openedStreams = []);
  const media = navigator.mediaDevices;
  if (!media) return;
  const open = media.getUserMedia.bind(media);
  media.getUserMedia = async (constraints) => {
    const stream = await open(constraints);
    opened.push(stream);
    return stream;
  };
})()`;
const liveCameras = "window.openedStreams.flatMap((s) => s.getTracks()).filter((track) => track.readyState === 'live').length";
const hidePage = "Object.defineProperty(document, 'hidden', { configurable: true, get: () => true }); document.dispatchEvent(new Event('visibilitychange'))";
const NO_CAMERA_API = "Object.defineProperty(Navigator.prototype, 'mediaDevices', { configurable: true, get: () => undefined })";
const points = async (customerId: string) => {
  const balance = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/balance` })).json();
  return balance.available + balance.pendingPoints;
};

describe('the fake camera (the check itself)', () => {
  it("films a QR code jsQR reads back as the receipt's text", () => {
    const luma = qrFrameLuma(qrText(7));
    const rgba = new Uint8ClampedArray(FRAME.width * FRAME.height * 4);
    luma.forEach((value, i) => rgba.set([value, value, value, 255], i * 4));
    expect(jsQR(rgba, FRAME.width, FRAME.height)?.data).toBe(qrText(7));
  });
});

describe('scanning a receipt with the camera on /me', () => {
  it('reads the QR, sends the receipt, earns once it is verified, and refuses the same receipt scanned again', async () => {
    const browser = await launch(fakeCameraArgs(qrVideo(qrText(1))));
    const { customerId, context } = await signedIn(browser, '+79161114401');
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (message) => { if (/Content.Security.Policy/i.test(message.text())) refused.push(message.text()); });
    await page.goto(`${base}/me?lang=en`);
    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await page.getByText('Receipt received: we will check it and add the points.').waitFor();
    expect(await page.evaluate(liveCameras)).toBe(0);
    expect(refused).toEqual([]);
    const sent = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/fiscal-receipts` })).json().items;
    expect(sent.map((r: { fn: string; i: number; fp: number }) => [r.fn, r.i, r.fp])).toEqual([['9960440300000001', 1, 1000001]]);

    expect((await t.call({ method: 'POST', url: '/v1/jobs/verify-fiscal-receipts/run' })).statusCode).toBe(200);
    // 5% of 1,490.00 ₽ in points (a point a rouble), rounded down: one earn in the ledger.
    expect(await points(customerId)).toBe(74);
    const ledger = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/ledger` })).json().items;
    expect(ledger).toEqual([expect.objectContaining({ kind: 'earn', pending: 74 })]);

    await page.goto(`${base}/me?lang=en`);
    expect(await page.locator('#receipts').textContent()).toContain('points added +74');
    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await page.getByText('This receipt was sent before.').waitFor();
    expect(await page.evaluate(liveCameras)).toBe(0);
    expect((await t.call({ method: 'POST', url: '/v1/jobs/verify-fiscal-receipts/run' })).statusCode).toBe(200);
    expect(await points(customerId)).toBe(74);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${customerId}/ledger` })).json().items).toHaveLength(1);
    await context.close();
  }, 90_000);

  it('says so when the camera is refused, keeps looking past a QR code that is no receipt, is accessible while open, and stops the camera on Stop and when the page is hidden', async () => {
    const browser = await launch(fakeCameraArgs(qrVideo('https://coffee.example/promo?code=SPRING'), { granted: false }));
    const { customerId, context } = await signedIn(browser, '+79161114402');
    const page = await context.newPage();
    await page.goto(`${base}/me?lang=en`);
    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await page.getByText("The camera was not allowed. Allow it in the browser's settings, or type the QR code's text in the field below.").waitFor();
    expect(await page.locator('#qr-scan-video').isVisible()).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);

    await context.grantPermissions(['camera'], { origin: base });
    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await page.getByText("That is not a till receipt's QR code: point the camera at the one at the bottom of the receipt.").waitFor();
    expect(await page.locator('#qr-scan-video').isVisible()).toBe(true);
    expect(await page.evaluate(liveCameras)).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.getByLabel("The receipt QR code's text").inputValue()).toBe('');

    await page.getByRole('button', { name: 'Stop the camera' }).click();
    expect(await page.evaluate(liveCameras)).toBe(0);
    expect(await page.locator('#qr-scan-video').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Scan with the camera' }).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await page.getByRole('button', { name: 'Stop the camera' }).waitFor();
    expect(await page.evaluate(liveCameras)).toBe(1);
    await page.evaluate(hidePage);
    expect(await page.evaluate(liveCameras)).toBe(0);
    expect(await page.locator('#qr-scan-video').isVisible()).toBe(false);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${customerId}/fiscal-receipts` })).json().items).toEqual([]);
    await context.close();
  }, 90_000);

  it('says so when there is no camera, and the text field still takes the receipt; without a camera API there is no button', async () => {
    // No fake camera: this headless Chromium has none.
    const browser = await launch();
    const { customerId, context } = await signedIn(browser, '+79161114403');
    const page = await context.newPage();
    await page.goto(`${base}/me?lang=en`);
    await page.getByRole('button', { name: 'Scan with the camera' }).click();
    await page.getByText("No camera was found. Type the QR code's text in the field below.").waitFor();
    expect(await page.locator('#qr-scan-video').isVisible()).toBe(false);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel("The receipt QR code's text").fill(qrText(2));
    await page.getByRole('button', { name: 'Send the receipt' }).click();
    await page.getByText('Receipt received: we will check it and add the points.').waitFor();
    expect((await t.call({ method: 'GET', url: `/v1/customers/${customerId}/fiscal-receipts` })).json().items).toHaveLength(1);

    // A browser without a camera API at all (an old one, or a page not served securely): no button, the field alone.
    const bare = await phoneContext(browser, 'en-GB');
    await bare.addInitScript(NO_CAMERA_API);
    await bare.addCookies((await context.cookies()).filter((cookie) => cookie.name === 'patron_session'));
    const old = await bare.newPage();
    await old.goto(`${base}/me?lang=en`);
    await old.getByLabel("The receipt QR code's text").waitFor();
    expect(await old.getByRole('button', { name: 'Scan with the camera' }).count()).toBe(0);
    await bare.close();
    await context.close();
  }, 90_000);
});
