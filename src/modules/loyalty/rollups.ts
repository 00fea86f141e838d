import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Db, DbOrTx, Tx } from './loyalty.db.ts';
import { backfillBasketsStep, basketCustomersOf, basketsBackfill, rewriteBaskets } from './rollup-baskets.ts';
import { appendPurchases, backfillPurchasesStep, purchasesBackfill, rewritePurchases } from './rollup-purchases.ts';
import { ledgerEntries } from './points-economics.ts';
import { buildGrids, cellsKept, putIn, takeOut } from './rollup-cohort-cells.ts';
import { tillReceipts, unitsOfReceipt } from './till-facts.ts';

/**
 * Rollups of the receipts and the ledger by hour (migration 0039 has the tables and why hours),
 * folded by a job so a year's report reads ~9,000 hours × stores and a row per customer instead
 * of ten million receipts. Every figure is computed by the same facts the reports read raw
 * (till-facts.ts, points-economics.ts), so a report that adds the rollups of its closed hours to
 * a live read of the rest gives the raw answer exactly.
 *
 * Two kinds of work, both idempotent and resumable (the state row says where they stand):
 * - closing: the hours from `closed_until` up to a safe end are added (the backfill over existing
 *   history is the same work, a day at a time);
 * - repairing: the hours and customers the triggers marked (changes to closed hours: refunds,
 *   cancels, merges, late loads) are recomputed from the raw rows, a batch of marks at a time.
 *
 * Each step is one REPEATABLE READ transaction: the marks it deletes are the ones its snapshot
 * saw, and the rows it read are the ones committed with those marks.
 */

const HOUR_MS = 3_600_000;
/**
 * A closing step takes at most a week of history (at 10 M receipts a year, ~190,000 receipts):
 * each step rewrites the row of every customer who bought in it, so a backfill by days left the
 * customers' table seven times its size in dead rows.
 */
const CLOSE_STEP_HOURS = 7 * 24;
/** Marks repaired in one step; a mark is an hour and a customer. */
const REPAIR_STEP_MARKS = 5_000;

export type RollupState = { closedUntil: Date | null; historyFrom: Date | null; foldedAt: Date | null };
export type FoldReport = {
  closedHours: number;
  repairedHours: number;
  repairedCustomers: number;
  marks: number;
  cohortGrids: number;
  purchaseBackfillSteps: number;
  basketBackfillSteps: number;
};

export const hourOf = (at: Date): number => Math.floor(at.getTime() / HOUR_MS);
const instantOf = (hour: number): Date => new Date(hour * HOUR_MS);

/** The state row as SQL a report reads: `closed_until, history_from, folded_at`. */
export const rollupStateFacts = (): RawBuilder<unknown> => sql`select s.closed_until, s.history_from, s.folded_at from rollup_state s`;

export async function readRollupState(db: DbOrTx): Promise<RollupState> {
  const row = (await sql<{ closedUntil: Date | null; historyFrom: Date | null; foldedAt: Date | null }>`${rollupStateFacts()}`.execute(db)).rows[0];
  return { closedUntil: row?.closedUntil ?? null, historyFrom: row?.historyFrom ?? null, foldedAt: row?.foldedAt ?? null };
}

/** Hour numbers (epoch ÷ 3600) as the SQL expression for a timestamptz column. */
const hourExpr = (column: RawBuilder<unknown>) => sql`floor(extract(epoch from ${column}) / 3600)::int`;

/** The receipt figures of a window grouped by hour and channel (what `rollup_receipt_hours` holds). */
export function receiptHoursOf(from: Date, to: Date): RawBuilder<unknown> {
  return sql`select ${hourExpr(sql`t.occurred_at`)} as hour, t.channel, count(*) as receipts, count(t.customer_id) as identified,
      sum(t.net_minor) as revenue_minor, sum(t.total_minor) as gross_minor, sum(t.discount_minor) as discount_minor, sum(t.redeemed_minor) as redeemed_minor,
      coalesce(sum(u.units_milli), 0) as units_milli
    from (${tillReceipts({ from, to })}) t left join lateral (${unitsOfReceipt(sql`t.receipt_id`)}) u on true
    group by 1, 2`;
}

