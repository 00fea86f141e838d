import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousViolations } from '../helpers/browser.ts';
import { startConsole, type ConsoleHarness } from '../helpers/console.ts';

/**
 * The rewards catalog and partner pages in Chromium: a marketer creates rewards and uploads a
 * partner's vouchers; support cancels a customer's order on the 360° page; the owner accepts a code
 * at the desk, creates a partner, issues its key (shown once) and reads a settlement whose figures
 * are the API's; read-only roles see no actions; Russian; axe finds nothing serious.
 */
let h: ConsoleHarness;
let anna = '';

type Call = Parameters<ConsoleHarness['t']['call']>[0];
const ok = async (request: Call, status = 200) => {
  const response = await h.t.call(request);
  expect(response.statusCode, response.body).toBe(status);
  return response.json();
};
const rub = (minor: number) => new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'RUB', maximumFractionDigits: 2 }).format(minor / 100);

beforeAll(async () => {
  h = await startConsole();
  await ok({ method: 'PUT', url: '/v1/stores/azs-01', payload: { name: 'Neft station 1', timezone: 'Europe/Moscow' } });
  // Points can be spent at once, so the settlement has redemptions as well as earnings.
  await ok({ method: 'PATCH', url: '/v1/program', payload: { pendingDays: 0 }, headers: { 'content-type': 'application/merge-patch+json' } });
  anna = (await ok({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161230001', firstName: 'Anna' } }, 201)).id;
  await ok({ method: 'POST', url: `/v1/customers/${anna}/points/adjustments`, payload: { points: 5000, reason: 'Test points' } }, 201);
}, 120_000);
afterAll(async () => h?.close());

describe('the rewards catalog', () => {
  it('a marketer is told in words what is missing, creates a voucher reward, uploads codes and sees the vouchers left', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/rewards' });
    await page.getByRole('heading', { level: 1, name: 'Rewards catalog' }).waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The catalog is empty');
    expect(await seriousViolations(page)).toEqual([]);
    // A marketer may not accept codes at a desk (owner and tills only).
    expect(await page.getByRole('heading', { name: 'Redeem a code at the desk' }).count()).toBe(0);

    await page.getByRole('link', { name: 'New reward' }).click();
    await page.getByRole('heading', { level: 1, name: 'New reward' }).waitFor();
    await page.getByRole('button', { name: 'Create the reward' }).click();
    // The server's words stand next to the field it names.
    await expect.poll(() => page.locator('.field.invalid').count()).toBeGreaterThan(0);
    expect(await page.getByRole('main').textContent()).toMatch(/must|expected/i);
    expect((await ok({ method: 'GET', url: '/v1/rewards' })).items).toHaveLength(0);

    await page.getByLabel('Name', { exact: true }).fill('Cinema ticket');
    await page.getByLabel('Kind').selectOption('partner_voucher');
    await page.getByLabel('Partner', { exact: true }).fill('Kino Park');
    await page.getByLabel('Status').selectOption('active');
    await page.getByLabel('Price in points').fill('150');
    await page.getByRole('button', { name: 'Create the reward' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('upload the partner’s voucher codes');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Paste codes').fill('KINO-0001\nKINO-0002\nKINO-0001\nKINO-0003');
    await page.getByRole('button', { name: 'Upload the codes' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Added 3, skipped as duplicates 1. Vouchers free now: 3.');
    await expect.poll(() => page.getByTestId('vouchers-free').textContent()).toBe('3');
    // The partner's CSV file as it comes: one new code, one already in the pool.
    await page.getByLabel('Or choose a CSV file').setInputFiles({ name: 'kino.csv', mimeType: 'text/csv', buffer: Buffer.from('code,valid_until\nKINO-0003,2030-12-31T21:00:00Z\nKINO-0004,2030-12-31T21:00:00Z\n') });
    await page.getByRole('button', { name: 'Upload the codes' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Added 1, skipped as duplicates 1. Vouchers free now: 4.');
    await expect.poll(() => page.getByTestId('vouchers-free').textContent()).toBe('4');

    const stored = (await ok({ method: 'GET', url: '/v1/rewards' })).items;
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ name: 'Cinema ticket', kind: 'partner_voucher', partner: 'Kino Park', status: 'active', pointsCost: 150, usage: { vouchersFree: 4 } });

    // A goods reward with a stock: the catalog shows what is left of each.
    await page.getByRole('link', { name: '← Rewards catalog' }).click();
    await page.getByRole('link', { name: 'New reward' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Coffee mug');
    await page.getByLabel('Status').selectOption('active');
    await page.getByLabel('Price in points').fill('300');
    await page.getByLabel('Stock, units in all').fill('5');
    await page.getByLabel('Days it lasts').fill('30');
    await page.getByRole('button', { name: 'Create the reward' }).click();
    await expect.poll(() => page.getByTestId('stock-left').textContent()).toBe('5');
    await page.getByLabel('Stock, units in all').fill('8');
    await page.getByRole('button', { name: 'Save the reward' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('The reward “Coffee mug” is saved.');
    const table = page.getByRole('table', { name: 'Rewards, newest first' });
    await expect.poll(() => table.getByRole('row', { name: /Coffee mug/ }).textContent()).toContain('8 units');
    expect(await table.getByRole('row', { name: /Cinema ticket/ }).textContent()).toContain('4 vouchers');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('deletes a reward nobody ordered after a confirmation, and offers to archive one with orders', async () => {
    const made = await ok({ method: 'POST', url: '/v1/rewards', payload: { name: 'Old tote bag', kind: 'goods', status: 'active', pointsCost: 100 } }, 201);
    const ordered = await ok({ method: 'POST', url: '/v1/rewards', payload: { name: 'Umbrella', kind: 'goods', status: 'active', pointsCost: 100 } }, 201);
    await ok({ method: 'POST', url: `/v1/customers/${anna}/rewards`, payload: { rewardId: ordered.id } }, 201);
    const { page, context, problems } = await h.signIn('marketer', { path: `/program/rewards/${made.id}` });
    await page.getByRole('button', { name: 'Delete the reward' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “Old tote bag”?' });
    await dialog.getByRole('button', { name: 'Delete the reward' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The reward “Old tote bag” is deleted.');
    expect((await h.t.call({ method: 'GET', url: `/v1/rewards/${made.id}` })).statusCode).toBe(404);

    await page.goto(`${h.base}/console/program/rewards/${ordered.id}`);
    await page.getByRole('button', { name: 'Delete the reward' }).click();
    const refused = page.getByRole('dialog', { name: 'Delete “Umbrella”?' });
    await refused.getByRole('button', { name: 'Delete the reward' }).click();
    await expect.poll(() => refused.getByRole('alert').textContent()).toMatch(/order/i);
    expect(await seriousViolations(page)).toEqual([]);
    await refused.getByRole('button', { name: 'Archive the reward' }).click();
    await page.getByRole('dialog', { name: 'Archive “Umbrella”?' }).getByRole('button', { name: 'Archive the reward' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The reward is archived.');
    expect((await ok({ method: 'GET', url: `/v1/rewards/${ordered.id}` })).status).toBe('archived');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('support sees a customer’s reward order on the 360° page and cancels it: the points come back', async () => {
    const mug = await ok({ method: 'POST', url: '/v1/rewards', payload: { name: 'Branded cap', kind: 'goods', status: 'active', pointsCost: 250, stock: 3 } }, 201);
    const before = (await ok({ method: 'GET', url: `/v1/customers/${anna}/balance` })).available;
    const order = await ok({ method: 'POST', url: `/v1/customers/${anna}/rewards`, role: 'pos', payload: { rewardId: mug.id } }, 201);
    const { page, context, problems } = await h.signIn('support', { path: `/customers/${anna}?tab=offers` });
    const orders = page.getByRole('table', { name: 'Rewards the customer bought with points or won, newest first' });
    await expect.poll(() => orders.getByRole('row', { name: /Branded cap/ }).textContent()).toContain('issued');
    expect(await orders.textContent()).toContain(order.code);
    await orders.getByRole('button', { name: 'Cancel the order “Branded cap”' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel the order “Branded cap”?' });
    expect(await dialog.textContent()).toContain('The customer gets 250 points back');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel the order' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The order “Branded cap” is cancelled.');
    await expect.poll(() => orders.getByRole('row', { name: /Branded cap/ }).textContent()).toContain('cancelled');
    const stored = (await ok({ method: 'GET', url: `/v1/customers/${anna}/rewards?status=cancelled` })).items;
    expect(stored.map((o: { id: string }) => o.id)).toContain(order.id);
    expect((await ok({ method: 'GET', url: `/v1/customers/${anna}/balance` })).available).toBe(before);
    // The summary on top shows the points back too.
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe(before.toLocaleString('en-GB'));
    expect((await ok({ method: 'GET', url: `/v1/rewards/${mug.id}` })).usage.stockLeft).toBe(3);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('the owner accepts a reward code at the desk once, and is told in words when it is used again', async () => {
    const gift = await ok({ method: 'POST', url: '/v1/rewards', payload: { name: 'Free coffee', kind: 'goods', status: 'active', pointsCost: 100 } }, 201);
    const order = await ok({ method: 'POST', url: `/v1/customers/${anna}/rewards`, role: 'pos', payload: { rewardId: gift.id } }, 201);
    const { page, context, problems } = await h.signIn('owner', { path: '/program/rewards' });
    await page.getByLabel('Reward code').fill(order.code.toLowerCase());
    await page.getByRole('button', { name: 'Accept the code' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Accepted: “Free coffee” (100 points');
    expect((await ok({ method: 'GET', url: `/v1/customers/${anna}/rewards?status=redeemed` })).items.map((o: { id: string }) => o.id)).toContain(order.id);
    await page.getByLabel('Reward code').fill(order.code);
    await page.getByRole('button', { name: 'Accept the code' }).click();
    await expect.poll(async () => (await page.getByRole('alert').allTextContents()).join(' ')).toMatch(/redeemed at the till.*accepted once/);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});

describe('the partner pages', () => {
  it('the owner creates a partner, issues a key shown once, and reads a settlement that matches the API', async () => {
    const { page, context, problems } = await h.signIn('owner', { path: '/program/partners' });
    await page.getByRole('heading', { level: 1, name: 'Partners' }).waitFor();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('No partners yet');
    await page.getByRole('link', { name: 'New partner' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Neft');
    await page.getByLabel('Stores').fill('azs-01, nowhere-9');
    await page.getByLabel('Earning rate, % of the amount paid').fill('3');
    await page.getByLabel('Partner pays per 100 points issued').fill('90.555');
    await page.getByRole('button', { name: 'Create the partner' }).click();
    // Money is typed as money: a third decimal is named in the form's own units, and nothing is sent.
    await expect.poll(() => page.locator('.field.invalid').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('Partner pays per 100 points issuedIn money')]));
    expect(await page.locator('.field.invalid').first().textContent()).toContain('at most two decimals, e.g. 90 or 85.50');
    expect((await ok({ method: 'GET', url: '/v1/partners' })).items).toHaveLength(0);
    await page.getByLabel('Partner pays per 100 points issued').fill('90');
    await page.getByLabel('Operator pays per 100 points redeemed').fill('85');
    await page.getByRole('button', { name: 'Create the partner' }).click();
    // A store not in the catalog: the server's words under the stores field.
    await expect.poll(() => page.locator('.field.invalid').textContent()).toContain('nowhere-9');
    await page.getByLabel('Stores').fill('azs-01');
    await page.getByRole('button', { name: 'Create the partner' }).click();
    await expect.poll(() => page.getByRole('main').textContent()).toContain('The partner is created.');
    const partner = (await ok({ method: 'GET', url: '/v1/partners' })).items[0];
    expect(partner).toMatchObject({ name: 'Neft', storeIds: ['azs-01'], earnRateBp: 300, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8500 });
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Key name').fill('Station 1, till 1');
    await page.getByRole('button', { name: 'Issue a key' }).click();
    const secret = (await page.locator('.secret-once code').textContent()) ?? '';
    expect(secret).toMatch(/^patron_/);
    expect(await page.locator('.secret-once').textContent()).toContain('shown only now');
    // The key is the partner's: its till checks out at the partner's station.
    const till = async (payload: object) => {
      const response = await h.t.call({ method: 'POST', url: '/v1/checkout/confirm', role: null, headers: { authorization: `Bearer ${secret}` }, payload });
      expect(response.statusCode, response.body).toBe(201);
    };
    await till({ storeId: 'azs-01', posReceiptId: 'AZS-1-0001', customer: { customerId: anna }, lines: [{ sku: 'AI-95', qty: 40, price: 6150 }], redeemPoints: 100 });
    await till({ storeId: 'azs-01', posReceiptId: 'AZS-1-0002', customer: { customerId: anna }, lines: [{ sku: 'AI-95', qty: 10, price: 6150 }] });
    // Shown once: after a reload the secret is gone from the page.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Partner “Neft”' }).waitFor();
    expect(await page.locator('.secret-once').count()).toBe(0);

    const day = h.t.clock.now().toISOString().slice(0, 10);
    const api = await ok({ method: 'GET', url: `/v1/partners/${partner.id}/settlement?from=${day}&to=${day}` });
    expect(api.totals.pointsIssued).toBeGreaterThan(0);
    await page.getByLabel('From').fill(day);
    await page.getByLabel('To (inclusive)').fill(day);
    await page.getByRole('button', { name: 'Show the settlement' }).click();
    await expect.poll(() => page.getByTestId('partner-owes').textContent()).toBe(rub(api.totals.partnerOwesMinor));
    expect(await page.getByTestId('operator-owes').textContent()).toBe(rub(api.totals.operatorOwesMinor));
    const net = api.totals.netMinor as number;
    expect(await page.getByTestId('settlement-balance').textContent()).toContain(net > 0 ? `Neft pays the operator ${rub(net)}` : `The operator pays Neft ${rub(-net)}`);
    const byDay = page.getByRole('table', { name: 'By day' });
    expect(await byDay.textContent()).toContain(String(api.totals.pointsIssued));
    expect(await page.getByRole('table', { name: 'By store' }).getByRole('row', { name: /azs-01/ }).textContent()).toContain(rub(api.stores[0].partnerOwesMinor));
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('a read-only role sees the catalog, partners and settlement but no action buttons', async () => {
    const reward = (await ok({ method: 'GET', url: '/v1/rewards' })).items[0];
    const partner = (await ok({ method: 'GET', url: '/v1/partners' })).items[0];
    const order = await ok({ method: 'POST', url: `/v1/customers/${anna}/rewards`, role: 'pos', payload: { rewardId: (await ok({ method: 'POST', url: '/v1/rewards', payload: { name: 'Sticker', kind: 'goods', status: 'active', pointsCost: 10 } }, 201)).id } }, 201);
    const { page, context, problems } = await h.signIn('analyst', { path: '/program/rewards' });
    await expect.poll(() => page.getByRole('table', { name: 'Rewards, newest first' }).textContent()).toContain(reward.name);
    expect(await page.getByRole('link', { name: 'New reward' }).count()).toBe(0);
    expect(await page.getByLabel('Reward code').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    await page.goto(`${h.base}/console/program/rewards/${reward.id}`);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Your role may read the reward but not change it.');
    expect(await page.getByRole('main').getByRole('button').count()).toBe(0);
    expect(await page.getByLabel('Name', { exact: true }).isDisabled()).toBe(true);

    await page.goto(`${h.base}/console/program/partners/${partner.id}`);
    await expect.poll(() => page.getByRole('main').textContent()).toContain('Your role may read the partner but not change it.');
    // An analyst reads the settlement, but issues no keys and saves nothing.
    expect(await page.getByRole('button', { name: 'Show the settlement' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /Save|Issue/ }).count()).toBe(0);
    await page.goto(`${h.base}/console/program/partners`);
    await expect.poll(() => page.getByRole('table', { name: 'Partners, oldest first' }).textContent()).toContain('Neft');
    expect(await page.getByRole('link', { name: 'New partner' }).count()).toBe(0);

    await page.goto(`${h.base}/console/customers/${anna}?tab=offers`);
    const orders = page.getByRole('table', { name: 'Rewards the customer bought with points or won, newest first' });
    await expect.poll(() => orders.textContent()).toContain('Sticker');
    // Analysts see a code's last four characters only, and cancel nothing.
    expect(await orders.textContent()).toContain(`****${order.code.slice(-4)}`);
    expect(await orders.getByRole('button').count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('speaks Russian', async () => {
    const { page, context, problems } = await h.signIn('marketer', { path: '/program/rewards', locale: 'ru-RU' });
    await page.getByRole('heading', { level: 1, name: 'Каталог наград' }).waitFor();
    const menu = page.getByRole('navigation');
    expect(await menu.getByRole('link', { name: 'Каталог наград' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('table', { name: 'Награды, сначала новые' }).textContent()).toContain('В продаже');
    expect(await page.getByRole('main').textContent()).toMatch(/\d штук|\d ваучер/);
    expect(await seriousViolations(page)).toEqual([]);
    await menu.getByRole('link', { name: 'Партнёры' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Партнёры, сначала давние' }).textContent()).toContain('Действует');
    await page.getByRole('link', { name: 'Neft' }).click();
    await page.getByRole('heading', { level: 1, name: 'Партнёр «Neft»' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Взаиморасчёты' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
