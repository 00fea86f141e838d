import { sql, type RawBuilder } from 'kysely';
import type { Db } from './analytics.db.ts';
import { reportQuery } from './report-query.ts';
import type { Period } from './period.ts';
import type { AnalyticsSources } from './sources.ts';

/**
 * Acquisition cohorts: the customers whose first purchase ever fell in a month (or week) of the
 * period, followed period by period since: how many bought again in each (retention) and what
 * they spent, cumulated per customer of the cohort (the LTV curve). Period 0 is the month of
 * the first purchase, so its retention is 1. Periods run up to the one holding `now`.
 * `by` splits each cohort by where its customers first bought: store, channel, or the promotion
 * their first receipt got ('(none)' without one).
 */
export const cohortUnits = ['month', 'week'] as const;
export type CohortUnit = (typeof cohortUnits)[number];
export const cohortSplits = ['none', 'store', 'channel', 'promotion'] as const;
export type CohortSplit = (typeof cohortSplits)[number];

export type CohortPeriod = { index: number; customers: number; retention: number; revenueMinor: number; cumulativeRevenuePerCustomerMinor: number };
export type Cohort = { cohort: string; group: string | null; size: number; periods: CohortPeriod[] };
export type CohortReport = {
  unit: CohortUnit;
  by: CohortSplit;
  cohorts: Cohort[];
  /** Over every cohort that reached the period: customers weighted, the curve an analyst plots. */
  average: Array<{ index: number; cohorts: number; customers: number; retention: number; cumulativeRevenuePerCustomerMinor: number }>;
  /** The purchases of the hours before this instant came from the hourly rollups, the rest from raw rows; null: all from raw rows. */
  rolledUpTo: string | null;
};

function splitOf(by: CohortSplit): RawBuilder<string | null> {
  switch (by) {
    case 'none': return sql`null::text`;
    case 'store': return sql`fp.store_id`;
    case 'channel': return sql`fp.channel`;
    case 'promotion': return sql`coalesce(fp.promotion, '(none)')`;
  }
}

type Row = { cohort: string; grp: string | null; idx: number; customers: string; revenue: string };

type RolledRow = { cohort: string; grp: string | null; idx: number | null; customers: string | null; revenue: string | null; size: string | null };

/**
 * The cohorts' sizes and rows from the rollups (loyalty's rollup facts): the same figures as the
 * statements below, without reading and sorting a year of receipts.
 */
async function rolledFigures(db: Db, sources: AnalyticsSources, period: Period, unit: CohortUnit, by: CohortSplit, now: Date, closedUntil: Date) {
  const { facts } = sources.rollups;
  const window = { from: period.start, to: period.end, closedUntil };
  // The counts kept by day of first purchase when the zone's grid is kept; else every customer's row unpacked.
  const grid = await sources.rollups.cohortGrid(unit, period.timezone);
  const all = grid !== null
    ? await reportQuery(db, sql<RolledRow>`${facts.cohortCellFigures(grid, unit, period.timezone, by, window, now)}`)
    : await reportQuery(db, sql<RolledRow>`${facts.cohortFigures(unit, period.timezone, by, window, now, await bucketsOf(db, sources, unit, period, window))}`);
  const sizes = all.filter((row) => row.idx === null).map((row) => ({ cohort: row.cohort, grp: row.grp, size: row.size ?? '0' }));
  const rows: Row[] = all.flatMap((row) => (row.idx === null ? [] : [{ cohort: row.cohort, grp: row.grp, idx: row.idx, customers: row.customers ?? '0', revenue: row.revenue ?? '0' }]));
  return { sizes, rows };
}

async function bucketsOf(db: Db, sources: AnalyticsSources, unit: CohortUnit, period: Period, window: { from: Date; to: Date; closedUntil: Date }): Promise<number[]> {
  const [{ buckets }] = (await reportQuery(db, sources.rollups.facts.hourBuckets(unit, period.timezone, window))) as [{ buckets: number[] }];
  return buckets;
}

