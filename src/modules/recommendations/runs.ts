import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Clock } from '../../platform/clock.ts';
import { buildModel, through } from './co-purchase.ts';
import { evaluateHoldout } from './holdout.ts';
import type { Db, Tx } from './recommendations.db.ts';
import { recommendationError } from './recommendations.errors.ts';
import type { Ids } from './recommendations.ids.ts';
import type { RunPhase, RunRow } from './recommendations.tables.ts';
import { runView, type RunView } from './run-view.ts';

export type RunSettings = { windowDays: number; holdoutDays: number; topN: number; minPairCount: number; neighbours: number };
export const defaultSettings: RunSettings = { windowDays: 365, holdoutDays: 30, topN: 5, minPairCount: 2, neighbours: 20 };

const DAY_MS = 86_400_000;
// Any constant, the same in every process: with the run id's hash it names one run's lock.
const RUN_LOCK = 7_246_025;

/**
 * A run rebuilds the model and evaluates it, in three phases, each one transaction:
 *  1. 'model': the served model over [asOf − window, asOf), SKUs and categories;
 *  2. 'holdout-model': the same trained on [cut − window, cut), cut = asOf − holdout;
 *  3. 'evaluation': hit rate at N of it and of popularity on [cut, asOf).
 * Its progress is the phase and the phases done. The run's times come from `asOf`, saved when it
 * started, so a restart builds the same model. A killed or stopped run starts again from its start
 * (its rows so far are deleted first): the phases are single statements over the whole window,
 * with no smaller step to resume from. Completing a run drops the older runs' models.
 */
