import { stringify } from 'csv-stringify/sync';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import { pairsPage } from './pairs.ts';
import { kindOf, recommendFor, type By, type CustomerRecommendations } from './recommend.ts';
import type { Db } from './recommendations.db.ts';
import type { Ids } from './recommendations.ids.ts';
import { runView, type RunView } from './run-view.ts';
import { createRuns, defaultSettings, type RunSettings } from './runs.ts';

export { recommendationsModule } from './recommendations.module.ts';
export { recommendationRoutes } from './recommendations.routes.ts';
export type { CustomerRecommendations } from './recommend.ts';
export type { RunView } from './run-view.ts';

export type RecommendationsDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** Product names by SKU (loyalty's catalog), for the answers. */
  productNames: (skus: string[]) => Promise<Map<string, string>>;
  log?: { error(obj: object, msg: string): void };
};

/** The recommendations module's public face: the co-purchase model, its runs, and each customer's next best offers. */
export function createRecommendations(deps: RecommendationsDeps) {
  const { db, clock } = deps;
  const runs = createRuns({ db, clock, ids: deps.ids, ...(deps.log ? { log: deps.log } : {}) });
  const modelRunId = async () => (await runs.latestCompleted())?.id ?? null;

  const forCustomer = async (customerId: string, query: { by: By; limit: number }): Promise<CustomerRecommendations> =>
    recommendFor({ db, clock, names: deps.productNames }, await runs.latestCompleted(), customerId, query);

  return {
    runs,
    /** Starts a rebuild and evaluation of the model (the settings left out take their defaults). */
    startRun: (settings: Partial<RunSettings>, actor: Actor | null) => runs.start({ ...defaultSettings, ...settings }, actor),
    /** The model the API answers from, and the newest run (a running one included). */
    async summary(): Promise<{ model: RunView | null; lastRun: RunView | null }> {
      const [model, last] = [await runs.latestCompleted(), await runs.latest()];
      return { model: model ? runView(model) : null, lastRun: last ? runView(last) : null };
    },
    forCustomer,
    /** The same as CSV: one row per item of each list. */
    async forCustomerCsv(customerId: string, query: { by: By; limit: number }): Promise<string> {
      const answer = await forCustomer(customerId, query);
      const rows = [
        ...answer.recommendations.map((r, i) => ['recommended', i + 1, r.item, r.name ?? '', r.score, r.source, r.reasons.map((x) => `${x.item} (confidence ${x.confidence}, lift ${x.lift})`).join('; ')]),
        ...answer.popularity.map((p, i) => ['popularity', i + 1, p.item, p.name ?? '', p.score, 'popularity', '']),
      ];
      return stringify([['list', 'place', 'item', 'name', 'score', 'source', 'reasons'], ...rows.map((row) => row.map((cell) => neutraliseCell(String(cell))))]);
    },
    pairs: async (query: { by: By; item?: string; limit: number; cursor?: string }) =>
      pairsPage(db, await modelRunId(), { kind: kindOf(query.by), limit: query.limit, ...(query.item !== undefined ? { item: query.item } : {}), ...(query.cursor ? { cursor: query.cursor } : {}) }),
    /** Every pair of the latest model as CSV, a page at a time. */
    async *pairsCsv(query: { by: By; item?: string }): AsyncGenerator<string> {
      const runId = await modelRunId();
      yield stringify([['item_a', 'item_b', 'baskets', 'support', 'confidence', 'lift', 'rank']]);
      let cursor: string | undefined;
      do {
        const page = await pairsPage(db, runId, { kind: kindOf(query.by), limit: 5000, ...(query.item !== undefined ? { item: query.item } : {}), ...(cursor ? { cursor } : {}) });
        if (page.items.length > 0) yield stringify(page.items.map((p) => [neutraliseCell(p.itemA), neutraliseCell(p.itemB), p.baskets, p.support, p.confidence, p.lift, p.rank]));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
    /** The daily job: a rebuild with the default settings (a running one is left to finish). */
    async rebuildDaily(): Promise<{ runs: number }> {
      await runs.start(defaultSettings, null);
      return { runs: 1 };
    },
  };
}

export type Recommendations = ReturnType<typeof createRecommendations>;
