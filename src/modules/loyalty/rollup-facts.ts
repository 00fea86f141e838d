import { sql, type RawBuilder } from 'kysely';
import { cohortCellFigures } from './rollup-cohort-cells.ts';
import { cohortFigures, hourBuckets } from './rollup-cohorts.ts';
import { hourOf, onHour } from './rollups.ts';
import { tillReceipts, unitsOfReceipt } from './till-facts.ts';

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

/** A period `[from, to)` and the period before it `[before, from)` (what retention compares with). */
export type BuyerPeriod = { before: Date; from: Date; to: Date };

const each = (periods: BuyerPeriod[], f: (p: BuyerPeriod, i: number) => RawBuilder<unknown>) => sql.join(periods.map((p, i) => f(p, i)), sql`, `);
const at = (d: Date) => sql`${d}::timestamptz`;
const lastEnd = (periods: BuyerPeriod[], closedUntil: Date) => new Date(Math.max(...periods.map((p) => p.to.getTime()), closedUntil.getTime()));

/**
 * One row of the buyers and the active members of several periods in one pass over the customers,
 * period `i`'s figures suffixed `_i`:
 * - buyers: `customers` (bought in the period), `repeaters` (two receipts or more in it),
 *   `new_customers` (bought in it and never before it), `earlier_customers` (bought in the period
 *   before) and `retained` (bought in both);
 * - `active_members`: who earned, were awarded or redeemed points in it (as till-facts'
 *   `loyaltyActive` tells) and were members who had joined before the period's end.
 *
 * A customer's closed history is their row of `rollup_customer_hours`, whose sorted purchase and
 * points hours are counted by binary search; their receipts and point entries since `closedUntil`
 * are read raw and added. `exceptions` (SQL of `customer_id, created_at, member`) lists the
 * customers who are no members or joined at the earliest period's end or later: every other
 * customer with activity is a member who had joined, so the pass joins only that short list.
 * No join but those small ones, so PostgreSQL scans the customers' rows in parallel; one pass
 * for both, where a pass each read the million rows twice.
 */
