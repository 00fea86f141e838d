import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, listenOnLoopback, phoneContext, seriousViolations } from '../../../tests/helpers/browser.ts';
import { coffee, foundAnswer, qrText, setUpBrand } from '../../../tests/helpers/fiscal-receipts.ts';
import { startLoopbackServer, type LoopbackServer } from '../../../tests/helpers/loopback-http.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * The account page's own forms in Chromium: a fiscal receipt's QR earns once the check service
 * verifies it and is refused the second time; a message to support becomes a ticket.
 */
let t: TestApp;
let browser: Browser;
let base: string;
let verifier: LoopbackServer;

beforeAll(async () => {
  t = await createTestApp();
  verifier = await startLoopbackServer(() => ({ status: 200, body: foundAnswer([coffee]) }));
  await setUpBrand(t, `${verifier.url}/check`);
  base = await listenOnLoopback(t.app);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await verifier?.close();
  await t?.close();
});

async function signedIn(phone: string) {
  const customer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone, email: `${phone.slice(1)}@example.com` } })).json();
  const session = await t.services.touchpoints.startSession(customer.id);
  const context = await phoneContext(browser, 'en-GB');
  await context.addCookies([{ name: 'patron_session', value: session.token, url: `${base}/me`, httpOnly: true, sameSite: 'Lax' }]);
  return { customer, context, page: await context.newPage() };
}

describe('the account page', () => {
  it('changes the profile, shows the referral code, and takes a request to delete the data', async () => {
    const { customer, context, page } = await signedIn('+79161113303');
    // A personal code of an active promotion shows; one of a paused promotion does not.
    const promotion = async (name: string, status: string) =>
      (await t.call({ method: 'POST', url: '/v1/promotions', payload: { name, status, requiresCode: true, benefit: { kind: 'percent_off', percentBp: 2000, target: { categories: ['coffee'] } }, validity: { from: '2026-01-01T00:00:00Z', to: '2027-01-01T00:00:00Z' } } })).json().id as string;
    expect((await t.call({ method: 'POST', url: '/v1/promo-codes', payload: { promotionId: await promotion('Birthday coffee', 'active'), code: 'VERA-BDAY', customerId: customer.id } })).statusCode).toBe(201);
    expect((await t.call({ method: 'POST', url: '/v1/promo-codes', payload: { promotionId: await promotion('Paused offer', 'paused'), code: 'VERA-PAUSED', customerId: customer.id } })).statusCode).toBe(201);
    await page.goto(`${base}/me?lang=en`);
    expect(await page.getByTestId('promo-code').allTextContents()).toEqual(['VERABDAY']);
    expect(await page.locator('#codes').textContent()).toContain('Birthday coffee');
    expect(await page.getByTestId('referral-code').textContent()).toMatch(/^[A-Z0-9-]{4,}$/);
    await page.locator('#p-firstName').fill('Vera');
    await page.locator('#p-birthDate').fill('1990-05-17');
    await page.locator('#profile button[type=submit]').click();
    await page.getByText('Profile saved.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${customer.id}` })).json()).toMatchObject({ firstName: 'Vera', birthDate: '1990-05-17' });
    // Another member's e-mail: refused in words, nothing changed.
    await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161113399', email: 'taken@example.com' } });
    await page.locator('#p-email').fill('taken@example.com');
    await page.locator('#profile button[type=submit]').click();
    await page.getByText('The profile was not saved').waitFor();
    expect((await t.call({ method: 'GET', url: `/v1/customers/${customer.id}` })).json().email).toBe('79161113303@example.com');
    // No Telegram bot set up: said so.
    await page.getByRole('button', { name: 'Link Telegram' }).click();
    await page.getByText('Telegram is not set up for the club yet.').waitFor();
    await page.getByRole('button', { name: 'Ask to delete my data' }).click();
    await page.getByText('Your request to delete your data is received').waitFor();
    const tickets = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/tickets` })).json().items;
    expect(tickets.map((ticket: { tags: string[] }) => ticket.tags)).toEqual([['erasure-request']]);
    await context.close();
  }, 60_000);

  it('takes a fiscal receipt\'s QR: points once it is verified, refused the second time', async () => {
    const { customer, context, page } = await signedIn('+79161113301');
    await page.goto(`${base}/me?lang=en`);
    await page.getByLabel('The receipt QR code\'s text').fill(qrText(1));
    await page.getByRole('button', { name: 'Send the receipt' }).click();
    await page.getByText('Receipt received: we will check it and add the points.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    expect((await t.call({ method: 'POST', url: '/v1/jobs/verify-fiscal-receipts/run' })).statusCode).toBe(200);
    const balance = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/balance` })).json();
    // 5% of 1,490.00 ₽ in points (a point a rouble), rounded down.
    expect(balance.available + balance.pendingPoints).toBe(74);
    await page.goto(`${base}/me?lang=en`);
    expect(await page.locator('#receipts').textContent()).toContain('points added +74');

    await page.getByLabel('The receipt QR code\'s text').fill(qrText(1));
    await page.getByRole('button', { name: 'Send the receipt' }).click();
    await page.getByText('This receipt was sent before.').waitFor();
    await page.getByLabel('The receipt QR code\'s text').fill('not a receipt');
    await page.getByRole('button', { name: 'Send the receipt' }).click();
    await page.getByText('This is not a till receipt\'s QR code, or not one of a purchase.').waitFor();
    const after = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/balance` })).json();
    expect(after.available + after.pendingPoints).toBe(balance.available + balance.pendingPoints);
    await context.close();
  }, 60_000);

  it('sends a message to support as a ticket on the customer', async () => {
    const { customer, context, page } = await signedIn('+79161113302');
    await page.goto(`${base}/me?lang=en`);
    await page.getByLabel('Your message').fill('My points for Tuesday are missing');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByText('Message sent: we will answer by e-mail.').waitFor();
    const tickets = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/tickets` })).json().items;
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ source: 'account', status: 'open' });
    const ticket = (await t.call({ method: 'GET', url: `/v1/tickets/${tickets[0].id}` })).json();
    expect(ticket.messages[0]).toMatchObject({ direction: 'in', body: 'My points for Tuesday are missing' });
    await context.close();
  }, 60_000);
});
