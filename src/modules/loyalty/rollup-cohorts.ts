import { sql, type RawBuilder } from 'kysely';
import { hourOf } from './rollups.ts';
import { tillReceipts } from './till-facts.ts';
import type { RolledWindow } from './rollup-facts.ts';

/**
 * Acquisition cohorts from the customers' rollup rows (rollups.ts): each customer's first
 * purchase and their purchases' hours and amounts, so a year's cohorts unpack ~7 M array
 * elements of ~1 M rows instead of reading and sorting every receipt. A bucket (a month or a
 * Monday-started week as the zone's clock shows it) is numbered — months as year × 12 + month − 1,
 * weeks from Monday 1970-01-05 — and each closed hour's number is looked up in an array made once
 * per report (`hourBuckets`), so no row converts a time zone. The hours since `closedUntil` are
 * read raw, as in till-facts.ts's first purchases and purchases.
 */
export type CohortUnitName = 'month' | 'week';
export type CohortSplitName = 'none' | 'store' | 'channel' | 'promotion';

const bucketNumber = (unit: CohortUnitName, local: RawBuilder<unknown>) =>
  unit === 'month' ? sql`(extract(year from ${local}) * 12 + extract(month from ${local}) - 1)::int` : sql`((date_trunc('week', ${local})::date - date '1970-01-05') / 7)::int`;

/** The bucket's first day as 'YYYY-MM-DD', from its number. */
const bucketLabel = (unit: CohortUnitName, n: RawBuilder<unknown>) =>
  unit === 'month' ? sql`to_char(make_date(${n} / 12, ${n} % 12 + 1, 1), 'YYYY-MM-DD')` : sql`to_char(date '1970-01-05' + ${n} * 7, 'YYYY-MM-DD')`;

/** One row, `buckets`: the bucket number of every hour from `from`'s to `closedUntil`'s, in order. */
export function hourBuckets(unit: CohortUnitName, timezone: string, w: RolledWindow): RawBuilder<{ buckets: number[] }> {
  return sql<{ buckets: number[] }>`select coalesce(array_agg(${bucketNumber(unit, sql`(to_timestamp(h::bigint * 3600) at time zone ${timezone})`)} order by h), '{}') as buckets
    from generate_series(${hourOf(w.from)}::int, ${hourOf(w.closedUntil) - 1}::int) h`;
}

/** The promotion a receipt got first (what a cohort split by promotion names), as till-facts' first purchases read it. */
const promotionOf = (receipt: RawBuilder<unknown>) =>
  sql`coalesce((select ra.name from receipt_adjustments ra where ra.receipt_id = ${receipt} and ra.adjuster = 'promotions' order by ra.seq limit 1), '(none)')`;

function splitOf(by: CohortSplitName, store: RawBuilder<unknown>, channel: RawBuilder<unknown>, receipt: RawBuilder<unknown>): RawBuilder<unknown> {
  switch (by) {
    case 'none': return sql`null::text`;
    case 'store': return store;
    case 'channel': return channel;
    case 'promotion': return promotionOf(receipt);
  }
}

/**
 * Rows `cohort` (its first day), `grp`, `idx` (buckets since the cohort's), `customers` (who
 * bought in that bucket), `revenue` (what they paid net of refunds) and `size` on rows with
 * idx null (the cohort's customers): the customers whose first purchase ever fell in [from, to),
 * followed up to `now`. `buckets` is `hourBuckets` of the same window.
 */
export function cohortFigures(unit: CohortUnitName, timezone: string, by: CohortSplitName, w: RolledWindow, now: Date, buckets: number[]): RawBuilder<unknown> {
  const first = hourOf(w.from);
  const at = (hour: RawBuilder<unknown>) => sql`(${buckets}::int[])[${hour} - ${first - 1}]`;
  const local = (column: RawBuilder<unknown>) => bucketNumber(unit, sql`(${column} at time zone ${timezone})`);
  return sql`
    with closed as (
      -- customers whose first purchase is in the rollups
      select a.customer_id, ${at(sql`floor(extract(epoch from a.first_at) / 3600)::int`)} as cohort,
        ${splitOf(by, sql`a.first_store_id`, sql`a.first_channel`, sql`a.first_receipt_id`)} as grp, a.purchase_hours, a.purchase_net
      from rollup_customer_hours a
      where a.first_at >= ${w.from}::timestamptz and a.first_at < ${w.to}::timestamptz
    ), live as (
      select t.customer_id, t.receipt_id, t.occurred_at, t.store_id, t.channel, t.net_minor, ${local(sql`t.occurred_at`)} as bucket
      from (${tillReceipts({ from: w.closedUntil, to: new Date(Math.max(now.getTime(), w.to.getTime())) })}) t where t.customer_id is not null
    ), newcomers as (
      -- customers with no purchase in the rollups whose first is since closedUntil
      select distinct on (l.customer_id) l.customer_id, l.bucket as cohort, ${splitOf(by, sql`l.store_id`, sql`l.channel`, sql`l.receipt_id`)} as grp
      from live l left join rollup_customer_hours a on a.customer_id = l.customer_id
      where (a.customer_id is null or a.first_at is null) and l.occurred_at < ${w.to}::timestamptz and l.occurred_at >= ${w.from}::timestamptz
      order by l.customer_id, l.occurred_at, l.receipt_id
    ), closed_buckets as (
      -- each rolled purchase, and whether it is the customer's first in its bucket (the one that counts them)
      select c.cohort, c.grp, ${at(sql`u.h`)} - c.cohort as idx, u.net,
        u.ord = 1 or ${at(sql`c.purchase_hours[u.ord - 1]`)} <> ${at(sql`u.h`)} as opens
      from closed c cross join lateral unnest(c.purchase_hours, c.purchase_net) with ordinality u(h, net, ord)
    ), live_buckets as (
      select k.cohort, k.grp, l.bucket - k.cohort as idx, l.net_minor as net,
        l.bucket is distinct from coalesce(lag(l.bucket) over (partition by l.customer_id order by l.occurred_at, l.receipt_id), k.last_bucket) as opens
      from live l join (
        select c.customer_id, c.cohort, c.grp, ${at(sql`c.purchase_hours[cardinality(c.purchase_hours)]`)} as last_bucket from closed c
        union all select n.customer_id, n.cohort, n.grp, null from newcomers n
      ) k on k.customer_id = l.customer_id
      where l.occurred_at < ${now}::timestamptz
    )
    select ${bucketLabel(unit, sql`x.cohort`)} as cohort, x.grp, x.idx, count(*) filter (where x.opens) as customers, sum(x.net) as revenue, null::bigint as size
    from (select * from closed_buckets union all select * from live_buckets) x group by x.cohort, x.grp, x.idx
    union all
    select ${bucketLabel(unit, sql`s.cohort`)}, s.grp, null, null, null, count(*)
    from (select cohort, grp from closed union all select cohort, grp from newcomers) s group by s.cohort, s.grp
    order by 1, 2`;
}
