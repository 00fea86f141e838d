import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { defaultProgramSettings } from './config-types.ts';

let t: TestApp;
const DAY = 86_400_000;
let receiptNo = 0;

beforeAll(async () => {
  t = await createTestApp();
  expect((await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main street', timezone: 'Europe/Moscow' } })).statusCode).toBe(200);
  const rules = await t.call({
    method: 'PUT',
    url: '/v1/earning-rules',
    payload: {
      rules: [
        { id: 'base', name: 'Base 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true },
        { id: 'coffee-x3', name: 'Coffee ×3', kind: 'multiplier', factor: 3, conditions: { categories: ['coffee'] }, priority: 10, stacking: 'highest', active: true },
      ],
    },
  });
  expect(rules.statusCode).toBe(200);
  expect(rules.json().version).toBe(1);
  const products = await t.call({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'beans', name: 'Coffee beans 1kg', categoryPath: ['drinks', 'coffee'], brand: 'Acme' }] });
  expect(products.json()).toEqual({ upserted: 1 });
});
afterEach(async () => expectLedgerConsistent(t.database.db));
afterAll(async () => t.close());

async function newCustomer(): Promise<string> {
  const phone = `+7916${String(1_000_000 + Math.floor(Math.random() * 8_999_999))}`;
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } });
  expect(response.statusCode).toBe(201);
  return response.json().id;
}

async function confirm(customerId: string | null, lines: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  const payload = { storeId: 's1', posReceiptId: `R-${++receiptNo}`, lines, ...(customerId ? { customer: { customerId } } : {}), ...extra };
  return t.call({ method: 'POST', url: '/v1/checkout/confirm', payload, role: 'pos' });
}

async function give(customerId: string, points: number) {
  const response = await t.call({ method: 'POST', url: `/v1/customers/${customerId}/points/adjustments`, payload: { points, reason: 'test top-up' } });
  expect(response.statusCode).toBe(201);
}

