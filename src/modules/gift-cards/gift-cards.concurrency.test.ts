import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGiftCardLedgerConsistent } from '../../../tests/helpers/gift-card-ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * Gift-card money under concurrency, on real PostgreSQL (PGlite serves one connection at a time,
 * so it cannot race): many tills spending one card never overdraw it, and returns racing each
 * other give each kopeck back once.
 */
describe.runIf(onPostgres)('gift cards under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  });
  afterAll(async () => t?.close());

  const card = async (amountMinor: number) => {
    const made = await t.call({ method: 'POST', url: '/v1/gift-cards', payload: { amountMinor, activate: true } });
    expect(made.statusCode, made.body).toBe(201);
    return made.json() as { id: string; code: string };
  };
  const confirm = (pos: string, body: object) =>
    t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: pos, lines: [{ sku: 'A', qty: 2, price: 10000 }], ...body } });
  const balance = async (code: string) => (await t.call({ method: 'GET', url: `/v1/gift-cards/${code}` })).json().balanceMinor as number;

  it('50 concurrent confirms spending one card of 1,000.00 by 30.00: exactly 33 pay, none overdraws', async () => {
    const one = await card(100_000);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => confirm(`spend-${i}`, { giftCards: [{ code: one.code, amount: 3000 }] })));
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    const paid = answers.filter((a) => a.statusCode === 201);
    const refused = answers.filter((a) => a.statusCode === 409);
    expect([paid.length, refused.length]).toEqual([33, 17]);
    for (const a of refused) expect(a.json().code).toBe('gift_card.payment_refused');
    expect(await balance(one.code)).toBe(1000);
    // Every balance a confirm answered is one the card really had, each once.
    const after = paid.map((a) => a.json().giftCards[0].balance as number).sort((x, y) => y - x);
    expect(after).toEqual(Array.from({ length: 33 }, (_, i) => 100_000 - 3000 * (i + 1)));
    await expectGiftCardLedgerConsistent(t.database.db);
  });

  it('receipts paying with the same two cards in opposite orders queue, never deadlock', async () => {
    const a = await card(50_000);
    const b = await card(50_000);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        confirm(`pair-${i}`, { giftCards: i % 2 === 0 ? [{ code: a.code, amount: 1000 }, { code: b.code, amount: 1000 }] : [{ code: b.code, amount: 1000 }, { code: a.code, amount: 1000 }] }),
      ),
    );
    expect(answers.map((x) => x.statusCode)).toEqual(Array.from({ length: 20 }, () => 201));
    expect([await balance(a.code), await balance(b.code)]).toEqual([30_000, 30_000]);
  });

  it('confirms of an identified customer with a card racing refunds and cancels of their earlier receipts with that card: no deadlock, money adds up', async () => {
    const customer = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79160000777' } });
    expect(customer.statusCode, customer.body).toBe(201);
    const who = { customerId: customer.json().id as string };
    const one = await card(1_000_000);
    const earlier = [];
    for (let i = 0; i < 16; i++) {
      const confirmed = await confirm(`lock-order-${i}`, { customer: who, giftCards: [{ code: one.code, amount: 5000 }] });
      expect(confirmed.statusCode, confirmed.body).toBe(201);
      earlier.push({ id: confirmed.json().receiptId as string, pos: `lock-order-${i}` });
    }
    // Confirm locks the customer's balance, then the card; a refund the receipt, then (since the fix) the balance, then the card.
    const answers = await Promise.all(
      earlier.flatMap((r, i) => [
        confirm(`lock-order-new-${i}`, { customer: who, giftCards: [{ code: one.code, amount: 5000 }] }),
        i % 4 === 3
          ? t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: r.pos } })
          : t.call({ method: 'POST', url: `/v1/receipts/${r.id}/refunds`, payload: { refundId: 'half', lines: [{ sku: 'A', qty: 1 }] } }),
      ]),
    );
    expect(answers.filter((a) => a.statusCode >= 300).map((a) => a.body)).toEqual([]);
    // 32 receipts paid 5,000 each; 12 refunds gave back half (2,500), 4 cancels all (5,000).
    expect(await balance(one.code)).toBe(1_000_000 - 32 * 5000 + 12 * 2500 + 4 * 5000);
    const returned = answers.filter((_, i) => i % 2 === 1).map((a) => a.json().giftCards[0].amount as number);
    expect(returned).toEqual(earlier.map((_, i) => (i % 4 === 3 ? 5000 : 2500)));
    await expectGiftCardLedgerConsistent(t.database.db);
  });

  it('refunds, replays and cancels racing on one receipt return each kopeck once', async () => {
    const receipts = [];
    for (let i = 0; i < 8; i++) {
      const c = await card(20_000);
      const lines = [{ sku: 'A', qty: 3, price: 10_000 }];
      const confirmed = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: `race-${i}`, lines, giftCards: [{ code: c.code, amount: 17_777 }] } });
      expect(confirmed.statusCode, confirmed.body).toBe(201);
      receipts.push({ code: c.code, id: confirmed.json().receiptId as string, pos: `race-${i}` });
    }
    const refund = (id: string, refundId: string) => t.call({ method: 'POST', url: `/v1/receipts/${id}/refunds`, payload: { refundId, lines: [{ sku: 'A', qty: 1 }] } });
    const cancel = (pos: string) => t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: pos } });
    const answers = await Promise.all(receipts.flatMap((r) => [refund(r.id, 'r1'), refund(r.id, 'r1'), refund(r.id, 'r2'), cancel(r.pos), cancel(r.pos), refund(r.id, 'r3')]));
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    for (const r of receipts) expect(await balance(r.code)).toBe(20_000);
    const payments = await sql<{ amount: number; returned: number }>`
      select amount_minor as amount, returned_minor as returned from gift_card_payments where receipt_id = any(${receipts.map((r) => r.id)}::text[])`.execute(t.database.db);
    expect(payments.rows).toEqual(receipts.map(() => ({ amount: 17_777, returned: 17_777 })));
    await expectGiftCardLedgerConsistent(t.database.db);
  });
});
