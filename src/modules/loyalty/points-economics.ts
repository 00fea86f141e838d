import { sql, type RawBuilder } from 'kysely';
import { queryWithoutJit } from '../../platform/report-query.ts';
import type { DbOrTx } from './loyalty.db.ts';
import { hourOf, onHour } from './rollups.ts';

/**
 * The points side of the bonus system's economics, read from the ledger (the analytics module
 * prices it). Every figure is a sum of ledger entries, so the flows of a period add up to the
 * change of what is outstanding:
 *   outstanding(to) = outstanding(from) + issued + awarded + adjusted − reversed − redeemed + returned − expired
 * (a test holds the figures to that identity). Each statement reads the ledger's whole history or a
 * year of it, so it runs without JIT, as the analytics reports do (src/platform/report-query.ts).
 */
export type PointsFlows = {
  /** Earned on receipts (checkout and loaded history). */
  issued: number;
  /** Given by other modules: bonuses for actions, referrals, birthdays, lottery prizes. */
  awarded: number;
  /** Added (+) and taken (−) by hand, net. */
  adjusted: number;
  /** Earned points taken back by returns. */
  reversed: number;
  /** Spent at the till. */
  redeemedAtTill: number;
  /** Spent on rewards from the catalog. */
  redeemedOnRewards: number;
  /** Spent points given back by returns and cancelled reward orders. */
  returned: number;
  expired: number;
};

export type PointsEconomics = PointsFlows & {
  outstandingAtStart: number;
  outstandingAtEnd: number;
};

/** Outstanding points now, by the month their lots expire ('never' for lots without expiry), as of now. */
export type ExpiryMonth = { month: string; points: number };

export type Breakage = {
  /** Points of lots whose expiry date has passed (excluding points given back by returns). */
  settledPoints: number;
  /** Of those, how many expired unused. */
  settledExpired: number;
};

/** The flows as sums over rows `e` of `kind, at_till` and the two amounts: every change (`total`) and the available part alone. */
const flowColumnsOf = (total: RawBuilder<unknown>, available: RawBuilder<unknown>) => sql`
  coalesce(sum(${total}) filter (where e.kind = 'earn'), 0)::bigint as issued,
  coalesce(sum(${total}) filter (where e.kind = 'award'), 0)::bigint as awarded,
  coalesce(sum(${total}) filter (where e.kind = 'adjust'), 0)::bigint as adjusted,
  coalesce(-sum(${total}) filter (where e.kind = 'reverse_earn'), 0)::bigint as reversed,
  coalesce(-sum(${available}) filter (where e.kind = 'redeem' and at_till), 0)::bigint as redeemed_at_till,
  coalesce(-sum(${available}) filter (where e.kind = 'redeem' and not at_till), 0)::bigint as redeemed_on_rewards,
  coalesce(sum(${total}) filter (where e.kind = 'return_redeemed'), 0)::bigint as returned,
  coalesce(-sum(${total}) filter (where e.kind = 'expire'), 0)::bigint as expired`;
const flowColumns = flowColumnsOf(sql`e.available_delta + e.pending_delta`, sql`e.available_delta`);

/** Every ledger entry with `at_till`: a redemption at the till names its receipt; one for a reward names the reward order instead. */
export const ledgerEntries = sql`(select e.*, (e.kind = 'redeem' and exists (select 1 from receipts r where r.id = e.receipt_id))::boolean as at_till from point_entries e)`;
const entries = ledgerEntries;

type FlowRow = { issued: string; awarded: string; adjusted: string; reversed: string; redeemedAtTill: string; redeemedOnRewards: string; returned: string; expired: string };

const flowsOf = (row: FlowRow): PointsFlows => ({
  issued: Number(row.issued),
  awarded: Number(row.awarded),
  adjusted: Number(row.adjusted),
  reversed: Number(row.reversed),
  redeemedAtTill: Number(row.redeemedAtTill),
  redeemedOnRewards: Number(row.redeemedOnRewards),
  returned: Number(row.returned),
  expired: Number(row.expired),
});