async function balance(customerId: string) {
  return (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/balance` })).json();
}

const threeLines = [
  { sku: 'bread', name: 'Bread', category: 'bakery', qty: 2, price: 5990 },
  { sku: 'beans', qty: 1, price: 49900 },
  { sku: 'cigs', name: 'Cigarettes', category: 'tobacco', qty: 1, price: 25000 },
];

describe('two-phase checkout', () => {
  it("simulate answers a marketer what calculate answers the till, writes nothing, and the till's routes stay closed to them", async () => {
    const customer = await newCustomer();
    const payload = { storeId: 's1', customer: { customerId: customer }, lines: threeLines };
    const calculated = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload, role: 'pos' });
    const simulated = await t.call({ method: 'POST', url: '/v1/checkout/simulate', payload, role: 'marketer' });
    expect(simulated.statusCode).toBe(200);
    expect(simulated.json()).toEqual(calculated.json());
    expect(simulated.json().pointsToEarn).toBe(78);
    expect(await t.database.db.selectFrom('receipts').select('id').execute()).toHaveLength(0);
    expect((await balance(customer)).pendingPoints).toBe(0);
    expect((await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload, role: 'marketer' })).statusCode).toBe(403);
    expect((await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { ...payload, posReceiptId: 'SIM-1' }, role: 'marketer' })).statusCode).toBe(403);
    const unknown = await t.call({ method: 'POST', url: '/v1/checkout/simulate', payload: { ...payload, storeId: 'nope' }, role: 'support' });
    expect(unknown.statusCode).toBe(404);
  });

  it('earns per line by the rules (5% base, ×3 coffee from the catalog), tobacco earns nothing', async () => {
    const customer = await newCustomer();
    const calculated = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 's1', customer: { customerId: customer }, lines: threeLines }, role: 'pos' });
    expect(calculated.statusCode).toBe(200);
    const table = [
      ['bread', 11980, 5], // 5% of 119.80 = 5.99 → 5
      ['beans', 49900, 24 + 49], // 24.95 → 24, ×3 adds 49.90 → 49
      ['cigs', 25000, 0],
    ];
    expect(calculated.json().lines.map((l: { sku: string; total: number; pointsEarned: number }) => [l.sku, l.total, l.pointsEarned])).toEqual(table);
    expect(calculated.json().pointsToEarn).toBe(78);
    expect(calculated.json().applied.map((a: { ruleId: string; points: number }) => [a.ruleId, a.points])).toEqual([
      ['base', 29],
      ['coffee-x3', 49],
    ]);
    const receipts = await t.database.db.selectFrom('receipts').select('id').execute();
    expect(receipts).toHaveLength(0); // calculate writes nothing

    const confirmed = await confirm(customer, threeLines);
    expect(confirmed.statusCode).toBe(201);
    expect(confirmed.json().pointsToEarn).toBe(78);
    expect(confirmed.json().receiptId).toMatch(/^rcp_/);
    const view = await balance(customer);
    expect(view.available).toBe(0);
    expect(view.pending).toEqual([{ points: 78, activatesAt: new Date(t.clock.now().getTime() + 14 * DAY).toISOString() }]);
  });

  it('caps redemption at 30%: asking 10,000 points on a 1,000.00 receipt redeems 300; tobacco cannot be paid with points', async () => {
    const customer = await newCustomer();
    await give(customer, 20_000);
    const calc = await t.call({
      method: 'POST',
      url: '/v1/checkout/calculate',
      payload: { storeId: 's1', customer: { customerId: customer }, lines: [{ sku: 'tv', category: 'electronics', qty: 1, price: 100_000 }, { sku: 'cigs', category: 'tobacco', qty: 1, price: 25000 }], redeemPoints: 10_000 },
      role: 'pos',
    });
    expect(calc.json()).toMatchObject({ maxRedeemable: 300, pointsRedeemed: 300, payable: 125_000 - 30_000 });
    expect(calc.json().lines[1]).toMatchObject({ sku: 'cigs', pointsRedeemed: 0, pointsEarned: 0, excluded: true });
    const done = await confirm(customer, [{ sku: 'tv', category: 'electronics', qty: 1, price: 100_000 }], { redeemPoints: 10_000 });
    expect(done.json().pointsRedeemed).toBe(300);
    expect((await balance(customer)).available).toBe(19_700);
  });

  it('keeps earned points pending 14 days: not spendable on day 13, spendable on day 14', async () => {
    const customer = await newCustomer();
    const start = t.clock.now();
    const bought = await confirm(customer, [{ sku: 'x', category: 'misc', qty: 1, price: 200_000 }]); // earns 100
    expect(bought.json().pointsToEarn).toBe(100);
    t.clock.set(new Date(start.getTime() + 13 * DAY));
    const early = await confirm(customer, [{ sku: 'y', category: 'misc', qty: 1, price: 100_000 }], { redeemPoints: 100 });
    expect(early.statusCode).toBe(409);
    expect(early.json().code).toBe('checkout.insufficient_points');
    expect((await balance(customer)).available).toBe(0);
    t.clock.set(new Date(start.getTime() + 14 * DAY));
    expect((await balance(customer)).available).toBe(100);
    const onTime = await confirm(customer, [{ sku: 'y', category: 'misc', qty: 1, price: 100_000 }], { redeemPoints: 100 });
    expect(onTime.statusCode).toBe(201);
    expect(onTime.json().pointsRedeemed).toBe(100);
    t.clock.set(start);
  });

  it('answers a replayed confirm with the first answer and keeps one receipt; a different body is a conflict', async () => {
    const customer = await newCustomer();
    const payload = { storeId: 's1', posReceiptId: 'REPLAY-1', customer: { customerId: customer }, lines: [{ sku: 'a', qty: 1, price: 10_000 }] };
    const first = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload, role: 'pos' });
    const second = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload, role: 'pos' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    const rows = await t.database.db.selectFrom('receipts').select('id').where('posReceiptId', '=', 'REPLAY-1').execute();
    expect(rows).toHaveLength(1);
    const lots = await t.database.db.selectFrom('pointLots').select('id').where('customerId', '=', customer).execute();
    expect(lots).toHaveLength(1);
    const other = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { ...payload, lines: [{ sku: 'a', qty: 2, price: 10_000 }] }, role: 'pos' });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('checkout.receipt_conflict');
  });

  it('stores anonymous receipts, and refuses a redemption without a customer', async () => {
    const anonymous = await confirm(null, [{ sku: 'a', qty: 1, price: 1000 }]);
    expect(anonymous.statusCode).toBe(201);
    expect(anonymous.json().customer).toBeUndefined();
    const stored = await t.call({ method: 'GET', url: `/v1/receipts/${anonymous.json().receiptId}` });
    expect(stored.json()).toMatchObject({ customerId: null, total: 1000, pointsEarned: 0 });
    const redeem = await confirm(null, [{ sku: 'a', qty: 1, price: 1000 }], { redeemPoints: 5 });
    expect(redeem.statusCode).toBe(400);
    expect(redeem.json().code).toBe('checkout.redemption_needs_customer');
  });

  it('rounds a weighed line 0.455 × 349.90 to 159.20 and stores the quantity exactly', async () => {
    const customer = await newCustomer();
    const done = await confirm(customer, [{ sku: 'cheese', category: 'dairy', qty: 0.455, price: 34990 }]);
    expect(done.json().lines[0]).toMatchObject({ qty: 0.455, total: 15920, pointsEarned: 7 });
    const receipt = (await t.call({ method: 'GET', url: `/v1/receipts/${done.json().receiptId}` })).json();
    expect(receipt.lines[0]).toMatchObject({ qty: 0.455, total: 15920 });
    const tooFine = await confirm(customer, [{ sku: 'cheese', qty: 0.4555, price: 34990 }]);
    expect(tooFine.statusCode).toBe(400);
    expect(tooFine.json().code).toBe('checkout.invalid_line');
  });

  it('refuses an unknown store and an unknown customer', async () => {
    const store = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 'nope', lines: [{ sku: 'a', qty: 1, price: 1 }] }, role: 'pos' });
    expect(store.statusCode).toBe(404);
    expect(store.json().code).toBe('checkout.unknown_store');
    const who = await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 's1', customer: { card: 'NOSUCHCARD' }, lines: [{ sku: 'a', qty: 1, price: 1 }] }, role: 'pos' });
    expect(who.statusCode).toBe(404);
    expect(who.json().code).toBe('customer.not_found');
  });
});

describe('lots, expiry and reminders', () => {
  it('redeems from the older lot; the expiry job expires only what is left of it, on its date; points.expiring fires 7 days ahead', async () => {
    const settings = { ...defaultProgramSettings, pendingDays: 0, expiry: { kind: 'days', days: 30 } };
    expect((await t.call({ method: 'PUT', url: '/v1/program', payload: settings })).statusCode).toBe(200);
    try {
      const customer = await newCustomer();
      const start = t.clock.now();
      await confirm(customer, [{ sku: 'x', category: 'misc', qty: 1, price: 100_000 }]); // lot A: 50, expires day 30
      t.clock.set(new Date(start.getTime() + 10 * DAY));
      await confirm(customer, [{ sku: 'x', category: 'misc', qty: 1, price: 60_000 }]); // lot B: 30, expires day 40
      const spent = await confirm(customer, [{ sku: 'y', category: 'misc', qty: 1, price: 100_000 }], { redeemPoints: 20 });
      expect(spent.json().pointsRedeemed).toBe(20);
      const lots = await t.database.db.selectFrom('pointLots').select(['points', 'remaining']).where('customerId', '=', customer).orderBy('earnedAt').execute();
      expect(lots.slice(0, 2)).toEqual([
        { points: 50, remaining: 30 },
        { points: 30, remaining: 30 },
      ]);

      t.clock.set(new Date(start.getTime() + 22 * DAY));
      expect((await t.call({ method: 'POST', url: '/v1/jobs/announce-expiring-points/run' })).json()).toMatchObject({ points: 0 });
      t.clock.set(new Date(start.getTime() + 23 * DAY));
      expect((await t.call({ method: 'POST', url: '/v1/jobs/announce-expiring-points/run' })).json()).toMatchObject({ customers: 1, points: 30 });
      expect((await t.call({ method: 'POST', url: '/v1/jobs/announce-expiring-points/run' })).json()).toMatchObject({ points: 0 });
      const reminders = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'points.expiring').where('customerId', '=', customer).execute();
      expect(reminders.map((r) => r.payload)).toEqual([{ customerId: customer, points: 30, at: new Date(start.getTime() + 30 * DAY).toISOString() }]);

      const before = (await balance(customer)).available;
      t.clock.set(new Date(start.getTime() + 30 * DAY - 1000));
      expect((await t.call({ method: 'POST', url: '/v1/jobs/expire-points/run' })).json()).toMatchObject({ points: 0 });
      t.clock.set(new Date(start.getTime() + 30 * DAY));
      expect((await t.call({ method: 'POST', url: '/v1/jobs/expire-points/run' })).json()).toMatchObject({ customers: 1, points: 30 });
      expect((await t.call({ method: 'POST', url: '/v1/jobs/expire-points/run' })).json()).toMatchObject({ points: 0 });
      const after = await balance(customer);
      expect(after.available).toBe(before - 30);
      expect(after.lifetime.expired).toBe(30);
      expect(after.expiring).toMatchObject({ at: new Date(start.getTime() + 40 * DAY).toISOString() });
      t.clock.set(start);
    } finally {
      await t.call({ method: 'PUT', url: '/v1/program', payload: defaultProgramSettings });
    }
  });
});

describe('refunds and cancel', () => {
  it('refunding 1 of 3 lines reverses exactly its points and returns its share of the redeemed points', async () => {
    const customer = await newCustomer();
    await give(customer, 1000);
    const lines = [
      { sku: 'a', category: 'misc', qty: 1, price: 60_000 },
      { sku: 'b', category: 'misc', qty: 1, price: 30_000 },
      { sku: 'c', category: 'misc', qty: 2, price: 5_000 },
    ];
    const done = await confirm(customer, lines, { redeemPoints: 300 });
    const body = done.json();
    expect(body.pointsRedeemed).toBe(300);
    const lineB = body.lines[1];
    expect(lineB).toMatchObject({ sku: 'b', pointsRedeemed: 90 });
    const before = await balance(customer);
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${body.receiptId}/refunds`, payload: { refundId: 'RF-1', lines: [{ sku: 'b', qty: 1 }] }, role: 'pos' });
    expect(refund.statusCode).toBe(201);
    expect(refund.json()).toMatchObject({ pointsReversed: lineB.pointsEarned, pointsReturned: 90, amount: 30_000 - 9_000 });
    const after = await balance(customer);
    expect(after.available).toBe(before.available + 90);
    expect(after.pending.reduce((s: number, p: { points: number }) => s + p.points, 0)).toBe(body.pointsToEarn - lineB.pointsEarned);

    const again = await t.call({ method: 'POST', url: `/v1/receipts/${body.receiptId}/refunds`, payload: { refundId: 'RF-1', lines: [{ sku: 'b', qty: 1 }] }, role: 'pos' });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(refund.json());
    const tooMuch = await t.call({ method: 'POST', url: `/v1/receipts/${body.receiptId}/refunds`, payload: { refundId: 'RF-2', lines: [{ sku: 'c', qty: 3 }] }, role: 'pos' });
    expect(tooMuch.statusCode).toBe(409);
    expect(tooMuch.json().code).toBe('refund.exceeds_purchase');
    const bAgain = await t.call({ method: 'POST', url: `/v1/receipts/${body.receiptId}/refunds`, payload: { refundId: 'RF-3', lines: [{ sku: 'b', qty: 1 }] }, role: 'pos' });
    expect(bAgain.statusCode).toBe(409);
    const unknown = await t.call({ method: 'POST', url: `/v1/receipts/${body.receiptId}/refunds`, payload: { refundId: 'RF-4', lines: [{ sku: 'zzz', qty: 1 }] }, role: 'pos' });
    expect(unknown.statusCode).toBe(400);
  });

  it('partial returns of one line add up to exactly the whole line', async () => {
    const customer = await newCustomer();
    const done = (await confirm(customer, [{ sku: 'eggs', category: 'misc', qty: 7, price: 1_433 }])).json();
    let reversed = 0;
    for (const [i, qty] of [1, 2, 1, 3].entries()) {
      const part = await t.call({ method: 'POST', url: `/v1/receipts/${done.receiptId}/refunds`, payload: { refundId: `P-${i}`, lines: [{ sku: 'eggs', qty }] }, role: 'pos' });
      reversed += part.json().pointsReversed;
    }
    expect(reversed).toBe(done.pointsToEarn);
    expect((await balance(customer)).pending).toEqual([]);
  });

  it('cancel voids the receipt: earned points reversed, redeemed points back', async () => {
    const customer = await newCustomer();
    await give(customer, 500);
    const done = (await confirm(customer, [{ sku: 'a', category: 'misc', qty: 1, price: 100_000 }], { redeemPoints: 200 })).json();
    expect((await balance(customer)).available).toBe(300);
    const cancel = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: done.posReceiptId }, role: 'pos' });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ pointsReversed: done.pointsToEarn, pointsReturned: 200 });
    const view = await balance(customer);
    expect(view.available).toBe(500);
    expect(view.pending).toEqual([]);
    const twice = await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: done.posReceiptId }, role: 'pos' });
    expect(twice.statusCode).toBe(200);
    expect(twice.json()).toEqual(cancel.json());
    const receipt = (await t.call({ method: 'GET', url: `/v1/receipts/${done.receiptId}` })).json();
    expect(receipt.status).toBe('cancelled');
  });

  it('a refund of points already spent takes the balance below zero (the default), and later earnings pay it back', async () => {
    const settings = { ...defaultProgramSettings, pendingDays: 0 };
    await t.call({ method: 'PUT', url: '/v1/program', payload: settings });
    try {
      const customer = await newCustomer();
      const first = (await confirm(customer, [{ sku: 'a', category: 'misc', qty: 1, price: 200_000 }])).json(); // +100
      await confirm(customer, [{ sku: 'b', category: 'misc', qty: 1, price: 100_000 }], { redeemPoints: 100 }); // spends them; earns 5% of 900.00 = 45
      const refund = await t.call({ method: 'POST', url: `/v1/receipts/${first.receiptId}/refunds`, payload: { refundId: 'NEG', lines: [{ sku: 'a', qty: 1 }] }, role: 'pos' });
      expect(refund.json().pointsReversed).toBe(100);
      expect((await balance(customer)).available).toBe(45 - 100);
      await confirm(customer, [{ sku: 'c', category: 'misc', qty: 1, price: 200_000 }]); // +100
      expect((await balance(customer)).available).toBe(45);
    } finally {
      await t.call({ method: 'PUT', url: '/v1/program', payload: defaultProgramSettings });
    }
  });
});

