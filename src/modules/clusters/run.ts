import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Clock } from '../../platform/clock.ts';
import { seededRandom } from '../../platform/seeded-random.ts';
import type { PurchaseFacts, PurchaseSummaries } from '../loyalty/index.ts';
import type { Db } from './clusters.db.ts';
import { clusterError } from './clusters.errors.ts';
import type { Ids } from './clusters.ids.ts';
import type { ClusterParams, ClusterRunsTable, ClusterSummary } from './clusters.tables.ts';
import { describeCluster } from './describe.ts';
import { loadFeatures, type FeatureTable } from './features.ts';
import { chooseK, columnStats, nearest, sampleIndices, standardRow, type Points } from './kmeans.ts';
import { bootstrapStability } from './stability.ts';

/**
 * A clustering run, as a background job with progress (its row's `phase` and `processed`):
 * features — every customer's purchase behaviour in the window, read into memory;
 * selecting — k-means for each k of the range on a sample (`sampleSize` customers), the
 *   silhouette of each on a smaller sample (`silhouetteSampleSize`; it is O(n²)), the best kept;
 * stability — the sample re-clustered `bootstrapSamples` times from bootstrap draws;
 * assigning — every customer given the nearest final centroid, written a batch at a time;
 * done — the clusters stored with their descriptions, sizes, revenue and stability, the older
 *   runs' customer rows cleared, and whoever waits on new clusters (segments) told.
 * Only the assignment's writes are worth resuming, and they take seconds of the run, so a run
 * stopped or killed half-way starts again from its first phase when the process resumes it: its
 * window and seed are saved, so it gives the same clusters.
 */
export const DEFAULT_PARAMS: ClusterParams = {
  windowDays: 365,
  kMin: 2,
  kMax: 8,
  seed: 1,
  bootstrapSamples: 15,
  stabilityThreshold: 0.75,
  sampleSize: 20_000,
  silhouetteSampleSize: 2_000,
  categories: 5,
};

const BATCH = 5_000;
const DAY_MS = 86_400_000;

export type ClusterRunView = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  phase: ClusterRunsTable['phase'];
  params: ClusterParams;
  customers: number;
  processed: number;
  chosenK: number | null;
  silhouettes: Array<{ k: number; silhouette: number }>;
  meanAdjustedRand: number | null;
  failure?: string;
  startedAt: string;
  finishedAt?: string;
};

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

export function runView(row: Selectable<ClusterRunsTable>): ClusterRunView {
  return {
    id: row.id,
    status: row.status,
    phase: row.phase,
    params: row.params,
    customers: row.customers,
    processed: row.processed,
    chosenK: row.chosenK,
    silhouettes: (row.silhouettes ?? []).map((s) => ({ k: s.k, silhouette: round(s.silhouette, 4) })),
    meanAdjustedRand: row.summary?.meanAdjustedRand === null || row.summary?.meanAdjustedRand === undefined ? null : round(row.summary.meanAdjustedRand, 4),
    ...(row.failure ? { failure: row.failure } : {}),
    startedAt: row.startedAt.toISOString(),
    ...(row.finishedAt ? { finishedAt: row.finishedAt.toISOString() } : {}),
  };
}

/** A refusal the run records in plain words (too few customers), as against an unexpected error. */
class RunRefused extends Error {}

export type RunDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  facts: PurchaseFacts;
  /** Loyalty's folded per-customer summaries: read instead of a year of raw receipts and lines once they are ready. */
  summaries?: PurchaseSummaries;
  /** Called after a run completes (segments built on `cluster` recompute); its failure is logged, the run stays completed. */
  onComputed?: (runId: string) => Promise<unknown>;
  log?: { error(obj: object, msg: string): void };
};

