import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectGiftCardLedgerConsistent } from '../../../tests/helpers/gift-card-ledger.ts';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { CODE_ALPHABET, maskCode } from './gift-card-codes.ts';
import { returnShares } from './gift-card-tender.ts';

/**
 * Gift cards as the checkout's tender, to the kopeck: they pay what is left after discounts and
 * points; confirm debits them with the receipt or not at all; returns give each card its share.
 */
let t: TestApp;
let anna: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Moscow', timezone: 'Europe/Moscow' } });
  await t.call({
    method: 'PUT',
    url: '/v1/products',
    payload: [
      { sku: 'COF-1KG', name: 'Arabica 1 kg', categoryPath: ['grocery', 'coffee'] },
      { sku: 'CROISSANT', name: 'Croissant', categoryPath: ['bakery'] },
      { sku: 'GIFT-CARD', name: 'Gift card', categoryPath: ['gift-cards'] },
    ],
  });
  // Selling a gift card earns nothing: its category is excluded, as docs/gift-cards.md advises.
  await t.call({ method: 'PATCH', url: '/v1/program', payload: { excludedCategories: ['tobacco', 'gift-cards'] } });
  anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79123456789' } })).json().id;
});
afterAll(async () => t?.close());

const lines = [
  { sku: 'COF-1KG', qty: 1, price: 149000 },
  { sku: 'CROISSANT', qty: 3, price: 12000 },
];
let codeNo = 0;
/** A card with a known code (16 characters of the alphabet). */
const card = async (body: object) => {
  let n = ++codeNo;
  let suffix = '';
  for (let i = 0; i < 8; i++, n = Math.floor(n / 32)) suffix = CODE_ALPHABET[n % 32] + suffix;
  const code = `TESTCARD${suffix}`;
  const made = await t.call({ method: 'POST', url: '/v1/gift-cards', payload: { code, ...body } });
  expect(made.statusCode, made.body).toBe(201);
  return made.json() as { id: string; code: string };
};
const balance = async (code: string) => (await t.call({ method: 'GET', url: `/v1/gift-cards/${code}` })).json().balanceMinor as number;
const calculate = async (body: object) => {
  const response = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 'msk-01', lines, ...body } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
let receiptNo = 0;
const confirm = (body: object, pos = `GC-${++receiptNo}`) => t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 'msk-01', posReceiptId: pos, lines, ...body } });
const refund = (receiptId: string, refundId: string, refundLines: Array<{ sku: string; qty: number }>) =>
  t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, payload: { refundId, lines: refundLines } });