export function customerFigures(exceptions: RawBuilder<unknown>, periods: BuyerPeriod[], closedUntil: Date): RawBuilder<unknown> {
  // Each customer's place in their hours arrays at each bound, found once in the rollup's own scan
  // (the branch of the UNION ALL below) and read as columns: written into the figures, each
  // search was repeated wherever a figure is used (the CTE is inlined into every count's filter),
  // ~30 searches a row for a year with the year before, each copying the array out of its row.
  const purchaseBounds = [...new Set(periods.flatMap((p) => [hourOf(p.before), hourOf(p.from), hourOf(p.to)]))];
  const pointBounds = [...new Set(periods.flatMap((p) => [hourOf(p.from), hourOf(p.to)]))];
  const bought = (h: number) => sql.ref(`x.ph_${h}`);
  const active = (h: number) => sql.ref(`x.qh_${h}`);
  const searches = sql.join([
    ...purchaseBounds.map((h) => sql`${before(sql`a.purchase_hours`, h)} as ${sql.ref(`ph_${h}`)}`),
    ...pointBounds.map((h) => sql`${before(sql`a.points_hours`, h)} as ${sql.ref(`qh_${h}`)}`),
  ]);
  const noSearches = sql.join([...purchaseBounds.map(() => sql`null::int`), ...pointBounds.map(() => sql`null::int`)]);
  /** Elements of the customer's purchase (or points) hours in [from, to); 0 without a row. */
  const within = (column: (h: number) => RawBuilder<unknown>, from: Date, to: Date) => sql`coalesce(${column(hourOf(to))} - ${column(hourOf(from))}, 0)`;
  const end = lastEnd(periods, closedUntil);
  // Each written out more than once below rather than a CTE: a CTE read twice is materialized, and a plan reading one runs on one process.
  const liveBuys = sql`(select t.customer_id, ${each(periods, (p, i) => sql`count(*) filter (where t.occurred_at >= ${at(p.from)} and t.occurred_at < ${at(p.to)}) as ${sql.ref(`n_${i}`)},
        count(*) filter (where t.occurred_at >= ${at(p.before)} and t.occurred_at < ${at(p.from)}) as ${sql.ref(`e_${i}`)},
        count(*) filter (where t.occurred_at < ${at(p.from)}) as ${sql.ref(`b_${i}`)}`)}
      from (${tillReceipts({ from: closedUntil, to: end })}) t where t.customer_id is not null group by 1)`;
  const livePoints = sql`(select e.customer_id, ${each(periods, (p, i) => sql`bool_or(e.occurred_at >= ${at(p.from)} and e.occurred_at < ${at(p.to)}) as ${sql.ref(`p_${i}`)}`)}
      from point_entries e where e.kind in ('earn', 'award', 'redeem') and e.occurred_at >= ${at(closedUntil)} and e.occurred_at < ${at(end)}
      group by 1)`;
  return sql`
    with c as (
      select ${each(periods, (p, i) => sql`${within(bought, p.from, p.to)} + coalesce(${sql.ref(`lb.n_${i}`)}, 0) as ${sql.ref(`n_${i}`)},
          ${within(bought, p.before, p.from)} > 0 or coalesce(${sql.ref(`lb.e_${i}`)}, 0) > 0 as ${sql.ref(`e_${i}`)},
          coalesce(${bought(hourOf(p.from))} > 0, false) or coalesce(${sql.ref(`lb.b_${i}`)}, 0) > 0 as ${sql.ref(`b_${i}`)},
          (${within(active, p.from, p.to)} > 0 or coalesce(${sql.ref(`lp.p_${i}`)}, false))
            and (n.customer_id is null or (n.member and n.created_at < ${at(p.to)})) as ${sql.ref(`m_${i}`)}`)}
      from (select a.customer_id, ${searches} from rollup_customer_hours a
        union all
        -- customers whose every purchase and points entry is since closedUntil, each once (a UNION
        -- would do it in one, but its de-duplication keeps the whole plan on one process)
        select b.customer_id, ${noSearches} from ${liveBuys} b
        where not exists (select 1 from rollup_customer_hours a where a.customer_id = b.customer_id)
        union all
        select p.customer_id, ${noSearches} from ${livePoints} p
        where not exists (select 1 from rollup_customer_hours a where a.customer_id = p.customer_id)
          and not exists (select 1 from ${liveBuys} b where b.customer_id = p.customer_id)) x
      left join ${liveBuys} lb on lb.customer_id = x.customer_id
      left join ${livePoints} lp on lp.customer_id = x.customer_id
      left join (${exceptions}) n on n.customer_id = x.customer_id
    )
    select ${each(periods, (_, i) => sql`count(*) filter (where ${sql.ref(`c.n_${i}`)} >= 1) as ${sql.ref(`customers_${i}`)},
      count(*) filter (where ${sql.ref(`c.n_${i}`)} >= 2) as ${sql.ref(`repeaters_${i}`)},
      count(*) filter (where ${sql.ref(`c.n_${i}`)} >= 1 and not ${sql.ref(`c.b_${i}`)}) as ${sql.ref(`new_customers_${i}`)},
      count(*) filter (where ${sql.ref(`c.n_${i}`)} >= 1 and ${sql.ref(`c.e_${i}`)}) as ${sql.ref(`retained_${i}`)},
      count(*) filter (where ${sql.ref(`c.e_${i}`)}) as ${sql.ref(`earlier_customers_${i}`)},
      count(*) filter (where ${sql.ref(`c.m_${i}`)}) as ${sql.ref(`active_members_${i}`)}`)}
    from c`;
}

/** One row: `members_i`, the members who had joined before period `i`'s end (`members`: SQL of `customer_id, created_at`). */
export function joinedMembers(members: RawBuilder<unknown>, periods: BuyerPeriod[]): RawBuilder<unknown> {
  return sql`select ${each(periods, (p, i) => sql`count(*) filter (where m.created_at < ${at(p.to)}) as ${sql.ref(`members_${i}`)}`)} from (${members}) m`;
}

export const rollupFacts = { covers: rollupCovers, receiptTotals, customerFigures, joinedMembers, hourBuckets, cohortFigures, cohortCellFigures };
export type RollupFacts = typeof rollupFacts;
