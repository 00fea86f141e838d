import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Clock } from '../../platform/clock.ts';
import type { SegmentField } from '../../platform/segment-fields.ts';
import type { FactsWindow, PurchaseFacts } from '../loyalty/index.ts';
import { rfmCells, rfmGroups, type RfmGroup } from './rfm-groups.ts';
import { buildReport, type RfmReport } from './rfm-report.ts';
import type { Population } from './membership.ts';
import type { Db } from './segments.db.ts';
import { segmentError } from './segments.errors.ts';
import type { Ids } from './segments.ids.ts';
import type { RfmRunsTable } from './segments.tables.ts';

/**
 * RFM runs: every active customer who bought in the window is scored in one set-based statement
 * (rfm-groups.ts says how), then the run's report is written and the run becomes the current one
 * in one transaction — segments, the customer view and the report switch together, never
 * half-way. A run is a background job with its phase; one killed while scoring is scored again
 * from the start on resume (the scores of a run are written in one transaction, so nothing of a
 * half-run stays). The current run's and the one before's scores are kept, for the transitions.
 */
export const DEFAULT_WINDOW_DAYS = 365;

export type RfmRunView = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  phase: 'scoring' | 'reporting' | 'done';
  windowDays: number;
  asOf: string;
  scored: number;
  failure?: string;
  startedAt: string;
  finishedAt?: string;
};

export type CustomerRfm = {
  recency: number;
  frequency: number;
  monetary: number;
  cell: string;
  group: RfmGroup;
  recencyDays: number;
  purchases: number;
  spentMinor: number;
  windowDays: number;
  computedAt: string;
};

export type RfmDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  population: Population;
  purchases: PurchaseFacts;
  /** Called once a run is current: segments whose rules read RFM recompute. */
  onComputed?: () => Promise<unknown>;
  log?: { error(obj: object, msg: string): void };
};

const runView = (row: Selectable<RfmRunsTable>): RfmRunView => ({
  id: row.id,
  status: row.status,
  phase: row.phase,
  windowDays: row.windowDays,
  asOf: row.asOf.toISOString(),
  scored: row.scored,
  ...(row.failure ? { failure: row.failure } : {}),
  startedAt: row.startedAt.toISOString(),
  ...(row.finishedAt ? { finishedAt: row.finishedAt.toISOString() } : {}),
});

/** The current run's scores of the customer `customer` (SQL about one customer, for the segment fields). */
const currentScore = (column: string, customer: ReturnType<typeof sql>) =>
  sql`(select ${sql.ref(`s.${column}`)} from rfm_scores s join rfm_runs u on u.id = s.run_id and u.is_current where s.customer_id = ${customer})`;

/** What segments can say from RFM: the current run's group, scores and cell. */
export const rfmSegmentFields: SegmentField[] = [
  { key: 'rfm.group', kind: 'text', values: rfmGroups, description: "The customer's RFM group in the current run (Champions, Loyal, …); not set when they bought nothing in its window", value: (_p, ctx) => currentScore('rfm_group', ctx.id) },
  { key: 'rfm.recency', kind: 'number', description: 'RFM recency score, 1 (longest ago) to 5 (most recent)', value: (_p, ctx) => currentScore('r', ctx.id) },
  { key: 'rfm.frequency', kind: 'number', description: 'RFM frequency score, 1 (fewest purchases) to 5 (most)', value: (_p, ctx) => currentScore('f', ctx.id) },
  { key: 'rfm.monetary', kind: 'number', description: 'RFM monetary score, 1 (spent least) to 5 (most)', value: (_p, ctx) => currentScore('m', ctx.id) },
  {
    key: 'rfm.cell',
    kind: 'text',
    description: 'The RFM cell as three digits R F M, e.g. "545"',
    value: (_p, ctx) => sql`(select s.r::text || s.f::text || s.m::text from rfm_scores s join rfm_runs u on u.id = s.run_id and u.is_current where s.customer_id = ${ctx.id})`,
  },
];