export function createRuns(deps: { db: Db; clock: Clock; ids: Ids; log?: { error(obj: object, msg: string): void } }) {
  const { db, clock, ids } = deps;

  const setPhase = (id: string, phase: RunPhase, phasesDone: number) => db.updateTable('recommendationRuns').set({ phase, phasesDone }).where('id', '=', id).execute();

  async function walk(runId: string, signal: AbortSignal): Promise<void> {
    try {
      const run = await db.selectFrom('recommendationRuns').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!run || run.status !== 'running' || signal.aborted) return;
      const end = run.asOf;
      const cut = new Date(end.getTime() - run.holdoutDays * DAY_MS);
      const common = { runId, minPairCount: run.minPairCount, neighbours: run.neighbours };
      // Each phase holds the run's lock for its transaction: a second walker of the same run (a
      // restarted process whose predecessor's statement still runs in PostgreSQL) stops at the
      // next phase instead of writing the same rows.
      const phase = async <T>(work: (tx: Tx) => Promise<T>): Promise<T | null> =>
        db.transaction().execute(async (tx) => {
          const locked = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${RUN_LOCK}, hashtext(${runId})) as locked`.execute(tx);
          return locked.rows[0]!.locked ? work(tx) : null;
        });
      // The model's own statistics, for the plans that read it next (the holdout's lists, the API).
      const analyse = (tx: Tx) => sql`analyze recommendation_items, recommendation_pairs`.execute(tx);

      await setPhase(runId, 'model', 0);
      const served = await phase(async (tx) => {
        // From its start, whatever a killed predecessor left.
        await tx.deleteFrom('recommendationPairs').where('runId', '=', runId).execute();
        await tx.deleteFrom('recommendationItems').where('runId', '=', runId).execute();
        const window = { from: new Date(end.getTime() - run.windowDays * DAY_MS), to: through(end) };
        const sku = await buildModel(tx, { ...common, model: 'serve', kind: 'sku', window });
        const category = await buildModel(tx, { ...common, model: 'serve', kind: 'category', window });
        await analyse(tx);
        return { sku, category };
      });
      if (!served) return;
      await db.updateTable('recommendationRuns').set({ baskets: served.sku.baskets, items: served.sku.items, pairs: served.sku.pairs, categoryPairs: served.category.pairs }).where('id', '=', runId).execute();
      if (signal.aborted) return;

      await setPhase(runId, 'holdout-model', 1);
      const trained = await phase(async (tx) => {
        const window = { from: new Date(cut.getTime() - run.windowDays * DAY_MS), to: cut };
        await buildModel(tx, { ...common, model: 'holdout', kind: 'sku', window });
        await buildModel(tx, { ...common, model: 'holdout', kind: 'category', window });
        await analyse(tx);
        return true;
      });
      if (!trained) return;
      if (signal.aborted) return;

      await setPhase(runId, 'evaluation', 2);
      const evaluated = await phase(async (tx) => ({
        sku: await evaluateHoldout(tx, { runId, kind: 'sku', cut, end: through(end), topN: run.topN }),
        category: await evaluateHoldout(tx, { runId, kind: 'category', cut, end: through(end), topN: run.topN }),
      }));
      if (!evaluated) return;
      const { sku, category } = evaluated;
      if (signal.aborted) return;

      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('recommendationRuns')
          .set({
            status: 'completed', phase: 'done', phasesDone: 3, finishedAt: clock.now(),
            evaluatedCustomers: sku.customers, modelHits: sku.modelHits, popularityHits: sku.popularityHits,
            categoryEvaluatedCustomers: category.customers, categoryModelHits: category.modelHits, categoryPopularityHits: category.popularityHits,
          })
          .where('id', '=', runId)
          .execute();
        // Only the newest model is read; the holdout model was only for the evaluation.
        await tx.deleteFrom('recommendationPairs').where((eb) => eb.or([eb('runId', '<>', runId), eb('model', '=', 'holdout')])).execute();
        await tx.deleteFrom('recommendationItems').where((eb) => eb.or([eb('runId', '<>', runId), eb('model', '=', 'holdout')])).execute();
      });
    } catch (error) {
      deps.log?.error({ err: error, runId }, 'recommendation run failed');
      await db
        .updateTable('recommendationRuns')
        .set({ status: 'failed', failure: 'The run stopped on an error; start another (POST /v1/recommendations/runs)', finishedAt: clock.now() })
        .where('id', '=', runId)
        .execute()
        .catch(() => undefined);
      await db.deleteFrom('recommendationPairs').where('runId', '=', runId).execute().catch(() => undefined);
      await db.deleteFrom('recommendationItems').where('runId', '=', runId).execute().catch(() => undefined);
    }
  }

  const runs = backgroundRuns(walk, (error, id) => deps.log?.error({ err: error, runId: id }, 'recommendation run failed'));

  return {
    /** Starts a run (one already running is answered instead of a second). */
    async start(settings: RunSettings, actor: Actor | null): Promise<RunView> {
      const row: RunRow = await db.transaction().execute(async (tx) => {
        // One run at a time: a second start waits for the first's commit, then answers its run
        // (the partial unique index on running runs is the guard behind it).
        await sql`select pg_advisory_xact_lock(7246024)`.execute(tx);
        const current = await tx.selectFrom('recommendationRuns').selectAll().where('status', '=', 'running').executeTakeFirst();
        if (current) return current;
        const now = clock.now();
        return tx
          .insertInto('recommendationRuns')
          .values({
            id: ids.next('rcr'), status: 'running', phase: 'queued', phasesDone: 0, asOf: now, ...settings,
            baskets: null, items: null, pairs: null, categoryPairs: null, evaluatedCustomers: null, modelHits: null, popularityHits: null,
            categoryEvaluatedCustomers: null, categoryModelHits: null, categoryPopularityHits: null,
            failure: null, requestedBy: actor ? (actor.keyId ?? actor.name) : null, startedAt: now, finishedAt: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      runs.start(row.id);
      return runView(row);
    },
    async get(id: string): Promise<RunView> {
      const row = await db.selectFrom('recommendationRuns').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) throw recommendationError('recommendation.run_not_found', `No recommendation run ${id}; GET /v1/recommendations shows the latest`);
      return runView(row);
    },
    /** The newest completed run: the model the API answers from (null before the first). */
    latestCompleted: async () =>
      (await db.selectFrom('recommendationRuns').selectAll().where('status', '=', 'completed').orderBy('finishedAt', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()) ?? null,
    latest: async () => (await db.selectFrom('recommendationRuns').selectAll().orderBy('startedAt', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()) ?? null,
    /** Takes up runs left running by a stopped or killed process (from their start). */
    async resumePending(): Promise<string[]> {
      const rows = await db.selectFrom('recommendationRuns').select('id').where('status', '=', 'running').orderBy('startedAt').execute();
      return runs.resume(rows.map((row) => row.id));
    },
    idle: runs.idle,
    stop: runs.stop,
  };
}

export type Runs = ReturnType<typeof createRuns>;