describe('calculate: what each card pays, and why not', () => {
  it('cards pay in order from the receipt total; points are earned on everything the customer paid, cards included', async () => {
    const a = await card({ amountMinor: 100000, activate: true });
    const b = await card({ amountMinor: 50000, activate: true });
    const without = await calculate({ customer: { customerId: anna } });
    const answer = await calculate({ customer: { customerId: anna }, giftCards: [{ code: a.code, amount: 100000 }, { code: b.code.toLowerCase(), amount: 50000 }] });
    expect(answer.giftCards).toEqual([
      { code: maskCode(a.code), amount: 100000, applied: true, reason: null, detail: null, balance: 100000 },
      { code: maskCode(b.code), amount: 50000, applied: true, reason: null, detail: null, balance: 50000 },
    ]);
    expect(answer.payable).toBe(185000);
    expect(answer.leftToPay).toBe(35000);
    // 5% of 1,850.00 = 92 points, the same as paying in cash: a gift card is a payment.
    expect([answer.pointsToEarn, without.pointsToEarn]).toEqual([92, 92]);
    expect(without.giftCards).toBeUndefined();
    // calculate wrote nothing.
    expect(await balance(a.code)).toBe(100000);
  });

  it('says why a card does not pay: unknown, not_active, expired, insufficient_balance, exceeds_total', async () => {
    const issued = await card({ amountMinor: 5000 });
    const blocked = await card({ amountMinor: 5000, activate: true });
    await t.call({ method: 'POST', url: `/v1/gift-cards/${blocked.code}/block`, payload: {} });
    const expiring = await card({ amountMinor: 5000, activate: true, expiresAt: '2026-03-01T10:00:00Z' });
    const small = await card({ amountMinor: 5000, activate: true });
    const big = await card({ amountMinor: 500000, activate: true });
    t.clock.set('2026-03-01T10:00:00Z');
    try {
      const answer = await calculate({
        giftCards: [
          { code: 'NOSUCHCARDAAAAAA', amount: 100 },
          { code: issued.code, amount: 100 },
          { code: blocked.code, amount: 100 },
          { code: expiring.code, amount: 100 },
          { code: small.code, amount: 5001 },
          { code: big.code, amount: 185001 },
          { code: small.code.slice(0, 15) + 'Z', amount: 1 },
        ],
      });
      expect(answer.giftCards.map((c: { reason: string | null }) => c.reason)).toEqual(['unknown', 'not_active', 'not_active', 'expired', 'insufficient_balance', 'exceeds_total', 'unknown']);
      expect(answer.giftCards.map((c: { detail: string }) => c.detail.replace(/^Gift card \*+\w{4}: /, ''))).toEqual([
        'no such gift card; check the code as printed',
        'the card is not activated yet (it is activated when sold)',
        'the card is blocked',
        'the card has expired',
        'the card holds 50.00, 50.01 was asked',
        '1850.01 was asked, only 1850.00 is left to pay',
        'no such gift card; check the code as printed',
      ]);
      expect(answer.giftCards.map((c: { balance: number | null }) => c.balance)).toEqual([null, 5000, 5000, 5000, 5000, 500000, null]);
      expect(answer.leftToPay).toBe(185000);
    } finally {
      t.clock.set('2026-03-01T09:00:00Z');
    }
  });

  it('cards pay what is left after discounts and points redemption', async () => {
    const promotion = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'Coffee −10%', status: 'active', benefit: { kind: 'percent_off', percentBp: 1000, target: { categories: ['coffee'] } } } });
    expect(promotion.statusCode, promotion.body).toBe(201);
    try {
      await t.call({ method: 'POST', url: `/v1/customers/${anna}/points/adjustments`, payload: { points: 1000, reason: 'welcome' } });
      const a = await card({ amountMinor: 200000, activate: true });
      const b = await card({ amountMinor: 30000, activate: true });
      // 1,850.00 − 149.00 off the coffee − 500 points (500.00) = 1,201.00 left: card A pays 1,000.00, B may pay at most 201.00.
      const answer = await calculate({ customer: { customerId: anna }, redeemPoints: 500, giftCards: [{ code: a.code, amount: 100000 }, { code: b.code, amount: 30000 }] });
      expect([answer.discount, answer.redeemedMinor, answer.payable]).toEqual([14900, 50000, 120100]);
      expect(answer.giftCards.map((c: { applied: boolean; reason: string | null }) => [c.applied, c.reason])).toEqual([[true, null], [false, 'exceeds_total']]);
      expect(answer.leftToPay).toBe(20100);
      const exact = await calculate({ customer: { customerId: anna }, redeemPoints: 500, giftCards: [{ code: a.code, amount: 100000 }, { code: b.code, amount: 20100 }] });
      expect(exact.leftToPay).toBe(0);

      const confirmed = await confirm({ customer: { customerId: anna }, redeemPoints: 500, giftCards: [{ code: a.code, amount: 100000 }, { code: b.code, amount: 20100 }] }, 'GC-DISCOUNTED');
      expect(confirmed.statusCode, confirmed.body).toBe(201);
      expect(confirmed.json().giftCards.map((c: { balance: number }) => c.balance)).toEqual([100000, 9900]);
      expect(confirmed.json().leftToPay).toBe(0);
      expect([await balance(a.code), await balance(b.code)]).toEqual([100000, 9900]);
    } finally {
      await t.call({ method: 'PATCH', url: `/v1/promotions/${promotion.json().id}`, payload: { status: 'archived' } });
    }
  });

  it('the same card twice in one receipt is a 400, in calculate and confirm', async () => {
    const a = await card({ amountMinor: 10000, activate: true });
    for (const url of ['/v1/checkout/calculate', '/v1/checkout/confirm']) {
      const twice = await t.call({ method: 'POST', url, payload: { storeId: 'msk-01', posReceiptId: 'GC-TWICE', lines, giftCards: [{ code: a.code, amount: 100 }, { code: a.code.replace(/(.{4})/, '$1-'), amount: 200 }] } });
      expect([twice.statusCode, twice.json().code], url).toEqual([400, 'gift_card.duplicate_in_receipt']);
      expect(twice.json().errors).toEqual([{ field: 'giftCards.1.code', reason: 'names a card already named in this receipt' }]);
    }
    expect(await balance(a.code)).toBe(10000);
  });
});

