import { sql, type RawBuilder } from 'kysely';
import { rfmCells, rfmGroupMapping, rfmGroups, type RfmGroup } from './rfm-groups.ts';
import type { DbOrTx } from './segments.db.ts';

/**
 * The report a run writes when it completes (GET /v1/analytics/rfm answers it as stored): read
 * once from the run's scores with a few grouped statements, so reading it costs nothing however
 * many customers were scored. Average checks are whole minor units (revenue ÷ purchases, rounded
 * down); shares are fractions of the scored customers.
 */
export type ScoreRange = { score: number; customers: number; min: number; max: number };
export type GridCell = { recency: number; frequency: number; group: RfmGroup; customers: number; revenueMinor: number; purchases: number; averageCheckMinor: number | null };
export type GroupRow = {
  group: RfmGroup;
  meaning: string;
  cells: Array<[number, number]>;
  customers: number;
  share: number;
  revenueMinor: number;
  averageCheckMinor: number | null;
  averageRecencyDays: number | null;
  averageFrequency: number | null;
};
export type Transition = { from: RfmGroup | null; to: RfmGroup | null; customers: number };
export type RfmReport = {
  customers: number;
  notScored: number;
  revenueMinor: number;
  scores: { recency: ScoreRange[]; frequency: ScoreRange[]; monetary: ScoreRange[] };
  grid: GridCell[];
  groups: GroupRow[];
  /** Against the run current before this one (null for the first run): who moved from which group to which; null is "not scored". */
  transitions: { previousRunId: string | null; moves: Transition[] } ;
};

const num = (value: string | number | null): number => Number(value ?? 0);

async function scoreRanges(db: DbOrTx, runId: string): Promise<RfmReport['scores']> {
  const rows = (
    await sql<{ kind: 'recency' | 'frequency' | 'monetary'; score: number; customers: number; min: string; max: string }>`
      select 'recency' as kind, r as score, count(*)::int as customers, min(recency_days)::bigint as min, max(recency_days)::bigint as max from rfm_scores where run_id = ${runId} group by r
      union all select 'frequency', f, count(*)::int, min(frequency)::bigint, max(frequency)::bigint from rfm_scores where run_id = ${runId} group by f
      union all select 'monetary', m, count(*)::int, min(monetary_minor)::bigint, max(monetary_minor)::bigint from rfm_scores where run_id = ${runId} group by m`.execute(db)
  ).rows;
  const of = (kind: 'recency' | 'frequency' | 'monetary') =>
    rows.filter((row) => row.kind === kind).map((row) => ({ score: row.score, customers: row.customers, min: num(row.min), max: num(row.max) })).sort((a, b) => a.score - b.score);
  return { recency: of('recency'), frequency: of('frequency'), monetary: of('monetary') };
}

async function grid(db: DbOrTx, runId: string): Promise<GridCell[]> {
  const rows = (
    await sql<{ r: number; f: number; customers: number; revenue: string; purchases: string }>`
      select r, f, count(*)::int as customers, sum(monetary_minor)::bigint as revenue, sum(frequency)::bigint as purchases
      from rfm_scores where run_id = ${runId} group by r, f`.execute(db)
  ).rows;
  const found = new Map(rows.map((row) => [`${row.r}${row.f}`, row]));
  // All 25 cells, an empty one with zeros: the grid is drawn whole.
  return rfmCells().map(({ recency, frequency, group }) => {
    const row = found.get(`${recency}${frequency}`);
    const purchases = num(row?.purchases ?? 0);
    const revenueMinor = num(row?.revenue ?? 0);
    return { recency, frequency, group, customers: row?.customers ?? 0, revenueMinor, purchases, averageCheckMinor: purchases > 0 ? Math.floor(revenueMinor / purchases) : null };
  });
}

async function groups(db: DbOrTx, runId: string, scored: number): Promise<GroupRow[]> {
  const rows = (
    await sql<{ group: string; customers: number; revenue: string; purchases: string; recency: string; frequency: string }>`
      select rfm_group as group, count(*)::int as customers, sum(monetary_minor)::bigint as revenue, sum(frequency)::bigint as purchases,
        round(avg(recency_days), 1) as recency, round(avg(frequency), 2) as frequency
      from rfm_scores where run_id = ${runId} group by rfm_group`.execute(db)
  ).rows;
  const found = new Map(rows.map((row) => [row.group, row]));
  return rfmGroupMapping().map(({ group, meaning, cells }) => {
    const row = found.get(group);
    const purchases = num(row?.purchases ?? 0);
    const revenueMinor = num(row?.revenue ?? 0);
    return {
      group,
      meaning,
      cells,
      customers: row?.customers ?? 0,
      share: scored > 0 ? Math.round(((row?.customers ?? 0) / scored) * 10_000) / 10_000 : 0,
      revenueMinor,
      averageCheckMinor: purchases > 0 ? Math.floor(revenueMinor / purchases) : null,
      averageRecencyDays: row ? Number(row.recency) : null,
      averageFrequency: row ? Number(row.frequency) : null,
    };
  });
}

async function transitions(db: DbOrTx, runId: string, previousRunId: string | null): Promise<RfmReport['transitions']> {
  if (previousRunId === null) return { previousRunId, moves: [] };
  const rows = (
    await sql<{ from: RfmGroup | null; to: RfmGroup | null; customers: number }>`
      select p.rfm_group as from, n.rfm_group as to, count(*)::int as customers
      from (select customer_id, rfm_group from rfm_scores where run_id = ${previousRunId}) p
      full join (select customer_id, rfm_group from rfm_scores where run_id = ${runId}) n on n.customer_id = p.customer_id
      group by 1, 2`.execute(db)
  ).rows;
  const order = (group: RfmGroup | null) => (group === null ? rfmGroups.length : rfmGroups.indexOf(group));
  return { previousRunId, moves: rows.sort((a, b) => order(a.from) - order(b.from) || order(a.to) - order(b.to)) };
}

/** The whole report of a scored run; `population` counts the active customers (those not scored bought nothing in the window). */
export async function buildReport(db: DbOrTx, runId: string, previousRunId: string | null, population: RawBuilder<unknown>): Promise<RfmReport> {
  const totals = (await sql<{ scored: number; revenue: string }>`select count(*)::int as scored, coalesce(sum(monetary_minor), 0)::bigint as revenue from rfm_scores where run_id = ${runId}`.execute(db)).rows[0]!;
  const active = (await sql<{ n: number }>`select count(*)::int as n from ${population}`.execute(db)).rows[0]!.n;
  return {
    customers: totals.scored,
    notScored: Math.max(0, active - totals.scored),
    revenueMinor: num(totals.revenue),
    scores: await scoreRanges(db, runId),
    grid: await grid(db, runId),
    groups: await groups(db, runId, totals.scored),
    transitions: await transitions(db, runId, previousRunId),
  };
}
