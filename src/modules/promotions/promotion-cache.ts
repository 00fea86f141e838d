import type { DbOrTx } from './promotions.db.ts';
import { toDefinition } from './promotion-store.ts';
import type { PromotionDefinition } from './promotion-types.ts';

/**
 * The active promotions, cached in process: every checkout reads them, and they change when a
 * marketer saves one. This instance's own changes drop the cache at once (`changed`); another
 * instance's are seen within `ttlMs` (PATRON_CACHE_MS, as the loyalty configuration). Counters
 * (budget used, uses) are never cached: the adjuster reads them fresh and commit guards them.
 */
export function createPromotionCache(ttlMs: number) {
  let cached: { at: number; promotions: PromotionDefinition[] } | null = null;
  let generation = 0;
  return {
    async active(db: DbOrTx): Promise<PromotionDefinition[]> {
      if (cached && performance.now() - cached.at < ttlMs) return cached.promotions;
      const started = generation;
      const at = performance.now();
      const rows = await db.selectFrom('promotions').selectAll().where('status', '=', 'active').orderBy('id').execute();
      const promotions = rows.map(toDefinition);
      // A change saved while this read ran may not be in it: keep it only if nothing changed meanwhile.
      if (started === generation) cached = { at, promotions };
      return promotions;
    },
    changed(): void {
      generation++;
      cached = null;
    },
  };
}

export type PromotionCache = ReturnType<typeof createPromotionCache>;