/** The ledger flows of a window grouped by hour, kind and whether a redemption was at the till. */
export function pointHoursOf(from: Date, to: Date): RawBuilder<unknown> {
  return sql`select ${hourExpr(sql`e.occurred_at`)} as hour, e.kind, e.at_till,
      sum(e.available_delta + e.pending_delta) as points, sum(e.available_delta) as available
    from ${ledgerEntries} e where e.occurred_at >= ${from}::timestamptz and e.occurred_at < ${to}::timestamptz
    group by 1, 2, 3`;
}

/**
 * Each customer's history in a window (what `rollup_customer_hours` holds): their purchases'
 * hours and net amounts in time order, the hours they earned, were awarded or redeemed points,
 * and their first purchase; `customers` narrows it to those customers.
 */
export function customerHoursOf(window: { from?: Date; to: Date }, customers?: string[]): RawBuilder<unknown> {
  const only = (column: RawBuilder<unknown>) => (customers ? sql`and ${column} = any(${customers}::text[])` : sql``);
  return sql`
    with bought as (
      select t.customer_id, t.occurred_at, t.receipt_id, t.store_id, t.channel, t.net_minor
      from (${tillReceipts(window)}) t where t.customer_id is not null ${only(sql`t.customer_id`)}
    ), purchases as (
      select b.customer_id, array_agg(${hourExpr(sql`b.occurred_at`)} order by b.occurred_at, b.receipt_id) as purchase_hours,
        array_agg(b.net_minor order by b.occurred_at, b.receipt_id) as purchase_net,
        (array_agg(array[b.receipt_id, b.store_id, b.channel] order by b.occurred_at, b.receipt_id))[1:1] as first,
        min(b.occurred_at) as first_at
      from bought b group by 1
    ), points as (
      select p.customer_id, array_agg(p.hour order by p.hour) as points_hours
      from (select distinct e.customer_id, ${hourExpr(sql`e.occurred_at`)} as hour from point_entries e
        where e.kind in ('earn', 'award', 'redeem') ${window.from ? sql`and e.occurred_at >= ${window.from}::timestamptz` : sql``}
          and e.occurred_at < ${window.to}::timestamptz ${only(sql`e.customer_id`)}) p
      group by 1
    )
    select coalesce(b.customer_id, p.customer_id) as customer_id,
      coalesce(b.purchase_hours, '{}') as purchase_hours, coalesce(b.purchase_net, '{}') as purchase_net, coalesce(p.points_hours, '{}') as points_hours,
      b.first_at, b.first[1][1] as first_receipt_id, b.first[1][2] as first_store_id, b.first[1][3] as first_channel
    from purchases b full join points p on p.customer_id = b.customer_id`;
}

/**
 * The end up to which hours may be closed: the last whole hour by the clock and by the database,
 * and no later than the hour the oldest running transaction of this database began in. A write
 * for an hour that had not ended when its transaction began is not marked (the triggers skip the
 * hot path); such a transaction is either running (and holds this end back) or committed before
 * this read, so the closing step, whose snapshot is taken after it, sees its rows.
 */
async function safeEnd(db: Db, clock: Clock): Promise<Date> {
  const row = (await sql<{ safe: Date }>`
    select least(date_trunc('hour', now()), date_trunc('hour', ${clock.now()}::timestamptz),
      coalesce((select date_trunc('hour', min(a.xact_start)) from pg_stat_activity a
        where a.datname = current_database() and a.pid <> pg_backend_pid() and a.backend_type = 'client backend' and a.xact_start is not null), 'infinity')) as safe`.execute(db)).rows[0]!;
  return row.safe;
}

/** Where history begins: the hour of the first receipt or ledger entry (null: none yet). */
async function historyStart(db: DbOrTx): Promise<Date | null> {
  const row = (await sql<{ first: Date | null }>`
    select date_trunc('hour', least((select min(occurred_at) from receipts), (select min(occurred_at) from point_entries))) as first`.execute(db)).rows[0];
  return row?.first ?? null;
}