describe('tiers', () => {
  it('upgrades at the confirm that crosses the threshold, earns the new rate from the next receipt, and the review downgrades', async () => {
    const tiers = {
      metric: 'spend',
      window: { kind: 'rolling', days: 365 },
      downgrade: 'one_level',
      tiers: [
        { id: 'silver', name: 'Silver', threshold: 0, privileges: [] },
        { id: 'gold', name: 'Gold', threshold: 1_000_000, earnRateBp: 1000, privileges: ['free delivery'] },
      ],
    };
    expect((await t.call({ method: 'PUT', url: '/v1/tiers', payload: tiers })).statusCode).toBe(200);
    try {
      const customer = await newCustomer();
      const start = t.clock.now();
      const crossing = await confirm(customer, [{ sku: 'sofa', category: 'furniture', qty: 1, price: 1_000_000 }]);
      expect(crossing.json().customer.tier.id).toBe('silver');
      expect(crossing.json().pointsToEarn).toBe(500); // Silver: 5%
      const events = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'tier.changed').where('customerId', '=', customer).execute();
      expect(events.map((e) => e.payload)).toEqual([{ customerId: customer, from: 'silver', to: 'gold', direction: 'up', reason: 'qualified' }]);
      const next = await confirm(customer, [{ sku: 'lamp', category: 'furniture', qty: 1, price: 10_000 }]);
      expect(next.json().customer.tier.id).toBe('gold');
      expect(next.json().pointsToEarn).toBe(10); // Gold: 10% of 100.00 (Silver would give 5)
      const view = await balance(customer);
      expect(view.tier).toMatchObject({ id: 'gold', privileges: ['free delivery'], progress: { metric: 'spend', value: 1_010_000, next: null } });

      t.clock.set(new Date(start.getTime() + 400 * DAY));
      expect((await t.call({ method: 'POST', url: '/v1/jobs/review-tiers/run' })).json()).toMatchObject({ down: 1 });
      expect((await balance(customer)).tier.id).toBe('silver');
      t.clock.set(start);
    } finally {
      await t.call({ method: 'PUT', url: '/v1/tiers', payload: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'silver', name: 'Silver', threshold: 0, privileges: [] }] } });
    }
  });
});

