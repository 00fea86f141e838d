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
  let config: Promise<LoyaltyConfig> | null = null;
  let stores: Promise<Map<string, StoreFacts>> | null = null;
  let products = new Map<string, ProductFacts | null>();

  const drop = () => {
    config = null;
    stores = null;
    products = new Map();
  };

  // At most one check in flight; requests in the meantime use what is cached.
  let checking: Promise<void> | null = null;
  async function fresh(db: DbOrTx): Promise<void> {
    if (now() - checkedAt < options.maxAgeMs) return;
    checking ??= (async () => {
      try {
        const row = await sql<{ version: number }>`/*ps:cache_version*/ select version from loyalty_cache_version`.execute(db);
        const current = Number(row.rows[0]?.version ?? 0);
        if (current !== version) drop();
        version = current;
        checkedAt = now();
      } finally {
        checking = null;
      }
    })();
    await checking;
  }

  // A failed load must not stick: the next request tries again.
  const remember = <T>(load: Promise<T>, forget: () => void): Promise<T> => {
    load.catch(forget);
    return load;
  };

  return {
    async config(db) {
      await fresh(db);
      config ??= remember(loadLoyaltyConfig(db), () => (config = null));
      return config;
    },
    async store(db, id) {
      await fresh(db);
      stores ??= remember(
        db
          .selectFrom('stores')
          .select(['id', 'timezone', 'active'])
          .execute()
          .then((rows) => new Map(rows.map((row) => [row.id, row]))),
        () => (stores = null),
      );
      return (await stores).get(id);
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
