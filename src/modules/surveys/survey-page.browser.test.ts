import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, listenOnLoopback, phoneContext, seriousViolations } from '../../../tests/helpers/browser.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * A survey answered from its link in real Chromium on a phone: the NPS report counts the answer,
 * a second answer replaces the first, and a public survey's page takes anonymous answers.
 */
let t: TestApp;
let browser: Browser;
let base: string;

const survey = async (body: Record<string, unknown>) => {
  const created = await t.call({ method: 'POST', url: '/v1/surveys', payload: body });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
};

beforeAll(async () => {
  t = await createTestApp();
  base = await listenOnLoopback(t.app);
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Coffee Club', publicUrl: base } });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('a survey from its link', () => {
  it('answering the NPS question from the customer\'s link updates the NPS report; answering again replaces the answer', async () => {
    const npsId = await survey({
      kind: 'nps',
      status: 'open',
      title: { en: 'How are we doing?', ru: 'Как у нас дела?' },
      questions: [
        { type: 'nps', text: { en: 'How likely are you to recommend us to a friend?' } },
        { type: 'text', required: false, text: { en: 'What could we do better?' } },
      ],
    });
    const customer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161112233' } })).json();
    const link = await t.services.surveys.linkFor(npsId, customer.id);
    expect(link.startsWith(`${base}/s/`)).toBe(true);

    const context = await phoneContext(browser, 'en-GB');
    const page = await context.newPage();
    const opened = await page.goto(link);
    expect(opened!.status(), `${link}: ${await opened!.text()}`).toBe(200);
    expect(await page.locator('h1').textContent()).toBe('How are we doing?');
    expect(await seriousViolations(page)).toEqual([]);
    // Sent without the required answer: it says which.
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.errors').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('9', { exact: true }).check();
    await page.getByRole('textbox', { name: 'What could we do better?' }).fill('Oat milk, please');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Thank you for your answers!').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    const nps = async () => (await t.call({ method: 'GET', url: `/v1/surveys/${npsId}/report` })).json().questions[0].nps;
    expect(await nps()).toMatchObject({ promoters: 1, passives: 0, detractors: 0, nps: 100 });

    // The same link again: the earlier answer is shown, and a new one replaces it.
    await page.goto(link);
    expect(await page.getByLabel('9', { exact: true }).isChecked()).toBe(true);
    await page.getByLabel('3', { exact: true }).check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Thank you for your answers!').waitFor();
    expect(await nps()).toMatchObject({ promoters: 0, detractors: 1, nps: -100 });
    const responses = (await t.call({ method: 'GET', url: `/v1/customers/${customer.id}/survey-responses` })).json().items;
    expect(responses).toHaveLength(1);
    expect(responses[0].answers).toEqual({ q1: 3, q2: 'Oat milk, please' });

    // A link altered by one character opens nothing.
    const forged = await page.goto(`${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`);
    expect(forged!.status()).toBe(404);
    await context.close();
  }, 60_000);

  it('a public privilege-ranking survey takes an anonymous ranking in Russian', async () => {
    const rankingId = await survey({
      kind: 'privilege_ranking',
      status: 'open',
      publicLink: true,
      title: { ru: 'Какие привилегии вам нужны?' },
      questions: [{ type: 'ranking', text: { ru: 'Расставьте по важности' }, options: [{ text: { ru: 'Бесплатный кофе' } }, { text: { ru: 'Парковка' } }, { text: { ru: 'Ранний доступ к распродажам' } }] }],
    });
    const context = await phoneContext(browser, 'ru-RU');
    const page = await context.newPage();
    await page.goto(`${base}/s/p/${rankingId}`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Парковка').selectOption('1');
    await page.getByLabel('Бесплатный кофе').selectOption('2');
    await page.getByLabel('Ранний доступ к распродажам').selectOption('3');
    await page.getByRole('button', { name: 'Отправить' }).click();
    await page.getByText('Спасибо за ответы!').waitFor();
    const report = (await t.call({ method: 'GET', url: `/v1/surveys/${rankingId}/report` })).json();
    expect(report.respondents).toBe(1);
    expect(report.questions[0].ranking.options.map((o: { text: { ru: string } }) => o.text.ru)).toEqual(['Парковка', 'Бесплатный кофе', 'Ранний доступ к распродажам']);
    await context.close();
  }, 60_000);
});
