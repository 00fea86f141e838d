import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Entries are what Patron recorded in the entry period: nothing recorded from `to` on — an event
 * posted late but dated inside the period, a back-dated receipt confirmed late, a refund or a
 * cancel after `to` — changes them, so the draw (whenever it runs) counts what the period
 * closed with. And a customer's own view counts the way the draw does, merged duplicates included.
 */
let t: TestApp;
let anna: string;
let boris: string;
let dasha: string;
let vera: string;
let veraDuplicate: string;
let lotteryId: string;

const period = { from: '2026-06-01T00:00:00.000Z', to: '2026-06-08T00:00:00.000Z' };

let receiptNo = 0;
async function buy(customerId: string, at: string, price: number, qty = 1, occurredAt?: string) {
  t.clock.set(at);
  const posReceiptId = `E-${++receiptNo}`;
  const response = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: { storeId: 'msk-01', posReceiptId, customer: { customerId }, lines: [{ sku: 'GOODS', qty, price }], ...(occurredAt ? { occurredAt } : {}) },
  });
  expect(response.statusCode, response.body).toBe(201);
  return { receiptId: response.json().receiptId as string, posReceiptId };
}

let eventNo = 0;
async function survey(customerId: string, at: string, occurredAt?: string) {
  t.clock.set(at);
  const response = await t.call({
    method: 'POST',
    url: '/v1/events',
    payload: { eventId: `survey-${++eventNo}`, customer: { customerId }, type: 'survey.answered', ...(occurredAt ? { occurredAt } : {}) },
  });
  expect(response.statusCode, response.body).toBe(201);
}

const own = async (customerId: string) => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/lottery-entries` })).json().items;

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-05-20T09:00:00Z');
  await t.call({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Moscow', timezone: 'Europe/Moscow' } });
  await t.call({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'GOODS', name: 'Goods', categoryPath: ['grocery'] }] });
  const create = async (phone: string) => (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } })).json().id as string;
  [anna, boris, dasha, vera, veraDuplicate] = [
    await create('+79130000001'),
    await create('+79130000002'),
    await create('+79130000003'),
    await create('+79130000004'),
    await create('+79130000005'),
  ];
  const created = await t.call({
    method: 'POST',
    url: '/v1/lotteries',
    payload: {
      name: 'June draw',
      entryPeriod: period,
      rules: [
        { kind: 'spend', perMinor: 100_000 },
        { kind: 'action', eventType: 'survey.answered', entries: 1 },
      ],
      prizes: [{ name: 'Mug', count: 10 }],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  lotteryId = created.json().id;
});
afterAll(async () => t?.close());

describe('entries are what Patron recorded in the period', () => {
  let annas: { receiptId: string };
  let dashas: { posReceiptId: string };

  it('in the period: spend, events, a cancel and a merge count as recorded', async () => {
    annas = await buy(anna, '2026-06-02T10:00:00Z', 100_000, 2); // 2,000.00: 2
    await buy(boris, '2026-06-02T11:00:00Z', 100_000); // 1
    await survey(boris, '2026-06-04T12:00:00Z'); // 1
    dashas = await buy(dasha, '2026-06-03T10:00:00Z', 300_000); // 3, cancelled only after `to`
    const cancelledInPeriod = await buy(dasha, '2026-06-03T11:00:00Z', 700_000);
    t.clock.set('2026-06-05T10:00:00Z');
    const cancel = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 'msk-01', posReceiptId: cancelledInPeriod.posReceiptId } });
    expect(cancel.statusCode, cancel.body).toBeLessThan(300); // cancelled in the period: nothing

    // Vera's duplicate bought 1,500.00 and answered a survey; Vera 1,000.00; then the duplicate is
    // merged into her. The receipt and the event keep the duplicate's id: 2,500.00 → 2, + 1 = 3.
    await buy(veraDuplicate, '2026-06-02T12:00:00Z', 150_000);
    await survey(veraDuplicate, '2026-06-02T13:00:00Z');
    await buy(vera, '2026-06-03T12:00:00Z', 100_000);
    t.clock.set('2026-06-05T12:00:00Z');
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${vera}/merge`, payload: { from: veraDuplicate } });
    expect(merged.statusCode, merged.body).toBe(200);

    t.clock.set('2026-06-06T00:00:00Z');
    expect(await own(vera)).toEqual([{ lotteryId, lotteryName: 'June draw', status: 'open', entries: 3, won: false, prizeName: null }]);
    expect((await own(anna))[0]).toMatchObject({ entries: 2 });
    expect((await own(boris))[0]).toMatchObject({ entries: 2 });
    expect((await own(dasha))[0]).toMatchObject({ entries: 3 });
  });

  it('after `to`: a late event dated inside the period, a back-dated receipt, a refund and a cancel change nothing', async () => {
    await survey(boris, '2026-06-09T10:00:00Z', '2026-06-05T10:00:00Z'); // posted after `to`, dated inside: no entry
    await buy(boris, '2026-06-09T11:00:00Z', 500_000, 1, '2026-06-06T10:00:00Z'); // confirmed after `to`, bought inside: no entry
    t.clock.set('2026-06-09T12:00:00Z');
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${annas.receiptId}/refunds`, payload: { refundId: 'R-late', lines: [{ sku: 'GOODS', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201); // refunded after `to`: takes no entry away
    const cancel = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 'msk-01', posReceiptId: dashas.posReceiptId } });
    expect(cancel.statusCode, cancel.body).toBeLessThan(300);

    // The events and receipts did land (the loyalty side counts them); the lottery does not.
    const events = await t.database.db.selectFrom('outboxEvents').select('id').where('type', '=', 'customer.action').where('customerId', '=', boris).execute();
    expect(events).toHaveLength(2);

    t.clock.set('2026-06-10T00:00:00Z');
    expect((await own(boris))[0]).toMatchObject({ status: 'closed', entries: 2 });
    expect((await own(anna))[0]).toMatchObject({ entries: 2 });
    expect((await own(dasha))[0]).toMatchObject({ entries: 3 });
    expect((await own(vera))[0]).toMatchObject({ entries: 3 });

    const drawn = await t.call({ method: 'POST', url: `/v1/lotteries/${lotteryId}/draw` });
    expect(drawn.statusCode, drawn.body).toBe(200);
    expect(drawn.json()).toMatchObject({ entrants: 4, totalEntries: 2 + 2 + 3 + 3 });
    const frozen = (await t.call({ method: 'GET', url: `/v1/lotteries/${lotteryId}/entries` })).json().items;
    const byId = Object.fromEntries(frozen.map((e: { customerId: string; entries: number; spendEntries: number; actionEntries: number }) => [e.customerId, [e.entries, e.spendEntries, e.actionEntries]]));
    expect(byId).toEqual({ [anna]: [2, 2, 0], [boris]: [2, 1, 1], [dasha]: [3, 3, 0], [vera]: [3, 2, 1] });
    // The customer's view after the draw shows the frozen line, the same figure as before it.
    expect((await own(vera))[0]).toMatchObject({ status: 'drawn', entries: 3, won: true });
  });
});
