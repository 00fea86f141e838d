import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bag, coffee, foundAnswer, newCustomer, qrText, setRate, setUpBrand, submit, tea } from '../../../tests/helpers/fiscal-receipts.ts';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { startLoopbackServer, type LoopbackServer, type Responder } from '../../../tests/helpers/loopback-http.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { RETRY_BASE_MS } from './verify.ts';

/**
 * The verification job against a real HTTP service on the loopback: what it answers decides
 * whether a submitted receipt earns (once, by the earning rules), is rejected, or waits.
 */
let t: TestApp;
let service: LoopbackServer;
let anna: string;
let ivan: string;
let phone = 0;

beforeAll(async () => {
  t = await createTestApp();
  service = await startLoopbackServer();
  await setUpBrand(t, `${service.url}/check`);
  anna = await newCustomer(t, '+79160000001');
  ivan = await newCustomer(t, '+79160000002');
});
beforeEach(() => {
  service.requests.length = 0;
});
afterEach(async () => expectLedgerConsistent(t.database.db));
afterAll(async () => {
  await service?.close();
  await t?.close();
});

const run = () => t.services.fiscalReceipts.verifyDue();
const answer = (responder: Responder) => service.respond(responder);
const read = async (id: string) => (await t.call({ method: 'GET', url: `/v1/fiscal-receipts/${id}` })).json();
const events = (type: string) => t.database.db.selectFrom('outboxEvents').select(['customerId', 'payload']).where('type', '=', type).execute();

/** What the till's calculate says the same lines earn at the same store: the earning rules' answer. */
async function rulesSay(lines: Array<{ sku: string; qty: number; price: number }>): Promise<number> {
  const calculated = await t.call({ method: 'POST', url: '/v1/checkout/calculate', role: 'pos', payload: { storeId: 'brand-receipts', customer: { customerId: anna }, lines } });
  expect(calculated.statusCode, calculated.body).toBe(200);
  return calculated.json().pointsToEarn as number;
}

const coffeePoints = () => rulesSay([{ sku: 'COF-ARABICA-1KG', qty: 1, price: 149000 }]);

