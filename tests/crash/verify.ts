import fs from 'node:fs';
import path from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { expectLedgerConsistent } from '../helpers/ledger.ts';
import type { Acked } from './workload.ts';

/**
 * What the database holds after the crashes, checked in SQL against every acknowledged write:
 * `lost` counts acknowledged writes (or their points) missing, `doubled` writes or effects
 * stored more than once; `problems` says what each was.
 */
export type Verdict = { lost: number; doubled: number; mismatched: number; problems: string[] };

type Tally = Verdict & { add(kind: 'lost' | 'doubled' | 'mismatched', problem: string): void };

function tally(): Tally {
  const verdict: Tally = {
    lost: 0,
    doubled: 0,
    mismatched: 0,
    problems: [],
    add(kind, problem) {
      verdict[kind]++;
      verdict.problems.push(`${kind}: ${problem}`);
    },
  };
  return verdict;
}

type Counted = { n: number; points: number };

/** Rows keyed by `key`, each with its count and points. */
async function grouped(db: Db, query: RawBuilder<unknown>): Promise<Map<string, Counted>> {
  const rows = await (query as RawBuilder<{ key: string; n: number; points: number }>).execute(db);
  return new Map(rows.rows.map((row) => [row.key, { n: Number(row.n), points: Number(row.points) }]));
}

/** One kind of effect (a ledger entry, an event) expected `want` times per key with `points` in all. */
function expectOnce(verdict: Tally, what: string, found: Map<string, Counted>, key: string, points: number | null): void {
  const got = found.get(key) ?? { n: 0, points: 0 };
  found.delete(key);
  if (points === 0) {
    if (got.n > 0) verdict.add('doubled', `${what} ${key}: ${got.n} found where none was due`);
    return;
  }
  if (got.n === 0) verdict.add('lost', `${what} ${key}: missing`);
  else if (got.n > 1) verdict.add('doubled', `${what} ${key}: stored ${got.n} times`);
  else if (points !== null && got.points !== points) verdict.add('mismatched', `${what} ${key}: ${got.points} points stored, ${points} answered`);
}

function leftovers(verdict: Tally, what: string, found: Map<string, Counted>): void {
  for (const [key, got] of found) verdict.add('doubled', `${what} ${key}: ${got.n} stored that no acknowledged write made`);
}

