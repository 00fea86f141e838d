import type { Selectable } from 'kysely';
import type { TSchema } from 'typebox';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { makeAjv } from '../../platform/http.ts';
import { describeAjvErrors } from '../../platform/validation-messages.ts';
import { localTime } from '../../platform/local-time.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { Db } from './analytics.db.ts';
import { CSV_IN_EVENT_MAX, emitEvents } from './analytics.events.ts';
import { analyticsError } from './analytics.errors.ts';
import type { Ids } from './analytics.ids.ts';
import { CohortQuery, EconomicsQuery, FunnelQuery, KpiQuery } from './analytics.schemas.ts';
import type { AnalyticsReportRunsTable, AnalyticsReportsTable, ReportKind, ReportSchedule } from './analytics.tables.ts';
import { checkTimezone, startOfDay } from './period.ts';
import { checkRecipients } from './recipients.ts';

/**
 * Scheduled reports: any of the analytics reports with its query, run when its period has
 * ended — a daily one covers yesterday, a weekly one last Monday to Sunday, a monthly one last
 * month, as the report's zone counts days — and kept as JSON and CSV to download. Runs are
 * claimed by moving `next_run_at` on in one guarded UPDATE, so two instances never run one
 * twice, and a period is stored once (a unique index). After a stop, the next check runs the
 * latest period that ended and carries on from there: a report is about the period just past,
 * so missed ones are not made up.
 *
 * A scheduled run is delivered: it is written with a `report.completed` (or `report.failed`)
 * event in one transaction, which webhooks subscribed to it POST with the CSV, and messaging
 * e-mails to the report's `recipients` with the CSV attached. A run on request is not delivered:
 * it is someone looking, not the schedule.
 */
export type ReportInput = { name: string; kind: ReportKind; query?: Record<string, string | number>; schedule: ReportSchedule; timezone?: string; recipients?: string[]; active?: boolean };
/** A report's newest run, without its answer: what a list of reports shows beside each. */
export type LastRunView = { id: string; from: string; to: string; trigger: 'schedule' | 'request'; status: 'completed' | 'failed'; createdAt: string };
export type ReportView = { id: string; name: string; kind: ReportKind; query: Record<string, string | number>; schedule: ReportSchedule; timezone: string; recipients: string[]; active: boolean; nextRunAt: string; lastRun: LastRunView | null; createdAt: string; updatedAt: string };
export type ReportRunView = { id: string; reportId: string; from: string; to: string; trigger: 'schedule' | 'request'; status: 'completed' | 'failed'; failure: string | null; createdAt: string; result?: unknown };
export type ReportRunner = (kind: ReportKind, query: Record<string, string | number>) => Promise<{ result: unknown; csv: string }>;

const DAY = 86_400_000;
const querySchemas: Record<ReportKind, TSchema> = { kpis: KpiQuery, cohorts: CohortQuery, funnels: FunnelQuery, economics: EconomicsQuery };
const ajv = makeAjv(true);
const validators = Object.fromEntries(Object.entries(querySchemas).map(([kind, schema]) => [kind, ajv.compile(schema)])) as Record<ReportKind, ReturnType<typeof ajv.compile>>;
const setBySchedule = ['from', 'to', 'timezone', 'format'];

/** The query as the report's route would take it, less what the schedule sets; problems in words. */
export async function checkReportQuery(kind: ReportKind, query: Record<string, string | number>, semantic: (kind: ReportKind, query: Record<string, string | number>) => Promise<void>): Promise<Record<string, string | number>> {
  const set = Object.keys(query).filter((key) => setBySchedule.includes(key));
  if (set.length > 0) {
    throw analyticsError('analytics.invalid_report', `query: ${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set by the schedule and the report's timezone; leave ${set.length > 1 ? 'them' : 'it'} out`, set.map((field) => ({ field: `query.${field}`, reason: 'set by the schedule' })));
  }
  const copy = { ...query };
  const validate = validators[kind];
  if (!validate(copy)) {
    const problems = describeAjvErrors(validate.errors ?? [], undefined).map((p) => ({ field: `query.${p.field}`, reason: p.reason }));
    throw analyticsError('analytics.invalid_report', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  }
  await semantic(kind, copy);
  return query;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dateMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** The period that ends where `today` (a local date) starts: yesterday, last week (Monday–Sunday) or last month. */
export function lastPeriod(schedule: ReportSchedule, today: string): { from: string; to: string } {
  const t = dateMs(today);
  if (schedule === 'daily') return { from: isoDay(t - DAY), to: isoDay(t - DAY) };
  if (schedule === 'weekly') {
    const monday = t - ((new Date(t).getUTCDay() + 6) % 7) * DAY;
    return { from: isoDay(monday - 7 * DAY), to: isoDay(monday - DAY) };
  }
  const d = new Date(t);
  return { from: isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)), to: isoDay(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 0)) };
}