describe('support', () => {
  it('adjusts points with a reason, never below zero, idempotently, audited', async () => {
    const customer = await newCustomer();
    const add = await t.call({ method: 'POST', url: `/v1/customers/${customer}/points/adjustments`, payload: { points: 150, reason: 'complaint #12' }, headers: { 'idempotency-key': 'adj-1' }, role: 'support' });
    expect(add.statusCode).toBe(201);
    const replay = await t.call({ method: 'POST', url: `/v1/customers/${customer}/points/adjustments`, payload: { points: 150, reason: 'complaint #12' }, headers: { 'idempotency-key': 'adj-1' }, role: 'support' });
    expect(replay.statusCode).toBe(200);
    expect((await balance(customer)).available).toBe(150);
    const over = await t.call({ method: 'POST', url: `/v1/customers/${customer}/points/adjustments`, payload: { points: -151, reason: 'oops' }, role: 'support' });
    expect(over.statusCode).toBe(409);
    expect(over.json().code).toBe('points.insufficient');
    const take = await t.call({ method: 'POST', url: `/v1/customers/${customer}/points/adjustments`, payload: { points: -50, reason: 'correction' }, role: 'support' });
    expect(take.json().balance).toBe(100);
    const ledger = (await t.call({ method: 'GET', url: `/v1/customers/${customer}/ledger`, role: 'support' })).json();
    expect(ledger.items.map((e: { kind: string; available: number; reason: string }) => [e.kind, e.available, e.reason])).toEqual([
      ['adjust', -50, 'correction'],
      ['adjust', 150, 'complaint #12'],
    ]);
    const pos = await t.call({ method: 'POST', url: `/v1/customers/${customer}/points/adjustments`, payload: { points: 1, reason: 'x' }, role: 'pos' });
    expect(pos.statusCode).toBe(403);
  });

  it('merge moves receipts, lots and balance to the survivor', async () => {
    const survivor = await newCustomer();
    const duplicate = await newCustomer();
    await give(survivor, 100);
    await give(duplicate, 40);
    await confirm(duplicate, [{ sku: 'a', category: 'misc', qty: 1, price: 10_000 }]);
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${survivor}/merge`, payload: { from: duplicate } });
    expect(merged.statusCode).toBe(200);
    const view = await balance(survivor);
    expect(view.available).toBe(140);
    expect(view.pending.reduce((s: number, p: { points: number }) => s + p.points, 0)).toBe(5);
    const receipts = (await t.call({ method: 'GET', url: `/v1/customers/${survivor}/receipts` })).json();
    expect(receipts.items).toHaveLength(1);
    const viaOldId = await balance(duplicate);
    expect(viaOldId.available).toBe(140);
  });
});
