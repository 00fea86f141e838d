import { sql, type RawBuilder } from 'kysely';
import { cohortFigures, hourBuckets } from './rollup-cohorts.ts';
import { hourOf, onHour } from './rollups.ts';
import { loyaltyActive, tillReceipts, unitsOfReceipt } from './till-facts.ts';

/**
 * The till facts of a period read from the hourly rollups (rollups.ts) for its closed hours and
 * from the raw rows since `closedUntil`, so they equal what till-facts.ts gives over the raw rows
 * of the whole period: the same definitions, summed in two parts. A period qualifies when its
 * ends fall on hours (a day in any zone with a whole hour's offset does) and something was folded.
 */
export type RolledWindow = { from: Date; to: Date; closedUntil: Date };

/** Whether the rollups can answer for [from, to) (every end on an hour; `closedUntil` known). */
export const rollupCovers = (closedUntil: Date | null, ...ends: Date[]): closedUntil is Date => closedUntil !== null && ends.every(onHour);

/**
 * One row of the receipts' totals of the window, as the KPIs count them: `receipts, identified,
 * revenue_minor, gross_minor, discount_minor, redeemed_minor, units_milli, till` (offline
 * receipts), `till_identified`.
 */
export function receiptTotals(w: RolledWindow): RawBuilder<unknown> {
  const liveFrom = new Date(Math.max(w.from.getTime(), w.closedUntil.getTime()));
  return sql`select sum(x.receipts) as receipts, sum(x.identified) as identified, sum(x.revenue_minor) as revenue_minor, sum(x.gross_minor) as gross_minor,
      sum(x.discount_minor) as discount_minor, sum(x.redeemed_minor) as redeemed_minor, sum(x.units_milli) as units_milli,
      sum(x.receipts) filter (where x.channel = 'offline') as till, sum(x.identified) filter (where x.channel = 'offline') as till_identified
    from (
      select h.channel, h.receipts, h.identified, h.revenue_minor, h.gross_minor, h.discount_minor, h.redeemed_minor, h.units_milli
      from rollup_receipt_hours h where h.hour >= ${hourOf(w.from)} and h.hour < ${hourOf(w.to)}
      union all
      select t.channel, 1, case when t.customer_id is null then 0 else 1 end, t.net_minor, t.total_minor, t.discount_minor, t.redeemed_minor, coalesce(u.units_milli, 0)
      from (${tillReceipts({ from: liveFrom, to: w.to })}) t left join lateral (${unitsOfReceipt(sql`t.receipt_id`)}) u on true
    ) x`;
}

/** Purchases (or points hours) of a customer's sorted hours array before hour `h`: a binary search (width_bucket counts the elements ≤ its operand). */
const before = (hours: RawBuilder<unknown>, h: number) => sql`width_bucket(${h - 1}::int, ${hours})`;

/**
 * One row of the buyers of a period `[from, to)` against the period before it `[before, from)`:
 * `customers` (bought in the period), `repeaters` (two receipts or more in it), `new_customers`
 * (bought in it and never before it), `earlier_customers` (bought in the period before) and
 * `retained` (bought in both). Each customer is one row of `rollup_customer_hours` whose sorted
 * purchase hours are counted by binary search, joined to their receipts since `closedUntil`.
 */
export function buyerFigures(w: RolledWindow & { before: Date }): RawBuilder<unknown> {
  const [b, f, t] = [hourOf(w.before), hourOf(w.from), hourOf(w.to)];
  const hours = sql`a.purchase_hours`;
  return sql`
    with live as (
      select t.customer_id, count(*) filter (where t.occurred_at >= ${w.from}::timestamptz) as n,
        count(*) filter (where t.occurred_at < ${w.from}::timestamptz and t.occurred_at >= ${w.before}::timestamptz) as n_earlier,
        count(*) filter (where t.occurred_at < ${w.from}::timestamptz) as n_before
      from (${tillReceipts({ from: w.closedUntil, to: w.to })}) t where t.customer_id is not null group by 1
    ), c as (
      select
        coalesce(${before(hours, t)} - ${before(hours, f)}, 0) + coalesce(l.n, 0) as n,
        coalesce(${before(hours, f)} > ${before(hours, b)}, false) or coalesce(l.n_earlier, 0) > 0 as earlier,
        coalesce(${before(hours, f)} > 0, false) or coalesce(l.n_before, 0) > 0 as bought_before
      from rollup_customer_hours a full join live l on l.customer_id = a.customer_id
    )
    select count(*) filter (where c.n >= 1) as customers, count(*) filter (where c.n >= 2) as repeaters,
      count(*) filter (where c.n >= 1 and not c.bought_before) as new_customers,
      count(*) filter (where c.n >= 1 and c.earlier) as retained, count(*) filter (where c.earlier) as earlier_customers
    from c`;
}

/**
 * One row of the members (`members`: SQL of `customer_id, created_at`, one row a member) who
 * joined before the window's end and of those who earned, were awarded or redeemed points in
 * it (as till-facts' `loyaltyActive` tells): `members, active_members`.
 */
export function memberActivity(members: RawBuilder<unknown>, w: RolledWindow): RawBuilder<unknown> {
  const liveFrom = new Date(Math.max(w.from.getTime(), w.closedUntil.getTime()));
  const hours = sql`a.points_hours`;
  return sql`select count(*) as members,
      count(*) filter (where coalesce(${before(hours, hourOf(w.to))} > ${before(hours, hourOf(w.from))}, false) or la.customer_id is not null) as active_members
    from (${members}) m left join rollup_customer_hours a on a.customer_id = m.customer_id
      left join (${loyaltyActive({ from: liveFrom, to: w.to })}) la on la.customer_id = m.customer_id
    where m.created_at < ${w.to}::timestamptz`;
}

export const rollupFacts = { covers: rollupCovers, receiptTotals, buyerFigures, memberActivity, hourBuckets, cohortFigures };
export type RollupFacts = typeof rollupFacts;
