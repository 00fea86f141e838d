import { sql, type RawBuilder } from 'kysely';
import type { DbOrTx } from './loyalty.db.ts';
import type { CohortSplitName, CohortUnitName } from './rollup-cohorts.ts';
import type { RolledWindow } from './rollup-facts.ts';
import { tillReceipts } from './till-facts.ts';

/**
 * Acquisition cohorts kept as counts (migration 0040): for each grid (a unit and a time zone),
 * split and day of first purchase, how many customers bought in each bucket since their cohort's
 * and what they paid, and the cohort's size (idx -1). A customer's part of these counts follows
 * from their row of rollup_customer_hours alone, so the fold, the only writer of those rows, takes
 * a row's part out before it rewrites the row and puts the new part in after, in one transaction
 * (`takeOut`, `putIn`). A grid is filled from every row once (`buildGrids`) when the fold has
 * caught up, and kept from then on; a report in a zone no grid has asks for one (`cohortGrid`).
 *
 * The numbers are those rollup-cohorts.ts unpacks per report: a customer counts in a bucket at
 * their first purchase in it, buckets are months (year × 12 + month − 1) or Monday-started weeks
 * (from Monday 1970-01-05) as the zone's clock shows them.
 */

/** Grids kept at most, UTC's two included: each costs every fold step a little. */
const MAX_GRIDS = 12;

/** The bucket number of a local timestamp (or date) on the grid `g`'s unit. */
const bucketOnGrid = (local: RawBuilder<unknown>) => sql`case when g.unit = 'month' then (extract(year from ${local}) * 12 + extract(month from ${local}) - 1)::int
  else ((date_trunc('week', ${local})::date - date '1970-01-05') / 7)::int end`;

const hourOnGrid = (hour: RawBuilder<unknown>) => bucketOnGrid(sql`(to_timestamp(${hour}::bigint * 3600) at time zone g.timezone)`);

/** The promotion the first receipt got, as rollup-cohorts.ts and till-facts' first purchases name it. */
const promotionOf = (receipt: RawBuilder<unknown>) =>
  sql`coalesce((select ra.name from receipt_adjustments ra where ra.receipt_id = ${receipt} and ra.adjuster = 'promotions' order by ra.seq limit 1), '(none)')`;

/** How a contribution finds the bucket of an hour (epoch ÷ 3600) and of an instant, on the grid `g`. */
type Bucketing = { hour: (hour: RawBuilder<unknown>) => RawBuilder<unknown>; instant: (at: RawBuilder<unknown>) => RawBuilder<unknown> };

/** Each element converted to the grid's zone: for a fold step's few customers, on every kept grid at once. */
const converting: Bucketing = { hour: hourOnGrid, instant: (at) => bucketOnGrid(sql`(${at} at time zone g.timezone)`) };

/**
 * Each hour looked up in an array of the grid's bucket of every hour from `first` on (built once):
 * for filling one grid from every customer's row, ~7 M elements at 1 M customers, where a zone
 * conversion each took most of the time.
 */
function lookingUp(first: number, buckets: RawBuilder<unknown>): Bucketing {
  const at = (hour: RawBuilder<unknown>) => sql`(${buckets})[${hour} - ${first - 1}]`;
  return { hour: at, instant: (instant) => at(sql`floor(extract(epoch from ${instant}) / 3600)::int`) };
}

/**
 * The cells the customers' rows add (`rows`: rows of rollup_customer_hours' shape) on the grids
 * `grids` picks (a condition on `g`): grouped first by everything a split may take, then once per
 * split, so a row is unpacked once whatever the number of splits.
 */
function contributions(rows: RawBuilder<unknown>, grids: RawBuilder<unknown>, bucket: Bucketing): RawBuilder<unknown> {
  return sql`
    with r as (
      select r.customer_id, r.purchase_hours, r.purchase_net, r.first_at, coalesce(r.first_store_id, '') as store, coalesce(r.first_channel, '') as channel,
        ${promotionOf(sql`r.first_receipt_id`)} as promotion
      from (${rows}) r where r.first_at is not null
    ), e as (
      select g.id as grid_id, (r.first_at at time zone g.timezone)::date as first_day, r.store, r.channel, r.promotion,
        ${bucket.hour(sql`u.h`)} - ${bucket.instant(sql`r.first_at`)} as idx,
        count(*) filter (where u.ord = 1 or ${bucket.hour(sql`r.purchase_hours[u.ord - 1]`)} <> ${bucket.hour(sql`u.h`)}) as customers,
        sum(u.net) as revenue
      from r cross join rollup_cohort_grids g cross join lateral unnest(r.purchase_hours, r.purchase_net) with ordinality u(h, net, ord)
      where ${grids}
      group by 1, 2, 3, 4, 5, 6
      union all
      select g.id, (r.first_at at time zone g.timezone)::date, r.store, r.channel, r.promotion, -1, count(*), 0
      from r cross join rollup_cohort_grids g where ${grids}
      group by 1, 2, 3, 4, 5
    )
    select e.grid_id, s.split, e.first_day,
      case s.split when 'none' then '' when 'store' then e.store when 'channel' then e.channel else e.promotion end as grp,
      e.idx, sum(e.customers) as customers, sum(e.revenue) as revenue
    from e cross join (values ('none'), ('store'), ('channel'), ('promotion')) s(split)
    group by 1, 2, 3, 4, 5`;
}