describe('a verified receipt earns once, by the earning rules', () => {
  it("earns on the brand's lines only, shows in the ledger, and is refused the second time for anyone", async () => {
    answer(() => ({ status: 200, body: foundAnswer([coffee, tea, bag]) }));
    const submitted = await submit(t, anna, qrText(1, '2055.00'));
    expect(submitted.statusCode, submitted.body).toBe(202);
    expect(submitted.json()).toMatchObject({ status: 'pending', customerId: anna, fn: '9960440300000001', i: 1, fp: 1_000_001, totalMinor: 205500, purchasedAt: '2026-03-01T07:00:00.000Z', points: null, attempts: 0 });

    expect(await run()).toEqual({ earned: 1, rejected: 0, retried: 0 });
    // The service was asked once, as the generic shape says, with the token as a bearer.
    expect(service.requests).toHaveLength(1);
    expect(service.requests[0]!.path).toBe('/check');
    expect(service.requests[0]!.headers.authorization).toBe('Bearer svc-token-123');
    expect(JSON.parse(service.requests[0]!.body)).toEqual({ qr: qrText(1, '2055.00'), t: '2026-03-01T10:00:00', s: 205500, fn: '9960440300000001', i: 1, fp: 1_000_001, n: 1 });

    const expected = await rulesSay([{ sku: 'COF-ARABICA-1KG', qty: 1, price: 149000 }, { sku: 'TEA-GREEN-100', qty: 2, price: 28000 }]);
    expect(expected).toBeGreaterThan(0);
    const earned = await read(submitted.json().id);
    expect(earned).toMatchObject({
      status: 'earned', points: expected, reason: null, attempts: 1, lastError: null, verifiedAt: '2026-03-01T09:00:00.000Z',
      lines: [
        { name: coffee.name, sku: 'COF-ARABICA-1KG', priceMinor: 149000, quantity: 1, sumMinor: 149000 },
        { name: tea.name, sku: 'TEA-GREEN-100', priceMinor: 30000, quantity: 2, sumMinor: 56000 },
      ],
    });
    // The receipt it became: booked at the settings' store under the fiscal id, the bag left out.
    const receipt = await t.call({ method: 'GET', url: `/v1/receipts/${earned.receiptId}` });
    expect(receipt.json()).toMatchObject({ storeId: 'brand-receipts', posReceiptId: 'fiscal:9960440300000001:1:1000001', customerId: anna, pointsEarned: expected, total: 209000, discount: 4000, paid: 205000, source: 'bulk' });
    // The tea's sum under quantity × price is its discount.
    expect(receipt.json().lines.map((l: { sku: string; qty: number; total: number; discount: number }) => [l.sku, l.qty, l.total, l.discount])).toEqual([['COF-ARABICA-1KG', 1, 149000, 0], ['TEA-GREEN-100', 2, 60000, 4000]]);
    const ledger = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/ledger` })).json();
    expect(ledger.items).toEqual([expect.objectContaining({ kind: 'earn', receiptId: earned.receiptId, pending: expected })]);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${anna}/balance` })).json()).toMatchObject({ pendingPoints: expected });
    expect(await events('fiscal_receipt.verified')).toEqual([
      { customerId: anna, payload: { fiscalReceiptId: earned.id, customerId: anna, points: expected, receiptId: earned.receiptId, totalMinor: 205500 } },
    ]);

    // The same receipt again: by Anna, by Ivan, written another way (encoded, reordered).
    for (const [who, qr] of [[anna, qrText(1, '2055.00')], [ivan, qrText(1, '2055.00')], [ivan, encodeURIComponent(`n=1&${qrText(1, '2055.00').replace('&n=1', '')}`)]] as const) {
      const again = await submit(t, who, qr);
      expect([again.statusCode, again.json().code]).toEqual([409, 'fiscal_receipt.duplicate']);
      expect(again.json().detail).toBe('This receipt (fn 9960440300000001, i 1, fp 1000001) was already submitted; a fiscal receipt earns once, for whoever submitted it first');
    }
    expect(await run()).toEqual({ earned: 0, rejected: 0, retried: 0 });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${ivan}/fiscal-receipts` })).json()).toEqual({ items: [], nextCursor: null });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${anna}/ledger` })).json().items).toHaveLength(1);
  });

  it('a changed earning rule changes what the next receipt earns', async () => {
    answer(() => ({ status: 200, body: foundAnswer([coffee]) }));
    await setRate(t, 1000);
    const submitted = await submit(t, ivan, qrText(2, '1490.00'));
    expect(await run()).toEqual({ earned: 1, rejected: 0, retried: 0 });
    const expected = await coffeePoints();
    expect(expected).toBe(149);
    await setRate(t, 500);
    // At 5% the same lines earn 74 (the rule changed, nothing else).
    expect(await coffeePoints()).toBe(74);
    await setRate(t, 1000);
    expect(await read(submitted.json().id)).toMatchObject({ status: 'earned', points: expected });
    await setRate(t, 500);
  });
});

