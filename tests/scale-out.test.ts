import fs from 'node:fs';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/platform/clock.ts';
import { distributedBy, partitionCustomerTables } from './helpers/partitioned-copy.ts';
import { checkRouterQueries, describeViolation, formatTouches, normalizeSql, type Violation } from './helpers/router-queries.ts';
import { recordSql, type SqlRecorder } from './helpers/sql-recorder.ts';
import { createTestApp, type TestApp } from './helpers/test-app.ts';
import { onPostgres } from './helpers/test-db.ts';

const DAY = 86_400_000;
const phone = '+79161112233';

type Call =
  | 'identify'
  | 'calculate'
  | 'confirm by phone'
  | 'confirm by id'
  | 'confirm anonymous'
  | 'confirm again'
  | 'confirm with a promo code'
  | 'refund with a promotion'
  | 'refund'
  | 'cancel'
  | 'balance'
  | 'ledger page'
  | 'receipts page';

/**
 * Hot-path statements known not to be router queries yet, each waiting on a numbered item of
 * docs/scale-out.md's "Open items"; `statement` matches the text as `normalizeSql` gives it.
 * A call fails on any violation not listed for it, and on a listed one it no longer commits:
 * fixed, so take it off this list (and its Open item once no entry names it).
 */
type KnownViolation = { calls: Call[]; statement: RegExp; item: number; reason: string };
const knownViolations: KnownViolation[] = [
  { calls: ['confirm again'], statement: /^\/\*ps:receipt_replay\*\/ select request_hash, request_fields, response from receipts where store_id = \$1::text and pos_receipt_id = \$2::text$/,
    item: 1, reason: 'the replay reads receipts by POS receipt id: no customer to route by' },
  { calls: ['cancel'], statement: /^select id, status from receipts where store_id = \$1 and pos_receipt_id = \$2$/,
    item: 1, reason: 'cancel finds the receipt by POS receipt id: no customer to route by' },
  { calls: ['refund', 'refund with a promotion', 'cancel'], statement: /^select customer_id from receipts where id = \$1$/,
    item: 2, reason: 'the receipt\'s owner is read by id alone, to take the balance lock before the receipt\'s' },
  { calls: ['refund', 'refund with a promotion', 'cancel'], statement: /^select id, customer_id, status, paid_minor, refunded_minor from receipts where id = \$1 for update$/,
    item: 2, reason: 'the receipt is locked by id alone' },
  { calls: ['refund', 'refund with a promotion', 'cancel'], statement: /^select request_hash, response from refunds where receipt_id = \$1 and refund_id = \$2$/,
    item: 2, reason: 'the refund replay check names the receipt, not the customer' },
  { calls: ['refund', 'refund with a promotion', 'cancel'], statement: /^select \* from receipt_lines where receipt_id = \$1 order by line_no$/,
    item: 2, reason: "the receipt's lines are read by receipt id alone" },
  { calls: ['refund', 'refund with a promotion', 'cancel'], statement: /^update receipt_lines set refunded_qty_milli = refunded_qty_milli \+ \$1 where receipt_id = \$2 and line_no = \$3$/,
    item: 2, reason: 'refunded quantities are written by receipt id alone' },
  { calls: ['refund', 'refund with a promotion', 'cancel'], statement: /^update receipts set refunded_minor = refunded_minor \+ \$1(, status = \$2)? where id = \$\d$/,
    item: 2, reason: 'the refunded total (and the cancelled status) is written by receipt id alone' },
  { calls: ['confirm anonymous'], statement: /^\/\*ps:receipt_store\*\/ with receipt as \( insert into receipts \(/,
    item: 3, reason: 'an anonymous receipt, its lines and its event have a null customer_id' },
  // The profile's identifiers (loadCustomerRecords), or the till view's phone and e-mail (a pos key's lookup).
  { calls: ['identify'], statement: /^(select customer_id, kind, source, value, is_primary from customer_identifiers where customer_id in \(|\/\*ps:till_view\*\/ select c\.id, \(select value from customer_identifiers where customer_id = c\.id )/,
    item: 4, reason: "the customer's identifiers are read by customer_id from a table distributed by value" },
];
const knownFor = (call: Call) => knownViolations.filter((known) => known.calls.includes(call));
const matches = (known: KnownViolation, violation: Violation) => violation.statement !== null && known.statement.test(normalizeSql(violation.statement));

/**
 * DESIGN.md "Scale": past one server the OLTP tables are distributed with Citus by customer_id,
 * and every hot-path query must be a router query (one shard). Citus is not packaged for Debian,
 * so this runs the real hot path over HTTP against a copy of the schema hash-partitioned the way
 * Citus would distribute it, records every statement the app sends, and checks from EXPLAIN that
 * each touches one partition. docs/scale-out.md names the tables and the queries.
 */
describe.runIf(onPostgres)('scale-out: the hot path is made of Citus router queries (PostgreSQL)', () => {
  let t: TestApp;
  let recorder: SqlRecorder;
  let customerId: string;
  let refundableId: string;

  beforeAll(async () => {
    // Before the app connects: a pool's connect hook may bind each client's query method (hot
    // statements run as named prepared statements), and must bind the recording one.
    recorder = recordSql();
    t = await createTestApp({ clock: new ManualClock('2026-03-01T09:00:00Z') });
    // Seeded on the ordinary schema, so returns and history are checked even while a write path
    // cannot run on the partitioned copy.
    const must = async (status: number, response: Promise<LightMyRequestResponse>) => {
      const done = await response;
      if (done.statusCode !== status) throw new Error(`seeding: ${done.statusCode} ${done.body}`);
      return done.json();
    };
    await must(200, t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } }));
    await must(200, t.call({ method: 'PATCH', url: '/v1/program', payload: { pendingDays: 7, expiry: { days: 30 } } }));
    customerId = (await must(201, t.call({ method: 'POST', url: '/v1/customers', payload: { phone, email: 'ann@example.com', cardNumber: '7700 1234' } }))).id;
    for (let i = 0; i < 5; i++) await must(201, t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916222334${i}` } }));
    await must(201, t.call({ method: 'POST', url: `/v1/customers/${customerId}/points/adjustments`, payload: { points: 1000, reason: 'welcome' } }));
    t.clock.advance(25 * DAY);
    const lines = [{ sku: 'a', qty: 3, price: 50_000 }, { sku: 'b', qty: 1, price: 20_000 }];
    const confirm = (posReceiptId: string, redeemPoints: number) =>
      must(201, t.call({ method: 'POST', url: '/v1/checkout/confirm', role: 'pos', payload: { storeId: 's1', posReceiptId, customer: { phone }, lines, redeemPoints } }));
    refundableId = (await confirm('SEED-1', 300)).receiptId;
    await confirm('SEED-2', 0);
    const promotion = await must(201, t.call({
      method: 'POST',
      url: '/v1/promotions',
      payload: { name: 'Code 10%', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 1000 }, limits: { budgetMinor: 10_000_000, perCustomer: 5 } },
    }));
    await must(201, t.call({ method: 'POST', url: '/v1/promo-codes', payload: { promotionId: promotion.id, code: 'SCALE10', usesLimit: 100 } }));
    // Now the welcome points are due to expire and SEED-1's to activate: the first change on
    // the copy settles both.
    t.clock.advance(10 * DAY);
    await Promise.all([t.key('pos'), t.key('support')]);
    const notes = await partitionCustomerTables(t.database.db);
    if (process.env.SCALE_OUT_TRACE) console.log(`Partitioned copy:\n  ${notes.join('\n  ')}`);
  });

  afterAll(async () => {
    recorder?.stop();
    await t?.close();
  });

  /**
   * Runs one hot-path call, then checks each statement it sent; the messages name the statements.
   * Violations listed for `call` in knownViolations pass, and must still happen.
   */
  async function expectRouterQueries(call: Call, run: () => Promise<LightMyRequestResponse>, status: number): Promise<LightMyRequestResponse> {
    const { result, statements } = await recorder.during(run);
    const report = await checkRouterQueries(t.database.db, statements);
    // SCALE_OUT_TRACE=1 prints every statement with the partitions it touched.
    if (process.env.SCALE_OUT_TRACE) console.log(formatTouches(report));
    const known = knownFor(call);
    const unknown = report.violations.filter((violation) => !known.some((entry) => matches(entry, violation)));
    expect(unknown.map(describeViolation), 'statements that are not Citus router queries (and not in knownViolations)').toEqual([]);
    const stale = known.filter((entry) => !report.violations.some((violation) => matches(entry, violation)));
    expect(
      stale.map((entry) => `${entry.statement} (Open item ${entry.item}: ${entry.reason})`),
      `known violations that ${call} no longer commits: fixed? remove them from knownViolations, and from "Open items" in docs/scale-out.md`,
    ).toEqual([]);
    expect(result.statusCode, result.body).toBe(status);
    // Guards against a recorder that sees nothing and so finds nothing wrong.
    expect(report.touches.filter((touch) => Object.keys(touch.partitions).length > 0).length, 'statements on customer-owned tables').toBeGreaterThan(0);
    return result;
  }

  const checkout = (path: 'calculate' | 'confirm', payload: Record<string, unknown>) =>
    t.call({ method: 'POST', url: `/v1/checkout/${path}`, role: 'pos', payload: { storeId: 's1', lines: [{ sku: 'a', qty: 2, price: 30_000 }], ...payload } });

  it('identify: look a customer up by phone', async () => {
    const found = await expectRouterQueries('identify', () => t.call({ method: 'GET', url: `/v1/customers/lookup?phone=${encodeURIComponent(phone)}`, role: 'pos' }), 200);
    expect(found.json().id).toBe(customerId);
  });

  it('calculate with a redemption', async () => {
    await expectRouterQueries('calculate', () => checkout('calculate', { customer: { phone }, redeemPoints: 100 }), 200);
  });

  let confirmedId: string;
  it('confirm without a redemption', async () => {
    confirmedId = (await expectRouterQueries('confirm by phone', () => checkout('confirm', { posReceiptId: 'SO-1', customer: { phone } }), 201)).json().receiptId;
  });

  it("confirm again (a till's retry): answered as the first time", async () => {
    const again = await expectRouterQueries('confirm again', () => checkout('confirm', { posReceiptId: 'SO-1', customer: { phone } }), 200);
    expect(again.json().receiptId).toBe(confirmedId);
  });

  it('confirm with a redemption', async () => {
    const done = await expectRouterQueries('confirm by id', () => checkout('confirm', { posReceiptId: 'SO-2', customer: { customerId }, redeemPoints: 100 }), 201);
    expect(done.json().pointsRedeemed).toBe(100);
  });

  it('confirm of an anonymous receipt', async () => {
    await expectRouterQueries('confirm anonymous', () => checkout('confirm', { posReceiptId: 'SO-3' }), 201);
  });

  let promotedId: string;
  it('confirm with a promo code (the promotion reserved: budget, uses, the code, the customer\'s count)', async () => {
    const done = await expectRouterQueries('confirm with a promo code', () => checkout('confirm', { posReceiptId: 'SO-4', customer: { customerId }, promoCodes: ['SCALE10'] }), 201);
    expect(done.json().discount).toBe(6000);
    promotedId = done.json().receiptId;
  });

  it('refund of a receipt with a promotion (its share of the discount released)', async () => {
    const url = `/v1/receipts/${promotedId}/refunds`;
    await expectRouterQueries('refund with a promotion', () => t.call({ method: 'POST', url, role: 'pos', payload: { refundId: 'R2', lines: [{ sku: 'a', qty: 1 }] } }), 201);
  });

  it('refund part of a receipt', async () => {
    const url = `/v1/receipts/${refundableId}/refunds`;
    const done = await expectRouterQueries('refund', () => t.call({ method: 'POST', url, role: 'pos', payload: { refundId: 'R1', lines: [{ sku: 'a', qty: 1 }] } }), 201);
    expect(done.json().pointsReturned).toBeGreaterThan(0);
  });

  it('cancel a receipt', async () => {
    await expectRouterQueries('cancel', () => t.call({ method: 'POST', url: '/v1/checkout/cancel', role: 'pos', payload: { storeId: 's1', posReceiptId: 'SEED-2' } }), 200);
  });

  it('balance', async () => {
    await expectRouterQueries('balance', () => t.call({ method: 'GET', url: `/v1/customers/${customerId}/balance`, role: 'pos' }), 200);
  });

  it('ledger, first and next page', async () => {
    const first = await expectRouterQueries('ledger page', () => t.call({ method: 'GET', url: `/v1/customers/${customerId}/ledger?limit=2`, role: 'support' }), 200);
    const cursor = first.json().nextCursor;
    expect(cursor).toEqual(expect.any(String));
    await expectRouterQueries('ledger page', () => t.call({ method: 'GET', url: `/v1/customers/${customerId}/ledger?limit=2&cursor=${cursor}`, role: 'support' }), 200);
  });

  it("a customer's receipts", async () => {
    await expectRouterQueries('receipts page', () => t.call({ method: 'GET', url: `/v1/customers/${customerId}/receipts?limit=2`, role: 'pos' }), 200);
  });

  it('every customer-owned table is partitioned here, and every table is placed in docs/scale-out.md', async () => {
    const tables = (
      await sql<{ name: string; customerOwned: boolean }>`select c.relname as name,
          exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'customer_id' and not a.attisdropped) as customer_owned
        from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition`.execute(t.database.db)
    ).rows;
    expect(tables.filter((table) => table.customerOwned && !distributedBy[table.name]).map((table) => table.name), 'tables with customer_id left out of the partitioned copy').toEqual([]);
    const docs = fs.readFileSync(new URL('../docs/scale-out.md', import.meta.url), 'utf8');
    expect(tables.map((table) => table.name).filter((name) => !docs.includes(`\`${name}\``)), 'tables docs/scale-out.md does not place').toEqual([]);
  });

  it('knownViolations and the "Open items" of docs/scale-out.md name the same items', () => {
    const docs = fs.readFileSync(new URL('../docs/scale-out.md', import.meta.url), 'utf8');
    const section = /^## Open items.*$([\s\S]*?)(?=^## )/m.exec(docs)?.[1] ?? '';
    const documented = [...section.matchAll(/^(\d+)\. \*\*/gm)].map((m) => Number(m[1]));
    const named = [...new Set(knownViolations.map((known) => known.item))].sort((a, b) => a - b);
    expect(named, 'Open items named by knownViolations (received) and numbered in docs/scale-out.md (expected)').toEqual(documented);
  });
});
