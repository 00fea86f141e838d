import { sql } from 'kysely';
import type { DbOrTx, Tx } from './loyalty.db.ts';
import { loadLoyaltyConfig, type LoyaltyConfig } from './config-store.ts';

/**
 * What checkout reads on every receipt but a marketer changes rarely — program, rules, tiers,
 * stores, products — cached in process. Staleness is bounded and documented (docs/loyalty.md,
 * "Caching"):
 *   - a change made through this instance's API is seen by its next request (the writer calls
 *     `changed`, after its transaction commits);
 *   - a change made on another instance (or straight in SQL, with `bumpCacheVersion`) is seen
 *     within `maxAgeMs`: at most that often, the cache compares one counter row that every
 *     change bumps in its own transaction, and drops everything when it moved.
 * Time here is the process's monotonic clock, not the injectable business clock: staleness is
 * about real elapsed time.
 */
export type StoreFacts = { id: string; timezone: string; active: boolean };
export type ProductFacts = { sku: string; name: string; categoryPath: string[]; brand: string | null };

export type CheckoutCache = {
  config(db: DbOrTx): Promise<LoyaltyConfig>;
  store(db: DbOrTx, id: string): Promise<StoreFacts | undefined>;
  /** Known products by SKU; SKUs the catalog does not have are absent from the map. */
  products(db: DbOrTx, skus: string[]): Promise<Map<string, ProductFacts>>;
  /** This instance changed something: drop what is cached now. */
  changed(): void;
};

/** Bumps the counter other instances compare; call inside the writing transaction. */
export async function bumpCacheVersion(tx: Tx): Promise<void> {
  await sql`update loyalty_cache_version set version = version + 1`.execute(tx);
}

// Bounds memory for big catalogs: past this many SKUs the product cache starts over.
const MAX_PRODUCTS = 200_000;

export function createCheckoutCache(options: { maxAgeMs: number; now?: () => number }): CheckoutCache {
  const now = options.now ?? (() => performance.now());
  let version: number | null = null;
  let checkedAt = -Infinity;
  // Values loaded; `generation` moves when they are dropped, so a load that started before a drop
  // does not put old values back.
  let generation = 0;
  let config: LoyaltyConfig | null = null;
  let stores: Map<string, StoreFacts> | null = null;
  let products = new Map<string, ProductFacts | null>();

  const drop = () => {
    generation++;
    config = null;
    stores = null;
    products = new Map();
  };

  /**
   * A load runs on the connection it was started with. One started inside a transaction can sit
   * behind that transaction's statement waiting for a row lock another transaction holds, and one
   * started on the pool needs a free connection: a transaction awaiting either may be waiting for
   * itself, a deadlock PostgreSQL cannot see (CI found it: confirms and refunds with gift cards hung
   * under load once the cache went stale). So a caller inside a transaction awaits only its own
   * statements — it takes values already loaded, never a load in flight; callers outside one
   * share a single load.
   */
  function shared<T>(db: DbOrTx, inFlight: Promise<T> | null, load: () => Promise<T>, keep: (promise: Promise<T> | null) => void): Promise<T> {
    if (db.isTransaction) return load();
    if (inFlight) return inFlight;
    const started = load().finally(() => keep(null));
    keep(started);
    return started;
  }

  let checking: Promise<void> | null = null;
  async function check(db: DbOrTx): Promise<void> {
    const row = await sql<{ version: number }>`/*ps:cache_version*/ select version from loyalty_cache_version`.execute(db);
    const current = Number(row.rows[0]?.version ?? 0);
    if (current !== version) drop();
    version = current;
    checkedAt = now();
  }
  async function fresh(db: DbOrTx): Promise<void> {
    if (now() - checkedAt < options.maxAgeMs) return;
    await shared(db, checking, () => check(db), (p) => (checking = p));
  }

  let configLoad: Promise<LoyaltyConfig> | null = null;
  let storesLoad: Promise<Map<string, StoreFacts>> | null = null;
  /** Loads with `load` and keeps the value unless what is cached was dropped meanwhile. */
  const keeping = <T>(load: () => Promise<T>, set: (value: T) => void) => async () => {
    const at = generation;
    const value = await load();
    if (at === generation) set(value);
    return value;
  };

  return {
    async config(db) {
      await fresh(db);
      if (config) return config;
      return shared(db, configLoad, keeping(() => loadLoyaltyConfig(db), (value) => (config = value)), (p) => (configLoad = p));
    },
    async store(db, id) {
      await fresh(db);
      if (stores) return stores.get(id);
      const loadStores = async () => new Map((await db.selectFrom('stores').select(['id', 'timezone', 'active']).execute()).map((row) => [row.id, row]));
      return (await shared(db, storesLoad, keeping(loadStores, (value) => (stores = value)), (p) => (storesLoad = p))).get(id);
    },
    async products(db, skus) {
      await fresh(db);
      if (products.size + skus.length > MAX_PRODUCTS) products = new Map();
      // Fill the map this request started with: if a change drops it meanwhile, rows read
      // before the change go with the old map instead of into the new one.
      const cached = products;
      const missing = skus.filter((sku) => !cached.has(sku));
      if (missing.length > 0) {
        const rows = await sql<ProductFacts>`/*ps:cache_products*/
          select sku, name, category_path, brand from products where sku = any(${missing}::text[])`.execute(db);
        for (const sku of missing) cached.set(sku, null);
        for (const row of rows.rows) cached.set(row.sku, row);
      }
      const found = new Map<string, ProductFacts>();
      for (const sku of skus) {
        const product = cached.get(sku);
        if (product) found.set(sku, product);
      }
      return found;
    },
    changed() {
      drop();
      // Re-read the counter on the next request so this instance stays in step with it.
      checkedAt = -Infinity;
    },
  };
}