/**
 * The flows of [from, to) and what was outstanding at both ends, in one statement: from the hourly
 * rollups (rollups.ts) for the hours before `closedUntil` (rollupsForReport) and the entries since, when both ends fall on an hour;
 * else from the entries alone (outstanding sums the whole history before each end).
 */
export async function pointsEconomics(db: DbOrTx, from: Date, to: Date, closedUntil: Date | null = null): Promise<PointsEconomics> {
  if (closedUntil && onHour(from) && onHour(to)) {
    const live = sql`(select e.kind, e.at_till, e.available_delta + e.pending_delta as total, e.available_delta as available, e.occurred_at
      from ${entries} e where e.occurred_at >= ${closedUntil}::timestamptz and e.occurred_at < ${to}::timestamptz)`;
    const rolled = sql`(select h.kind, h.at_till, h.points as total, h.available, h.hour from rollup_point_hours h where h.hour < ${hourOf(to)})`;
    const rows = await queryWithoutJit(db, sql<FlowRow & { outstandingAtStart: string; outstandingAtEnd: string }>`
      with live as ${live}, rolled as ${rolled}
      select ${flowColumnsOf(sql`e.total`, sql`e.available`)},
        ((select coalesce(sum(x.total), 0) from rolled x where x.hour < ${hourOf(from)})
          + (select coalesce(sum(x.total), 0) from live x where x.occurred_at < ${from}::timestamptz))::bigint as outstanding_at_start,
        ((select coalesce(sum(x.total), 0) from rolled x) + (select coalesce(sum(x.total), 0) from live x))::bigint as outstanding_at_end
      from (select x.kind, x.at_till, x.total, x.available from rolled x where x.hour >= ${hourOf(from)}
        union all select x.kind, x.at_till, x.total, x.available from live x where x.occurred_at >= ${from}::timestamptz) e`);
    const row = rows[0]!;
    return { ...flowsOf(row), outstandingAtStart: Number(row.outstandingAtStart), outstandingAtEnd: Number(row.outstandingAtEnd) };
  }
  const rows = await queryWithoutJit(db, sql<FlowRow & { outstandingAtStart: string; outstandingAtEnd: string }>`
    select ${flowColumns},
      (select coalesce(sum(x.available_delta + x.pending_delta), 0) from point_entries x where x.occurred_at < ${from}::timestamptz)::bigint as outstanding_at_start,
      (select coalesce(sum(x.available_delta + x.pending_delta), 0) from point_entries x where x.occurred_at < ${to}::timestamptz)::bigint as outstanding_at_end
    from ${entries} e
    where e.occurred_at >= ${from}::timestamptz and e.occurred_at < ${to}::timestamptz`);
  const row = rows[0]!;
  return { ...flowsOf(row), outstandingAtStart: Number(row.outstandingAtStart), outstandingAtEnd: Number(row.outstandingAtEnd) };
}

/** The flows by period (`day`, `week` or `month` as the zone's clock shows it) of [from, to): one row per period with any entry. */
export async function pointsFlowsBy(db: DbOrTx, from: Date, to: Date, period: 'day' | 'week' | 'month', timezone: string): Promise<Array<PointsFlows & { period: string }>> {
  const rows = await queryWithoutJit(db, sql<FlowRow & { period: string }>`
    select to_char(date_trunc(${period}, e.occurred_at at time zone ${timezone}), 'YYYY-MM-DD') as period, ${flowColumns}
    from ${entries} e
    where e.occurred_at >= ${from}::timestamptz and e.occurred_at < ${to}::timestamptz
    group by 1 order by 1`);
  return rows.map((row) => ({ period: row.period, ...flowsOf(row) }));
}

/**
 * What is outstanding now by expiry month (pending lots included: they will be spendable).
 * The months after this one come from the kept sums (migration 0053: a trigger on the lots
 * appends each statement's net change a customer and month, the live fold folds them into the
 * totals), read with the changes not folded yet in the same statement, so every committed change
 * counts once. This month is summed from its lots over the covering index of outstanding lots
 * (expiry date, remaining): of its lots only those expiring after `now` count, whether or not the
 * expiry job has reached the others. Summing every month that way read 6.3 M index entries at
 * 1 M customers (1.5–2.2 s).
 */