/** When the period holding `now` ends in the zone: the next local midnight, Monday or first of the month. */
export function nextBoundary(schedule: ReportSchedule, now: Date, timezone: string): Date {
  const today = dateMs(localTime(now, timezone).date);
  const d = new Date(today);
  const next = schedule === 'daily' ? today + DAY
    : schedule === 'weekly' ? today + (7 - ((d.getUTCDay() + 6) % 7)) * DAY
      : Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return startOfDay(next, timezone);
}

/** What a scheduled run's event carries: enough for a webhook or an e-mail without reading the run again. */
function deliveryEvent(report: Selectable<AnalyticsReportsTable>, run: Selectable<AnalyticsReportRunsTable>) {
  const about = { reportId: report.id, runId: run.id, name: report.name, kind: report.kind, from: run.periodFrom, to: run.periodTo, timezone: report.timezone, recipients: report.recipients };
  if (run.status === 'failed') return { type: 'report.failed' as const, customerId: null, payload: { ...about, failure: run.failure } };
  const fits = run.csv !== null && run.csv.length <= CSV_IN_EVENT_MAX;
  return { type: 'report.completed' as const, customerId: null, payload: { ...about, csv: fits ? run.csv : null, csvOmitted: !fits } };
}

const reportView = (row: Selectable<AnalyticsReportsTable>, lastRun: LastRunView | null): ReportView => ({
  id: row.id, name: row.name, kind: row.kind, query: row.query, schedule: row.schedule, timezone: row.timezone, recipients: row.recipients, active: row.active,
  nextRunAt: row.nextRunAt.toISOString(), lastRun, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
});
const runView = (row: Selectable<AnalyticsReportRunsTable>, withResult: boolean): ReportRunView => ({
  id: row.id, reportId: row.reportId, from: row.periodFrom, to: row.periodTo, trigger: row.trigger, status: row.status, failure: row.failure, createdAt: row.createdAt.toISOString(),
  ...(withResult ? { result: row.result } : {}),
});

