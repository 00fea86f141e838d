import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/** Settings in Chromium: the owner's staff users and API keys, what an analyst is refused, and the audit log. */
let h: ConsoleHarness;

beforeAll(async () => {
  h = await startConsole();
}, 90_000);
afterAll(async () => h?.close());

describe('settings: users', () => {
  it('an owner adds a marketer with a generated password, shown once, and the marketer signs in with it', async () => {
    const { page, context, problems } = await h.signIn('owner', { path: '/settings/users' });
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    // Refused in words first: the server's reason for the e-mail field.
    await page.getByLabel('E-mail').fill('not an e-mail');
    await page.getByLabel('Name', { exact: true }).fill('Maria Marketer');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/e-mail|email/i);

    await page.getByLabel('E-mail').fill('maria@console.test');
    await page.getByLabel('Role', { exact: true }).selectOption('marketer');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('shown only now');
    const password = (await page.locator('.secret-once code').textContent())!;
    expect(password.length).toBeGreaterThanOrEqual(10);
    await expect.poll(() => page.getByRole('table').textContent()).toContain('maria@console.test');
    const stored = (await h.t.services.staff.list(100)).items.find((u) => u.email === 'maria@console.test');
    expect(stored).toMatchObject({ name: 'Maria Marketer', role: 'marketer', disabled: false });
    expect(await seriousViolations(page)).toEqual([]);

    // The marketer signs in with the generated password in another browser.
    const other = await h.browser.newContext({ locale: 'en-GB' });
    const theirs = await other.newPage();
    await theirs.goto(`${h.base}/console/`);
    await theirs.getByLabel('E-mail').fill('maria@console.test');
    await theirs.getByLabel('Password').fill(password);
    await theirs.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => theirs.locator('.who').textContent()).toContain('Maria Marketer');
    await other.close();

    // Disabled, then enabled again; the list shows it.
    await page.getByRole('button', { name: 'Disable: Maria Marketer' }).click();
    await expect.poll(() => page.getByRole('row', { name: /maria@console.test/ }).textContent()).toContain('Disabled');
    expect((await h.t.services.staff.get(stored!.id)).disabled).toBe(true);
    await page.getByRole('button', { name: 'Enable: Maria Marketer' }).click();
    await expect.poll(() => page.getByRole('row', { name: /maria@console.test/ }).textContent()).toContain('Active');

    // A new password set in the dialog.
    await page.getByRole('button', { name: 'Set a password: Maria Marketer' }).click();
    await page.getByRole('dialog').getByLabel('Password').fill('a brand new marketer phrase');
    await page.getByRole('dialog').getByRole('button', { name: 'Set the password' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The password of Maria Marketer is changed');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('refuses to demote the last owner, in words', async () => {
    const owners = (await h.t.services.staff.list(100)).items.filter((u) => u.role === 'owner' && !u.disabled);
    const { page, context } = await h.signIn('owner', { path: '/settings/users' });
    // Every other owner disabled, so the signed-in one is the last.
    for (const other of owners.filter((u) => u.email !== h.emailOf('owner'))) {
      await page.getByRole('button', { name: `Disable: ${other.name}` }).click();
      await expect.poll(() => page.getByRole('button', { name: `Enable: ${other.name}` }).count()).toBe(1);
    }
    await page.getByLabel('Role of Owner Person').selectOption('analyst');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('This is the last enabled owner');
    const me = (await h.t.services.staff.list(100)).items.find((u) => u.email === h.emailOf('owner'));
    expect(me?.role).toBe('owner');
    await context.close();
  });

  it('is in Russian with no serious accessibility problem', async () => {
    const { page, context, problems } = await h.signIn('owner', { path: '/settings/users', locale: 'ru-RU' });
    await page.getByLabel('Язык').first().selectOption('ru');
    await page.getByRole('heading', { level: 1, name: 'Пользователи' }).waitFor();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('maria@console.test');
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${h.base}/console/settings/api-keys`);
    await page.getByRole('heading', { level: 1, name: 'API-ключи' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${h.base}/console/settings/channels`);
    await page.getByRole('heading', { level: 1, name: 'Каналы' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Правила контактов' }).waitFor();
    await page.getByLabel('Тихие часы с (ЧЧ:ММ)').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.goto(`${h.base}/console/audit`);
    await page.getByRole('heading', { level: 1, name: 'Журнал действий' }).waitFor();
    await expect.poll(() => page.getByRole('table').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('settings: API keys', () => {
  it('an owner creates a key, sees its secret once, the key works; the audit log shows its creation; revoked, it stops working', async () => {
    const { page, context, problems } = await h.signIn('owner');
    await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { level: 1, name: 'API keys' }).waitFor();
    await page.getByLabel('Name').fill('Online shop');
    await page.getByLabel('Role', { exact: true }).selectOption('marketer');
    await page.getByRole('button', { name: 'Create the key' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('is shown only now');
    const secret = (await page.locator('.secret-once code').textContent())!;
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Online shop');
    expect(await seriousViolations(page)).toEqual([]);

    const withKey = (url: string) => h.t.call({ role: null, method: 'GET', url, headers: { authorization: `Bearer ${secret}` } });
    expect((await withKey('/v1/customers?limit=1')).statusCode).toBe(200);
    // A marketer's key may not manage keys: the key carries its role.
    expect((await withKey('/v1/api-keys')).statusCode).toBe(403);

    // Shown once: after a reload the page has the key but not its secret.
    await page.reload();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Online shop');
    expect(await page.getByRole('main').textContent()).not.toContain(secret);

    const key = (await h.t.services.apiKeys.list(100)).items.find((k) => k.name === 'Online shop')!;
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await page.getByLabel('Entity type').fill('api_key');
    await page.getByLabel('Entity id').fill(key.id);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => page.getByRole('table').textContent()).toContain('api_key.create');
    const row = await page.getByRole('row').nth(1).textContent();
    expect(row).toContain('Owner Person');
    expect(row).toContain('Owner');
    expect(row).toContain(key.id);
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('navigation').getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('button', { name: 'Revoke: Online shop' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke the key' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The key “Online shop” is revoked');
    expect((await withKey('/v1/customers?limit=1')).statusCode).toBe(401);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an analyst cannot open the API-key settings: no menu entry, the words at its address, and the server refuses', async () => {
    const { page, context, problems } = await h.signIn('analyst');
    const menu = await page.getByRole('navigation').textContent();
    expect(menu).not.toContain('API keys');
    expect(menu).not.toContain('Users');
    expect(menu).not.toContain('Audit log');
    const refused: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/v1/api-keys')) refused.push(response.status());
    });
    await page.goto(`${h.base}/console/settings/api-keys`);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('may not open this page');
    // The page sent nothing; what it would have asked, the server refuses.
    const answer = await page.evaluate(async () => (await fetch('/v1/api-keys')).status);
    expect(answer).toBe(403);
    expect(refused.every((status) => status === 403)).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('settings: channels', () => {
  it('an owner adds an SMTP channel whose password is never shown back, changes it keeping the password, and sets quiet hours and a cap', async () => {
    const { page, context, problems } = await h.signIn('owner');
    await page.getByRole('navigation').getByRole('link', { name: 'Channels' }).click();
    await page.getByRole('heading', { level: 1, name: 'Channels' }).waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('No channels yet');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Add a channel' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name', { exact: true }).fill('Shop mail');
    await dialog.getByLabel('Kind', { exact: true }).selectOption('email');
    await dialog.getByLabel('SMTP server').fill('smtp.shop.example');
    await dialog.getByLabel('Port', { exact: true }).fill('not a port');
    await dialog.getByLabel('SMTP user').fill('news');
    await dialog.getByLabel('SMTP password').fill('smtp secret value');
    await dialog.getByLabel('From', { exact: true }).fill('Shop <news@shop.example>');
    await dialog.getByRole('button', { name: 'Save the channel' }).click();
    await expect.poll(() => dialog.locator('.field-error').first().textContent()).toMatch(/integer|number/i);
    await dialog.getByLabel('Port', { exact: true }).fill('587');
    await dialog.getByRole('button', { name: 'Save the channel' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The channel “Shop mail” is saved');
    await expect.poll(() => page.getByRole('row', { name: /Shop mail/ }).textContent()).toContain('SMTP password: set');
    expect(await page.content()).not.toContain('smtp secret value');
    const listed = JSON.parse((await h.t.call({ method: 'GET', url: '/v1/channels' })).body).items[0];
    expect(listed).toMatchObject({ name: 'Shop mail', kind: 'email', active: true, secretsSet: ['auth.pass'], config: { host: 'smtp.shop.example', port: 587, from: 'Shop <news@shop.example>' } });

    await page.getByRole('button', { name: 'Change: Shop mail' }).click();
    expect(await dialog.getByLabel('SMTP password').inputValue()).toBe('');
    expect(await dialog.textContent()).toContain('Set. Leave empty to keep it');
    await dialog.getByLabel('SMTP server').fill('relay.shop.example');
    await dialog.getByRole('button', { name: 'Save the channel' }).click();
    // The row read "SMTP password: set" before the change too, so wait for the saved host itself.
    const readChannel = async () => JSON.parse((await h.t.call({ method: 'GET', url: `/v1/channels/${listed.id}` })).body);
    await expect.poll(async () => (await readChannel()).config.host).toBe('relay.shop.example');
    await expect.poll(() => page.getByRole('row', { name: /Shop mail/ }).textContent()).toContain('SMTP password: set');
    const changed = await readChannel();
    expect(changed).toMatchObject({ secretsSet: ['auth.pass'], config: { host: 'relay.shop.example', auth: { user: 'news' } } });

    await page.getByLabel('Quiet from (HH:MM)').fill('22:30');
    await page.getByLabel('Quiet until (HH:MM)').fill('08:00');
    await page.getByRole('button', { name: 'Add a cap' }).click();
    await page.getByLabel('Kind of cap 1').selectOption('sms');
    await page.getByLabel('At most (cap 1)').fill('2');
    await page.getByLabel('In days (cap 1)').fill('7');
    await page.getByRole('button', { name: 'Save the policy' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The contact policy is saved');
    const policy = JSON.parse((await h.t.call({ method: 'GET', url: '/v1/messaging/policy' })).body);
    expect(policy).toMatchObject({ quietHours: { from: '22:30', to: '08:00' }, caps: [{ kind: 'sms', max: 2, days: 7 }] });

    // A webhook: its signing secret shown once, only its end listed.
    await page.getByLabel('URL', { exact: true }).fill('https://crm.shop.example/patron');
    await page.getByLabel('Event types').fill('customer.created, receipt.confirmed');
    await page.getByRole('button', { name: 'Add the webhook' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The signing secret of https://crm.shop.example/patron is shown only now');
    const signing = (await page.locator('.secret-once code').textContent())!;
    const hooks = JSON.parse((await h.t.call({ method: 'GET', url: '/v1/webhooks' })).body).items;
    expect(hooks).toMatchObject([{ url: 'https://crm.shop.example/patron', eventTypes: ['customer.created', 'receipt.confirmed'], active: true }]);
    expect(hooks[0].secretHint).toBe(`…${signing.slice(-4)}`);
    expect(await page.getByRole('row', { name: /crm\.shop\.example/ }).textContent()).toContain(hooks[0].secretHint);
    await page.getByRole('button', { name: 'Switch off: https://crm.shop.example/patron' }).click();
    await expect.poll(() => page.getByRole('row', { name: /crm\.shop\.example/ }).textContent()).toContain('Off');
    expect(await seriousViolations(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('an analyst reads the channels and the policy but changes nothing', async () => {
    const { page, context, problems } = await h.signIn('analyst', { path: '/settings/channels' });
    await expect.poll(() => page.getByRole('table').textContent()).toContain('Shop mail');
    expect(await page.getByRole('button', { name: 'Add a channel' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Change: Shop mail' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save the policy' }).count()).toBe(0);
    expect(await page.getByLabel('Quiet from (HH:MM)').isDisabled()).toBe(true);
    expect(await page.getByRole('heading', { name: 'Webhooks' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
