import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRAND_RULES, newCustomer, qrText, setUpBrand, submit } from '../../../tests/helpers/fiscal-receipts.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/** The routes: settings (the token write-only), a submission's checks, reading them back. */
let t: TestApp;
let anna: string;
const settingsUrl = '/v1/fiscal-receipts/settings';

beforeAll(async () => {
  t = await createTestApp();
  anna = await newCustomer(t, '+79161110001');
});
afterAll(async () => t?.close());

describe('settings', () => {
  it('are off until a marketer switches them on; submitting before is refused in words', async () => {
    expect((await t.call({ method: 'GET', url: settingsUrl, role: 'marketer' })).json()).toEqual({
      enabled: false, serviceUrl: null, serviceFormat: 'proverkacheka', timeoutMs: 10000, allowPrivateNetwork: false, timezone: 'Europe/Moscow',
      storeId: null, maxAgeDays: 30, products: [], tokenSet: false, version: 0, updatedAt: null,
    });
    const refused = await submit(t, anna, qrText(1));
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'fiscal_receipt.not_enabled']);
    expect(refused.json().detail).toBe('The program takes no fiscal receipts: they are switched on in PUT /v1/fiscal-receipts/settings (enabled: true, with serviceUrl and storeId)');
  });

  it('refuses what cannot work, field by field, and saves nothing', async () => {
    const bad = await t.call({
      method: 'PUT',
      url: settingsUrl,
      role: 'marketer',
      payload: {
        enabled: true, serviceUrl: null, serviceFormat: 'generic', timeoutMs: 1000, allowPrivateNetwork: false, timezone: 'Mars/Olympus', storeId: 'nowhere', maxAgeDays: 30,
        products: [{ sku: 'NOPE' , nameContains: 'coffee' }, { sku: 'NOPE2' }],
      },
    });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'fiscal_receipt.settings_invalid']);
    expect(bad.json().errors).toEqual([
      { field: 'timezone', reason: 'Mars/Olympus is not an IANA timezone such as Europe/Moscow' },
      { field: 'storeId', reason: 'there is no store nowhere; PUT /v1/stores/nowhere creates it' },
      { field: 'products[1]', reason: 'needs nameContains or barcode (or both): how a receipt line is known to be this product' },
      { field: 'products[0].sku', reason: 'NOPE is not in the catalog; PUT /v1/products adds it' },
      { field: 'products[1].sku', reason: 'NOPE2 is not in the catalog; PUT /v1/products adds it' },
      { field: 'serviceUrl', reason: 'is needed to switch receipts on (enabled: true): where they are verified' },
    ]);
    expect((await t.call({ method: 'GET', url: settingsUrl })).json().version).toBe(0);
    const badUrl = await t.call({ method: 'PUT', url: settingsUrl, payload: { ...((await t.call({ method: 'GET', url: settingsUrl })).json() as object), serviceUrl: 'ftp://x' } });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().detail).toContain('serviceUrl');
  });

  it('take what GET answers before the first save (version 0); sent again after it, that version is stale', async () => {
    const own = await createTestApp();
    try {
      const fresh = (await own.call({ method: 'GET', url: settingsUrl })).json() as object;
      const first = await own.call({ method: 'PUT', url: settingsUrl, payload: { ...fresh, maxAgeDays: 21 } });
      expect([first.statusCode, first.json().version, first.json().maxAgeDays]).toEqual([200, 1, 21]);
      const late = await own.call({ method: 'PUT', url: settingsUrl, payload: { ...fresh, maxAgeDays: 7 } });
      expect([late.statusCode, late.json().code, late.json().detail]).toEqual([409, 'fiscal_receipt.version_conflict', 'The settings are at version 1; you read version 0. Read them again and repeat your change.']);
    } finally {
      await own.close();
    }
  });

  it('keep the token write-only: set, kept when left out, removed with null; never answered; a stale version is a 409', async () => {
    await setUpBrand(t, 'https://check.example/api');
    const read = await t.call({ method: 'GET', url: settingsUrl, role: 'analyst' });
    expect(read.json()).toMatchObject({ enabled: true, tokenSet: true, version: 1, products: BRAND_RULES, storeId: 'brand-receipts' });
    expect(read.body).not.toContain('svc-token-123');
    // GET's answer sent back changes nothing: the same version, the token kept.
    expect((await t.call({ method: 'PUT', url: settingsUrl, payload: read.json() as object })).json()).toEqual(read.json());
    const again = await t.call({ method: 'PUT', url: settingsUrl, payload: { ...(read.json() as object), maxAgeDays: 14 } });
    expect(again.json()).toMatchObject({ tokenSet: true, version: 2, maxAgeDays: 14 });
    const stale = await t.call({ method: 'PUT', url: settingsUrl, payload: read.json() as object });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'fiscal_receipt.version_conflict']);
    expect(stale.json().detail).toBe('The settings are at version 2; you read version 1. Read them again and repeat your change.');
    const removed = await t.call({ method: 'PUT', url: settingsUrl, payload: { ...(again.json() as object), token: null } });
    expect(removed.json()).toMatchObject({ tokenSet: false, version: 3 });
    const set = await t.call({ method: 'PUT', url: settingsUrl, payload: { ...(removed.json() as object), token: 'svc-token-123', maxAgeDays: 30 } });
    expect(set.json()).toMatchObject({ tokenSet: true, version: 4 });
    const audit = await t.database.db.selectFrom('auditLog').select('details').where('action', '=', 'fiscal_receipt.settings').execute();
    expect(JSON.stringify(audit)).not.toContain('svc-token-123');
    expect(audit.map((a) => (a.details as { token: string }).token)).toEqual(['set', 'kept', 'removed', 'set']);
  });

  it('are the marketer\'s: a pos key may not read or change them', async () => {
    expect((await t.call({ method: 'GET', url: settingsUrl, role: 'pos' })).statusCode).toBe(403);
    expect((await t.call({ method: 'PUT', url: settingsUrl, role: 'analyst', payload: {} })).statusCode).toBe(403);
  });
});

