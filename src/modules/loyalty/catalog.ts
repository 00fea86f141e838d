import { sql } from 'kysely';
import type { Db, DbOrTx, Tx } from './loyalty.db.ts';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, isTextKey, pageOf, type Page } from '../../platform/pagination.ts';
import { bumpCacheVersion } from './checkout-cache.ts';
import { checkTimezone } from './config-store.ts';
import { loyaltyError } from './loyalty.errors.ts';
import { StoreSchema } from './loyalty.schemas.ts';

export type StoreInput = { id: string; name: string; region?: string | null; timezone: string; active?: boolean };
export type StoreView = { id: string; name: string; region: string | null; timezone: string; active: boolean };
export type ProductInput = { sku: string; name: string; categoryPath?: string[]; brand?: string | null; attributes?: Record<string, string | number | boolean> };

/** Code-unit order: the same order for every request, whatever the database's collation. */
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const storeColumns = ['id', 'name', 'region', 'timezone', 'active'] as const;
const productColumns = ['sku', 'name', 'categoryPath', 'brand', 'attributes'] as const;

/** Upserts stores in one statement; every timezone is checked first, so a bad one changes nothing. */
export async function upsertStores(db: Db, clock: Clock, actor: Actor, input: StoreInput[]) {
  return db.transaction().execute((tx) => writeStores(tx, clock, actor, input));
}

async function writeStores(tx: Tx, clock: Clock, actor: Actor, input: StoreInput[]) {
  // Sorted, so concurrent upserts lock the rows they share in one order and cannot deadlock.
  const stores = [...new Map(input.map((s) => [s.id, s])).values()].sort((a, b) => compareKeys(a.id, b.id));
  for (const store of stores) checkTimezone(store.timezone);
  const now = clock.now();
  const rows = await tx
    .insertInto('stores')
    .values(stores.map((s) => ({ id: s.id, name: s.name, region: s.region ?? null, timezone: s.timezone, active: s.active ?? true, createdAt: now, updatedAt: now })))
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        region: eb.ref('excluded.region'),
        timezone: eb.ref('excluded.timezone'),
        active: eb.ref('excluded.active'),
        updatedAt: now,
      })),
    )
    .returning(storeColumns)
    .execute();
  await bumpCacheVersion(tx);
  await writeAudit(tx, clock, actor, { action: 'store.upsert', entityType: 'store', entityId: stores.length === 1 ? stores[0]!.id : null, details: { count: stores.length } });
  return rows;
}

/** PATCH /v1/stores/{id}: a merge patch of the store, checked whole once merged, under the store's row lock. */
export async function patchStore(db: Db, clock: Clock, actor: Actor, id: string, patch: Record<string, unknown>) {
  return db.transaction().execute(async (tx) => {
    const current = await tx.selectFrom('stores').select(storeColumns).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!current) throw loyaltyError('store.not_found', `No store ${id}; PUT /v1/stores/${id} creates it`);
    const merged = applyMergePatch(current, patch) as { id?: unknown };
    if (merged.id !== id) throw loyaltyError('store.invalid', `id: the body names ${String(merged.id)} while the path names ${id}`, [{ field: 'id', reason: 'must be the id in the path' }]);
    const store = checkMerged<StoreInput>(StoreSchema, merged);
    return (await writeStores(tx, clock, actor, [store]))[0]!;
  });
}

/** Every store (checkout's cache, the demo); routes page through `pageStores`. */
export async function listStores(db: DbOrTx) {
  return db.selectFrom('stores').select(storeColumns).orderBy('id').execute();
}

export async function pageStores(db: DbOrTx, limit: number, cursor?: string): Promise<Page<StoreView>> {
  const after = decodeCursor(cursor, isTextKey);
  let query = db.selectFrom('stores').select(storeColumns).orderBy('id').limit(limit + 1);
  if (after !== undefined) query = query.where('id', '>', after);
  return pageOf(await query.execute(), limit, (row) => row.id);
}

export async function getStore(db: DbOrTx, id: string): Promise<StoreView> {
  const store = await db.selectFrom('stores').select(storeColumns).where('id', '=', id).executeTakeFirst();
  if (!store) throw loyaltyError('store.not_found', `No store ${id}`);
  return store;
}

export async function upsertProducts(db: Db, clock: Clock, actor: Actor, input: ProductInput[]) {
  // One statement cannot update a row twice: the last copy of a repeated SKU wins.
  // Sorted by SKU, so concurrent catalog uploads lock the rows they share in one order and cannot deadlock.
  const products = [...new Map(input.map((p) => [p.sku, p])).values()].sort((a, b) => compareKeys(a.sku, b.sku));
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const result = await sql<{ sku: string }>`
      insert into products (sku, name, category_path, brand, attributes, created_at, updated_at)
      select sku, name, array(select jsonb_array_elements_text(path::jsonb)), brand, attributes::jsonb, ${now}, ${now}
      from unnest(${products.map((p) => p.sku)}::text[], ${products.map((p) => p.name)}::text[],
        ${products.map((p) => JSON.stringify(p.categoryPath ?? []))}::text[], ${products.map((p) => p.brand ?? null)}::text[],
        ${products.map((p) => JSON.stringify(p.attributes ?? {}))}::text[]) as t(sku, name, path, brand, attributes)
      on conflict (sku) do update set name = excluded.name, category_path = excluded.category_path,
        brand = excluded.brand, attributes = excluded.attributes, updated_at = excluded.updated_at
      returning sku`.execute(tx);
    await bumpCacheVersion(tx);
    await writeAudit(tx, clock, actor, { action: 'product.upsert', entityType: 'product', entityId: null, details: { count: products.length } });
    return result.rows.length;
  });
}

/** Products by SKU, a page at a time; `q` matches the start of a SKU or any part of a name. */
export async function listProducts(db: DbOrTx, limit: number, cursor?: string, q?: string) {
  const after = decodeCursor(cursor, isTextKey);
  let query = db.selectFrom('products').select(productColumns).orderBy('sku').limit(limit + 1);
  if (after !== undefined) query = query.where('sku', '>', after);
  if (q) query = query.where((eb) => eb.or([eb('sku', 'like', `${q.replace(/[\\%_]/g, '\\$&')}%`), eb(sql`lower(name)`, 'like', `%${q.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`)]));
  return pageOf(await query.execute(), limit, (row) => row.sku);
}