describe("a partner's store", () => {
  it('takes no gift card: wrong_store in calculate, 409 at confirm, the card untouched; the program\'s own store takes it', async () => {
    await t.call({ method: 'PUT', url: '/v1/stores/azs-01', payload: { name: 'Fuel 1', timezone: 'Europe/Moscow' } });
    const partner = await t.call({ method: 'POST', url: '/v1/partners', payload: { name: 'Neft', storeIds: ['azs-01'], earnRateBp: 200, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8000 } });
    expect(partner.statusCode, partner.body).toBe(201);
    const x = await card({ amountMinor: 100000, activate: true });
    const at = (storeId: string) => ({ storeId, lines, customer: { customerId: anna }, giftCards: [{ code: x.code, amount: 50000 }] });
    const priced = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: at('azs-01') });
    expect(priced.statusCode, priced.body).toBe(200);
    expect(priced.json().giftCards).toEqual([
      {
        code: maskCode(x.code),
        amount: 50000,
        applied: false,
        reason: 'wrong_store',
        detail: `Gift card ${maskCode(x.code)}: gift cards are the operator's money and are not accepted at partner stores (this store is Neft's); pay by other means`,
        balance: null,
      },
    ]);
    expect(priced.json().leftToPay).toBe(priced.json().payable);
    const refused = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { ...at('azs-01'), posReceiptId: 'GC-PARTNER' } });
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'gift_card.payment_refused']);
    expect(refused.json().detail).toContain('not accepted at partner stores');
    expect(await balance(x.code)).toBe(100000);
    const own = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { ...at('msk-01'), posReceiptId: 'GC-PARTNER' } });
    expect(own.statusCode, own.body).toBe(201);
    expect(await balance(x.code)).toBe(50000);
  });
});

describe('confirm: the cards are debited with the receipt, or nothing is', () => {
  it('debits, writes a redeem entry per card, and a replay answers the first answer without a second debit', async () => {
    const a = await card({ amountMinor: 150000, activate: true });
    const body = { customer: { customerId: anna }, giftCards: [{ code: a.code, amount: 123456 }] };
    const first = await confirm(body, 'GC-REPLAY');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json().giftCards).toEqual([{ code: maskCode(a.code), amount: 123456, applied: true, reason: null, detail: null, balance: 26544 }]);
    expect(first.json().leftToPay).toBe(185000 - 123456);
    const replay = await confirm(body, 'GC-REPLAY');
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual(first.json());
    expect(await balance(a.code)).toBe(26544);
    const entries = (await t.call({ method: 'GET', url: `/v1/gift-cards/${a.code}/entries` })).json().items;
    expect(entries.map((e: { kind: string; amountMinor: number; receiptId: string | null }) => [e.kind, e.amountMinor, e.receiptId])).toEqual([
      ['redeem', -123456, first.json().receiptId],
      ['issue', 150000, null],
    ]);
  });

  it('a card that cannot pay refuses the whole receipt: 409, no receipt, no points, no debit of the other card', async () => {
    const good = await card({ amountMinor: 50000, activate: true });
    const poor = await card({ amountMinor: 1000, activate: true });
    const pointsBefore = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/balance` })).json();
    const refused = await confirm({ customer: { customerId: anna }, giftCards: [{ code: good.code, amount: 50000 }, { code: poor.code, amount: 2000 }] }, 'GC-REFUSED');
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'gift_card.payment_refused']);
    expect(refused.json().detail).toBe(`Gift card ${maskCode(poor.code)}: the card holds 10.00, 20.00 was asked; the receipt is not recorded`);
    expect([await balance(good.code), await balance(poor.code)]).toEqual([50000, 1000]);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${anna}/balance` })).json()).toEqual(pointsBefore);
    // The POS receipt id is still free: the till confirms again with what the card holds.
    const retried = await confirm({ customer: { customerId: anna }, giftCards: [{ code: good.code, amount: 50000 }, { code: poor.code, amount: 1000 }] }, 'GC-REFUSED');
    expect(retried.statusCode, retried.body).toBe(201);
    expect([await balance(good.code), await balance(poor.code)]).toEqual([0, 0]);
  });

  it('selling a gift card earns no points (its category is excluded); paying with one does', async () => {
    const sold = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 'msk-01', customer: { customerId: anna }, lines: [{ sku: 'GIFT-CARD', qty: 1, price: 300000 }] } });
    expect(sold.json().pointsToEarn).toBe(0);
  });
});