export function createRuns(deps: RunDeps) {
  const { db, clock, ids } = deps;

  const setPhase = (runId: string, phase: ClusterRunsTable['phase'], more: Partial<Pick<ClusterRunsTable, 'customers' | 'processed' | 'chosenK'>> = {}) =>
    db.updateTable('clusterRuns').set({ phase, ...more }).where('id', '=', runId).execute();

  async function assign(runId: string, table: FeatureTable, logColumns: boolean[], stats: { means: number[]; spreads: number[] }, centroids: Points, signal: AbortSignal) {
    const d = table.specs.length;
    const n = table.customerIds.length;
    const k = centroids.length;
    // First every customer's nearest centroid, then clusters numbered 1… by size, largest first.
    const labels = new Int32Array(n);
    const sizes = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      labels[i] = nearest(standardRow(table.values, d, i, logColumns, stats), centroids);
      sizes[labels[i]!]!++;
    }
    const order = sizes.map((size, c) => ({ size, c })).sort((a, b) => b.size - a.size || a.c - b.c);
    const numberOf = new Array<number>(k);
    order.forEach((entry, at) => (numberOf[entry.c] = at + 1));
    const rawSums = Array.from({ length: k }, () => new Float64Array(d));
    const zSums = Array.from({ length: k }, () => new Float64Array(d));
    const revenue = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      const z = standardRow(table.values, d, i, logColumns, stats);
      for (let j = 0; j < d; j++) {
        rawSums[c]![j]! += table.values[i * d + j]!;
        zSums[c]![j]! += z[j]!;
      }
      revenue[c]! += table.revenueMinor[i]!;
    }
    for (let start = 0; start < n; start += BATCH) {
      if (signal.aborted) return null;
      const end = Math.min(n, start + BATCH);
      const customerIds = table.customerIds.slice(start, end);
      const numbers = Array.from(labels.subarray(start, end), (c) => numberOf[c]!);
      await db.transaction().execute(async (tx) => {
        await sql`insert into customer_clusters (customer_id, run_id, cluster)
          select t.customer_id, ${runId}, t.cluster from unnest(${customerIds}::text[], ${numbers}::int[]) as t(customer_id, cluster)`.execute(tx);
        await tx.updateTable('clusterRuns').set({ processed: end }).where('id', '=', runId).execute();
      });
    }
    return order.map(({ size, c }) => ({
      cluster: numberOf[c]!,
      size,
      revenueMinor: revenue[c]!,
      value: Object.fromEntries(table.specs.map((spec, j) => [spec.key, size > 0 ? rawSums[c]![j]! / size : 0])),
      z: Object.fromEntries(table.specs.map((spec, j) => [spec.key, size > 0 ? zSums[c]![j]! / size : 0])),
      c,
    }));
  }

  async function execute(runId: string, signal: AbortSignal): Promise<void> {
    const row = await db.selectFrom('clusterRuns').selectAll().where('id', '=', runId).executeTakeFirst();
    if (!row || row.status !== 'running') return;
    const params = row.params;
    // A resumed run starts over: what a stopped attempt wrote is cleared first.
    await db.deleteFrom('customerClusters').where('runId', '=', runId).execute();
    await db.deleteFrom('clusters').where('runId', '=', runId).execute();
    await setPhase(runId, 'features', { customers: 0, processed: 0, chosenK: null });
    // The window ends when the run was asked for (that instant included: the facts' end is exclusive), so a resumed run sees the same purchases.
    const window = { from: new Date(row.startedAt.getTime() - params.windowDays * DAY_MS), to: new Date(row.startedAt.getTime() + 1) };
    const table = await loadFeatures(db, deps.facts, window, params.categories, deps.summaries);
    const n = table.customerIds.length;
    const d = table.specs.length;
    await setPhase(runId, 'selecting', { customers: n });
    if (n <= params.kMin) {
      throw new RunRefused(`${n} customers bought in the ${params.windowDays} days before the run; clustering into at least ${params.kMin} groups needs ${params.kMin + 1} or more (lower kMin or widen windowDays)`);
    }
    if (signal.aborted) return;
    const logColumns = table.specs.map((spec) => spec.transform === 'log');
    const stats = columnStats(table.values, d, logColumns);
    const random = seededRandom(params.seed);
    const sampled = sampleIndices(n, params.sampleSize, random);
    const points = sampled.map((i) => standardRow(table.values, d, i, logColumns, stats));
    const silhouetteAt = sampleIndices(points.length, params.silhouetteSampleSize, random);
    const kMax = Math.min(params.kMax, points.length - 1);
    const chosen = await chooseK(points, { min: params.kMin, max: kMax }, params.seed, silhouetteAt);
    const k = chosen.best.k;
    await db.updateTable('clusterRuns').set({ phase: 'stability', chosenK: k, silhouettes: JSON.stringify(chosen.tried) }).where('id', '=', runId).execute();
    if (signal.aborted) return;
    const stability = await bootstrapStability(points, chosen.best.labels, k, { samples: params.bootstrapSamples, random, seed: params.seed });
    if (signal.aborted) return;
    await setPhase(runId, 'assigning');
    const clusters = await assign(runId, table, logColumns, stats, chosen.best.centroids, signal);
    if (!clusters) return;
    const summary: ClusterSummary = { features: table.specs.map((s) => s.key), means: stats.means, spreads: stats.spreads, sampled: points.length, meanAdjustedRand: stability.meanAdjustedRand };
    const roundedValues = (value: Record<string, number>) => Object.fromEntries(Object.entries(value).map(([key, x]) => [key, key.endsWith('Minor') ? Math.round(x) : round(x, 4)]));
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('clusters')
        .values(clusters.map((cluster) => ({
          runId,
          cluster: cluster.cluster,
          size: cluster.size,
          revenueMinor: cluster.revenueMinor,
          centroid: JSON.stringify(roundedValues(cluster.value)),
          zScores: JSON.stringify(Object.fromEntries(Object.entries(cluster.z).map(([key, x]) => [key, round(x, 3)]))),
          description: describeCluster(cluster),
          stability: stability.jaccard[cluster.c]!,
          unstable: stability.jaccard[cluster.c]! < params.stabilityThreshold,
        })))
        .execute();
      await tx.updateTable('clusterRuns').set({ status: 'completed', phase: 'done', summary: JSON.stringify(summary), finishedAt: clock.now() }).where('id', '=', runId).execute();
      // Only the latest completed run's customers are read (the customer view, segments): the older ones go.
      await tx.deleteFrom('customerClusters').where('runId', '<>', runId).execute();
    });
    if (deps.onComputed) {
      await deps.onComputed(runId).catch((error: unknown) => deps.log?.error({ err: error, runId }, 'after clustering: the segments on cluster did not start recomputing'));
    }
  }

  async function work(runId: string, signal: AbortSignal): Promise<void> {
    try {
      await execute(runId, signal);
    } catch (error) {
      if (!(error instanceof RunRefused)) deps.log?.error({ err: error, runId }, 'clustering run failed');
      const failure = error instanceof RunRefused ? error.message : 'The run stopped on an error; start another (POST /v1/clusters/runs)';
      await db.updateTable('clusterRuns').set({ status: 'failed', failure, finishedAt: clock.now() }).where('id', '=', runId).execute().catch(() => undefined);
    }
  }

  const runs = backgroundRuns(work, (error, id) => deps.log?.error({ err: error, runId: id }, 'clustering run failed'));

  return {
    /** Starts a run (one already running is answered instead of a second). */
    async start(params: ClusterParams, actor: Actor | null): Promise<ClusterRunView> {
      const running = await db.selectFrom('clusterRuns').selectAll().where('status', '=', 'running').executeTakeFirst();
      if (running) return runView(running);
      // Too few buyers is said at once, in words, rather than as a run that fails a moment later
      // (the run checks again: purchases can be returned in between). The count stops at enough.
      const now = clock.now();
      const window = { from: new Date(now.getTime() - params.windowDays * DAY_MS), to: new Date(now.getTime() + 1) };
      const buyers = (await sql<{ n: number }>`select count(*)::int as n from (select distinct f.customer_id from (${deps.facts.receipts(window)}) f limit ${params.kMin + 1}) b`.execute(db)).rows[0]!.n;
      if (buyers <= params.kMin) {
        throw clusterError(
          'cluster.too_few_customers',
          `${buyers} customers bought in the ${params.windowDays} days before now; clustering into at least ${params.kMin} groups needs ${params.kMin + 1} or more (lower kMin or widen windowDays)`,
        );
      }
      const inserted = await db
        .insertInto('clusterRuns')
        .values({
          id: ids.next('clr'),
          status: 'running',
          phase: 'features',
          params: JSON.stringify(params),
          customers: 0,
          processed: 0,
          chosenK: null,
          silhouettes: null,
          summary: null,
          failure: null,
          requestedBy: actor ? (actor.keyId ?? actor.name) : null,
          startedAt: now,
          finishedAt: null,
        })
        .onConflict((oc) => oc.column('status').where('status', '=', 'running').doNothing())
        .returningAll()
        .executeTakeFirst();
      const row = inserted ?? (await db.selectFrom('clusterRuns').selectAll().where('status', '=', 'running').executeTakeFirst());
      if (!row) throw new Error('a clustering run neither started nor was running');
      runs.start(row.id);
      return runView(row);
    },
    async get(runId: string): Promise<ClusterRunView> {
      const row = await db.selectFrom('clusterRuns').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!row) throw clusterError('cluster.run_not_found', `No clustering run ${runId}; POST /v1/clusters/runs starts one`);
      return runView(row);
    },
    /** Takes up runs left running by a stopped or killed process (each starts over; see above). */
    async resumePending(): Promise<string[]> {
      const rows = await db.selectFrom('clusterRuns').select('id').where('status', '=', 'running').execute();
      return runs.resume(rows.map((r) => r.id));
    },
    idle: runs.idle,
    stop: runs.stop,
  };
}

export type Runs = ReturnType<typeof createRuns>;