export function createScheduledReports(deps: { db: Db; clock: Clock; ids: Ids; run: ReportRunner; semantic: (kind: ReportKind, query: Record<string, string | number>) => Promise<void>; log?: { error(obj: object, msg: string): void } }) {
  const { db, clock, ids } = deps;

  /** The newest run of each report, in one read (the runs' index is by report and id, newest first). */
  async function lastRuns(reportIds: string[]): Promise<Map<string, LastRunView>> {
    if (reportIds.length === 0) return new Map();
    const rows = await db
      .selectFrom('analyticsReportRuns')
      .distinctOn('reportId')
      .select(['id', 'reportId', 'periodFrom', 'periodTo', 'trigger', 'status', 'createdAt'])
      .where('reportId', 'in', reportIds)
      .orderBy('reportId')
      .orderBy('id', 'desc')
      .execute();
    return new Map(rows.map((row) => [row.reportId, { id: row.id, from: row.periodFrom, to: row.periodTo, trigger: row.trigger, status: row.status, createdAt: row.createdAt.toISOString() }]));
  }
  const withLastRun = async (row: Selectable<AnalyticsReportsTable>) => reportView(row, (await lastRuns([row.id])).get(row.id) ?? null);

  async function load(id: string) {
    const row = await db.selectFrom('analyticsReports').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw analyticsError('analytics.report_not_found', `No scheduled report ${id}; GET /v1/reports lists them`);
    return row;
  }

  /** Runs the report over one period and stores what it answered (or why it failed); a scheduled period already stored is left as it is. */
  async function runPeriod(report: Selectable<AnalyticsReportsTable>, period: { from: string; to: string }, trigger: 'schedule' | 'request') {
    let outcome: { status: 'completed' | 'failed'; result: string | null; csv: string | null; failure: string | null };
    try {
      const answer = await deps.run(report.kind, { ...report.query, from: period.from, to: period.to, timezone: report.timezone });
      outcome = { status: 'completed', result: JSON.stringify(answer.result), csv: answer.csv, failure: null };
    } catch (error) {
      deps.log?.error({ err: error, reportId: report.id }, 'scheduled report failed');
      outcome = { status: 'failed', result: null, csv: null, failure: error instanceof Error ? error.message.slice(0, 500) : 'the report failed' };
    }
    return db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto('analyticsReportRuns')
        .values({ id: ids.next('rpr'), reportId: report.id, periodFrom: period.from, periodTo: period.to, trigger, ...outcome, createdAt: clock.now() })
        .onConflict((oc) => oc.columns(['reportId', 'periodFrom', 'periodTo']).where('trigger', '=', 'schedule').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row && trigger === 'schedule') await emitEvents(tx, clock, ids, [deliveryEvent(report, row)]);
      return row ?? null;
    });
  }

  return {
    async create(input: ReportInput, actor: Actor): Promise<ReportView> {
      const timezone = checkTimezone(input.timezone ?? 'UTC');
      const query = await checkReportQuery(input.kind, input.query ?? {}, deps.semantic);
      const now = clock.now();
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('analyticsReports')
          .values({ id: ids.next('rpt'), name: input.name, kind: input.kind, query: JSON.stringify(query), schedule: input.schedule, timezone, recipients: checkRecipients(input.recipients ?? []), active: input.active ?? true, nextRunAt: nextBoundary(input.schedule, now, timezone), createdAt: now, updatedAt: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'report.create', entityType: 'report', entityId: row.id, details: { kind: row.kind, schedule: row.schedule } });
        return reportView(row, null);
      });
    },
    get: async (id: string) => withLastRun(await load(id)),
    async list(limit: number, cursor?: string): Promise<Page<ReportView>> {
      const after = decodeCursor(cursor, isIdKey('rpt'));
      let q = db.selectFrom('analyticsReports').selectAll().orderBy('id').limit(limit + 1);
      if (after) q = q.where('id', '>', after);
      const page = pageOf(await q.execute(), limit, (row) => row.id);
      const last = await lastRuns(page.items.map((row) => row.id));
      return { items: page.items.map((row) => reportView(row, last.get(row.id) ?? null)), nextCursor: page.nextCursor };
    },
    async update(id: string, patch: Partial<ReportInput>, actor: Actor): Promise<ReportView> {
      const current = await load(id);
      const kind = patch.kind ?? current.kind;
      const query = await checkReportQuery(kind, patch.query ?? (patch.kind && patch.kind !== current.kind ? {} : current.query), deps.semantic);
      const timezone = checkTimezone(patch.timezone ?? current.timezone);
      const schedule = patch.schedule ?? current.schedule;
      const moved = schedule !== current.schedule || timezone !== current.timezone;
      const updated = await db.transaction().execute(async (tx) => {
        const row = await tx
          .updateTable('analyticsReports')
          .set({ name: patch.name ?? current.name, kind, query: JSON.stringify(query), schedule, timezone, recipients: checkRecipients(patch.recipients ?? current.recipients), active: patch.active ?? current.active, updatedAt: clock.now(), ...(moved ? { nextRunAt: nextBoundary(schedule, clock.now(), timezone) } : {}) })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'report.update', entityType: 'report', entityId: id, details: { fields: Object.keys(patch).sort() } });
        return row;
      });
      return withLastRun(updated);
    },
    async remove(id: string, actor: Actor): Promise<ReportView> {
      const report = await withLastRun(await load(id));
      return db.transaction().execute(async (tx) => {
        await tx.deleteFrom('analyticsReports').where('id', '=', id).execute();
        await writeAudit(tx, clock, actor, { action: 'report.delete', entityType: 'report', entityId: id, details: {} });
        return report;
      });
    },
    /** Runs the report now over its last complete period (as a request: kept beside the scheduled runs). */
    async runNow(id: string): Promise<ReportRunView> {
      const report = await load(id);
      const row = await runPeriod(report, lastPeriod(report.schedule, localTime(clock.now(), report.timezone).date), 'request');
      return runView(row!, true);
    },
    async runs(id: string, limit: number, cursor?: string): Promise<Page<ReportRunView>> {
      await load(id);
      const after = decodeCursor(cursor, isIdKey('rpr'));
      let q = db.selectFrom('analyticsReportRuns').select(['id', 'reportId', 'periodFrom', 'periodTo', 'trigger', 'status', 'failure', 'createdAt']).where('reportId', '=', id).orderBy('id', 'desc').limit(limit + 1);
      if (after) q = q.where('id', '<', after);
      const page = pageOf(await q.execute(), limit, (row) => row.id);
      return { items: page.items.map((row) => runView({ ...row, result: null, csv: null }, false)), nextCursor: page.nextCursor };
    },
    async run(id: string, runId: string): Promise<{ view: ReportRunView; csv: string | null; name: string }> {
      const report = await load(id);
      const row = await db.selectFrom('analyticsReportRuns').selectAll().where('reportId', '=', id).where('id', '=', runId).executeTakeFirst();
      if (!row) throw analyticsError('analytics.report_run_not_found', `Report ${id} has no run ${runId}; GET /v1/reports/${id}/runs lists them`);
      return { view: runView(row, true), csv: row.csv, name: report.name };
    },
    /** The schedule's check: each active report whose period has ended runs once, claimed by moving its next run on. */
    async runDue(signal?: AbortSignal): Promise<Record<string, number>> {
      const now = clock.now();
      const due = await db.selectFrom('analyticsReports').selectAll().where('active', '=', true).where('nextRunAt', '<=', now).orderBy('nextRunAt').limit(100).execute();
      let ran = 0;
      let failed = 0;
      for (const report of due) {
        if (signal?.aborted) break;
        const claimed = await db
          .updateTable('analyticsReports')
          .set({ nextRunAt: nextBoundary(report.schedule, now, report.timezone) })
          .where('id', '=', report.id)
          .where('nextRunAt', '=', report.nextRunAt)
          .returning('id')
          .executeTakeFirst();
        if (!claimed) continue;
        const row = await runPeriod(report, lastPeriod(report.schedule, localTime(now, report.timezone).date), 'schedule');
        if (row) {
          ran++;
          if (row.status === 'failed') failed++;
        }
      }
      return { due: due.length, ran, failed };
    },
  };
}

export type ScheduledReports = ReturnType<typeof createScheduledReports>;