export async function cohortReport(db: Db, sources: AnalyticsSources, period: Period, unit: CohortUnit, by: CohortSplit, now: Date): Promise<CohortReport> {
  const tz = period.timezone;
  const closedUntil = await sources.rollups.forReport();
  const rolled = sources.rollups.facts.covers(closedUntil, period.start, period.end) && wholeHourZone(tz, period.start, now) ? closedUntil : null;
  const bucket = (column: RawBuilder<unknown>) => sql`date_trunc(${unit}, ${column} at time zone ${tz})`;
  const index = unit === 'month'
    ? sql`((extract(year from p.bucket) - extract(year from f.cohort)) * 12 + extract(month from p.bucket) - extract(month from f.cohort))::int`
    : sql`((p.bucket::date - f.cohort::date) / 7)::int`;
  // The raw statements: every first purchase and every purchase of the period, read and grouped.
  const rawFigures = async () => {
    const [sizes, rows] = await Promise.all([
      reportQuery(db, sql<{ cohort: string; grp: string | null; size: string }>`
        select to_char(${bucket(sql`fp.occurred_at`)}, 'YYYY-MM-DD') as cohort, ${splitOf(by)} as grp, count(*) as size
        from (${sources.till.firstPurchases(period.end)}) fp
        where fp.occurred_at >= ${period.start}::timestamptz
        group by 1, 2 order by 1, 2`),
      reportQuery(db, sql<Row>`
        with f as (
          select fp.customer_id, ${bucket(sql`fp.occurred_at`)} as cohort, ${splitOf(by)} as grp
          from (${sources.till.firstPurchases(period.end)}) fp where fp.occurred_at >= ${period.start}::timestamptz
        ), p as (
          select x.customer_id, ${bucket(sql`x.occurred_at`)} as bucket, x.net_minor from (${sources.purchases.receipts({ from: period.start, to: now })}) x
        )
        select to_char(f.cohort, 'YYYY-MM-DD') as cohort, f.grp, ${index} as idx, count(distinct p.customer_id) as customers, sum(p.net_minor) as revenue
        from f join p on p.customer_id = f.customer_id and p.bucket >= f.cohort
        group by 1, 2, 3`),
    ]);
    return { sizes, rows };
  };
  const [{ sizes, rows }, last] = await Promise.all([
    rolled ? rolledFigures(db, sources, period, unit, by, now, rolled) : rawFigures(),
    reportQuery(db, sql<{ bucket: string }>`select to_char(date_trunc(${unit}, ${now}::timestamptz at time zone ${tz}), 'YYYY-MM-DD') as bucket`),
  ]);
  const lastBucket = last[0]!.bucket;
  const found = new Map(rows.map((row) => [`${row.cohort}|${row.grp ?? ''}|${row.idx}`, row]));
  const cohorts: Cohort[] = sizes.map((s) => {
    const size = Number(s.size);
    const reached = periodsBetween(unit, s.cohort, lastBucket);
    let cumulative = 0;
    const periods: CohortPeriod[] = [];
    for (let i = 0; i <= reached; i++) {
      const row = found.get(`${s.cohort}|${s.grp ?? ''}|${i}`);
      const revenue = Number(row?.revenue ?? 0);
      cumulative += revenue;
      periods.push({ index: i, customers: Number(row?.customers ?? 0), retention: round4(Number(row?.customers ?? 0) / size), revenueMinor: revenue, cumulativeRevenuePerCustomerMinor: Math.round(cumulative / size) });
    }
    return { cohort: s.cohort, group: s.grp, size, periods };
  });
  return { unit, by, cohorts, average: averageCurve(cohorts), rolledUpTo: rolled ? rolled.toISOString() : null };
}

const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Whether the zone's clock is a whole number of hours from UTC from `from` to `to` (checked
 * every 12 hours: a zone changes its offset at most twice a year), so every hour of the rollups
 * falls in one bucket of the zone's days, weeks and months.
 */
function wholeHourZone(timezone: string, from: Date, to: Date): boolean {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, timeZoneName: 'longOffset' });
  for (let at = from.getTime(); ; at = Math.min(at + 12 * 3_600_000, to.getTime())) {
    const offset = format.formatToParts(new Date(at)).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
    if (!/^GMT([+-]\d{2}:00)?$/.test(offset)) return false;
    if (at >= to.getTime()) return true;
  }
}

/** Whole months or weeks from one bucket's date to another's (both 'YYYY-MM-DD' starts of a bucket). */
function periodsBetween(unit: CohortUnit, from: string, to: string): number {
  const a = new Date(`${from}T00:00:00Z`);
  const b = new Date(`${to}T00:00:00Z`);
  if (unit === 'month') return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
  return Math.round((b.getTime() - a.getTime()) / (7 * 86_400_000));
}

function averageCurve(cohorts: Cohort[]): CohortReport['average'] {
  const longest = Math.max(0, ...cohorts.map((c) => c.periods.length));
  const curve: CohortReport['average'] = [];
  for (let i = 0; i < longest; i++) {
    const reached = cohorts.filter((c) => c.periods.length > i);
    const size = reached.reduce((sum, c) => sum + c.size, 0);
    const active = reached.reduce((sum, c) => sum + c.periods[i]!.customers, 0);
    const cumulative = reached.reduce((sum, c) => sum + c.periods.slice(0, i + 1).reduce((s, p) => s + p.revenueMinor, 0), 0);
    curve.push({ index: i, cohorts: reached.length, customers: size, retention: size > 0 ? round4(active / size) : 0, cumulativeRevenuePerCustomerMinor: size > 0 ? Math.round(cumulative / size) : 0 });
  }
  return curve;
}
