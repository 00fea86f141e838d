import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import type { SegmentField } from '../../platform/segment-fields.ts';
import type { PurchaseFacts, PurchaseSummaries } from '../loyalty/index.ts';
import type { Db } from './clusters.db.ts';
import { clusterError } from './clusters.errors.ts';
import type { Ids } from './clusters.ids.ts';
import type { ClusterParams } from './clusters.tables.ts';
import { createRuns, DEFAULT_PARAMS, runView, type ClusterRunView } from './run.ts';

export { clustersModule } from './clusters.module.ts';
export { clusterRoutes } from './clusters.routes.ts';
export type { ClusterRunView } from './run.ts';

export type ClustersDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** Loyalty's purchase facts: the only way this module reads purchases. */
  facts: PurchaseFacts;
  /** Loyalty's folded per-customer summaries (features.ts reads them once they are ready). */
  summaries?: PurchaseSummaries;
  /** After a run completes: buildApp has the segments that use `cluster` recompute. */
  onComputed?: (runId: string) => Promise<unknown>;
  log?: { error(obj: object, msg: string): void };
};

export type ClusterView = {
  cluster: number;
  description: string;
  size: number;
  revenueMinor: number;
  stability: number;
  unstable: boolean;
  centroid: Record<string, number>;
  zScores: Record<string, number>;
};

export type ClusterReport = { run: ClusterRunView; features: string[]; clusters: ClusterView[] };

/** What the customer view shows of a customer's cluster in the latest completed run. */
export type CustomerCluster = { runId: string; cluster: number; description: string; unstable: boolean };

/** The latest completed run's id as SQL: what the customer view and the segment field read. */
const latestRun = sql`(select r.id from cluster_runs r where r.status = 'completed' order by r.finished_at desc, r.id desc limit 1)`;

/** The clusters module's segment field: the customer's cluster number in the latest completed run. */
const clusterField: SegmentField = {
  key: 'cluster',
  kind: 'number',
  description: "The customer's cluster in the latest completed clustering run (its number; GET /v1/clusters describes each); not set for a customer with no purchase in that run's window",
  value: (_params, ctx) => sql`(select cc.cluster from customer_clusters cc where cc.customer_id = ${ctx.id} and cc.run_id = ${latestRun})`,
};

export function checkParams(given: Partial<ClusterParams>): ClusterParams {
  const params = { ...DEFAULT_PARAMS, ...given };
  if (params.kMax < params.kMin) {
    throw clusterError('cluster.invalid', `kMax: must be at least kMin (${params.kMin}); got ${params.kMax}`, [{ field: 'kMax', reason: `must be at least kMin (${params.kMin})` }]);
  }
  if (params.silhouetteSampleSize > params.sampleSize) {
    throw clusterError('cluster.invalid', `silhouetteSampleSize: must be at most sampleSize (${params.sampleSize}); got ${params.silhouetteSampleSize}`, [
      { field: 'silhouetteSampleSize', reason: `must be at most sampleSize (${params.sampleSize})` },
    ]);
  }
  return params;
}

/** The clusters module's public face: runs, the latest clusters, a customer's cluster, the segment field. */
export function createClusters(deps: ClustersDeps) {
  const { db } = deps;
  const runs = createRuns(deps);

  async function latest(): Promise<ClusterReport> {
    const run = await db.selectFrom('clusterRuns').selectAll().where('status', '=', 'completed').orderBy('finishedAt', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!run) throw clusterError('cluster.no_run', 'No clustering run has completed yet; POST /v1/clusters/runs starts one');
    const rows = await db.selectFrom('clusters').selectAll().where('runId', '=', run.id).orderBy('cluster').execute();
    return {
      run: runView(run),
      features: run.summary?.features ?? [],
      clusters: rows.map((row) => ({
        cluster: row.cluster,
        description: row.description,
        size: row.size,
        revenueMinor: Number(row.revenueMinor),
        stability: Math.round(row.stability * 1e4) / 1e4,
        unstable: row.unstable,
        centroid: row.centroid,
        zScores: row.zScores,
      })),
    };
  }

  return {
    runs,
    start: (given: Partial<ClusterParams>, actor: Actor | null) => runs.start(checkParams(given), actor),
    latest,
    /** The latest clusters as CSV: one row a cluster, the centroid's features as columns. */
    async latestCsv(): Promise<string> {
      const report = await latest();
      const header = ['cluster', 'size', 'revenue_minor', 'stability', 'unstable', 'description', ...report.features];
      const rows = report.clusters.map((c) => [
        String(c.cluster), String(c.size), String(c.revenueMinor), String(c.stability), String(c.unstable), neutraliseCell(c.description),
        ...report.features.map((f) => String(c.centroid[f] ?? '')),
      ]);
      return stringify([header, ...rows]);
    },
    /** The customer's cluster in the latest completed run; null when they have none. */
    async clusterOf(customerId: string): Promise<CustomerCluster | null> {
      const row = await sql<{ runId: string; cluster: number; description: string; unstable: boolean }>`select c.run_id, c.cluster, c.description, c.unstable
        from customer_clusters cc join clusters c on c.run_id = cc.run_id and c.cluster = cc.cluster
        where cc.customer_id = ${customerId} and cc.run_id = ${latestRun}`.execute(db);
      const found = row.rows[0];
      return found ? { runId: found.runId, cluster: found.cluster, description: found.description, unstable: found.unstable } : null;
    },
    segmentFields: (): SegmentField[] => [clusterField],
    /** Each customer's cluster in the latest completed run as SQL (`customer_id, cluster` as text): analytics groups by it. */
    members: () => sql`select cc.customer_id, cc.cluster::text as cluster from customer_clusters cc where cc.run_id = ${latestRun}`,
  };
}

export type Clusters = ReturnType<typeof createClusters>;
