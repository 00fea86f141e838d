import type { Clock } from '../../platform/clock.ts';
import type { Db } from './analytics.db.ts';
import { analyticsError } from './analytics.errors.ts';
import type { Ids } from './analytics.ids.ts';
import { cohortReport, type CohortSplit, type CohortUnit } from './cohorts.ts';
import { economicsReport } from './economics.ts';
import { DEFAULT_STEPS, funnelReport, parseSteps, type FunnelSplit } from './funnels.ts';
import { kpiReport, type Compare, type KpiFilters, type KpiGrouping } from './kpis.ts';
import { parsePeriod, periodView } from './period.ts';
import type { AnalyticsSources, UpliftSource } from './sources.ts';
import { createAlerts } from './alerts.ts';
import type { ReportKind } from './analytics.tables.ts';
import { cohortCsv, economicsCsv, funnelCsv, kpiCsv } from './report-csv.ts';
import { createScheduledReports } from './scheduled-reports.ts';

export { analyticsModule } from './analytics.module.ts';
export { analyticsRoutes } from './analytics.routes.ts';
export type { AnalyticsSources, UpliftExperiment, UpliftSource } from './sources.ts';

export type AnalyticsDeps = { db: Db; clock: Clock; ids: Ids; sources: AnalyticsSources; log?: { error(obj: object, msg: string): void } };

type PeriodAsk = { from?: string; to?: string; timezone?: string };
export type KpiAsk = PeriodAsk & { groupBy?: KpiGrouping; compare?: string; store?: string; channel?: 'offline' | 'online'; segment?: string };
export type CohortAsk = PeriodAsk & { unit?: CohortUnit; by?: CohortSplit };
export type FunnelAsk = PeriodAsk & { steps?: string; by?: FunnelSplit; withinDays?: number };
export type EconomicsAsk = PeriodAsk & { series?: 'day' | 'week' | 'month' };

function parseCompare(text: string | undefined): Compare[] {
  if (text === undefined || text === '' || text === 'none') return [];
  const parts = text.split(',').map((part) => part.trim());
  const wrong = parts.find((part) => part !== 'previous' && part !== 'year');
  if (wrong !== undefined) {
    throw analyticsError('analytics.invalid_query', `compare: ${JSON.stringify(wrong.slice(0, 40))} is not a period to compare with; use previous, year or previous,year`, [
      { field: 'compare', reason: 'must be previous, year or previous,year' },
    ]);
  }
  return [...new Set(parts)] as Compare[];
}

/** The analytics module's public face: the reports, each as JSON-ready data. */
export function createAnalytics(deps: AnalyticsDeps) {
  const { db, clock, sources } = deps;
  // Registered after creation (buildApp): messaging measures what its experiments added to revenue.
  const uplift: UpliftSource[] = [];
  /** A store or segment filter that names nothing would answer zeros an analyst may believe: refused in words. */
  async function checkFilters(ask: { store?: string; segment?: string }): Promise<void> {
    const problems: Array<{ field: string; reason: string }> = [];
    if (ask.store && !(await sources.known.store(ask.store))) problems.push({ field: 'store', reason: `there is no store ${ask.store}; GET /v1/stores lists them` });
    if (ask.segment && !(await sources.known.segment(ask.segment))) problems.push({ field: 'segment', reason: `there is no segment ${ask.segment}; GET /v1/segments lists them` });
    if (problems.length > 0) throw analyticsError('analytics.invalid_query', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  }
  const reports = {
    async kpis(ask: KpiAsk) {
      const asOf = clock.now();
      const period = parsePeriod(ask, asOf);
      await checkFilters(ask);
      const filters: KpiFilters = {};
      if (ask.store) filters.store = ask.store;
      if (ask.channel) filters.channel = ask.channel;
      if (ask.segment) filters.segment = ask.segment;
      const report = await kpiReport(db, sources, period, ask.groupBy ?? 'none', parseCompare(ask.compare), filters);
      const compared: { previous?: ReturnType<typeof periodView>; yearEarlier?: ReturnType<typeof periodView> } = {};
      if (report.compared.previous) compared.previous = periodView(report.compared.previous);
      if (report.compared.yearEarlier) compared.yearEarlier = periodView(report.compared.yearEarlier);
      return { period: periodView(period), asOf: asOf.toISOString(), ...report, compared };
    },
    async cohorts(ask: CohortAsk) {
      const asOf = clock.now();
      const period = parsePeriod(ask, asOf);
      return { period: periodView(period), asOf: asOf.toISOString(), ...(await cohortReport(db, sources, period, ask.unit ?? 'month', ask.by ?? 'none', asOf)) };
    },
    async funnels(ask: FunnelAsk) {
      const period = parsePeriod(ask, clock.now());
      const steps = parseSteps(ask.steps ?? DEFAULT_STEPS);
      return { period: periodView(period), ...(await funnelReport(db, sources, period, steps, ask.by ?? 'none', ask.withinDays ?? null, clock.now())) };
    },
    async economics(ask: EconomicsAsk) {
      const asOf = clock.now();
      const period = parsePeriod(ask, asOf);
      return { period: periodView(period), asOf: asOf.toISOString(), ...(await economicsReport(db, sources, period, asOf, ask.series, uplift)) };
    },
  };
  // A scheduled report runs the same report as its route, with the query checked the same way.
  const scheduled = createScheduledReports({
    ...deps,
    async run(kind: ReportKind, query: Record<string, string | number>) {
      switch (kind) {
        case 'kpis': { const r = await reports.kpis(query as KpiAsk); return { result: r, csv: kpiCsv(r) }; }
        case 'cohorts': { const r = await reports.cohorts(query as CohortAsk); return { result: r, csv: cohortCsv(r) }; }
        case 'funnels': { const r = await reports.funnels(query as FunnelAsk); return { result: r, csv: funnelCsv(r) }; }
        case 'economics': { const r = await reports.economics(query as EconomicsAsk); return { result: r, csv: economicsCsv(r) }; }
      }
    },
    async semantic(kind: ReportKind, query: Record<string, string | number>) {
      if (kind === 'kpis') parseCompare(query.compare === undefined ? undefined : String(query.compare));
      if (kind === 'funnels' && query.steps !== undefined) parseSteps(String(query.steps));
      if (kind === 'kpis') await checkFilters(query as KpiAsk);
    },
  });
  return {
    ...reports,
    /** Where economics' ROI finds incremental revenue measured against control groups (buildApp pushes messaging's). */
    uplift,
    /** Reports on a schedule, each run kept as JSON and CSV (scheduled-reports.ts). */
    scheduled,
    /** Anomaly rules on daily key figures and the alerts they fired (alerts.ts). */
    alerts: createAlerts(deps),
  };
}

export type Analytics = ReturnType<typeof createAnalytics>;
