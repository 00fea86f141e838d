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

/** One row of the single grouped pass: which grouping it is (the others' columns null) and its figures. */
type Grouped = {
  set: 'total' | 'r' | 'f' | 'm' | 'rf' | 'group';
  r: number | null;
  f: number | null;
  m: number | null;
  group: string | null;
  customers: number;
  revenue: string;
  purchases: string;
  minRecency: string;
  maxRecency: string;
  minFrequency: string;
  maxFrequency: string;
  minMonetary: string;
  maxMonetary: string;
  avgRecency: string;
  avgFrequency: string;
};

/**
 * Every figure of the report but the transitions in one pass over the run's scores: the totals,
 * each score's customers and range, the R×F grid and the groups are grouping sets of one
 * statement (at 1 M customers, one read of the scores instead of six).
 */
async function groupedFigures(db: DbOrTx, runId: string): Promise<Grouped[]> {
  return (
    await sql<Grouped>`
      select case when grouping(r, f, m, rfm_group) = 15 then 'total' when grouping(r, f) = 0 then 'rf' when grouping(r) = 0 then 'r'
          when grouping(f) = 0 then 'f' when grouping(m) = 0 then 'm' else 'group' end as set,
        r, f, m, rfm_group as group, count(*)::int as customers, sum(monetary_minor)::bigint as revenue, sum(frequency)::bigint as purchases,
        min(recency_days)::bigint as min_recency, max(recency_days)::bigint as max_recency, min(frequency)::bigint as min_frequency,
        max(frequency)::bigint as max_frequency, min(monetary_minor)::bigint as min_monetary, max(monetary_minor)::bigint as max_monetary,
        round(avg(recency_days), 1) as avg_recency, round(avg(frequency), 2) as avg_frequency
      from rfm_scores where run_id = ${runId}
      group by grouping sets ((), (r), (f), (m), (r, f), (rfm_group))`.execute(db)
  ).rows;
}

function scoreRanges(rows: Grouped[]): RfmReport['scores'] {
  const of = (set: 'r' | 'f' | 'm', min: (row: Grouped) => string, max: (row: Grouped) => string) =>
    rows
      .filter((row) => row.set === set)
      .map((row) => ({ score: Number(row[set]), customers: row.customers, min: num(min(row)), max: num(max(row)) }))
      .sort((a, b) => a.score - b.score);
  return {
    recency: of('r', (row) => row.minRecency, (row) => row.maxRecency),
    frequency: of('f', (row) => row.minFrequency, (row) => row.maxFrequency),
    monetary: of('m', (row) => row.minMonetary, (row) => row.maxMonetary),
  };
}

function grid(rows: Grouped[]): GridCell[] {
  const found = new Map(rows.filter((row) => row.set === 'rf').map((row) => [`${row.r}${row.f}`, row]));
  // All 25 cells, an empty one with zeros: the grid is drawn whole.
  return rfmCells().map(({ recency, frequency, group }) => {
    const row = found.get(`${recency}${frequency}`);
    const purchases = num(row?.purchases ?? 0);
    const revenueMinor = num(row?.revenue ?? 0);
    return { recency, frequency, group, customers: row?.customers ?? 0, revenueMinor, purchases, averageCheckMinor: purchases > 0 ? Math.floor(revenueMinor / purchases) : null };
  });
}

function groups(rows: Grouped[], scored: number): GroupRow[] {
  const found = new Map(rows.filter((row) => row.set === 'group').map((row) => [row.group, row]));
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
      averageRecencyDays: row ? Number(row.avgRecency) : null,
      averageFrequency: row ? Number(row.avgFrequency) : null,
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
  const rows = await groupedFigures(db, runId);
  const total = rows.find((row) => row.set === 'total');
  const scored = total?.customers ?? 0;
  const active = (await sql<{ n: number }>`select count(*)::int as n from ${population}`.execute(db)).rows[0]!.n;
  return {
    customers: scored,
    notScored: Math.max(0, active - scored),
    revenueMinor: num(total?.revenue ?? 0),
    scores: scoreRanges(rows),
    grid: grid(rows),
    groups: groups(rows, scored),
    transitions: await transitions(db, runId, previousRunId),
  };
}
