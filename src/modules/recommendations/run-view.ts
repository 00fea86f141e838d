import { rate } from './holdout.ts';
import type { RunRow } from './recommendations.tables.ts';

export const PHASES = 3;
const DAY_MS = 86_400_000;

type Evaluated = { customers: number; modelHits: number; popularityHits: number; modelHitRate: number; popularityHitRate: number };
export type RunView = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  phase: RunRow['phase'];
  phasesDone: number;
  phases: number;
  asOf: string;
  settings: { windowDays: number; holdoutDays: number; topN: number; minPairCount: number; neighbours: number };
  model: { baskets: number; items: number; pairs: number; categoryPairs: number } | null;
  evaluation: { cutAt: string; topN: number; products: Evaluated; categories: Evaluated } | null;
  failure?: string;
  requestedBy: string | null;
  startedAt: string;
  finishedAt?: string;
};

const evaluated = (customers: number, modelHits: number, popularityHits: number): Evaluated => ({
  customers,
  modelHits,
  popularityHits,
  modelHitRate: rate(modelHits, customers),
  popularityHitRate: rate(popularityHits, customers),
});

export function runView(row: RunRow): RunView {
  const built = row.baskets !== null && row.items !== null && row.pairs !== null && row.categoryPairs !== null;
  const done = row.status === 'completed';
  return {
    id: row.id,
    status: row.status,
    phase: row.phase,
    phasesDone: row.phasesDone,
    phases: PHASES,
    asOf: row.asOf.toISOString(),
    settings: { windowDays: row.windowDays, holdoutDays: row.holdoutDays, topN: row.topN, minPairCount: row.minPairCount, neighbours: row.neighbours },
    model: built ? { baskets: row.baskets!, items: row.items!, pairs: row.pairs!, categoryPairs: row.categoryPairs! } : null,
    evaluation: done
      ? {
          cutAt: new Date(row.asOf.getTime() - row.holdoutDays * DAY_MS).toISOString(),
          topN: row.topN,
          products: evaluated(row.evaluatedCustomers ?? 0, row.modelHits ?? 0, row.popularityHits ?? 0),
          categories: evaluated(row.categoryEvaluatedCustomers ?? 0, row.categoryModelHits ?? 0, row.categoryPopularityHits ?? 0),
        }
      : null,
    ...(row.failure ? { failure: row.failure } : {}),
    requestedBy: row.requestedBy,
    startedAt: row.startedAt.toISOString(),
    ...(row.finishedAt ? { finishedAt: row.finishedAt.toISOString() } : {}),
  };
}