describe('a submission', () => {
  it('is answered 202 pending, and read back by id and in the customer\'s list, newest first, a page at a time', async () => {
    const first = await submit(t, anna, `  https://check.example/?${qrText(1)}  `, 'pos');
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toEqual({
      id: expect.stringMatching(/^frc_[0-9a-f]{32}$/), customerId: anna, status: 'pending', fn: '9960440300000001', i: 1, fp: 1000001, totalMinor: 149500,
      purchasedAt: '2026-03-01T07:00:00.000Z', reason: null, points: null, receiptId: null, lines: [], attempts: 0, lastError: null,
      createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z', verifiedAt: null,
    });
    const second = await submit(t, anna, qrText(2), 'support');
    expect((await t.call({ method: 'GET', url: `/v1/fiscal-receipts/${first.json().id}`, role: 'pos' })).json()).toEqual(first.json());
    const page = await t.call({ method: 'GET', url: `/v1/customers/${anna}/fiscal-receipts?limit=1` });
    expect(page.json().items.map((r: { id: string }) => r.id)).toEqual([second.json().id]);
    const next = await t.call({ method: 'GET', url: `/v1/customers/${anna}/fiscal-receipts?limit=1&cursor=${page.json().nextCursor}` });
    expect(next.json()).toEqual({ items: [first.json()], nextCursor: null });
    const row = await t.database.db.selectFrom('fiscalReceipts').select(['evidence', 'qr']).where('id', '=', first.json().id).executeTakeFirstOrThrow();
    expect(row).toEqual({ evidence: { channel: 'api', keyId: expect.stringMatching(/^key_/), ip: null, userAgent: null }, qr: `https://check.example/?${qrText(1)}` });
  });

  it('of a malformed QR is a 400 naming each parameter, and stores nothing', async () => {
    const before = await t.database.db.selectFrom('fiscalReceipts').select('id').execute();
    const bad = await submit(t, anna, 't=20260301T1000&s=12.345&fn=123&i=1&fp=1&n=2');
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'fiscal_receipt.invalid_qr']);
    expect(bad.json().detail).toBe(
      "The QR code is not one of a fiscal receipt that earns: s: has 3 decimals; a total is in roubles to the kopeck (at most 2 decimals); fn: must be the fiscal drive's number: 16 digits, not \"123\"; n: n=2 is a return of a sale (возврат прихода): only a sale (n=1) earns points",
    );
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(['qr.s', 'qr.fn', 'qr.n']);
    expect(await t.database.db.selectFrom('fiscalReceipts').select('id').execute()).toEqual(before);
  });

  it('dated in the future or past the maximum age is refused (422), the zone read from the settings', async () => {
    // 12:01 in Moscow is 09:01Z: a minute ahead of the clock.
    const future = await submit(t, anna, qrText(3).replace('T1000', 'T1201'));
    expect([future.statusCode, future.json().code]).toEqual([422, 'fiscal_receipt.out_of_window']);
    expect(future.json().detail).toBe("t: the receipt is dated 2026-03-01 12:01:00 (Europe/Moscow), later than now; a receipt's date is when it was printed");
    expect((await submit(t, anna, qrText(4).replace('T1000', 'T1200'))).statusCode).toBe(202);
    const old = await submit(t, anna, qrText(5).replace('20260301T1000', '20260130T1159'));
    expect([old.statusCode, old.json().code]).toEqual([422, 'fiscal_receipt.out_of_window']);
    expect(old.json().detail).toBe('t: the receipt is dated 2026-01-30 11:59:00 (Europe/Moscow), more than 30 days ago; receipts are taken for 30 days after the purchase');
    expect((await submit(t, anna, qrText(6).replace('20260301T1000', '20260130T1200'))).statusCode).toBe(202);
  });

  it('for a customer who is not there is a 404; for an erased one a 409; a merged id counts for the survivor', async () => {
    const unknown = await submit(t, 'cus_0190c0ffee00700080000000000000ab', qrText(7));
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'customer.not_found']);
    const erased = await newCustomer(t, '+79161110002');
    await t.call({ method: 'POST', url: `/v1/customers/${erased}/erase`, payload: {} });
    const toErased = await submit(t, erased, qrText(7));
    expect([toErased.statusCode, toErased.json().code]).toEqual([409, 'customer.erased']);
    const duplicate = await newCustomer(t, '+79161110003');
    expect((await t.call({ method: 'POST', url: `/v1/customers/${anna}/merge`, payload: { from: duplicate } })).statusCode).toBe(200);
    expect((await submit(t, duplicate, qrText(8))).json().customerId).toBe(anna);
  });

  it('read by an id that is not there is a 404', async () => {
    const missing = await t.call({ method: 'GET', url: '/v1/fiscal-receipts/frc_0190c0ffee00700080000000000000ab' });
    expect([missing.statusCode, missing.json().code, missing.json().detail]).toEqual([404, 'fiscal_receipt.not_found', 'No fiscal receipt frc_0190c0ffee00700080000000000000ab']);
  });
});