/** Adds the hours [from, to) to the rollups, and drops the marks of hours not yet closed (this step or a later one reads their rows). */
async function closeHours(db: Db, clock: Clock, expected: Date | null, from: Date, to: Date): Promise<boolean> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
    await sql`set local jit = off`.execute(tx);
    await sql`set local work_mem = '64MB'`.execute(tx);
    const state = (await sql<{ closedUntil: Date | null }>`select closed_until from rollup_state for update`.execute(tx)).rows[0];
    // Another instance moved on meanwhile: this step's work is done or overlaps; the next run starts from the new state.
    if ((state?.closedUntil?.getTime() ?? null) !== (expected?.getTime() ?? null)) return false;
    await sql`insert into rollup_receipt_hours (hour, channel, receipts, identified, revenue_minor, gross_minor, discount_minor, redeemed_minor, units_milli)
      ${receiptHoursOf(from, to)}`.execute(tx);
    await sql`insert into rollup_point_hours (hour, kind, at_till, points, available) ${pointHoursOf(from, to)}`.execute(tx);
    // The step's customers once, when the cohort cells are kept: their part leaves the cells before their rows change and comes back after.
    const cells = await cellsKept(tx);
    if (cells) {
      await sql`create temporary table rollup_step_customers on commit drop as ${customerHoursOf({ from, to })}`.execute(tx);
      await takeOut(tx, sql`select customer_id from rollup_step_customers`);
    }
    // New hours follow a customer's closed ones (so the arrays stay sorted); the first purchase stays the earlier one.
    await sql`insert into rollup_customer_hours as c (customer_id, purchase_hours, purchase_net, points_hours, first_at, first_receipt_id, first_store_id, first_channel)
      ${cells ? sql`select * from rollup_step_customers` : customerHoursOf({ from, to })}
      on conflict (customer_id) do update set
        purchase_hours = c.purchase_hours || excluded.purchase_hours,
        purchase_net = c.purchase_net || excluded.purchase_net,
        points_hours = c.points_hours || excluded.points_hours,
        first_at = coalesce(c.first_at, excluded.first_at),
        first_receipt_id = case when c.first_at is null then excluded.first_receipt_id else c.first_receipt_id end,
        first_store_id = case when c.first_at is null then excluded.first_store_id else c.first_store_id end,
        first_channel = case when c.first_at is null then excluded.first_channel else c.first_channel end`.execute(tx);
    if (cells) await putIn(tx, sql`select customer_id from rollup_step_customers`);
    // While the purchases' backfill runs, the customers past it are left to it (it writes them whole).
    await appendPurchases(tx, { from, to }, { upto: await purchasesBackfill(tx) });
    // The step's buyers' baskets written whole up to its end (none while their backfill has not begun).
    const baskets = await basketsBackfill(tx);
    if (baskets !== '') await rewriteBaskets(tx, to, await basketCustomersOf(tx, from, to), baskets);
    await sql`delete from rollup_dirty where ${expected ? sql`hour >= ${hourOf(expected)}` : sql`true`}`.execute(tx);
    await sql`update rollup_state set closed_until = ${to}::timestamptz, history_from = coalesce(history_from, ${from}::timestamptz), folded_at = ${clock.now()}::timestamptz`.execute(tx);
    return true;
  });
}

/** Runs of consecutive hours, as [first, last + 1). */
function hourRuns(hours: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const hour of [...new Set(hours)].sort((a, b) => a - b)) {
    const last = runs[runs.length - 1];
    if (last && last[1] === hour) last[1] = hour + 1;
    else runs.push([hour, hour + 1]);
  }
  return runs;
}

/** Recomputes a batch of marked hours and customers of the closed history from the raw rows; false when none is left. */
async function repairMarks(db: Db, clock: Clock, report: FoldReport): Promise<boolean> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
    await sql`set local jit = off`.execute(tx);
    await sql`set local work_mem = '64MB'`.execute(tx);
    const state = (await sql<{ closedUntil: Date | null }>`select closed_until from rollup_state for update`.execute(tx)).rows[0];
    const closedUntil = state?.closedUntil;
    if (!closedUntil) return false;
    const marks = (await sql<{ id: string; hour: number; customerId: string | null }>`
      select id, hour, customer_id from rollup_dirty where hour < ${hourOf(closedUntil)} order by id limit ${REPAIR_STEP_MARKS}`.execute(tx)).rows;
    if (marks.length === 0) return false;
    for (const [first, end] of hourRuns(marks.map((mark) => mark.hour))) {
      const from = instantOf(first);
      const to = instantOf(end);
      await sql`delete from rollup_receipt_hours where hour >= ${first} and hour < ${end}`.execute(tx);
      await sql`insert into rollup_receipt_hours (hour, channel, receipts, identified, revenue_minor, gross_minor, discount_minor, redeemed_minor, units_milli)
        ${receiptHoursOf(from, to)}`.execute(tx);
      await sql`delete from rollup_point_hours where hour >= ${first} and hour < ${end}`.execute(tx);
      await sql`insert into rollup_point_hours (hour, kind, at_till, points, available) ${pointHoursOf(from, to)}`.execute(tx);
      report.repairedHours += end - first;
    }
    const customers = [...new Set(marks.flatMap((mark) => (mark.customerId === null ? [] : [mark.customerId])))];
    if (customers.length > 0) {
      // A customer's closed history rebuilt whole: a merged-away customer has none left and loses the row.
      const these = sql`select unnest(${customers}::text[])`;
      const cells = await cellsKept(tx);
      if (cells) await takeOut(tx, these);
      await sql`delete from rollup_customer_hours where customer_id = any(${customers}::text[])`.execute(tx);
      await sql`insert into rollup_customer_hours (customer_id, purchase_hours, purchase_net, points_hours, first_at, first_receipt_id, first_store_id, first_channel)
        ${customerHoursOf({ to: closedUntil }, customers)}`.execute(tx);
      if (cells) await putIn(tx, these);
      await rewritePurchases(tx, closedUntil, customers, await purchasesBackfill(tx));
      await rewriteBaskets(tx, closedUntil, customers, await basketsBackfill(tx));
      report.repairedCustomers += customers.length;
    }
    await sql`delete from rollup_dirty where id = any(${marks.map((mark) => mark.id)}::bigint[])`.execute(tx);
    await sql`update rollup_state set folded_at = ${clock.now()}::timestamptz`.execute(tx);
    report.marks += marks.length;
    return true;
  });
}

