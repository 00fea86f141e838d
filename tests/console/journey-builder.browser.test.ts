import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The journey builder and the template editor's draft preview in Chromium against a real server:
 * a journey built from nothing (refused in the server's words at the incomplete steps, then
 * saved, switched on and stored step for step), a draft's steps reordered, an active journey's
 * edit with the offer to pause it, and a template previewed for a customer as it is typed.
 */
let h: ConsoleHarness;
let welcomeTemplate: string;

const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
  const answer = await h.t.call({ method, url, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
  expect(answer.statusCode, answer.body).toBeLessThan(300);
  return answer.json();
};
const mainText = (page: Page) => page.getByRole('main').textContent();
const addStep = async (page: Page, kind: string, add = 'Add the step') => {
  await page.getByLabel(add === 'Add the step' ? 'Kind of step' : 'Вид шага').selectOption(kind);
  await page.getByRole('button', { name: add }).click();
};

beforeAll(async () => {
  h = await startConsole();
  await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
  await call('POST', '/v1/customers', { phone: '+79161110001', email: 'anna@example.com', firstName: 'Anna', locale: 'en' });
  welcomeTemplate = (await call('POST', '/v1/templates', { name: 'Welcome mail', kind: 'email', purpose: 'marketing', parts: { subject: 'Welcome, {{ customer.firstName }}', text: 'Glad you joined.' } })).id;
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('journey builder', () => {
  it('a marketer builds a journey from nothing, sees the server’s words at the incomplete steps, saves and switches it on', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/journeys' });
    await page.getByRole('link', { name: 'New journey' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('New journey');
    expect(await mainText(page)).toContain('No steps yet');
    await page.getByLabel('Name', { exact: true }).fill('Welcome by hand');
    await page.getByLabel('Starts when').selectOption('customer.created');
    await page.getByLabel('Control group, %').fill('20');
    await addStep(page, 'wait');
    await addStep(page, 'send');
    await addStep(page, 'award_points');
    const wait = page.getByRole('region', { name: 'Step 1: Wait' });
    const send = page.getByRole('region', { name: 'Step 2: Send a message' });
    const award = page.getByRole('region', { name: 'Step 3: Award points' });
    await award.getByLabel('Points').fill('50');
    await award.getByLabel('Reason (shown in the ledger)').fill('Welcome bonus');
    // The flow is drawn as the steps are added, before anything is saved.
    const flow = page.getByRole('list', { name: 'Steps of the journey' });
    expect(await flow.locator('li.flow-node').count()).toBe(4);
    expect(await flow.textContent()).toContain('No template chosen yet');
    expect(await flow.textContent()).toContain('50 points: Welcome bonus');

    // Incomplete: the wait has no time, the message no template. The server's words land at those steps.
    await wait.getByLabel('Wait for').fill('');
    await page.getByRole('button', { name: 'Create the draft' }).click();
    await expect.poll(() => send.locator('.field-error').textContent()).toBe('is required: choose the template');
    expect(await send.getByLabel('Template').getAttribute('aria-invalid')).toBe('true');
    expect(await wait.getByRole('alert').textContent()).toContain('a wait needs minutes, untilLocalTime or both');
    expect(await flow.locator('li.flow-node.invalid').count()).toBe(2);
    expect(await mainText(page)).toContain('Fix the marked steps and fields, then save again.');
    expect((await call('GET', '/v1/journeys?limit=10')).items).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);

    await wait.getByLabel('Wait for').fill('2');
    await wait.getByLabel('Unit').selectOption('days');
    await send.getByLabel('Template').selectOption(welcomeTemplate);
    await expect.poll(() => flow.textContent()).toContain('for 2 days');
    expect(await flow.textContent()).toContain('Welcome mail');
    await page.getByRole('button', { name: 'Create the draft' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Welcome by hand');
    const id = page.url().split('/').at(-1)!;
    await page.getByRole('button', { name: 'Switch on' }).click();
    await expect.poll(async () => (await call('GET', `/v1/journeys/${id}`)).status).toBe('active');
    const stored = await call('GET', `/v1/journeys/${id}`);
    expect(stored).toMatchObject({ name: 'Welcome by hand', trigger: { event: 'customer.created' }, controlShareBp: 2000, reentry: 'never', version: 1 });
    expect(stored.steps).toEqual([
      { id: 'wait-1', kind: 'wait', minutes: 2880, next: 'send-2' },
      { id: 'send-2', kind: 'send', templateId: welcomeTemplate, next: 'award-points-3' },
      { id: 'award-points-3', kind: 'award_points', points: 50, reason: 'Welcome bonus', next: null },
    ]);

    // An active journey may change (a new version for those who enter from now); the builder says so and offers a pause.
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await expect.poll(() => mainText(page)).toContain('This journey is on. Saving makes a new version');
    await page.getByRole('button', { name: 'Pause the journey' }).click();
    await expect.poll(async () => (await call('GET', `/v1/journeys/${id}`)).status).toBe('paused');
    await expect.poll(() => mainText(page)).toContain('Paused: no one enters');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a marketer reorders a draft’s steps and adds a check that branches; the flow follows, and the server stores the new order', async () => {
    const draft = await call('POST', '/v1/journeys', {
      name: 'Order test',
      trigger: { event: 'receipt.confirmed' },
      steps: [
        { id: 'pause', kind: 'wait', minutes: 60, next: 'mark' },
        { id: 'mark', kind: 'tag', tag: 'buyer', next: null },
      ],
    });
    const { page, context, problems } = await h.signIn('marketer', { path: `/messaging/journeys/${draft.id}` });
    await page.getByRole('link', { name: 'Edit', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Edit “Order test”');
    const flow = page.getByRole('list', { name: 'Steps of the journey' });
    await expect.poll(() => flow.locator('li.flow-node').nth(1).textContent()).toContain('Wait');
    await page.getByRole('button', { name: 'Move step 2 up' }).click();
    await expect.poll(() => flow.locator('li.flow-node').nth(1).textContent()).toContain('Tag “buyer”');
    expect(await flow.locator('li.flow-node').nth(2).textContent()).toContain('for 1 hour');

    // A check after the wait: bought → end, not bought → a message.
    await addStep(page, 'condition');
    await addStep(page, 'send');
    const check = page.getByRole('region', { name: 'Step 3: Check' });
    await check.getByLabel('What to check').selectOption('purchased_since_entry');
    await check.getByLabel('If yes').selectOption(':end');
    await check.getByLabel('If no').selectOption({ label: 'Go to step 4: Send a message' });
    await page.getByRole('region', { name: 'Step 4: Send a message' }).getByLabel('Template').selectOption(welcomeTemplate);
    await expect.poll(() => flow.locator('li.flow-node').nth(3).textContent()).toContain('Yes: then the journey ends');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Order test');
    const stored = await call('GET', `/v1/journeys/${draft.id}`);
    expect(stored).toMatchObject({ status: 'draft', version: 2, trigger: { event: 'receipt.confirmed' } });
    expect(stored.steps).toEqual([
      { id: 'mark', kind: 'tag', tag: 'buyer', next: 'pause' },
      { id: 'pause', kind: 'wait', minutes: 60, next: 'condition-3' },
      { id: 'condition-3', kind: 'condition', if: { kind: 'purchased_since_entry', value: true }, then: null, else: 'send-4' },
      { id: 'send-4', kind: 'send', templateId: welcomeTemplate, next: null },
    ]);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('template draft preview', () => {
  it('previews what is typed for a chosen customer before saving, and a Liquid mistake in words with its line', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/templates/new' });
    await page.getByLabel('Name', { exact: true }).fill('Typed, not saved');
    await page.getByLabel('Subject').fill('For {{ customer.firstName }}');
    await page.getByLabel('Text', { exact: true }).fill('Hello {{ customer.firstName }}, you have {{ balance.available }} points.');
    await page.getByLabel('Customer', { exact: true }).fill('Anna');
    await page.getByRole('button', { name: /^Anna/ }).click();
    const preview = page.getByRole('region', { name: 'Preview for the chosen customer' });
    await expect.poll(() => preview.textContent()).toContain('Hello Anna, you have 0 points.');
    expect(await preview.textContent()).toContain('For Anna');

    await page.getByLabel('Text', { exact: true }).fill('Hello {{ customer.firstName }},\n{% if balance.available > 0 %}you have points');
    const alert = page.locator('.messaging-split').getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('This text cannot be rendered yet');
    expect(await alert.textContent()).toMatch(/Text: line \d+, column \d+: /);
    expect(await preview.count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Text', { exact: true }).fill('Bye {{ customer.firstName }}');
    await expect.poll(() => preview.textContent()).toContain('Bye Anna');
    // Nothing was saved by the previews.
    expect((await call('GET', '/v1/templates?limit=50')).items.map((tpl: { name: string }) => tpl.name)).toEqual(['Welcome mail']);

    // A saved template previews its unsaved change too.
    await page.goto(`${h.base}/console/messaging/templates/${welcomeTemplate}`);
    await page.getByLabel('Customer', { exact: true }).fill('Anna');
    await page.getByRole('button', { name: /^Anna/ }).click();
    await expect.poll(() => preview.textContent()).toContain('Glad you joined.');
    await page.getByLabel('Text', { exact: true }).fill('Glad you joined, {{ customer.firstName }}!');
    await expect.poll(() => preview.textContent()).toContain('Glad you joined, Anna!');
    expect((await call('GET', `/v1/templates/${welcomeTemplate}`)).parts.text).toBe('Glad you joined.');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('in Russian', () => {
  it('the builder and the preview speak Russian, with no serious accessibility violation', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/messaging/journeys/new', locale: 'ru-RU' });
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Новая цепочка');
    await page.getByLabel('Название', { exact: true }).fill('Проверка');
    await addStep(page, 'wait', 'Добавить шаг');
    await addStep(page, 'condition', 'Добавить шаг');
    await page.getByRole('region', { name: 'Шаг 1: Пауза' }).getByLabel('Ждать').fill('3');
    const flow = page.getByRole('list', { name: 'Шаги цепочки' });
    await expect.poll(() => flow.textContent()).toContain('на 3 дня');
    expect(await flow.textContent()).toContain('Купил после входа в цепочку');
    expect(await mainText(page)).toContain('Клиент зарегистрировался');
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(`${h.base}/console/messaging/templates/${welcomeTemplate}`);
    await page.getByLabel('Клиент', { exact: true }).fill('Anna');
    await page.getByRole('button', { name: /^Anna/ }).click();
    await page.getByLabel('Текст', { exact: true }).fill('{{ customer.firstName');
    await expect.poll(() => page.locator('.messaging-split').getByRole('alert').textContent()).toContain('Этот текст пока не получается показать');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
