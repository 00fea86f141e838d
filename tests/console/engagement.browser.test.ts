import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * Bonuses for actions, the birthday offer and the referral program in Chromium: a marketer makes
 * a rule and a customer's event earns its points; wrong values are named at their fields and
 * nothing is stored; the settings pages save what the server then answers; roles without the
 * write permission see no way to change anything; Russian words; no serious axe violation.
 */
let h: ConsoleHarness;
let lida = '';

const ok = async (request: Parameters<ConsoleHarness['t']['call']>[0], status = 200) => {
  const response = await h.t.call(request);
  expect(response.statusCode, response.body).toBe(status);
  return response.json();
};

beforeAll(async () => {
  h = await startConsole();
  lida = (await ok({ method: 'POST', url: '/v1/customers', payload: { phone: '+79035552001', firstName: 'Lida' } }, 201)).id;
}, 120_000);
afterAll(async () => h?.close());

type Rule = { id: string; name: string; status: string; points: number; limits: Record<string, unknown>; conditions: { properties?: Record<string, unknown> }; version: number };
const rules = async (): Promise<Rule[]> => (await ok({ method: 'GET', url: '/v1/action-rules' })).items;

describe('bonuses for actions', () => {
  it('a marketer creates a rule in words, and a customer event earns its points', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/action-rules' });
    await page.getByRole('heading', { level: 1, name: 'Bonuses for actions' }).waitFor();
    await page.getByText('No bonuses for actions yet').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'New rule' }).click();
    await page.getByRole('heading', { level: 1, name: 'New bonus for an action' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Five-star review');
    await page.getByLabel('Event', { exact: true }).fill('Review Posted');
    await page.getByLabel('Points per event').fill('50');
    await page.getByRole('button', { name: 'Add a condition' }).click();
    await page.getByLabel('Property (condition 1)').fill('rating');
    await page.getByLabel('Kind of value (condition 1)').selectOption('number');
    await page.getByLabel('Value (condition 1)', { exact: true }).fill('five');
    await page.getByLabel('Awards per customer per day').fill('1');
    await page.getByLabel('Budget: points across all customers').fill('100000');

    // A value that is not a number is named before anything is sent.
    await page.getByRole('button', { name: 'Save the rule' }).click();
    await page.getByText('Enter a number, like 5 or 4.5').waitFor();
    await page.getByLabel('Value (condition 1)', { exact: true }).fill('5');

    // The server's words stand at the event type it refuses; nothing is stored.
    await page.getByRole('button', { name: 'Save the rule' }).click();
    const eventField = page.locator('.field', { has: page.getByLabel('Event', { exact: true }) });
    await expect.poll(() => eventField.locator('.field-error').count()).toBe(1);
    expect(await eventField.locator('.field-error').textContent()).toMatch(/lower-case words/);
    expect(await rules()).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Event', { exact: true }).fill('review.posted');
    await page.getByRole('button', { name: 'Save the rule' }).click();
    await page.getByText('The rule is saved').waitFor();
    expect(new URL(page.url()).search).toBe('');
    const table = page.getByRole('table', { name: 'Bonuses for actions, newest first' });
    await expect.poll(() => table.textContent()).toContain('Five-star review');
    expect(await table.textContent()).toContain('rating = 5');
    expect(await table.textContent()).toContain('1 a day');
    const [stored] = await rules();
    expect(stored).toMatchObject({ name: 'Five-star review', eventType: 'review.posted', points: 50, status: 'active', limits: { perCustomerPerDay: 1, totalPoints: 100000 }, conditions: { properties: { rating: 5 } } });

    // The customer's review earns the points; a four-star one does not.
    const answer = await ok({ method: 'POST', url: '/v1/events', payload: { eventId: 'review-1', customer: { customerId: lida }, type: 'review.posted', properties: { rating: 5 } } }, 201);
    expect(answer.awards).toEqual([{ ruleId: stored!.id, points: 50 }]);
    await ok({ method: 'POST', url: '/v1/events', payload: { eventId: 'review-2', customer: { customerId: lida }, type: 'review.posted', properties: { rating: 4 } } }, 201);
    expect((await ok({ method: 'GET', url: `/v1/customers/${lida}/balance` })).available).toBe(50);

    // The list shows what the rule gave; its page the same, with the budget left.
    await page.reload();
    await expect.poll(() => table.textContent()).toContain('1 award, 50 points');
    await page.getByRole('link', { name: 'Five-star review' }).click();
    await page.getByRole('heading', { level: 1, name: 'Bonus “Five-star review”' }).waitFor();
    await expect.poll(() => page.locator('.stat', { hasText: 'Budget left' }).textContent()).toContain('99,950');
    expect(await page.getByLabel('Value (condition 1)', { exact: true }).inputValue()).toBe('5');

    // Edited: once per customer, saved with the version it was read at.
    await page.getByLabel('Once per customer, ever').check();
    await page.getByLabel('Points per event').fill('60');
    await page.getByRole('button', { name: 'Save the rule' }).click();
    await page.getByText('The rule is saved').waitFor();
    expect((await rules())[0]).toMatchObject({ points: 60, limits: { oncePerCustomer: true, perCustomerPerDay: 1 }, version: 2 });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('pauses a rule, deletes one that never awarded, archives one that did, and refuses a lost update in words', async () => {
    await ok({ method: 'POST', url: '/v1/action-rules', payload: { name: 'App login', eventType: 'app.login', points: 5 } }, 201);
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/action-rules' });
    const table = page.getByRole('table', { name: 'Bonuses for actions, newest first' });
    await expect.poll(() => table.textContent()).toContain('App login');

    await page.getByRole('button', { name: 'Pause “App login”' }).click();
    await page.getByRole('button', { name: 'Resume “App login”' }).waitFor();
    expect((await rules()).find((r) => r.name === 'App login')?.status).toBe('paused');

    await page.getByRole('button', { name: 'Delete “App login”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the rule?' });
    await dialog.getByRole('button', { name: 'Delete the rule' }).click();
    await page.getByText('The rule “App login” is deleted.').waitFor();
    expect((await rules()).map((r) => r.name)).toEqual(['Five-star review']);

    // A rule that gave points stays for the customers' history: the dialog says so and archives it.
    await page.getByRole('button', { name: 'Delete “Five-star review”' }).click();
    await dialog.getByRole('button', { name: 'Delete the rule' }).click();
    await dialog.getByText('has already given points').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Archive it' }).click();
    await page.getByText('The rule “Five-star review” is archived').waitFor();
    expect((await rules())[0]).toMatchObject({ name: 'Five-star review', status: 'archived' });
    await page.getByLabel('Status').selectOption('paused');
    await page.getByText('No rule has this status').waitFor();

    // Someone changes a rule while its form is open: the save is refused in words, theirs stays.
    await page.getByLabel('Status').selectOption('archived');
    await page.getByRole('link', { name: 'Five-star review' }).click();
    await page.getByLabel('Points per event').fill('70');
    const [rule] = await rules();
    await ok({ method: 'PATCH', url: `/v1/action-rules/${rule!.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { points: 65 } });
    await page.getByRole('button', { name: 'Save the rule' }).click();
    await page.getByText('Someone else saved this rule after you opened it.').waitFor();
    expect((await rules())[0]!.points).toBe(65);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('the birthday offer and the referral program', () => {
  it('saves the birthday offer; a wrong timezone is named at its field', async () => {
    const gift = await ok({ method: 'POST', url: '/v1/promotions', payload: { name: 'Birthday: 15% off', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 1500 } } }, 201);
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/action-rules' });
    await page.getByRole('navigation').getByRole('link', { name: 'Birthday offer' }).click();
    await page.getByRole('heading', { level: 1, name: 'Birthday offer' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const before = await ok({ method: 'GET', url: '/v1/birthday-offer' });

    await page.getByLabel('Give the birthday offer').check();
    await page.getByLabel('What the customer gets').selectOption('points');
    await page.getByLabel('Points', { exact: true }).fill('200');
    await page.getByLabel('Days before the birthday').fill('3');
    await page.getByLabel('Days after the birthday').fill('7');
    await page.getByLabel('Timezone for customers without one').fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save the offer' }).click();
    const zone = page.locator('.field', { has: page.getByLabel('Timezone for customers without one') });
    await expect.poll(() => zone.locator('.field-error').textContent()).toContain('IANA timezone');
    expect((await ok({ method: 'GET', url: '/v1/birthday-offer' })).version).toBe(before.version);

    await page.getByLabel('Timezone for customers without one').fill('Europe/Moscow');
    expect(await page.getByText('Each customer gets 200 points 3 days before their birthday').count()).toBe(1);
    await page.getByRole('button', { name: 'Save the offer' }).click();
    await page.getByText(`Saved as version ${before.version + 1}.`).waitFor();
    expect(await ok({ method: 'GET', url: '/v1/birthday-offer' })).toMatchObject({ enabled: true, benefit: { kind: 'points', points: 200 }, daysBefore: 3, daysAfter: 7, defaultTimezone: 'Europe/Moscow' });

    // A personal promo code instead: the promotion is found by name and chosen.
    await page.getByLabel('What the customer gets').selectOption('promo_code');
    await page.getByLabel('Find a promotion by name').fill('Birthday');
    await page.getByRole('button', { name: 'Choose “Birthday: 15% off”' }).click();
    await page.getByText(gift.id).waitFor();
    await page.getByRole('button', { name: 'Save the offer' }).click();
    await page.getByText(`Saved as version ${before.version + 2}.`).waitFor();
    expect((await ok({ method: 'GET', url: '/v1/birthday-offer' })).benefit).toEqual({ kind: 'promo_code', promotionId: gift.id });
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('changes the referral program, explained in words from what the server stored', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/referrals' });
    await page.getByRole('heading', { level: 1, name: 'Referral program' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const how = page.locator('.engage-how');
    expect(await how.textContent()).toContain('the friend who invited gets 500 points and the new customer 300 points');

    await page.getByLabel('Points to the friend who invited').fill('700');
    await page.getByLabel('Least qualifying purchase').fill('1500');
    await page.getByLabel('Friends a month').fill('0');
    await page.getByLabel('Link template').fill('https://coffee.example/r/');
    await page.getByRole('button', { name: 'Save the program' }).click();
    const link = page.locator('.field', { has: page.getByLabel('Link template') });
    await expect.poll(() => link.locator('.field-error').count()).toBe(1);
    expect((await ok({ method: 'GET', url: '/v1/referral-program' })).referrerPoints).toBe(500);

    await page.getByLabel('Link template').fill('https://coffee.example/r/{code}');
    // Someone saves while the page is open: this save is refused in words, theirs is not lost.
    const before = await ok({ method: 'PATCH', url: '/v1/referral-program', headers: { 'content-type': 'application/merge-patch+json' }, payload: { refereePoints: 350 } });
    await page.getByRole('button', { name: 'Save the program' }).click();
    await page.getByText('Someone else saved the program after you opened it.').waitFor();
    expect((await ok({ method: 'GET', url: '/v1/referral-program' })).referrerPoints).toBe(500);
    await page.reload();
    await page.getByLabel('Points to the friend who invited').fill('700');
    await page.getByLabel('Least qualifying purchase').fill('1500');
    await page.getByLabel('Friends a month').fill('0');
    await page.getByLabel('Link template').fill('https://coffee.example/r/{code}');
    await page.getByRole('button', { name: 'Save the program' }).click();
    await page.getByText(`Saved as version ${before.version + 1}.`).waitFor();
    expect(await ok({ method: 'GET', url: '/v1/referral-program' })).toMatchObject({
      referrerPoints: 700,
      qualifyingPurchaseMinor: 150000,
      capPerReferrerPerMonth: 0,
      refereePoints: 350,
      capPerReferrerTotal: 100,
      linkTemplate: 'https://coffee.example/r/{code}',
    });
    expect(await how.textContent()).toContain('the friend who invited gets 700 points');
    expect(await how.textContent()).toContain('1,500.00');
    expect(await how.textContent()).toContain('at most 100 friends in all');
    expect(await how.textContent()).not.toContain('a calendar month');
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('roles and languages', () => {
  it('an analyst reads every page but sees no way to change anything', async () => {
    await ok({ method: 'POST', url: '/v1/action-rules', payload: { name: 'Survey answered', eventType: 'survey.answered', points: 20 } }, 201);
    const { page, context, problems } = await h.signIn('analyst', { path: '/program/action-rules' });
    const table = page.getByRole('table', { name: 'Bonuses for actions, newest first' });
    await expect.poll(() => table.textContent()).toContain('Survey answered');
    expect(await page.getByRole('link', { name: 'New rule' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Pause|Delete/ }).count()).toBe(0);
    await page.getByRole('link', { name: 'Survey answered' }).click();
    await page.getByText('Your role may read bonuses for actions but not change them.').waitFor();
    expect(await page.getByRole('button', { name: 'Save the rule' }).count()).toBe(0);
    expect(await page.getByLabel('Points per event').isDisabled()).toBe(true);

    await page.getByRole('navigation').getByRole('link', { name: 'Birthday offer' }).click();
    await page.getByText('Your role may read the birthday offer but not change it.').waitFor();
    expect(await page.getByRole('button', { name: 'Save the offer' }).count()).toBe(0);

    await page.getByRole('navigation').getByRole('link', { name: 'Referral program' }).click();
    await page.getByText('Your role may read the referral program but not change it.').waitFor();
    expect(await page.getByRole('button', { name: 'Save the program' }).count()).toBe(0);
    expect(await page.getByLabel('Points to the friend who invited').isDisabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('reads in Russian without serious accessibility violations', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/action-rules', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Бонусы за действия' }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: 'Бонусы за действия, сначала новые' }).textContent()).toContain('В архиве');
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Новое правило' }).click();
    await page.getByRole('heading', { level: 1, name: 'Новый бонус за действие' }).waitFor();
    await page.getByRole('button', { name: 'Добавить условие' }).click();
    await page.getByLabel('Свойство (условие 1)').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('navigation').getByRole('link', { name: 'Подарок ко дню рождения' }).click();
    await page.getByRole('heading', { level: 1, name: 'Подарок ко дню рождения' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('navigation').getByRole('link', { name: 'Реферальная программа' }).click();
    await page.getByRole('heading', { level: 1, name: 'Реферальная программа' }).waitFor();
    expect(await page.locator('.engage-how').textContent()).toContain('пригласивший получает 700 баллов');
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
