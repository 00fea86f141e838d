import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, listenOnLoopback, phoneContext, seriousViolations } from '../../../tests/helpers/browser.ts';
import { startLoopbackServer, type LoopbackServer } from '../../../tests/helpers/loopback-http.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * The join form and the account page in real Chromium on a phone-sized screen: the code goes to
 * an SMS gateway on the loopback and is read from there, as a person reads it from their phone.
 */
let t: TestApp;
let sms: LoopbackServer;
let browser: Browser;
let base: string;

const codeSentTo = (phone: string) => {
  const request = [...sms.requests].reverse().find((r) => (JSON.parse(r.body) as { to: string }).to === phone);
  if (!request) throw new Error(`no SMS to ${phone}`);
  return /(\d{6})/.exec((JSON.parse(request.body) as { text: string }).text)![1]!;
};

beforeAll(async () => {
  t = await createTestApp();
  sms = await startLoopbackServer(() => ({ status: 200, body: { id: 'sms-1', parts: 1 } }));
  const channel = await t.call({
    method: 'POST',
    url: '/v1/channels',
    payload: { name: 'Gateway', kind: 'sms', config: { preset: 'generic', url: `${sms.url}/send`, apiKey: 'k-123', sender: 'Coffee', allowPrivateNetwork: true } },
  });
  expect(channel.statusCode).toBe(201);
  const rule = await t.call({ method: 'POST', url: '/v1/action-rules', payload: { name: 'Join bonus', eventType: 'customer.joined', points: 100, limits: { oncePerCustomer: true } } });
  expect(rule.statusCode).toBe(201);
  base = await listenOnLoopback(t.app);
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sms?.close();
  await t?.close();
});