describe('what the service answers decides', () => {
  it('a 503, then a timeout, then the receipt: it waits with backoff and earns once', async () => {
    let calls = 0;
    answer(() => {
      calls++;
      if (calls === 1) return { status: 503, body: 'maintenance' };
      if (calls === 2) return { status: 200, body: foundAnswer([coffee]), delayMs: 2500 };
      return { status: 200, body: foundAnswer([coffee]) };
    });
    const id = (await submit(t, anna, qrText(3, '1490.00'))).json().id as string;
    expect(await run()).toEqual({ earned: 0, rejected: 0, retried: 1 });
    expect(await read(id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'the verification service answered 503', points: null });
    // Not due yet: nothing is asked.
    expect(await run()).toEqual({ earned: 0, rejected: 0, retried: 0 });
    expect(calls).toBe(1);
    t.clock.advance(RETRY_BASE_MS);
    expect(await run()).toEqual({ earned: 0, rejected: 0, retried: 1 });
    expect(await read(id)).toMatchObject({ status: 'pending', attempts: 2, lastError: expect.stringContaining('did not answer in time') });
    t.clock.advance(RETRY_BASE_MS);
    expect(await run()).toEqual({ earned: 0, rejected: 0, retried: 0 });
    t.clock.advance(RETRY_BASE_MS);
    expect(await run()).toEqual({ earned: 1, rejected: 0, retried: 0 });
    const points = await coffeePoints();
    const earned = await read(id);
    expect(earned).toMatchObject({ status: 'earned', attempts: 3, lastError: null, points });
    t.clock.advance(3_600_000);
    expect(await run()).toEqual({ earned: 0, rejected: 0, retried: 0 });
    const entries = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/ledger` })).json().items as Array<{ receiptId: string }>;
    expect(entries.filter((e) => e.receiptId === earned.receiptId)).toEqual([expect.objectContaining({ kind: 'earn', pending: points })]);
  });

  it('"not found" and "invalid" reject with the reason in words and no points', async () => {
    const before = (await t.call({ method: 'GET', url: `/v1/customers/${ivan}/balance` })).json();
    answer((request) => (JSON.parse(request.body).i === 4 ? { status: 404, body: { status: 'not_found' } } : { status: 200, body: { status: 'invalid', reason: 'fiscal sign does not match' } }));
    const notFound = (await submit(t, ivan, qrText(4))).json().id as string;
    const invalid = (await submit(t, ivan, qrText(5))).json().id as string;
    expect(await run()).toEqual({ earned: 0, rejected: 2, retried: 0 });
    expect(await read(notFound)).toMatchObject({ status: 'rejected', reason: 'the verification service found no such receipt', points: null, receiptId: null, lines: [] });
    expect(await read(invalid)).toMatchObject({ status: 'rejected', reason: 'the verification service says the receipt is not valid: fiscal sign does not match' });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${ivan}/balance` })).json()).toEqual(before);
    expect((await events('fiscal_receipt.rejected')).map((e) => e.payload)).toEqual([
      { fiscalReceiptId: notFound, customerId: ivan, reason: 'the verification service found no such receipt' },
      { fiscalReceiptId: invalid, customerId: ivan, reason: 'the verification service says the receipt is not valid: fiscal sign does not match' },
    ]);
    // Rejected is final: the same QR is still a duplicate.
    expect((await submit(t, anna, qrText(4))).json().code).toBe('fiscal_receipt.duplicate');
  });

  it("a receipt with none of the brand's lines earns nothing and books no receipt", async () => {
    const before = (await t.call({ method: 'GET', url: `/v1/customers/${ivan}/receipts` })).json();
    answer(() => ({ status: 200, body: foundAnswer([bag, { ...coffee, name: 'Кофе растворимый 100г' }]) }));
    const id = (await submit(t, ivan, qrText(6))).json().id as string;
    expect(await run()).toEqual({ earned: 0, rejected: 1, retried: 0 });
    expect(await read(id)).toMatchObject({ status: 'rejected', reason: "the receipt holds none of the brand's products", points: null });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${ivan}/receipts` })).json()).toEqual(before);
  });

  it("a total other than the QR's is rejected (the service's receipt is another)", async () => {
    answer(() => ({ status: 200, body: { ...foundAnswer([coffee]), totalSum: 100 } }));
    const id = (await submit(t, ivan, qrText(7, '1490.00'))).json().id as string;
    expect(await run()).toEqual({ earned: 0, rejected: 1, retried: 0 });
    expect((await read(id)).reason).toBe("the verification service's total (100 kopecks) differs from the QR code's (s: 149000 kopecks)");
  });

  it('proverkacheka.com: a form with the token and the QR text; code 1 earns, code 5 rejects, code 2 waits', async () => {
    const put = await t.call({ method: 'GET', url: '/v1/fiscal-receipts/settings' });
    expect(put.json()).toMatchObject({ tokenSet: true, serviceFormat: 'generic' });
    expect(put.body).not.toContain('svc-token-123');
    expect((await t.call({ method: 'PUT', url: '/v1/fiscal-receipts/settings', payload: { ...(put.json() as object), serviceFormat: 'proverkacheka' } })).statusCode).toBe(200);
    answer((request) => {
      const form = new URLSearchParams(request.body);
      const i = /&i=(\d+)/.exec(form.get('qrraw') ?? '')?.[1];
      if (i === '8') return { status: 200, body: { code: 1, first: 1, data: { json: { totalSum: 149000, items: [{ name: 'КОФЕ АРАБИКА 1кг', price: 149000, quantity: 1, sum: 149000, nds: 1 }] } } } };
      if (i === '9') return { status: 200, body: { code: 5, data: 'no data' } };
      return { status: 200, body: { code: 2, data: 'not yet' } };
    });
    const ids: string[] = [];
    for (const i of [8, 9, 10]) ids.push((await submit(t, anna, qrText(i, '1490.00'))).json().id as string);
    expect(await run()).toEqual({ earned: 1, rejected: 1, retried: 1 });
    const [earns, rejected, waits] = ids as [string, string, string];
    expect(await read(earns)).toMatchObject({ status: 'earned', points: await coffeePoints() });
    expect(await read(rejected)).toMatchObject({ status: 'rejected', reason: 'the verification service found no such receipt' });
    expect(await read(waits)).toMatchObject({ status: 'pending', lastError: 'the receipt has not reached the verification service from the fiscal data operator yet' });
    const form = new URLSearchParams(service.requests[0]!.body);
    expect(service.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(form)).toEqual({ token: 'svc-token-123', qrraw: qrText(8, '1490.00') });
    // The one waiting gets its answer on the next attempt.
    answer(() => ({ status: 200, body: { code: 5 } }));
    t.clock.advance(RETRY_BASE_MS);
    expect(await run()).toEqual({ earned: 0, rejected: 1, retried: 0 });
    const current = (await t.call({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).json();
    expect((await t.call({ method: 'PUT', url: '/v1/fiscal-receipts/settings', payload: { ...(current as object), serviceFormat: 'generic' } })).statusCode).toBe(200);
  });
});

describe('the service on a private network', () => {
  it('is not asked unless allowPrivateNetwork is on: the receipt waits with the reason', async () => {
    const settings = (await t.call({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).json() as Record<string, unknown>;
    expect((await t.call({ method: 'PUT', url: '/v1/fiscal-receipts/settings', payload: { ...settings, allowPrivateNetwork: false } })).statusCode).toBe(200);
    answer(() => ({ status: 200, body: foundAnswer([coffee]) }));
    const id = (await submit(t, ivan, qrText(13))).json().id as string;
    expect(await run()).toEqual({ earned: 0, rejected: 0, retried: 1 });
    expect(service.requests).toEqual([]);
    expect(await read(id)).toMatchObject({ status: 'pending', lastError: 'the verification service is on a private network (allowPrivateNetwork is off): 127.0.0.1 is a private network address' });
    const current = (await t.call({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).json() as Record<string, unknown>;
    expect((await t.call({ method: 'PUT', url: '/v1/fiscal-receipts/settings', payload: { ...current, allowPrivateNetwork: true } })).statusCode).toBe(200);
    t.clock.advance(RETRY_BASE_MS);
    expect(await run()).toEqual({ earned: 1, rejected: 0, retried: 0 });
  });
});

describe('the customer moves on', () => {
  it('a pending receipt of a merged customer earns for the survivor; of an erased one it is rejected, the fiscal numbers kept', async () => {
    answer(() => ({ status: 503 }));
    const duplicate = await newCustomer(t, `+7916100${String(++phone).padStart(4, '0')}`);
    const erased = await newCustomer(t, `+7916100${String(++phone).padStart(4, '0')}`);
    const merged = (await submit(t, duplicate, qrText(11, '1490.00'))).json().id as string;
    const gone = (await submit(t, erased, qrText(12, '1490.00'))).json().id as string;
    expect((await t.call({ method: 'POST', url: `/v1/customers/${ivan}/merge`, payload: { from: duplicate } })).statusCode).toBeLessThan(300);
    expect((await t.call({ method: 'POST', url: `/v1/customers/${erased}/erase`, payload: {} })).statusCode).toBeLessThan(300);
    expect(await read(merged)).toMatchObject({ customerId: ivan, status: 'pending' });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${duplicate}/fiscal-receipts` })).json().items.map((r: { id: string }) => r.id)).toContain(merged);
    answer(() => ({ status: 200, body: foundAnswer([coffee]) }));
    t.clock.advance(RETRY_BASE_MS);
    expect(await run()).toEqual({ earned: 1, rejected: 1, retried: 0 });
    expect(await read(merged)).toMatchObject({ status: 'earned', customerId: ivan, points: await coffeePoints() });
    expect(await read(gone)).toMatchObject({ status: 'rejected', customerId: erased, reason: 'the customer was erased before the receipt was verified', fn: '9960440300000001', i: 12 });
    const row = await t.database.db.selectFrom('fiscalReceipts').select(['evidence', 'qr']).where('id', '=', gone).executeTakeFirstOrThrow();
    expect(row).toEqual({ evidence: {}, qr: qrText(12, '1490.00') });
  });
});
