import type { DbOrTx } from './partners.db.ts';
import { storeOwners } from './partner-records.ts';
import type { PartnerStatus } from './partners.tables.ts';

export type StorePartner = { partnerId: string; name: string; status: PartnerStatus; earnRateBp: number };

/**
 * Who runs each store, cached in process: every checkout asks (the earning rate) and every
 * partner key's request asks (its scope). This instance's own changes drop the cache at once
 * (`changed`); another instance's are seen within `ttlMs` (PATRON_CACHE_MS, as the loyalty
 * configuration and the promotions). A coalition has tens or thousands of stores: one small map.
 */
export function createPartnerCache(ttlMs: number) {
  let cached: { at: number; byStore: Map<string, StorePartner> } | null = null;
  let generation = 0;
  return {
    async byStore(db: DbOrTx): Promise<Map<string, StorePartner>> {
      if (cached && performance.now() - cached.at < ttlMs) return cached.byStore;
      const started = generation;
      const at = performance.now();
      const rows = await storeOwners(db);
      const byStore = new Map(rows.map((row) => [row.storeId, { partnerId: row.partnerId, name: row.name, status: row.status, earnRateBp: row.earnRateBp }]));
      // A change saved while this read ran may not be in it: keep it only if nothing changed meanwhile.
      if (started === generation) cached = { at, byStore };
      return byStore;
    },
    changed(): void {
      generation++;
      cached = null;
    },
  };
}

export type PartnerCache = ReturnType<typeof createPartnerCache>;