/** Adds `sign` × the customers' part to the cells (an upsert: the contributions are one row a cell). */
async function addToCells(tx: DbOrTx, rows: RawBuilder<unknown>, grids: RawBuilder<unknown>, sign: 1 | -1): Promise<void> {
  await sql`insert into rollup_cohort_cells as c (grid_id, split, first_day, grp, idx, customers, revenue)
    select x.grid_id, x.split, x.first_day, x.grp, x.idx, ${sign}::int * x.customers, ${sign}::int * x.revenue from (${contributions(rows, grids, converting)}) x
    on conflict (grid_id, split, first_day, grp, idx) do update set customers = c.customers + excluded.customers, revenue = c.revenue + excluded.revenue`.execute(tx);
}

const built = sql`g.built_at is not null`;

/** Whether any grid is kept (else the fold skips the cells: during a backfill none is). */
export async function cellsKept(tx: DbOrTx): Promise<boolean> {
  return (await sql<{ kept: boolean }>`select exists (select 1 from rollup_cohort_grids where built_at is not null) as kept`.execute(tx)).rows[0]!.kept;
}

/** The rows of these customers as they stand, in the shape `contributions` reads. */
export const customerRows = (customers: RawBuilder<unknown>) => sql`select * from rollup_customer_hours where customer_id in (${customers})`;

/** Before the fold rewrites these customers' rows: their part leaves the kept grids. */
export const takeOut = (tx: DbOrTx, customers: RawBuilder<unknown>) => addToCells(tx, customerRows(customers), built, -1);
/** After: their new part enters. */
export const putIn = (tx: DbOrTx, customers: RawBuilder<unknown>) => addToCells(tx, customerRows(customers), built, 1);

/**
 * Fills the grids asked for and not yet built from every customer's row. The caller holds the
 * rollup state's lock (as every fold step does), so no step changes a row meanwhile.
 */
export async function buildGrids(tx: DbOrTx, now: Date, closedUntil: Date): Promise<number> {
  const wanted = (await sql<{ id: number; unit: CohortUnitName; timezone: string }>`select id, unit, timezone from rollup_cohort_grids where built_at is null order by id`.execute(tx)).rows;
  if (wanted.length === 0) return 0;
  const end = Math.floor(closedUntil.getTime() / 3_600_000);
  const first = (await sql<{ first: number | null }>`select min(floor(extract(epoch from first_at) / 3600))::int as first from rollup_customer_hours`.execute(tx)).rows[0]!.first ?? end;
  for (const grid of wanted) {
    const g = sql`(select ${grid.unit}::text as unit, ${grid.timezone}::text as timezone) g`;
    const { buckets } = (await sql<{ buckets: number[] }>`select coalesce(array_agg(${hourOnGrid(sql`h`)} order by h), '{}') as buckets
      from generate_series(${first}::int, ${end - 1}::int) h, ${g}`.execute(tx)).rows[0]!;
    await sql`delete from rollup_cohort_cells where grid_id = ${grid.id}`.execute(tx);
    // Through a temporary table: PostgreSQL runs the select of an INSERT … SELECT on one process, a CREATE TABLE … AS with its parallel workers.
    await sql`create temporary table rollup_grid_cells on commit drop as
      ${contributions(sql`select * from rollup_customer_hours`, sql`g.id = ${grid.id}`, lookingUp(first, sql`${buckets}::int[]`))}`.execute(tx);
    await sql`insert into rollup_cohort_cells (grid_id, split, first_day, grp, idx, customers, revenue) select * from rollup_grid_cells`.execute(tx);
    await sql`drop table rollup_grid_cells`.execute(tx);
    await sql`update rollup_cohort_grids set built_at = ${now}::timestamptz where id = ${grid.id}`.execute(tx);
  }
  return wanted.length;
}

/**
 * The kept grid of a unit and zone, or null: then the report unpacks the customers' rows, and the
 * grid is asked for (the fold builds it when it has caught up), unless MAX_GRIDS are asked for.
 */
export async function cohortGrid(db: DbOrTx, unit: CohortUnitName, timezone: string): Promise<number | null> {
  const row = (await sql<{ id: number; builtAt: Date | null }>`select id, built_at from rollup_cohort_grids where unit = ${unit} and timezone = ${timezone}`.execute(db)).rows[0];
  if (row) return row.builtAt === null ? null : row.id;
  await sql`insert into rollup_cohort_grids (unit, timezone) select ${unit}, ${timezone}
    where (select count(*) from rollup_cohort_grids) < ${MAX_GRIDS} on conflict (unit, timezone) do nothing`.execute(db);
  return null;
}

const bucketNumber = (unit: CohortUnitName, local: RawBuilder<unknown>) =>
  unit === 'month' ? sql`(extract(year from ${local}) * 12 + extract(month from ${local}) - 1)::int` : sql`((date_trunc('week', ${local})::date - date '1970-01-05') / 7)::int`;

