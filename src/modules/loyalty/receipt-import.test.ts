import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
let customerId: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores', payload: [{ id: 's1', name: 'One', timezone: 'Europe/Moscow' }] });
  await t.call({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'beans', name: 'Beans', categoryPath: ['coffee'] }] });
  customerId = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161234567', cardNumber: 'C100' } })).json().id;
});
afterAll(async () => t.close());

const good = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ storeId: 's1', posReceiptId: `H-${n}`, occurredAt: '2026-01-10T12:00:00Z', lines: [{ sku: 'beans', qty: 1, price: 100_000 }], ...extra });

const file = () => [
  good(1),
  good(2, { customer: { phone: '8 916 123-45-67' } }),
  good(3, { customer: { card: 'C100' }, channel: 'online' }),
  '{not json',
  good(5, { storeId: 'nowhere' }),
  good(6, { customer: { card: 'NOBODY' } }),
  good(7, { lines: [{ sku: 'x', qty: 0.0001, price: 1 }] }),
  good(8, { occurredAt: '2030-01-01T00:00:00Z' }),
  '',
  good(10, { customer: { customerId } }),
  good(11, { redeemPoints: 5 }),
].join('\n');

async function upload(body: string, earn: boolean) {
  const response = await t.call({ method: 'POST', url: `/v1/receipts/bulk?earn=${earn}`, payload: body, headers: { 'content-type': 'application/x-ndjson' } });
  expect(response.statusCode, response.body).toBe(202);
  await t.services.imports.idle();
  return (await t.call({ method: 'GET', url: `/v1/imports/${response.json().id}` })).json();
}