export function createRfm(deps: RfmDeps) {
  const { db, clock, ids, population } = deps;
  const cells = rfmCells();

  /** Scores every active customer who bought in [asOf − window, asOf): one statement, in one transaction with the run's phase. */
  async function score(runId: string, asOf: Date, windowDays: number): Promise<void> {
    // A purchase at the run's very instant counts (the window's end is exclusive by a millisecond).
    const window: FactsWindow = { from: new Date(asOf.getTime() - windowDays * 86_400_000), to: new Date(asOf.getTime() + 1) };
    await db.transaction().execute(async (tx) => {
      // Three ranks over a million customers sort in memory instead of spilling to disk in 4 MB pieces.
      await sql`set local work_mem = '256MB'`.execute(tx);
      await tx.deleteFrom('rfmScores').where('runId', '=', runId).execute();
      // Found into a temporary table, then written: PostgreSQL runs the select of an INSERT … SELECT
      // on one process, and this one reads a year of receipts (at 10 M, most of a run's time).
      await sql`
        create temporary table rfm_scored on commit drop as
        select s.customer_id, s.recency_days, s.frequency, s.monetary, s.r, s.f, s.m, g.name
        from (
          select t.*,
            -- quintiles from worst to best, ties sharing the lowest place (rfm-groups.ts)
            (1 + (5 * (rank() over (order by t.recency_days desc) - 1)) / count(*) over ())::int as r,
            (1 + (5 * (rank() over (order by t.frequency) - 1)) / count(*) over ())::int as f,
            (1 + (5 * (rank() over (order by t.monetary) - 1)) / count(*) over ())::int as m
          from (
            select p.customer_id,
              floor(extract(epoch from (${asOf}::timestamptz - max(p.occurred_at))) / 86400)::int as recency_days,
              count(*)::int as frequency, sum(p.net_minor)::bigint as monetary
            from (${deps.purchases.receipts(window)}) p
            join (select c.id from ${population.from} where ${population.where}) a on a.id = p.customer_id
            group by p.customer_id
          ) t
        ) s
        join unnest(${cells.map((c) => c.recency)}::int[], ${cells.map((c) => c.frequency)}::int[], ${cells.map((c) => c.group)}::text[]) as g(r, f, name)
          on g.r = s.r and g.f = s.f`.execute(tx);
      // In the primary key's order (run, customer): appended at the index's right edge, page after page.
      const written = await sql`
        insert into rfm_scores (customer_id, run_id, recency_days, frequency, monetary_minor, r, f, m, rfm_group)
        select customer_id, ${runId}, recency_days, frequency, monetary, r, f, m, name from rfm_scored order by customer_id`.execute(tx);
      await tx.updateTable('rfmRuns').set({ phase: 'reporting', scored: Number(written.numAffectedRows ?? 0) }).where('id', '=', runId).execute();
    });
  }

  /** Writes the report and makes the run current. */
  async function complete(runId: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await sql`set local work_mem = '256MB'`.execute(tx);
      const previous = await tx.selectFrom('rfmRuns').select('id').where('isCurrent', '=', true).forUpdate().executeTakeFirst();
      const report = await buildReport(tx, runId, previous?.id ?? null, sql`${population.from} where ${population.where}`);
      await tx.updateTable('rfmRuns').set({ isCurrent: false }).where('isCurrent', '=', true).execute();
      await tx
        .updateTable('rfmRuns')
        .set({ status: 'completed', phase: 'done', report: JSON.stringify(report), finishedAt: clock.now(), isCurrent: true })
        .where('id', '=', runId)
        .execute();
    });
  }

  /**
   * Older runs' scores go once the new run is current (the one current before it stays, for the
   * next run's transitions). Apart from completing: deleting a million rows is a third of a run at
   * 1 M customers, and nothing reads those rows any more; a run killed before this leaves them to
   * the next run's clean-up.
   */
  async function dropOlderScores(runId: string): Promise<void> {
    const previous = await db.selectFrom('rfmRuns').select('id').where('status', '=', 'completed').where('id', '<>', runId).orderBy('finishedAt', 'desc').limit(1).executeTakeFirst();
    const keep = previous ? [runId, previous.id] : [runId];
    await db.deleteFrom('rfmScores').where('runId', 'not in', keep).execute();
  }

  async function walk(runId: string, signal: AbortSignal): Promise<void> {
    try {
      const run = await db.selectFrom('rfmRuns').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!run || run.status !== 'running') return;
      if (run.phase === 'scoring') await score(runId, run.asOf, run.windowDays);
      // Stopping between the phases keeps the scores; a restart goes on with the report.
      if (signal.aborted) return;
      await complete(runId);
    } catch (error) {
      deps.log?.error({ err: error, rfmRunId: runId }, 'RFM run failed');
      await db
        .updateTable('rfmRuns')
        .set({ status: 'failed', failure: 'The RFM run stopped on an error; start another (POST /v1/analytics/rfm/runs)', finishedAt: clock.now() })
        .where('id', '=', runId)
        .execute()
        .catch(() => undefined);
      return;
    }
    await dropOlderScores(runId).catch((error: unknown) => deps.log?.error({ err: error, rfmRunId: runId }, 'older RFM scores were not deleted; the next run deletes them'));
    await deps.onComputed?.().catch((error: unknown) => deps.log?.error({ err: error }, 'segments reading RFM did not recompute'));
  }

  const runs = backgroundRuns(walk, (error, id) => deps.log?.error({ err: error, rfmRunId: id }, 'RFM run failed'));

  return {
    /** Starts a run (one under way is answered instead); the window is the last run's when not given, else a year. */
    async start(input: { windowDays?: number }, actor: Actor | null): Promise<RfmRunView> {
      const row = await db.transaction().execute(async (tx) => {
        const running = await tx.selectFrom('rfmRuns').selectAll().where('status', '=', 'running').executeTakeFirst();
        if (running) return running;
        const last = await tx.selectFrom('rfmRuns').select('windowDays').orderBy('startedAt', 'desc').limit(1).executeTakeFirst();
        return tx
          .insertInto('rfmRuns')
          .values({
            id: ids.next('rfm'),
            status: 'running',
            windowDays: input.windowDays ?? last?.windowDays ?? DEFAULT_WINDOW_DAYS,
            asOf: clock.now(),
            phase: 'scoring',
            report: null,
            failure: null,
            requestedBy: actor ? (actor.keyId ?? actor.name) : null,
            startedAt: clock.now(),
            finishedAt: null,
          })
          // Two requests at once: the unique index on the running run lets one insert; the other reads it.
          .onConflict((oc) => oc.column('status').where('status', '=', 'running').doNothing())
          .returningAll()
          .executeTakeFirst()
          .then(async (inserted) => inserted ?? tx.selectFrom('rfmRuns').selectAll().where('status', '=', 'running').executeTakeFirstOrThrow());
      });
      runs.start(row.id);
      return runView(row);
    },
    async get(runId: string): Promise<RfmRunView> {
      const row = await db.selectFrom('rfmRuns').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!row) throw segmentError('rfm.run_not_found', `No RFM run ${runId}; POST /v1/analytics/rfm/runs starts one`);
      return runView(row);
    },
    /** The current run with its report; 404 before the first run completes. */
    async report(): Promise<RfmRunView & { report: RfmReport }> {
      const row = await db.selectFrom('rfmRuns').selectAll().where('isCurrent', '=', true).executeTakeFirst();
      if (!row?.report) throw segmentError('rfm.not_computed', 'RFM has not been computed yet: POST /v1/analytics/rfm/runs starts a run (one also runs every night)');
      return { ...runView(row), report: row.report as RfmReport };
    },
    /** A customer's scores in the current run; null when they bought nothing in its window (or no run is current). */
    async ofCustomer(customerId: string): Promise<CustomerRfm | null> {
      const row = await db
        .selectFrom('rfmScores as s')
        .innerJoin('rfmRuns as u', (join) => join.onRef('u.id', '=', 's.runId').on('u.isCurrent', '=', true))
        .select(['s.r', 's.f', 's.m', 's.rfmGroup', 's.recencyDays', 's.frequency', 's.monetaryMinor', 'u.windowDays', 'u.finishedAt'])
        .where('s.customerId', '=', customerId)
        .executeTakeFirst();
      if (!row) return null;
      return {
        recency: row.r,
        frequency: row.f,
        monetary: row.m,
        cell: `${row.r}${row.f}${row.m}`,
        group: row.rfmGroup as RfmGroup,
        recencyDays: row.recencyDays,
        purchases: row.frequency,
        spentMinor: Number(row.monetaryMinor),
        windowDays: row.windowDays,
        computedAt: (row.finishedAt ?? new Date(0)).toISOString(),
      };
    },
    async resumePending(): Promise<string[]> {
      const rows = await db.selectFrom('rfmRuns').select('id').where('status', '=', 'running').execute();
      return runs.resume(rows.map((row) => row.id));
    },
    idle: runs.idle,
    stop: runs.stop,
  };
}

export type Rfm = ReturnType<typeof createRfm>;
