import type { Selectable } from 'kysely';
import type { Timestamp } from '../../platform/platform.tables.ts';

/** The recommendations module's tables (Kysely's view, camel-cased). Only this module names them. */
export type ItemKind = 'sku' | 'category';
/** 'serve': the model the API answers from; 'holdout': the one trained before the cut to evaluate it. */
export type ModelName = 'serve' | 'holdout';
export type RunPhase = 'queued' | 'model' | 'holdout-model' | 'evaluation' | 'done';

export type RecommendationRunsTable = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  phase: RunPhase;
  phasesDone: number;
  asOf: Timestamp;
  windowDays: number;
  holdoutDays: number;
  topN: number;
  minPairCount: number;
  neighbours: number;
  baskets: number | null;
  items: number | null;
  pairs: number | null;
  categoryPairs: number | null;
  evaluatedCustomers: number | null;
  modelHits: number | null;
  popularityHits: number | null;
  categoryEvaluatedCustomers: number | null;
  categoryModelHits: number | null;
  categoryPopularityHits: number | null;
  failure: string | null;
  requestedBy: string | null;
  startedAt: Timestamp;
  finishedAt: Timestamp | null;
};

export type RecommendationItemsTable = {
  runId: string;
  model: ModelName;
  kind: ItemKind;
  item: string;
  basketCount: number;
  customerCount: number;
  support: number;
  popularityRank: number;
};

export type RecommendationPairsTable = {
  runId: string;
  model: ModelName;
  kind: ItemKind;
  itemA: string;
  itemB: string;
  pairCount: number;
  support: number;
  confidence: number;
  lift: number;
  rank: number;
};

export type RecommendationsTables = {
  recommendationRuns: RecommendationRunsTable;
  recommendationItems: RecommendationItemsTable;
  recommendationPairs: RecommendationPairsTable;
};

/** A run row as read. */
export type RunRow = Selectable<RecommendationRunsTable>;