export async function outstandingByExpiryMonth(db: DbOrTx, now: Date): Promise<ExpiryMonth[]> {
  const thisMonth = now.toISOString().slice(0, 7);
  const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const rows = await queryWithoutJit(db, sql<{ month: string; points: string | null }>`
    select k.month, sum(k.points)::bigint as points
    from (select month, points from points_outstanding_by_expiry union all select month, points from points_outstanding_changes) k
    where k.month > ${thisMonth}
    group by k.month having sum(k.points) <> 0
    union all
    select ${thisMonth}, (select sum(l.remaining) from point_lots l where l.remaining > 0 and l.expired_at is null
      and l.expires_at > ${now}::timestamptz and l.expires_at < ${nextMonth}::timestamptz)::bigint`);
  // 'YYYY-MM' sorts by time, and 'never' after every month.
  return rows
    .flatMap((row) => (row.points === null ? [] : [{ month: row.month, points: Number(row.points) }]))
    .sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
}

/**
 * Moves the changes of outstanding points appended since the last fold into the kept totals, in
 * one statement (its delete sees exactly the changes its insert adds), and drops the months
 * nothing is left in. Returns how many changes it folded. Run by the live fold job; a reader
 * sums the totals and the changes alike, so how often this runs changes only the reader's work.
 */
export async function foldOutstandingChanges(db: DbOrTx): Promise<number> {
  const folded = await sql<{ changes: string }>`
    with gone as (delete from points_outstanding_changes returning month, points),
    summed as (select month, sum(points) as points, count(*) as changes from gone group by month),
    kept as (
      insert into points_outstanding_by_expiry as t (month, points) select month, points from summed
      on conflict (month) do update set points = t.points + excluded.points
    )
    select coalesce(sum(changes), 0)::bigint as changes from summed`.execute(db);
  await sql`delete from points_outstanding_by_expiry where points = 0`.execute(db);
  return Number(folded.rows[0]!.changes);
}

/**
 * The history breakage is estimated from: lots whose expiry date has passed have met their fate,
 * so the share of their points that expired is the program's breakage so far. Lots re-created
 * for points a return gave back are left out (they are the same points issued once). What is
 * outstanding with an expiry date is the by-month read's (outstandingByExpiryMonth), not read twice.
 */
export async function breakageHistory(db: DbOrTx, now: Date): Promise<Breakage> {
  const rows = await queryWithoutJit(db, sql<{ settledPoints: string; settledExpired: string }>`
    select
      (select coalesce(sum(l.points), 0) from point_lots l where l.source <> 'return' and l.expires_at <= ${now}::timestamptz)::bigint as settled_points,
      (select coalesce(-sum(e.available_delta + e.pending_delta), 0) from point_entries e
        join point_lots l on l.customer_id = e.customer_id and l.id = e.lot_id
        where e.kind = 'expire' and l.source <> 'return' and l.expires_at <= ${now}::timestamptz)::bigint as settled_expired`);
  const row = rows[0]!;
  return { settledPoints: Number(row.settledPoints), settledExpired: Number(row.settledExpired) };
}

/** The ledger facts the analytics module prices (loyalty's service hands them out with its database). */
export function pointsLedgerFacts(db: DbOrTx, programSettings: () => Promise<{ pointValueMinor: number; currency: string }>) {
  return {
    economics: (from: Date, to: Date, closedUntil: Date | null = null) => pointsEconomics(db, from, to, closedUntil),
    flowsBy: (from: Date, to: Date, period: 'day' | 'week' | 'month', timezone: string) => pointsFlowsBy(db, from, to, period, timezone),
    byExpiryMonth: (now: Date) => outstandingByExpiryMonth(db, now),
    breakage: (now: Date) => breakageHistory(db, now),
    program: programSettings,
  };
}
export type PointsLedgerFacts = ReturnType<typeof pointsLedgerFacts>;
