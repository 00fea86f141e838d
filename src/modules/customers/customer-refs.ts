import { sql } from 'kysely';
import type { AnyDb } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import { ownDb } from './customers.db.ts';
import { customerIdByIdentifier as ownerOf } from './find-customers.ts';
import { normalizeCard, normalizeEmail, normalizePhone, type Identifier } from './identifiers.ts';

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

/** What a list names its customers by (a campaign's uploaded audience). */
export type ListIdentifierKind = 'customerId' | 'phone' | 'email' | 'cardNumber';
/** Each value's customer now, in the order given: its id, null when no customer has it, or why it is no identifier of the kind. */
export type ResolvedListValue = { customerId: string } | { problem: string } | null;

/**
 * The set-based look-up of a list's values: one query however many (a batch of an uploaded file).
 * Phones, e-mails and cards are normalised as they are stored; an id follows a merge to its
 * survivor, and names no one once erased.
 */
export async function resolveListValues<V extends PlatformTables>(db: AnyDb<V>, kind: ListIdentifierKind, values: readonly string[], phoneRegion: string): Promise<ResolvedListValue[]> {
  if (kind === 'customerId') {
    const current = await currentCustomerIds(db, values.map((v) => v.trim()));
    return values.map((v) => {
      const id = current.get(v.trim());
      return id ? { customerId: id } : null;
    });
  }
  const normalised = values.map((raw) => (kind === 'phone' ? normalizePhone(raw, phoneRegion) : kind === 'email' ? normalizeEmail(raw) : normalizeCard(raw)));
  const wanted = [...new Set(normalised.flatMap((n) => (n.ok ? [n.value] : [])))];
  const stored = kind === 'cardNumber' ? 'card' : kind;
  const owners = new Map<string, string>();
  if (wanted.length > 0) {
    const rows = await ownDb(db).selectFrom('customerIdentifiers').select(['value', 'customerId']).where('kind', '=', stored).where('source', '=', '').where('value', '=', sql<string>`any(${wanted}::text[])`).execute();
    for (const row of rows) owners.set(row.value, row.customerId);
  }
  return normalised.map((n) => (n.ok ? (owners.has(n.value) ? { customerId: owners.get(n.value)! } : null) : { problem: `${kind} ${n.reason}` }));
}