describe('bulk load of historical receipts (NDJSON)', () => {
  it('loads good lines, reports every bad one by line, and earns nothing unless asked', async () => {
    const job = await upload(file(), false);
    expect(job).toMatchObject({ kind: 'receipts', status: 'completed', rowsDone: 4, rowsCreated: 4, rowsFailed: 6 });
    expect(job.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [4, '(row)'],
      [5, 'storeId'],
      [6, 'customer'],
      [7, 'lines.0.qty'],
      [8, 'occurredAt'],
      [11, 'redeemPoints'],
    ]);
    const receipts = await t.database.db.selectFrom('receipts').select(['posReceiptId', 'customerId', 'totalMinor', 'pointsEarned', 'source']).orderBy('posReceiptId').execute();
    expect(receipts).toEqual([
      { posReceiptId: 'H-1', customerId: null, totalMinor: 100_000, pointsEarned: 0, source: 'bulk' },
      { posReceiptId: 'H-10', customerId, totalMinor: 100_000, pointsEarned: 0, source: 'bulk' },
      { posReceiptId: 'H-2', customerId, totalMinor: 100_000, pointsEarned: 0, source: 'bulk' },
      { posReceiptId: 'H-3', customerId, totalMinor: 100_000, pointsEarned: 0, source: 'bulk' },
    ]);
    expect(await t.database.db.selectFrom('pointLots').select('id').execute()).toHaveLength(0);
    const lines = await t.database.db.selectFrom('receiptLines').select(['sku', 'category']).where('receiptId', 'in', t.database.db.selectFrom('receipts').select('id')).execute();
    expect(lines.every((l) => l.category === 'coffee')).toBe(true);
  });

  it('leaves receipts already loaded as they are', async () => {
    const job = await upload(file(), true);
    expect(job).toMatchObject({ status: 'completed', rowsCreated: 0, rowsUpdated: 4, rowsFailed: 6 });
    expect(await t.database.db.selectFrom('receipts').select('id').execute()).toHaveLength(4);
    expect(await t.database.db.selectFrom('pointLots').select('id').execute()).toHaveLength(0);
  });

  it('with earn=true accrues points by the rules, dated at the purchase, pending for pendingDays from the load', async () => {
    const job = await upload([good(20, { customer: { customerId } }), good(21, { customer: { card: 'C100' } })].join('\n'), true);
    expect(job).toMatchObject({ rowsCreated: 2, rowsFailed: 0 });
    const lots = await t.database.db.selectFrom('pointLots').select(['points', 'earnedAt', 'activatedAt']).where('customerId', '=', customerId).execute();
    expect(lots).toEqual([
      { points: 50, earnedAt: new Date('2026-01-10T12:00:00Z'), activatedAt: null }, // 5% of 1,000.00
      { points: 50, earnedAt: new Date('2026-01-10T12:00:00Z'), activatedAt: null }, // 5% of 1,000.00
    ]);
    // Loaded on 1 March: a back-dated receipt does not make points spendable at once.
    await t.services.loyalty.runJob('activate-points');
    expect((await t.call({ method: 'GET', url: `/v1/customers/${customerId}/balance` })).json().available).toBe(0);
    t.clock.advance(14 * 86_400_000);
    await t.services.loyalty.runJob('activate-points');
    const balance = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/balance` })).json();
    expect(balance.available).toBe(100);
    await expectLedgerConsistent(t.database.db);
  });
});

describe('who may load receipts that earn', () => {
  const post = (earn: boolean | undefined, role: 'owner' | 'marketer', body: string) =>
    t.call({ method: 'POST', url: `/v1/receipts/bulk${earn === undefined ? '' : `?earn=${earn}`}`, payload: body, headers: { 'content-type': 'application/x-ndjson' }, role });

  it('refuses earn=true to a marketer, with the reason, before reading the file; earn=false stays theirs', async () => {
    const jobsBefore = await t.database.db.selectFrom('importJobs').select('id').execute();
    const refused = await post(true, 'marketer', good(30, { customer: { customerId } }));
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'auth.forbidden', detail: 'The marketer role may not load receipts with earn=true: that creates points (needs receipts:import-earn)' });
    expect(await t.database.db.selectFrom('importJobs').select('id').execute()).toEqual(jobsBefore);
    expect(await t.database.db.selectFrom('receipts').select('id').where('posReceiptId', '=', 'H-30').execute()).toEqual([]);

    for (const earn of [false, undefined]) {
      const loaded = await post(earn, 'marketer', good(31, { customer: { customerId } }));
      expect(loaded.statusCode, loaded.body).toBe(202);
      await t.services.imports.idle();
    }
    const receipt = await t.database.db.selectFrom('receipts').select(['pointsEarned']).where('posReceiptId', '=', 'H-31').executeTakeFirstOrThrow();
    expect(receipt.pointsEarned).toBe(0);
  });

  it("audits an owner's load with earn: who, the option, the receipts and the points", async () => {
    const owner = (await t.call({ method: 'GET', url: '/v1/api-keys' })).json().items.find((key: { role: string; name: string }) => key.role === 'owner' && key.name === 'test owner');
    const loaded = await post(true, 'owner', [good(40, { customer: { customerId } }), good(41, { customer: { card: 'C100' } }), good(42)].join('\n'));
    expect(loaded.statusCode, loaded.body).toBe(202);
    await t.services.imports.idle();
    const importId = loaded.json().id;
    const log = (await t.call({ method: 'GET', url: `/v1/audit-log?entityType=import&entityId=${importId}` })).json().items as Array<{ action: string; actorKeyId: string; actorRole: string | null; details: Record<string, unknown> }>;
    expect(log.map((entry) => [entry.action, entry.actorKeyId, entry.details]).reverse()).toEqual([
      ['receipts.import.start', owner.id, { bytes: expect.any(Number), options: { earn: true } }],
      ['receipts.import.batch', owner.id, { upToLine: 3, points: 100 }],
      ['receipts.import.completed', owner.id, { created: 3, updated: 0, failed: 0, points: 100 }],
    ]);
    expect(log.at(-1)!.actorRole).toBe('owner');
  });
});

describe('bulk load batches', () => {
  // A file whose line count is a multiple of the batch size (2,000) ends with an empty batch,
  // and a batch of only bad lines has nothing to write: both once failed the whole import.
  it('completes a file of exactly 2,000 valid lines', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => good(100_000 + i));
    expect(await upload(lines.join('\n'), false)).toMatchObject({ status: 'completed', rowsCreated: 2000, rowsFailed: 0 });
  });

  it('reports a line past the money bound as its own row error, and loads the rest', async () => {
    const job = await upload([good(300_001), good(300_002, { lines: [{ sku: 'beans', qty: 1_000_000, price: 100_000_000_000 }] })].join('\n'), false);
    expect(job).toMatchObject({ status: 'completed', rowsCreated: 1, rowsFailed: 1 });
  });

  it('lists every line of a batch where all lines are bad', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => good(200_000 + i, { storeId: i % 2 ? 'nowhere' : 's1', lines: [] }));
    const job = await upload(lines.join('\n'), false);
    expect(job).toMatchObject({ status: 'completed', rowsCreated: 0, rowsFailed: 2000 });
  });
});

describe('product catalog as CSV', () => {
  it('upserts products from CSV through the same checks as JSON', async () => {
    const csv = 'sku,name,category_path,brand,attr.weight\nTEA-1,Green tea,grocery/tea,Leaf,100g\nbeans,Beans 2,grocery/coffee,,\n';
    const response = await t.call({ method: 'PUT', url: '/v1/products', payload: csv, headers: { 'content-type': 'text/csv' } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ upserted: 2 });
    const products = (await t.call({ method: 'GET', url: '/v1/products?q=tea' })).json();
    expect(products).toEqual({ items: [{ sku: 'TEA-1', name: 'Green tea', categoryPath: ['grocery', 'tea'], brand: 'Leaf', attributes: { weight: '100g' } }], nextCursor: null });
    const missingName = await t.call({ method: 'PUT', url: '/v1/products', payload: 'sku,name\nX-1,\n', headers: { 'content-type': 'text/csv' } });
    expect(missingName.statusCode).toBe(400);
    expect(missingName.json().errors[0]).toEqual({ field: '0.name', reason: 'is required' });
    const unknown = await t.call({ method: 'PUT', url: '/v1/products', payload: 'sku,colour\nX-1,red\n', headers: { 'content-type': 'text/csv' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('catalog.invalid_csv');
  });
});