/**
 * A step of one backfill over history folded before its table existed (the purchases',
 * rollup-purchases.ts, or the baskets', rollup-baskets.ts), under the state's lock like every
 * step; false once done.
 */
async function backfillStep(db: Db, step: (tx: Tx, closedUntil: Date) => Promise<boolean>): Promise<boolean> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async (tx) => {
    await sql`set local jit = off`.execute(tx);
    await sql`set local work_mem = '64MB'`.execute(tx);
    const state = (await sql<{ closedUntil: Date | null }>`select closed_until from rollup_state for update`.execute(tx)).rows[0];
    if (!state?.closedUntil) return false;
    return step(tx, state.closedUntil);
  });
}

/**
 * Once, when the closing first catches up: every closing step rewrites the row of each customer
 * who bought in its hours, in each of the three per-customer rollups. After a year of weekly
 * steps the customers' hours held ~6× their live rows in dead ones (1.5 GB for 1 M customers),
 * and the purchases and the baskets 2.2 GB for 0.56 GB live and 1.6 GB for 1.1 GB: autovacuum
 * makes that space reusable but does not give it back, so every segment condition and
 * clustering read scanned it (a preview 7.1 s against 4.0 s compact). VACUUM FULL
 * rewrites each compactly; it locks the table (reads of it wait) for a minute or two at 1 M
 * customers. Migration 0051 asks it once more of databases that caught up before the purchases
 * and baskets were compacted.
 */
async function compactAfterBackfill(db: Db, clock: Clock): Promise<void> {
  const row = (await sql<{ backfilledAt: Date | null; historyFrom: Date | null }>`select backfilled_at, history_from from rollup_state`.execute(db)).rows[0];
  if (!row || row.backfilledAt !== null) return;
  if (row.historyFrom !== null) {
    for (const table of ['rollup_customer_hours', 'rollup_customer_purchases', 'rollup_customer_baskets']) await sql`vacuum full ${sql.table(table)}`.execute(db);
  }
  await sql`update rollup_state set backfilled_at = ${clock.now()}::timestamptz where backfilled_at is null`.execute(db);
}

/**
 * Fills the cohort grids asked for, once the closing has caught up (during a backfill each step
 * would move most customers' parts), under the state's lock like every step.
 */
async function buildCohortGrids(db: Db, clock: Clock): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await sql`set local jit = off`.execute(tx);
    await sql`set local work_mem = '64MB'`.execute(tx);
    const state = (await sql<{ closedUntil: Date | null }>`select closed_until from rollup_state for update`.execute(tx)).rows[0];
    if (!state?.closedUntil) return 0;
    return buildGrids(tx, clock.now(), state.closedUntil);
  });
}

/**
 * One run of the fold: repairs what was marked, then closes the hours that may be closed, a day
 * at a time, until caught up, `budgetMs` has passed (a backfill over a year goes on in the next
 * runs, so the other live jobs get their turn) or `signal` is aborted.
 */