export async function verify(db: Db, acked: Acked, dataDir: string): Promise<Verdict> {
  const verdict = tally();
  const refused = new Set(acked.refused.map((r) => `${r.kind}:${r.id}`));

  // Confirms: every acknowledged one stored once, under the receipt id it was answered with.
  const receipts = await sql<{ storeId: string; posReceiptId: string; id: string; customerId: string | null; pointsEarned: number; pointsRedeemed: number }>`
    select store_id, pos_receipt_id, id, customer_id, points_earned, points_redeemed from receipts`.execute(db);
  const stored = new Map<string, (typeof receipts.rows)[number][]>();
  for (const row of receipts.rows) stored.set(row.posReceiptId, [...(stored.get(row.posReceiptId) ?? []), row]);
  for (const confirm of acked.confirms.values()) {
    const rows = stored.get(confirm.posReceiptId) ?? [];
    stored.delete(confirm.posReceiptId);
    if (rows.length === 0) verdict.add('lost', `confirm ${confirm.posReceiptId} was answered ${confirm.receiptId} but is not stored`);
    else if (rows.length > 1) verdict.add('doubled', `confirm ${confirm.posReceiptId} is stored ${rows.length} times`);
    else {
      const row = rows[0]!;
      if (row.id !== confirm.receiptId) verdict.add('lost', `confirm ${confirm.posReceiptId} was answered ${confirm.receiptId} but ${row.id} is stored`);
      else if (row.pointsEarned !== confirm.earned || row.pointsRedeemed !== confirm.redeemed || row.customerId !== confirm.customerId) {
        verdict.add('mismatched', `confirm ${confirm.posReceiptId}: stored ${JSON.stringify(row)}, answered ${JSON.stringify(confirm)}`);
      }
    }
  }
  for (const [posReceiptId, rows] of stored) {
    const why = refused.has(`confirm:${posReceiptId}`) ? 'was refused' : 'was never acknowledged';
    verdict.add('doubled', `receipt ${posReceiptId} is stored (${rows.length}) but ${why}`);
  }

  const lineCounts = await grouped(db, sql`select receipt_id as key, count(*) as n, sum(qty_milli)::bigint as points from receipt_lines group by receipt_id`);
  const confirmedEvents = await grouped(db, sql`
    select payload->>'receiptId' as key, count(*) as n, 0 as points from outbox_events where type = 'receipt.confirmed' group by 1`);
  // Ledger entries a receipt made (a refund's carry its refund id too).
  const earned = await grouped(db, sql`
    select receipt_id as key, count(*) as n, sum(available_delta + pending_delta)::int as points
    from point_entries where kind = 'earn' and receipt_id is not null group by receipt_id`);
  const redeemed = await grouped(db, sql`
    select receipt_id as key, count(*) as n, -sum(available_delta + pending_delta)::int as points
    from point_entries where kind = 'redeem' and receipt_id is not null group by receipt_id`);
  const lots = await grouped(db, sql`
    select receipt_id as key, count(*) as n, sum(points)::int as points from point_lots where source = 'receipt' group by receipt_id`);
  for (const confirm of acked.confirms.values()) {
    const qtyMilli = confirm.lines.reduce((sum, l) => sum + l.qty * 1000, 0);
    const lines = lineCounts.get(confirm.receiptId) ?? { n: 0, points: 0 };
    lineCounts.delete(confirm.receiptId);
    if (lines.n !== confirm.lines.length || lines.points !== qtyMilli) {
      verdict.add(lines.n < confirm.lines.length ? 'lost' : 'doubled', `receipt ${confirm.receiptId}: ${lines.n} lines (${lines.points / 1000} items) stored, ${confirm.lines.length} (${qtyMilli / 1000}) sent`);
    }
    expectOnce(verdict, 'receipt.confirmed event of', confirmedEvents, confirm.receiptId, null);
    const withCustomer = confirm.customerId !== null;
    expectOnce(verdict, 'earn entry of', earned, confirm.receiptId, withCustomer ? confirm.earned : 0);
    expectOnce(verdict, 'earned lot of', lots, confirm.receiptId, withCustomer ? confirm.earned : 0);
    expectOnce(verdict, 'redeem entry of', redeemed, confirm.receiptId, withCustomer ? confirm.redeemed : 0);
  }
  leftovers(verdict, 'receipt lines of', lineCounts);
  leftovers(verdict, 'receipt.confirmed event of', confirmedEvents);
  leftovers(verdict, 'earn entry of', earned);
  leftovers(verdict, 'earned lot of', lots);
  leftovers(verdict, 'redeem entry of', redeemed);

  // Refunds: each acknowledged one stored once, its points taken back and given back once.
  const refunds = await grouped(db, sql`select refund_id as key, count(*) as n, 0 as points from refunds group by refund_id`);
  const reversals = await grouped(db, sql`
    select refund_id as key, count(*) as n, -sum(available_delta + pending_delta)::int as points
    from point_entries where kind = 'reverse_earn' group by refund_id`);
  const returns = await grouped(db, sql`
    select refund_id as key, 1 as n, sum(available_delta + pending_delta)::int as points
    from point_entries where kind = 'return_redeemed' group by refund_id`);
  const refundedEvents = await grouped(db, sql`
    select payload->>'refundId' as key, count(*) as n, 0 as points from outbox_events where type = 'receipt.refunded' group by 1`);
  const returnedQty = await grouped(db, sql`
    select receipt_id || ' ' || sku as key, 1 as n, sum(refunded_qty_milli)::int as points from receipt_lines where refunded_qty_milli > 0 group by 1`);
  const askedQty = new Map<string, number>();
  for (const refund of acked.refunds.values()) {
    expectOnce(verdict, 'refund', refunds, refund.refundId, null);
    expectOnce(verdict, 'receipt.refunded event of', refundedEvents, refund.refundId, null);
    expectOnce(verdict, 'reverse_earn entry of refund', reversals, refund.refundId, refund.reversed);
    expectOnce(verdict, 'return_redeemed entries of refund', returns, refund.refundId, refund.returned);
    const key = `${refund.receiptId} ${refund.sku}`;
    askedQty.set(key, (askedQty.get(key) ?? 0) + refund.qty * 1000);
  }
  for (const [key, qtyMilli] of askedQty) {
    const got = returnedQty.get(key)?.points ?? 0;
    returnedQty.delete(key);
    if (got < qtyMilli) verdict.add('lost', `returned goods ${key}: ${got / 1000} recorded, ${qtyMilli / 1000} acknowledged`);
    if (got > qtyMilli) verdict.add('doubled', `returned goods ${key}: ${got / 1000} recorded, ${qtyMilli / 1000} acknowledged`);
  }
  leftovers(verdict, 'refund', refunds);
  leftovers(verdict, 'receipt.refunded event of', refundedEvents);
  leftovers(verdict, 'reverse_earn entry of refund', reversals);
  leftovers(verdict, 'return_redeemed entries of refund', returns);
  leftovers(verdict, 'returned goods', returnedQty);

  // Adjustments: one idempotency row and one ledger entry each (the reason names the key).
  const adjustments = await grouped(db, sql`select idempotency_key as key, count(*) as n, sum(points)::int as points from adjustments group by 1`);
  const adjustEntries = await grouped(db, sql`
    select reason as key, count(*) as n, sum(available_delta + pending_delta)::int as points from point_entries where kind = 'adjust' group by reason`);
  for (const adjustment of acked.adjustments.values()) {
    expectOnce(verdict, 'adjustment', adjustments, adjustment.key, adjustment.points);
    expectOnce(verdict, 'adjust entry', adjustEntries, adjustment.reason, adjustment.points);
  }
  leftovers(verdict, 'adjustment', adjustments);
  leftovers(verdict, 'adjust entry', adjustEntries);

  // Every balance is what the acknowledged answers add up to…
  const expected = new Map<string, number>();
  const add = (customerId: string | null, points: number) => {
    if (customerId) expected.set(customerId, (expected.get(customerId) ?? 0) + points);
  };
  for (const a of acked.adjustments.values()) add(a.customerId, a.points);
  for (const c of acked.confirms.values()) add(c.customerId, c.earned - c.redeemed);
  for (const r of acked.refunds.values()) add(r.customerId, r.returned - r.reversed);
  const balances = await sql<{ customerId: string; available: number; pending: number }>`select customer_id, available, pending from point_balances`.execute(db);
  for (const row of balances.rows) {
    const want = expected.get(row.customerId) ?? 0;
    expected.delete(row.customerId);
    const have = row.available + row.pending;
    if (have < want) verdict.add('lost', `balance of ${row.customerId}: ${have}, the acknowledged writes add up to ${want}`);
    if (have > want) verdict.add('doubled', `balance of ${row.customerId}: ${have}, the acknowledged writes add up to ${want}`);
  }
  for (const [customerId, want] of expected) if (want !== 0) verdict.add('lost', `balance of ${customerId}: none stored, the acknowledged writes add up to ${want}`);

  // …and the ledger's own invariants hold: entries sum to the cached balances, lots hold them.
  try {
    await expectLedgerConsistent(db);
  } catch (error) {
    const { actual, expected: wanted } = error as { actual?: unknown; expected?: unknown };
    verdict.add('mismatched', `ledger invariant: ${actual === undefined ? (error as Error).message : `stored ${JSON.stringify(actual)}, due ${JSON.stringify(wanted)}`}`);
  }

  // Imports: one job per file, completed once, each row's customer created exactly once.
  for (const run of acked.imports) {
    const jobs = await sql<{ id: string; status: string; rowsDone: number; rowsCreated: number; rowsUpdated: number; rowsFailed: number; failure: string | null }>`
      select id, status, rows_done, rows_created, rows_updated, rows_failed, failure from import_jobs where file_name = ${run.fileName}`.execute(db);
    if (jobs.rows.length !== 1) {
      verdict.add(jobs.rows.length === 0 ? 'lost' : 'doubled', `import ${run.fileName}: ${jobs.rows.length} jobs`);
      continue;
    }
    const job = jobs.rows[0]!;
    const want = { status: 'completed', rowsDone: run.rows, rowsCreated: run.rows, rowsUpdated: 0, rowsFailed: 0 };
    const got = { status: job.status, rowsDone: job.rowsDone, rowsCreated: job.rowsCreated, rowsUpdated: job.rowsUpdated, rowsFailed: job.rowsFailed };
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      verdict.add(job.rowsDone > run.rows ? 'doubled' : 'lost', `import ${run.fileName} (${job.id}): ${JSON.stringify(got)}${job.failure ? ` (${job.failure})` : ''}, expected ${JSON.stringify(want)}`);
    }
    const people = await sql<{ phones: number; customers: number; emails: number }>`
      select count(*) filter (where kind = 'phone') as phones, count(distinct customer_id) as customers, count(*) filter (where kind = 'email') as emails
      from customer_identifiers
      where (kind = 'phone' and value like ${`${run.phonePrefix}%`}) or (kind = 'email' and value like ${`${run.emailPrefix}%`})`.execute(db);
    const { phones, customers, emails } = people.rows[0]!;
    if (phones !== run.rows || emails !== run.rows || customers !== run.rows) {
      verdict.add(customers > run.rows ? 'doubled' : 'lost', `import ${run.fileName}: ${customers} customers with ${phones} phones and ${emails} e-mails for ${run.rows} rows`);
    }
    const created = await sql<{ n: number }>`
      select count(*) as n from outbox_events where type = 'customer.created' and payload->>'importId' = ${job.id}`.execute(db);
    if (created.rows[0]!.n !== run.rows) verdict.add(created.rows[0]!.n > run.rows ? 'doubled' : 'lost', `import ${run.fileName}: ${created.rows[0]!.n} customer.created events for ${run.rows} rows`);
    const finished = await sql<{ n: number }>`
      select count(*) as n from audit_log where entity_type = 'import' and entity_id = ${job.id} and action = 'customers.import.completed'`.execute(db);
    if (finished.rows[0]!.n !== 1) verdict.add(finished.rows[0]!.n > 1 ? 'doubled' : 'lost', `import ${run.fileName}: finished ${finished.rows[0]!.n} times in the audit log`);
    if (fs.existsSync(path.join(dataDir, 'imports', `${job.id}.csv`))) verdict.add('mismatched', `import ${run.fileName}: its upload is still on disk after it completed`);
  }
  return { lost: verdict.lost, doubled: verdict.doubled, mismatched: verdict.mismatched, problems: verdict.problems };
}