describe('joining on a phone', () => {
  it('fills the form, confirms the SMS code, and is a member with consents (text versions), a card and the join bonus', async () => {
    const context = await phoneContext(browser, 'en-GB');
    const page = await context.newPage();
    await page.goto(`${base}/join`);
    expect(await page.locator('h1').textContent()).toBe('Join the club');
    expect(await seriousViolations(page)).toEqual([]);

    // Sent without the required consent and with a bad e-mail: both named, nothing sent.
    await page.getByLabel('Phone').fill('8 (912) 345-67-01');
    await page.getByRole('textbox', { name: 'E-mail (optional)' }).fill('anna@');
    await page.locator('form button[type=submit]').click();
    await expect.poll(() => page.locator('.errors').textContent()).toContain('This e-mail address is not recognised');
    expect(await page.locator('.errors').textContent()).toContain('You cannot join without this consent');
    expect(sms.requests).toHaveLength(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('textbox', { name: 'E-mail (optional)' }).fill('anna@example.com');
    await page.getByRole('textbox', { name: 'First name (optional)' }).fill('Anna');
    await page.getByLabel('I agree to the processing of my personal data for the loyalty program.').check();
    await page.getByLabel('Send me offers by SMS.').check();
    await page.locator('form button[type=submit]').click();
    await page.getByLabel('Code from the SMS').waitFor();
    expect(await page.locator('main').textContent()).toContain('+7912***01');
    expect(await seriousViolations(page)).toEqual([]);

    // A wrong code first: it says so and how many tries are left.
    await page.getByLabel('Code from the SMS').fill(codeSentTo('+79123456701') === '000000' ? '111111' : '000000');
    await page.locator('form button[type=submit]').click();
    await expect.poll(() => page.locator('.errors').textContent()).toContain('Tries left: 4');

    await page.getByLabel('Code from the SMS').fill(codeSentTo('+79123456701'));
    await page.locator('form button[type=submit]').click();
    await page.getByRole('heading', { name: 'Welcome!' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    const found = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79123456701' });
    expect(found.statusCode).toBe(200);
    const customer = found.json();
    expect(customer).toMatchObject({ phone: '+79123456701', email: 'anna@example.com', firstName: 'Anna', locale: 'en-GB' });
    expect(customer.cardNumber).toMatch(/^2990\d{9}$/);
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/consents` })).json();
    const given = consents.history.map((c: { channel: string; purpose: string; granted: boolean; source: string; evidence: { textVersion?: string; ip?: string } }) => [c.channel, c.purpose, c.granted, c.source, c.evidence.textVersion]);
    expect(given.sort()).toEqual([
      ['all', 'personal_data', true, 'web', 'pd-1'],
      ['sms', 'marketing', true, 'web', 'mkt-sms-1'],
    ]);

    // The join bonus: an action rule on customer.joined, which the job awards.
    expect((await t.call({ method: 'POST', url: '/v1/jobs/detect-customer-actions/run' })).statusCode).toBe(200);
    const balance = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/balance` })).json();
    expect(balance.available + balance.pendingPoints).toBe(100);

    // Signed in by joining: the account shows the points, the tier and the card's barcode.
    await page.getByRole('link', { name: 'Go to my account' }).click();
    await page.getByTestId('balance').waitFor();
    expect(await page.getByTestId('balance').textContent()).toBe('100 points');
    expect(await page.getByTestId('card-barcode').locator('svg').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it('in kiosk mode starts over after a sign-up and does not stay signed in', async () => {
    await t.call({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: { ...((await t.call({ method: 'GET', url: '/v1/touchpoints/join-form' })).json() as object), kiosk: { idleSeconds: 15, thanksSeconds: 3 } } });
    const context = await phoneContext(browser, 'ru-RU');
    const page = await context.newPage();
    await page.goto(`${base}/join?mode=kiosk`);
    expect(await page.locator('body').getAttribute('class')).toBe('kiosk');
    await page.getByLabel('Телефон').fill('+7 912 345-67-02');
    await page.getByLabel('Я согласен на обработку моих персональных данных для участия в программе лояльности.').check();
    await page.locator('form button[type=submit]').click();
    await page.getByLabel('Код из SMS').fill(codeSentTo('+79123456702'));
    await page.locator('form button[type=submit]').click();
    await page.getByRole('heading', { name: 'Добро пожаловать!' }).waitFor();
    // The welcome goes back to an empty form by itself for the next person.
    await page.waitForURL(/\/join\?mode=kiosk/, { timeout: 10_000 });
    await page.getByLabel('Телефон').waitFor();
    expect(await page.getByLabel('Телефон').inputValue()).toBe('');
    expect((await context.cookies()).some((c) => c.name === 'patron_session')).toBe(false);
    const created = (await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79123456702' })).json();
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${created.id}/consents` })).json();
    expect(consents.history[0]).toMatchObject({ source: 'pos', evidence: { textVersion: 'pd-1' } });
    await context.close();
  }, 60_000);
});

describe('a kiosk left untouched', () => {
  it('starts over after the idle time the join form\'s settings give, counted from the last touch', async () => {
    const settings = (await t.call({ method: 'GET', url: '/v1/touchpoints/join-form' })).json() as Record<string, unknown>;
    expect((await t.call({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: { ...settings, kiosk: { idleSeconds: 20, thanksSeconds: 3 } } })).statusCode).toBe(200);
    const smsBefore = sms.requests.length;
    const context = await phoneContext(browser, 'ru-RU');
    const page = await context.newPage();
    // The page's timers run on a clock the test moves: the minutes of a real kiosk in a moment.
    await page.clock.install();
    await page.goto(`${base}/join?mode=kiosk`);
    expect(await page.locator('body').getAttribute('data-idle-seconds')).toBe('20');
    const phone = page.getByLabel('Телефон');
    await phone.fill('+7 912 345-67');
    await page.clock.runFor(15_000);
    // Touched again before the time ran out: the count starts anew.
    await phone.press('0');
    await page.clock.runFor(15_000);
    expect(page.url()).toBe(`${base}/join?mode=kiosk`);
    expect(await phone.inputValue()).toBe('+7 912 345-670');
    // Twenty seconds untouched: back to an empty form for the next person, and nothing was sent.
    await page.clock.runFor(6_000);
    await page.waitForURL(`${base}/join?mode=kiosk&lang=ru`);
    await page.getByLabel('Телефон').waitFor();
    expect(await page.getByLabel('Телефон').inputValue()).toBe('');
    expect(sms.requests).toHaveLength(smsBefore);
    await context.close();
  }, 60_000);
});

describe('the account page', () => {
  it('signs in with a code, shows balance, tier and card, and a preference change updates consents', async () => {
    const context = await phoneContext(browser, 'en-GB');
    const page = await context.newPage();
    await page.goto(`${base}/me`);
    await page.waitForURL(/\/me\/sign-in/);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Phone').fill('+79123456701');
    await page.locator('form button[type=submit]').click();
    await page.getByLabel('Code from the SMS').fill(codeSentTo('+79123456701'));
    await page.locator('form button[type=submit]').click();
    await page.waitForURL(/\/me\?/);
    expect(await page.getByTestId('balance').textContent()).toBe('100 points');
    expect(await page.getByTestId('tier').textContent()).not.toBe('');
    expect(await page.getByTestId('card-barcode').locator('svg').count()).toBe(1);

    const customer = (await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79123456701' })).json();
    await page.getByRole('checkbox', { name: 'SMS', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'E-mail', exact: true }).check();
    await page.locator('#preferences button[type=submit]').first().click();
    await page.locator('.ok').waitFor();
    const current = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/consents` })).json().current;
    const marketing = Object.fromEntries(current.filter((c: { purpose: string }) => c.purpose === 'marketing').map((c: { channel: string; granted: boolean }) => [c.channel, c.granted]));
    expect(marketing).toMatchObject({ sms: false, email: true });
    expect(await seriousViolations(page)).toEqual([]);

    // Signed out, /me asks to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/me\/sign-in/);
    await page.goto(`${base}/me`);
    await page.waitForURL(/\/me\/sign-in/);
    await context.close();
  }, 60_000);
});
