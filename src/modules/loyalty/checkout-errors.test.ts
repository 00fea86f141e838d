import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  expect((await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main street', timezone: 'Europe/Moscow' } })).statusCode).toBe(200);
});
afterAll(async () => t.close());

const confirm = (payload: Record<string, unknown>) => t.call({ method: 'POST', url: '/v1/checkout/confirm', payload, role: 'pos' });

describe('a purchase time in the future', () => {
  it.each(['calculate', 'confirm'])('%s: 400 checkout.occurred_in_future naming the allowed 10 minutes', async (phase) => {
    const occurredAt = new Date(t.clock.now().getTime() + 11 * 60_000).toISOString();
    const response = await t.call({
      method: 'POST',
      url: `/v1/checkout/${phase}`,
      payload: { storeId: 's1', posReceiptId: `F-${phase}`, occurredAt, lines: [{ sku: 'a', qty: 1, price: 100 }] },
      role: 'pos',
    });
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.code).toBe('checkout.occurred_in_future');
    expect(problem.detail).toContain('10 minutes');
    expect(problem.errors).toEqual([{ field: 'occurredAt', reason: expect.stringContaining('at most 10 minutes ahead') }]);
  });

  it('an NDJSON import row in the future says the allowed 10 minutes', async () => {
    const occurredAt = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const row = JSON.stringify({ storeId: 's1', posReceiptId: 'F-bulk', occurredAt, lines: [{ sku: 'a', qty: 1, price: 100 }] });
    const response = await t.call({ method: 'POST', url: '/v1/receipts/bulk?earn=false', payload: `${row}\n`, headers: { 'content-type': 'application/x-ndjson' } });
    expect(response.statusCode, response.body).toBe(202);
    await t.services.imports.idle();
    const job = (await t.call({ method: 'GET', url: `/v1/imports/${response.json().id}` })).json();
    expect(job.errors).toEqual([expect.objectContaining({ line: 1, field: 'occurredAt', reason: expect.stringContaining('at most 10 minutes ahead') })]);
  });

  it('allows a till clock a little ahead', async () => {
    const occurredAt = new Date(t.clock.now().getTime() + 9 * 60_000).toISOString();
    const response = await confirm({ storeId: 's1', posReceiptId: 'F-ok', occurredAt, lines: [{ sku: 'a', qty: 1, price: 100 }] });
    expect(response.statusCode).toBe(201);
  });
});

describe('a POS receipt id confirmed with another body (409 checkout.receipt_conflict)', () => {
  const body = { storeId: 's1', posReceiptId: 'C-1', lines: [{ sku: 'a', qty: 1, price: 10_000 }] };

  it('names the fields that differ', async () => {
    expect((await confirm(body)).statusCode).toBe(201);
    expect((await confirm(body)).statusCode).toBe(200);
    const response = await confirm({ ...body, lines: [{ sku: 'a', qty: 2, price: 10_000 }], channel: 'online' });
    expect(response.statusCode).toBe(409);
    const problem = response.json();
    expect(problem.code).toBe('checkout.receipt_conflict');
    expect(problem.detail).toMatch(/^posReceiptId C-1 of store s1 was confirmed with different channel, lines;/);
    expect(problem.errors.map((e: { field: string }) => e.field)).toEqual(['channel', 'lines']);
  });

  it('a field left out differs too', async () => {
    const occurredAt = t.clock.now().toISOString();
    expect((await confirm({ ...body, posReceiptId: 'C-2', occurredAt })).statusCode).toBe(201);
    const response = await confirm({ ...body, posReceiptId: 'C-2' });
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toContain('with different occurredAt;');
  });

  it('says "a different body" for a receipt stored before the per-field hashes', async () => {
    expect((await confirm({ ...body, posReceiptId: 'C-old' })).statusCode).toBe(201);
    await t.database.db.updateTable('receipts').set({ requestFields: null }).where('posReceiptId', '=', 'C-old').execute();
    const response = await confirm({ ...body, posReceiptId: 'C-old', redeemPoints: 0 });
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toContain('was confirmed with a different body');
  });
});
