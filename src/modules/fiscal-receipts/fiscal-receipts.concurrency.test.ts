import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, qrText, setUpBrand, submit } from '../../../tests/helpers/fiscal-receipts.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * A receipt earns once, under concurrency, on real PostgreSQL (PGlite serves one connection at a
 * time, so it cannot show the race): the same QR submitted at once by several customers is taken
 * once — the unique (fn, i, fp) decides — and the others are told it is a duplicate.
 */
describe.runIf(onPostgres)('fiscal receipts under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let customers: string[];
  beforeAll(async () => {
    t = await createTestApp();
    await setUpBrand(t, 'http://127.0.0.1:9/check');
    customers = [];
    for (let i = 0; i < 8; i++) customers.push(await newCustomer(t, `+7916200${String(i).padStart(4, '0')}`));
  });
  afterAll(async () => t?.close());

  it('two customers submit one QR at once: exactly one is accepted, the other refused as a duplicate', async () => {
    for (let round = 0; round < 5; round++) {
      const qr = qrText(100 + round);
      const answers = await Promise.all([submit(t, customers[0]!, qr), submit(t, customers[1]!, qr)]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409]);
      expect(answers.find((a) => a.statusCode === 409)!.json().code).toBe('fiscal_receipt.duplicate');
      const rows = await t.database.db.selectFrom('fiscalReceipts').select(['id', 'customerId']).where('i', '=', 100 + round).execute();
      expect(rows).toEqual([{ id: answers.find((a) => a.statusCode === 202)!.json().id, customerId: answers.find((a) => a.statusCode === 202)!.json().customerId }]);
    }
  });

  it('eight customers at once, the QR written eight ways: one row, seven duplicates', async () => {
    const qr = qrText(200);
    const spellings = [qr, encodeURIComponent(qr), `https://check.example/?${qr}`, ` ${qr} `, qr.split('&').reverse().join('&'), `${qr}&`, qr.replace('i=200', 'i=0200'), qr.toUpperCase().replace('T1000', 'T1000')];
    const answers = await Promise.all(customers.map((customerId, i) => submit(t, customerId, spellings[i]!)));
    expect(answers.filter((a) => a.statusCode === 202)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409).map((a) => a.json().code)).toEqual(Array.from({ length: 7 }, () => 'fiscal_receipt.duplicate'));
    expect(await t.database.db.selectFrom('fiscalReceipts').select('id').where('i', '=', 200).execute()).toHaveLength(1);
  });
});

describe.runIf(onPostgres)('the first save of the fiscal settings under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('two people save what GET answered (version 0) at once: one is saved, the other refused as a save over another\'s change', async () => {
    const read = (await t.call({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).json() as { version: number };
    expect(read.version).toBe(0);
    const answers = await Promise.all([10, 20].map((maxAgeDays) => t.call({ method: 'PUT', url: '/v1/fiscal-receipts/settings', payload: { ...read, maxAgeDays } })));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.statusCode === 409)!.json().code).toBe('fiscal_receipt.version_conflict');
    const saved = answers.find((a) => a.statusCode === 200)!.json() as { maxAgeDays: number };
    expect((await t.call({ method: 'GET', url: '/v1/fiscal-receipts/settings' })).json()).toMatchObject({ version: 1, maxAgeDays: saved.maxAgeDays });
  });
});