describe('returns give each card its share, each kopeck once', () => {
  it('partial refunds return the card\'s share by cumulative rounding; the last return brings the rest', async () => {
    const x = await card({ amountMinor: 100000, activate: true });
    const confirmed = await confirm({ giftCards: [{ code: x.code, amount: 100000 }] });
    const receiptId = confirmed.json().receiptId as string;
    const shares: number[] = [];
    for (const n of [1, 2, 3]) {
      const r = await refund(receiptId, `croissant-${n}`, [{ sku: 'CROISSANT', qty: 1 }]);
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json().amount).toBe(12000);
      shares.push(r.json().giftCards[0].amount);
    }
    // 1,000.00 of 1,850.00 paid by the card: 12,000 × 100000 / 185000 = 6486.49…, cumulatively 6486, 12972, 19459.
    expect(shares).toEqual([6486, 6486, 6487]);
    const last = await refund(receiptId, 'coffee', [{ sku: 'COF-1KG', qty: 1 }]);
    expect(last.json().giftCards).toEqual([{ code: maskCode(x.code), amount: 80541, balance: 100000 }]);
    expect(shares.reduce((s, v) => s + v, 0) + 80541).toBe(100000);
    // A replayed refund returns nothing again.
    const replay = await refund(receiptId, 'coffee', [{ sku: 'COF-1KG', qty: 1 }]);
    expect(replay.statusCode).toBe(200);
    expect(await balance(x.code)).toBe(100000);
  });

  it('a cancel returns everything not yet returned, to each card in order', async () => {
    const x = await card({ amountMinor: 33333, activate: true });
    const y = await card({ amountMinor: 11111, activate: true });
    const threeLines = [{ sku: 'CROISSANT', qty: 3, price: 20000 }];
    const confirmed = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 'msk-01', posReceiptId: 'GC-CANCEL', lines: threeLines, giftCards: [{ code: x.code, amount: 33333 }, { code: y.code, amount: 11111 }] } });
    expect(confirmed.json().leftToPay).toBe(60000 - 44444);
    const partial = await refund(confirmed.json().receiptId, 'one', [{ sku: 'CROISSANT', qty: 1 }]);
    // 20,000 of 60,000 back: x 33333/3 = 11111, y 11111/3 = 3703.67 → 3703.
    expect(partial.json().giftCards.map((c: { amount: number }) => c.amount)).toEqual([11111, 3703]);
    const cancelled = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 'msk-01', posReceiptId: 'GC-CANCEL' } });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json().giftCards).toEqual([
      { code: maskCode(x.code), amount: 22222, balance: 33333 },
      { code: maskCode(y.code), amount: 7408, balance: 11111 },
    ]);
    const again = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 'msk-01', posReceiptId: 'GC-CANCEL' } });
    expect(again.json()).toEqual(cancelled.json());
    expect([await balance(x.code), await balance(y.code)]).toEqual([33333, 11111]);
  });

  it('a return to a card that expired meanwhile credits its share, and the next expiry run takes it off again', async () => {
    const x = await card({ amountMinor: 185000, activate: true, expiresAt: '2026-03-05T00:00:00Z' });
    const confirmed = await confirm({ giftCards: [{ code: x.code, amount: 185000 }] });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    t.clock.set('2026-03-06T00:00:00Z');
    try {
      expect((await t.call({ method: 'POST', url: '/v1/jobs/expire-gift-cards/run' })).statusCode).toBe(200);
      expect((await t.call({ method: 'GET', url: `/v1/gift-cards/${x.code}` })).json()).toMatchObject({ status: 'expired', balanceMinor: 0 });
      const back = await refund(confirmed.json().receiptId, 'late-croissant', [{ sku: 'CROISSANT', qty: 1 }]);
      expect(back.statusCode, back.body).toBe(201);
      expect(back.json().giftCards).toEqual([{ code: maskCode(x.code), amount: 12000, balance: 12000 }]);
      expect((await t.call({ method: 'GET', url: `/v1/gift-cards/${x.code}` })).json()).toMatchObject({ status: 'expired', balanceMinor: 12000 });
      const again = await t.call({ method: 'POST', url: '/v1/jobs/expire-gift-cards/run' });
      expect(again.json()).toMatchObject({ cards: 1, minor: 12000 });
      expect((await t.call({ method: 'GET', url: `/v1/gift-cards/${x.code}` })).json()).toMatchObject({ status: 'expired', balanceMinor: 0 });
      const entries = (await t.call({ method: 'GET', url: `/v1/gift-cards/${x.code}/entries` })).json().items;
      expect(entries.slice(0, 2).map((e: { kind: string; amountMinor: number; balanceAfterMinor: number }) => [e.kind, e.amountMinor, e.balanceAfterMinor])).toEqual([
        ['expire', -12000, 0],
        ['refund', 12000, 12000],
      ]);
      expect((await t.call({ method: 'POST', url: '/v1/jobs/expire-gift-cards/run' })).json()).toMatchObject({ cards: 0, minor: 0 });
    } finally {
      t.clock.set('2026-03-01T09:00:00Z');
    }
  });

  it('returnShares: table of cumulative shares that add up to what each card took', () => {
    const rows: Array<[{ cancel: boolean; paidMinor: number; refundedBeforeMinor: number; amountMinor: number }, number[], number[]]> = [
      [{ cancel: false, paidMinor: 185000, refundedBeforeMinor: 0, amountMinor: 12000 }, [0], [6486]],
      [{ cancel: false, paidMinor: 185000, refundedBeforeMinor: 12000, amountMinor: 12000 }, [6486], [6486]],
      [{ cancel: false, paidMinor: 185000, refundedBeforeMinor: 24000, amountMinor: 12000 }, [12972], [6487]],
      [{ cancel: false, paidMinor: 185000, refundedBeforeMinor: 36000, amountMinor: 149000 }, [19459], [80541]],
      [{ cancel: true, paidMinor: 60000, refundedBeforeMinor: 20000, amountMinor: 40000 }, [11111, 3703], [22222, 7408]],
      [{ cancel: false, paidMinor: 3, refundedBeforeMinor: 0, amountMinor: 1 }, [0, 0], [0, 0]],
      [{ cancel: false, paidMinor: 3, refundedBeforeMinor: 1, amountMinor: 1 }, [0, 0], [1, 0]],
      [{ cancel: false, paidMinor: 3, refundedBeforeMinor: 2, amountMinor: 1 }, [1, 0], [1, 1]],
    ];
    for (const [reversal, returned, expected] of rows) {
      const taken = reversal.paidMinor === 3 ? [2, 1] : reversal.paidMinor === 60000 ? [33333, 11111] : [100000];
      const payments = taken.map((amountMinor, i) => ({ cardId: `c${i}`, amountMinor, returnedMinor: returned[i]! }));
      expect(returnShares(reversal, payments).map((s) => s.amountMinor), JSON.stringify(reversal)).toEqual(expected);
    }
  });
});

describe('the ledgers', () => {
  it('every card: its entries add up to its balance; points too', async () => {
    await expectGiftCardLedgerConsistent(t.database.db);
    await expectLedgerConsistent(t.database.db);
  });
});
