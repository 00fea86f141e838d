import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The settings of the customer pages in Chromium: the join form (fields, a custom attribute, a
 * consent text that makes a new version, the sites that may embed it) and what /join then shows;
 * fiscal receipts with a write-only token, a store and the brand's products; a change saved
 * meanwhile refused in words; read-only roles see no save; Russian words; no serious axe finding.
 */
let h: ConsoleHarness;

const ok = async (request: Parameters<ConsoleHarness['t']['call']>[0], status = 200) => {
  const response = await h.t.call(request);
  expect(response.statusCode, response.body).toBe(status);
  return response.json();
};

beforeAll(async () => {
  h = await startConsole();
  await ok({ method: 'PUT', url: '/v1/customer-attributes/favourite_drink', payload: { type: 'string', label: 'Favourite drink' } }, 201);
  await ok({ method: 'PUT', url: '/v1/customer-attributes/cups_per_day', payload: { type: 'integer', label: 'Cups a day' } }, 201);
  await ok({ method: 'PUT', url: '/v1/stores/fiscal', payload: { name: 'Other shops', timezone: 'Europe/Moscow' } });
  await ok({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'COF-ARABICA-1KG', name: 'Кофе арабика 1 кг' }, { sku: 'TEA-GREEN-100', name: 'Green tea 100 g' }] });
}, 120_000);
afterAll(async () => h?.close());

