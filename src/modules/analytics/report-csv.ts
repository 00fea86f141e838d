import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import type { CohortReport } from './cohorts.ts';
import type { EconomicsReport } from './economics.ts';
import type { FunnelReport } from './funnels.ts';
import { kpiColumns, type GroupKey, type KpiReport, type Kpis } from './kpis.ts';

/** Reports as CSV: one table each, the header first, column names in snake case as a spreadsheet reads them. */
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const cell = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'string' ? neutraliseCell(value) : String(value));

const groupColumns: Array<keyof GroupKey> = ['store', 'register', 'channel', 'tier', 'segment', 'cluster', 'period'];

export function kpiCsv(report: Pick<KpiReport, 'groupBy' | 'overall' | 'rows'>): string {
  const rows = report.groupBy === 'none' ? [report.overall] : report.rows;
  const groups = groupColumns.filter((key) => rows.some((row) => key in row.group));
  const compared = (['previous', 'yearEarlier'] as const).filter((key) => rows.some((row) => row[key] !== undefined));
  const header = [...groups, ...kpiColumns.map(snake), ...compared.flatMap((c) => kpiColumns.map((k) => `${snake(c)}_${snake(k)}`))];
  const values = (k: Kpis | null | undefined) => kpiColumns.map((key) => cell(k?.[key]));
  return stringify([header, ...rows.map((row) => [...groups.map((g) => cell(row.group[g])), ...values(row.current), ...compared.flatMap((c) => values(row[c]))])]);
}

export function cohortCsv(report: CohortReport): string {
  return stringify([
    ['cohort', 'group', 'size', 'index', 'customers', 'retention', 'revenue_minor', 'cumulative_revenue_per_customer_minor'],
    ...report.cohorts.flatMap((c) => c.periods.map((p) => [c.cohort, cell(c.group), c.size, p.index, p.customers, p.retention, p.revenueMinor, p.cumulativeRevenuePerCustomerMinor])),
  ]);
}

export function funnelCsv(report: FunnelReport): string {
  const groups = [report.overall, ...report.groups];
  return stringify([
    ['group', 'position', 'step', 'customers', 'conversion_from_previous', 'conversion_from_first', 'median_hours_from_previous'],
    ...groups.flatMap((g, gi) => g.steps.map((s, i) => [gi === 0 ? '(all)' : cell(g.group ?? 'unknown'), i + 1, s.step, s.customers, cell(s.conversionFromPrevious), cell(s.conversionFromFirst), cell(s.medianHoursFromPrevious)])),
  ]);
}

/** Economics as one row of figures (name, value), and the series below when asked. */
export function economicsCsv(report: EconomicsReport): string {
  const figures: Array<[string, unknown]> = [
    ['currency', report.currency], ['point_value_minor', report.pointValueMinor],
    ...Object.entries(report.points).map(([k, v]): [string, unknown] => [`points_${snake(k)}`, v]),
    ...Object.entries(report.liability).map(([k, v]): [string, unknown] => [`liability_${snake(k)}`, v]),
    ...Object.entries(report.breakage).map(([k, v]): [string, unknown] => [`breakage_${snake(k)}`, v]),
    ...Object.entries(report.revenue).map(([k, v]): [string, unknown] => [`revenue_${snake(k)}`, v]),
    ...Object.entries(report.cost).map(([k, v]): [string, unknown] => [`cost_${snake(k)}`, v]),
    ...report.liabilityByExpiryMonth.months.map((m): [string, unknown] => [`liability_expiring_${m.month}_minor`, m.valueMinor]),
    ...roiFigures(report),
  ];
  return stringify([['figure', 'value'], ...figures.map(([k, v]) => [k, cell(v)])]);
}

/** ROI as figures: the measured ROI and its parts, or its reason when there is none. */
function roiFigures({ roi, roiReason }: EconomicsReport): Array<[string, unknown]> {
  if (!roi) return [['roi', null], ['roi_reason', roiReason]];
  return [
    ['roi', roi.value], ['roi_ci_lower', roi.ci?.lower], ['roi_ci_upper', roi.ci?.upper],
    ['roi_incremental_revenue_minor', roi.incrementalRevenueMinor], ['roi_incremental_revenue_ci_lower_minor', roi.incrementalRevenueCi?.lowerMinor],
    ['roi_incremental_revenue_ci_upper_minor', roi.incrementalRevenueCi?.upperMinor], ['roi_cost_minor', roi.costMinor], ['roi_cost_basis', roi.costBasis],
    ['roi_attributed_rewards_minor', roi.attributedRewardsMinor], ['roi_return_on_attributed_rewards', roi.returnOnAttributedRewards],
    ['roi_complete', roi.complete], ['roi_experiments', roi.experiments.length],
  ];
}
