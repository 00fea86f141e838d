import { sql } from 'kysely';
import type { AnyDb } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import { ownDb } from './customers.db.ts';
import { customerIdByIdentifier as ownerOf } from './find-customers.ts';
import type { Identifier } from './identifiers.ts';

// Lookups another module makes inside its own transaction: the receipt import resolves its rows'
// customers in the batch's transaction (on PGlite a query outside it would wait for it forever).
// They take whichever module's view the caller holds and query through the customers' own.

/** The customer an identifier belongs to, or null. */
export function customerIdByIdentifier<V extends PlatformTables>(db: AnyDb<V>, identifier: Identifier): Promise<string | null> {
  return ownerOf(ownDb(db), identifier);
}

/** The customer an id names now (a merged id's survivor), or null when there is none or it was erased. */
export async function currentCustomerId<V extends PlatformTables>(db: AnyDb<V>, id: string): Promise<string | null> {
  const row = await ownDb(db).selectFrom('customers').select(['id', 'mergedInto', 'status']).where('id', '=', id).executeTakeFirst();
  return !row || row.status === 'erased' ? null : (row.mergedInto ?? row.id);
}

/**
 * The set-based `currentCustomerId`: each id's current customer (a merged id's survivor), or
 * null when there is none or it was erased. One query however many ids (a lottery's entrants).
 */
export async function currentCustomerIds<V extends PlatformTables>(db: AnyDb<V>, ids: readonly string[]): Promise<Map<string, string | null>> {
  const current = new Map<string, string | null>(ids.map((id) => [id, null]));
  if (ids.length === 0) return current;
  const rows = await ownDb(db).selectFrom('customers').select(['id', 'mergedInto', 'status']).where('id', '=', sql<string>`any(${[...ids]}::text[])`).execute();
  for (const row of rows) current.set(row.id, row.status === 'erased' ? null : (row.mergedInto ?? row.id));
  return current;
}