describe('the join form', () => {
  it('a marketer asks one more field and an attribute, changes a consent text (a new version), and /join shows them', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/dashboard' });
    await page.getByRole('navigation').getByRole('link', { name: 'Join form' }).click();
    await page.getByRole('heading', { level: 1, name: 'Join form' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const before = await ok({ method: 'GET', url: '/v1/touchpoints/join-form' });
    expect(before.consents[0]).toMatchObject({ id: 'personal_data', version: 'pd-1' });

    await page.getByLabel('How the form asks “Last name”').selectOption('optional');
    // Only text attributes are offered: the form asks them as text.
    expect(await page.getByLabel('Attribute to ask').locator('option').allTextContents()).toEqual(['Favourite drink (favourite_drink)']);
    await page.getByLabel('Attribute to ask').selectOption('favourite_drink');
    await page.getByRole('button', { name: 'Add to the form' }).click();
    await page.getByLabel('Label in English: favourite_drink').fill('Your favourite drink');
    await page.getByLabel('Label in Russian: favourite_drink').fill('Любимый напиток');
    const consent = page.getByRole('group', { name: 'Consent “personal_data”' });
    await consent.getByLabel('Text in English').fill('I agree to the processing of my personal data under the club rules.');
    // The page names the new version the change is stored under, and the preview shows the draft.
    await expect.poll(() => consent.getByRole('status').textContent()).toContain('it is saved as version pd-2');
    expect(await consent.getByLabel('Version of the text').inputValue()).toBe('pd-2');
    const preview = page.getByTestId('join-preview');
    await page.getByLabel('Preview language').selectOption('en');
    expect(await preview.textContent()).toContain('Last name');
    expect(await preview.textContent()).toContain('Your favourite drink');
    expect(await page.getByText('Changes on this page are not saved yet.').count()).toBe(1);

    // A wrong site is named at its field and nothing is stored.
    await page.getByRole('button', { name: 'Add a site' }).click();
    await page.getByLabel('Site 1').fill('https://coffee.example/');
    await page.getByRole('button', { name: 'Save the join form' }).click();
    const site = page.locator('.field', { has: page.getByLabel('Site 1') });
    await expect.poll(() => site.locator('.field-error').textContent()).toContain('must be an origin');
    expect(await seriousViolations(page)).toEqual([]);
    expect((await ok({ method: 'GET', url: '/v1/touchpoints/join-form' })).version).toBe(before.version);

    await page.getByLabel('Site 1').fill('https://coffee.example');
    await page.getByRole('button', { name: 'Save the join form' }).click();
    await page.getByText(`Saved as version ${before.version + 1}.`).waitFor();
    const after = await ok({ method: 'GET', url: '/v1/touchpoints/join-form' });
    expect(after.fields.lastName).toBe('optional');
    expect(after.attributes).toEqual([{ key: 'favourite_drink', label: { ru: 'Любимый напиток', en: 'Your favourite drink' }, required: false }]);
    expect(after.consents[0]).toMatchObject({ id: 'personal_data', version: 'pd-2', text: { en: 'I agree to the processing of my personal data under the club rules.' } });
    expect(after.consents[1]).toEqual(before.consents[1]);
    expect(after.embedOrigins).toEqual(['https://coffee.example']);
    expect(await page.getByText('Changes on this page are not saved yet.').count()).toBe(0);
    // Saved, the text is the saved one: no new version is proposed any more.
    expect(await consent.getByLabel('Version of the text').inputValue()).toBe('pd-2');
    expect(await consent.getByRole('status').count()).toBe(0);
    expect(await page.locator('.tp-snippet').textContent()).toContain(`${h.base}/join?mode=embed`);
    expect(await page.getByText(`${h.base}/join?mode=kiosk`).count()).toBe(1);

    // The customer's page, in the same browser, asks what was saved.
    const join = await context.newPage();
    await join.goto(`${h.base}/join?lang=en`);
    // The fields in the order the console's preview shows them.
    expect((await join.locator('form label').allTextContents()).slice(0, 6)).toEqual(['Phone', 'E-mail (optional)', 'First name (optional)', 'Last name (optional)', 'Date of birth (optional)', 'Your favourite drink (optional)']);
    expect(await join.locator('label[for="f-attr_favourite_drink"]').textContent()).toContain('Your favourite drink');
    expect(await join.getByText('I agree to the processing of my personal data under the club rules.').count()).toBe(1);
    const opened = page.getByRole('link', { name: 'Open the form in English' });
    expect(await opened.getAttribute('href')).toBe('/join?lang=en');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses in words a save over a change someone made meanwhile, and keeps theirs', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/settings/join-form' });
    await page.getByRole('heading', { level: 1, name: 'Join form' }).waitFor();
    const read = await ok({ method: 'GET', url: '/v1/touchpoints/join-form' });
    const { version, updatedAt: _u, ...form } = read;
    const theirs = await ok({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: { ...form, kiosk: { idleSeconds: 90, thanksSeconds: 8 }, version } });

    await page.getByLabel('Start over after no touch, seconds').fill('120');
    await page.getByRole('button', { name: 'Save the join form' }).click();
    await page.getByText('Someone else saved these settings after you opened them.').waitFor();
    expect(await ok({ method: 'GET', url: '/v1/touchpoints/join-form' })).toMatchObject({ version: theirs.version, kiosk: { idleSeconds: 90 } });

    await page.getByRole('button', { name: 'Reload' }).click();
    await expect.poll(() => page.getByLabel('Start over after no touch, seconds').inputValue()).toBe('90');
    await page.getByLabel('Start over after no touch, seconds').fill('10');
    await page.getByRole('button', { name: 'Save the join form' }).click();
    const idle = page.locator('.field', { has: page.getByLabel('Start over after no touch, seconds') });
    await expect.poll(() => idle.locator('.field-error').textContent()).toMatch(/15/);
    await page.getByLabel('Start over after no touch, seconds').fill('120');
    await page.getByRole('button', { name: 'Save the join form' }).click();
    await page.getByText(`Saved as version ${theirs.version + 1}.`).waitFor();
    expect((await ok({ method: 'GET', url: '/v1/touchpoints/join-form' })).kiosk).toEqual({ idleSeconds: 120, thanksSeconds: 8 });
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('fiscal receipts', () => {
  it('saves the service with a token shown only as “token set”, the store and the brand’s products', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/dashboard' });
    page.setDefaultTimeout(10_000); // a step waiting in vain fails naming its locator, before the test's own timeout
    await page.getByRole('navigation').getByRole('link', { name: 'Fiscal receipts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fiscal receipts' }).waitFor();
    await page.getByText('No token', { exact: true }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Customers may submit receipts').check();
    await page.getByLabel('Service address').fill('https://checks.brand.example/api/receipts');
    await page.getByLabel('Service kind').selectOption('generic');
    await page.getByLabel('Service token').fill('secret-token-4711');
    await page.getByLabel('Oldest receipt taken, days').fill('14');
    await page.getByLabel('Find a product in the catalog').fill('арабика');
    await page.getByRole('button', { name: 'Add COF-ARABICA-1KG — Кофе арабика 1 кг' }).click();
    await page.getByRole('button', { name: 'Add a row' }).click();
    await page.getByLabel('SKU, row 2').fill('NOT-IN-CATALOG');
    await page.getByLabel('Barcode, row 2').fill('4607001771234');
    await page.getByLabel('Wait for the service at most, seconds').fill('0.1');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    const wait = page.locator('.field', { has: page.getByLabel('Wait for the service at most, seconds') });
    await expect.poll(() => wait.locator('.field-error').textContent()).toBe('Give a number of seconds from 0.5 to 60, like 10 or 2.5.');
    await page.getByLabel('Wait for the service at most, seconds').fill('2,5');
    // Switched on without a store, and a SKU the catalog lacks: each named where it is.
    await page.getByRole('button', { name: 'Save the settings' }).click();
    const store = page.locator('.field', { has: page.getByLabel('Store the verified receipts are booked at') });
    await expect.poll(() => store.locator('.field-error').textContent()).toContain('is needed to switch receipts on');
    await expect.poll(() => page.locator('.tp-products').textContent()).toContain('NOT-IN-CATALOG is not in the catalog');
    expect(await wait.locator('.field-error').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(await ok({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).toMatchObject({ enabled: false, tokenSet: false });

    await page.getByLabel('Store the verified receipts are booked at').selectOption('fiscal');
    await page.getByLabel('SKU, row 2').fill('TEA-GREEN-100');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.getByText('Saved as version 1.').waitFor();
    const saved = await ok({ method: 'GET', url: '/v1/fiscal-receipts/settings' });
    expect(saved).toMatchObject({
      enabled: true,
      serviceUrl: 'https://checks.brand.example/api/receipts',
      serviceFormat: 'generic',
      timeoutMs: 2500,
      tokenSet: true,
      storeId: 'fiscal',
      maxAgeDays: 14,
      products: [
        { sku: 'COF-ARABICA-1KG', nameContains: 'Кофе арабика 1 кг' },
        { sku: 'TEA-GREEN-100', barcode: '4607001771234' },
      ],
    });
    await page.getByText('Token set', { exact: true }).waitFor();
    expect(await page.getByLabel('Service token').inputValue()).toBe('');
    expect(await page.content()).not.toContain('secret-token-4711');

    // Saved again without typing a token: the token stays; the page never shows it.
    await page.reload();
    await page.getByText('Token set', { exact: true }).waitFor();
    expect(await page.content()).not.toContain('secret-token-4711');
    await page.getByLabel('Oldest receipt taken, days').fill('30');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.getByText('Saved as version 2.').waitFor();
    expect(await ok({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).toMatchObject({ tokenSet: true, maxAgeDays: 30 });

    // Removed on purpose, it is gone.
    await page.getByLabel('Remove the saved token').check();
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.getByText('Saved as version 3.').waitFor();
    await page.getByText('No token', { exact: true }).waitFor();
    expect((await ok({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).tokenSet).toBe(false);

    // Someone saves meanwhile: this page's save is refused in words, and theirs stays.
    const { tokenSet: _t, updatedAt: _u, ...read } = await ok({ method: 'GET', url: '/v1/fiscal-receipts/settings' });
    await ok({ method: 'PUT', url: '/v1/fiscal-receipts/settings', payload: { ...read, maxAgeDays: 60 } });
    await page.getByLabel('Oldest receipt taken, days').fill('7');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await page.getByText('Someone else saved these settings after you opened them.').waitFor();
    expect((await ok({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).maxAgeDays).toBe(60);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('roles and languages', () => {
  it('an analyst reads both pages with no way to save', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/settings/join-form' });
    await page.getByRole('heading', { level: 1, name: 'Join form' }).waitFor();
    await page.getByText('Your role may read the join form but not change it.').waitFor();
    expect(await page.getByRole('button', { name: 'Save the join form' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add a consent' }).count()).toBe(0);
    expect(await page.getByLabel('How the form asks “E-mail”').isDisabled()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('navigation').getByRole('link', { name: 'Fiscal receipts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Fiscal receipts' }).waitFor();
    await page.getByText('Your role may read these settings but not change them.').waitFor();
    expect(await page.getByRole('button', { name: 'Save the settings' }).count()).toBe(0);
    expect(await page.getByLabel('Service token').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('speaks Russian', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/settings/join-form', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Форма регистрации' }).waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Форма регистрации' }).count()).toBe(1);
    await page.getByRole('heading', { level: 2, name: 'Согласия' }).waitFor();
    expect(await page.getByRole('button', { name: 'Сохранить форму' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('navigation').getByRole('link', { name: 'Фискальные чеки' }).click();
    await page.getByRole('heading', { level: 1, name: 'Фискальные чеки' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Товары бренда' }).waitFor();
    expect(await page.getByRole('button', { name: 'Сохранить настройки' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