const bucketLabel = (unit: CohortUnitName, n: RawBuilder<unknown>) =>
  unit === 'month' ? sql`to_char(make_date(${n} / 12, ${n} % 12 + 1, 1), 'YYYY-MM-DD')` : sql`to_char(date '1970-01-05' + ${n} * 7, 'YYYY-MM-DD')`;

function splitOf(by: CohortSplitName, store: RawBuilder<unknown>, channel: RawBuilder<unknown>, receipt: RawBuilder<unknown>): RawBuilder<unknown> {
  switch (by) {
    case 'none': return sql`''`;
    case 'store': return sql`coalesce(${store}, '')`;
    case 'channel': return sql`coalesce(${channel}, '')`;
    case 'promotion': return promotionOf(receipt);
  }
}

/**
 * The same rows as rollup-cohorts.ts's `cohortFigures` (`cohort, grp, idx, customers, revenue`,
 * and `size` on rows with idx null), from the grid's cells for the closed hours and the raw
 * receipts since. One statement, so the cells and the state's `closed_until` it reads the live
 * receipts from are of one snapshot (a fold committing meanwhile moves both together).
 */
export function cohortCellFigures(gridId: number, unit: CohortUnitName, timezone: string, by: CohortSplitName, w: RolledWindow, now: Date): RawBuilder<unknown> {
  const local = (column: RawBuilder<unknown>) => bucketNumber(unit, sql`(${column} at time zone ${timezone})`);
  const lastHour = sql`a.purchase_hours[cardinality(a.purchase_hours)]`;
  return sql`
    with s as (select closed_until from rollup_state), live as (
      select t.customer_id, t.receipt_id, t.occurred_at, t.store_id, t.channel, t.net_minor, ${local(sql`t.occurred_at`)} as bucket
      from (${tillReceipts({ from: w.closedUntil, to: new Date(Math.max(now.getTime(), w.to.getTime())) })}) t
      where t.customer_id is not null and t.occurred_at >= (select closed_until from s)
    ), known as (
      -- live buyers whose first purchase is in the rollups: their cohort and last closed bucket
      select a.customer_id, ${local(sql`a.first_at`)} as cohort, ${splitOf(by, sql`a.first_store_id`, sql`a.first_channel`, sql`a.first_receipt_id`)} as grp,
        ${local(sql`to_timestamp(${lastHour}::bigint * 3600)`)} as last_bucket
      from rollup_customer_hours a
      where a.customer_id in (select customer_id from live) and a.first_at >= ${w.from}::timestamptz and a.first_at < ${w.to}::timestamptz
    ), newcomers as (
      -- live buyers with no purchase in the rollups whose first is in the window
      select distinct on (l.customer_id) l.customer_id, l.bucket as cohort, ${splitOf(by, sql`l.store_id`, sql`l.channel`, sql`l.receipt_id`)} as grp
      from live l left join rollup_customer_hours a on a.customer_id = l.customer_id
      where (a.customer_id is null or a.first_at is null) and l.occurred_at < ${w.to}::timestamptz and l.occurred_at >= ${w.from}::timestamptz
      order by l.customer_id, l.occurred_at, l.receipt_id
    ), live_buckets as (
      select k.cohort, k.grp, l.bucket - k.cohort as idx, l.net_minor as net,
        l.bucket is distinct from coalesce(lag(l.bucket) over (partition by l.customer_id order by l.occurred_at, l.receipt_id), k.last_bucket) as opens
      from live l join (select customer_id, cohort, grp, last_bucket from known union all select customer_id, cohort, grp, null from newcomers) k on k.customer_id = l.customer_id
      where l.occurred_at < ${now}::timestamptz
    ), cells as (
      select ${bucketNumber(unit, sql`c.first_day`)} as cohort, c.grp, c.idx, c.customers, c.revenue
      from rollup_cohort_cells c
      where c.grid_id = ${gridId} and c.split = ${by}
        and c.first_day >= (${w.from}::timestamptz at time zone ${timezone})::date and c.first_day < (${w.to}::timestamptz at time zone ${timezone})::date
      union all
      select x.cohort, x.grp, x.idx, count(*) filter (where x.opens), sum(x.net) from live_buckets x group by 1, 2, 3
      union all
      select n.cohort, n.grp, -1, count(*), 0 from newcomers n group by 1, 2
    ), summed as (
      select cohort, grp, idx, sum(customers) as customers, sum(revenue) as revenue from cells group by 1, 2, 3
    )
    select ${bucketLabel(unit, sql`x.cohort`)} as cohort, ${by === 'none' ? sql`null::text` : sql`x.grp`} as grp,
      case when x.idx >= 0 then x.idx end as idx,
      case when x.idx >= 0 then x.customers end as customers, case when x.idx >= 0 then x.revenue end as revenue,
      case when x.idx < 0 then x.customers end as size
    from summed x where x.idx >= 0 or x.customers > 0
    order by 1, 2`;
}