export async function foldRollups(db: Db, clock: Clock, options: { signal?: AbortSignal; budgetMs?: number } = {}): Promise<FoldReport> {
  const started = Date.now();
  const inBudget = () => !options.signal?.aborted && (options.budgetMs === undefined || Date.now() - started < options.budgetMs);
  const report: FoldReport = { closedHours: 0, repairedHours: 0, repairedCustomers: 0, marks: 0, cohortGrids: 0, purchaseBackfillSteps: 0, basketBackfillSteps: 0 };
  while (inBudget() && (await repairMarks(db, clock, report)));
  while (inBudget() && (await backfillStep(db, backfillPurchasesStep))) report.purchaseBackfillSteps++;
  while (inBudget() && (await backfillStep(db, backfillBasketsStep))) report.basketBackfillSteps++;
  while (inBudget()) {
    // Read before the closing step's transaction: its snapshot must come after this look at the running transactions.
    const end = await safeEnd(db, clock);
    const { closedUntil } = await readRollupState(db);
    const from = closedUntil ?? (await historyStart(db)) ?? end;
    if (from.getTime() >= end.getTime()) {
      if (closedUntil === null) await closeHours(db, clock, null, end, end);
      await compactAfterBackfill(db, clock);
      report.cohortGrids += await buildCohortGrids(db, clock);
      break;
    }
    const to = new Date(Math.min(end.getTime(), from.getTime() + CLOSE_STEP_HOURS * HOUR_MS));
    if (!(await closeHours(db, clock, closedUntil, from, to))) break;
    report.closedHours += Math.round((to.getTime() - from.getTime()) / HOUR_MS);
  }
  // Once the closing has caught up (a first fold, or a store's zone changed), the baskets are written whole.
  while (inBudget() && (await backfillStep(db, backfillBasketsStep))) report.basketBackfillSteps++;
  return report;
}

/** Whether an instant falls on an hour boundary (the rollups' grain). */
export const onHour = (at: Date): boolean => at.getTime() % HOUR_MS === 0;

/** Pending marks up to which a report repairs the rollups itself rather than reading raw rows. */
const REPAIR_ON_READ_MARKS = REPAIR_STEP_MARKS;

/**
 * What a report reads the rollups up to, exact as of now: null when nothing is folded yet or
 * when more changes to closed hours wait than a report should repair (a historical load not yet
 * folded), and the report reads raw rows; else the pending changes are repaired first (a few:
 * the live fold keeps up with refunds and merges) and the rollups answer for the hours before
 * `closed_until`.
 */
export async function rollupsForReport(db: Db, clock: Clock): Promise<Date | null> {
  const row = (await sql<{ closedUntil: Date | null; pending: string }>`
    select s.closed_until, (select count(*) from (select 1 from rollup_dirty d
      where d.hour < floor(extract(epoch from s.closed_until) / 3600)::int limit ${REPAIR_ON_READ_MARKS + 1}) x) as pending
    from rollup_state s`.execute(db)).rows[0];
  if (!row?.closedUntil) return null;
  const pending = Number(row.pending);
  if (pending === 0) return row.closedUntil;
  if (pending > REPAIR_ON_READ_MARKS) return null;
  const report: FoldReport = { closedHours: 0, repairedHours: 0, repairedCustomers: 0, marks: 0, cohortGrids: 0, purchaseBackfillSteps: 0, basketBackfillSteps: 0 };
  // A few steps at most: marks that keep arriving meanwhile are changes made during the request.
  for (let step = 0; step < 3 && (await repairMarks(db, clock, report)); step++);
  return (await readRollupState(db)).closedUntil;
}

/**
 * Up to when the purchases' rollups hold every purchase, for segment conditions (repaired first,
 * as for a report); null while they cannot answer (nothing folded, too many changes waiting, or
 * their backfill over older history still running): the conditions then read raw receipts.
 */
export async function purchasesRolledUntil(db: Db, clock: Clock): Promise<Date | null> {
  const until = await rollupsForReport(db, clock);
  return until && (await purchasesBackfill(db)) === null ? until : null;
}

/**
 * Up to when the baskets' rollups hold every purchase, for per-customer summaries (clustering),
 * repaired first as for a report; null while they cannot answer (nothing folded, too many
 * changes waiting, or their backfill still running): the readers then read raw receipts.
 */
export async function basketsRolledUntil(db: Db, clock: Clock): Promise<Date | null> {
  const until = await rollupsForReport(db, clock);
  return until && (await basketsBackfill(db)) === null ? until : null;
}
