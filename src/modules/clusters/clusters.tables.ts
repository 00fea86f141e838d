import type { Json, Timestamp } from '../../platform/platform.tables.ts';

/** The clusters module's tables (Kysely's view, camel-cased). Only this module names them. */
export type ClusterRunStatus = 'running' | 'completed' | 'failed';
export type ClusterRunPhase = 'features' | 'selecting' | 'stability' | 'assigning' | 'done';

/** The settings a run takes (POST /v1/clusters/runs; every one has a default). */
export type ClusterParams = {
  windowDays: number;
  kMin: number;
  kMax: number;
  seed: number;
  bootstrapSamples: number;
  stabilityThreshold: number;
  sampleSize: number;
  silhouetteSampleSize: number;
  categories: number;
};

export type ClusterSummary = {
  features: string[];
  means: number[];
  spreads: number[];
  sampled: number;
  meanAdjustedRand: number | null;
};

export type ClusterRunsTable = {
  id: string;
  status: ClusterRunStatus;
  phase: ClusterRunPhase;
  params: Json<ClusterParams>;
  customers: number;
  processed: number;
  chosenK: number | null;
  silhouettes: Json<Array<{ k: number; silhouette: number }>> | null;
  summary: Json<ClusterSummary> | null;
  failure: string | null;
  requestedBy: string | null;
  startedAt: Timestamp;
  finishedAt: Timestamp | null;
};

export type ClustersTable = {
  runId: string;
  cluster: number;
  size: number;
  revenueMinor: number;
  centroid: Json<Record<string, number>>;
  zScores: Json<Record<string, number>>;
  description: string;
  stability: number;
  unstable: boolean;
};

export type CustomerClustersTable = { customerId: string; runId: string; cluster: number };

export type ClustersTables = {
  clusterRuns: ClusterRunsTable;
  clusters: ClustersTable;
  customerClusters: CustomerClustersTable;
};
