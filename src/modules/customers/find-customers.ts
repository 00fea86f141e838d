import { sql } from 'kysely';
import type { FieldProblem } from '../../platform/errors.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { loadCustomerRecord, loadCustomerRecords, type CustomerRecord } from './customer-record.ts';
import type { DbOrTx } from './customers.db.ts';
import { customerError } from './customers.errors.ts';
import { normalizeCard, normalizeEmail, normalizePhone, parseExternalRef, type Identifier, type IdentifierKind } from './identifiers.ts';

export type LookupQuery = { phone?: string; email?: string; card?: string; externalId?: string };

/** The identifier a lookup names, normalised the way it was stored. */
export function lookupIdentifier(query: LookupQuery, phoneRegion: string): Identifier {
  const given = (['phone', 'email', 'card', 'externalId'] as const).filter((key) => query[key] !== undefined);
  if (given.length !== 1) {
    throw customerError('customer.lookup_needs_one_identifier', 'Pass exactly one of phone, email, card or externalId');
  }
  const field = given[0]!;
  const raw = query[field]!;
  const result =
    field === 'phone'
      ? normalizePhone(raw, phoneRegion)
      : field === 'email'
        ? normalizeEmail(raw)
        : field === 'card'
          ? normalizeCard(raw)
          : parseExternalRef(raw);
  if (!result.ok) {
    const problem: FieldProblem = { field, reason: result.reason };
    throw customerError('customer.invalid_identifier', `${field} ${result.reason}`, [problem]);
  }
  if (typeof result.value !== 'string') return result.value;
  return { kind: field === 'card' ? 'card' : (field as 'phone' | 'email'), source: '', value: result.value };
}

/** The id of the customer an identifier belongs to, or null (identifiers move with merges and go with erasure). */
export async function customerIdByIdentifier(db: DbOrTx, identifier: Identifier): Promise<string | null> {
  // A till's identify runs this on every checkout: a named prepared statement (db/database.ts).
  const row = await sql<{ customerId: string }>`/*ps:identify_owner*/
    select customer_id from customer_identifiers
    where kind = ${identifier.kind}::text and source = ${identifier.source}::text and value = ${identifier.value}::text`.execute(db);
  return row.rows[0]?.customerId ?? null;
}

export async function lookupCustomer(db: DbOrTx, query: LookupQuery, phoneRegion: string, masked: boolean): Promise<CustomerRecord> {
  const customerId = await customerIdByIdentifier(db, lookupIdentifier(query, phoneRegion));
  if (!customerId) throw customerError('customer.not_found', 'No customer has that identifier');
  return loadCustomerRecord(db, customerId, masked);
}

export type ListQuery = { q?: string; limit: number; cursor?: string; status?: 'active' | 'merged' | 'erased'; tag?: string };

// The cursor is the last id seen: ids are UUIDv7, so id order is creation order.
const isCustomerKey = isIdKey('cus');

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Newest first, a page at a time. `q` matches the start of a phone, e-mail, card or external id,
 * or of a first or last name. For a caller who sees contacts masked (`masked`), identifiers
 * match only whole: a prefix search would answer "is the next digit a 3?" and so recover, one
 * digit at a time, the very number the mask hides. Names, which such a caller sees, still
 * match by their start.
 */
export async function listCustomers(
  db: DbOrTx,
  query: ListQuery,
  phoneRegion: string,
  masked: boolean,
): Promise<Page<CustomerRecord>> {
  let select = db.selectFrom('customers').select('id').where('status', '=', query.status ?? 'active');
  const after = decodeCursor(query.cursor, isCustomerKey);
  if (after) select = select.where('id', '<', after);
  if (query.tag) select = select.where(sql<boolean>`${query.tag} = any(tags)`);
  const q = query.q?.trim();
  if (q) {
    const identifierMatch = masked ? wholeIdentifierMatch(db, q, phoneRegion) : prefixIdentifierMatch(db, q, phoneRegion);
    const name = `${escapeLike(q.toLowerCase())}%`;
    select = select.where((eb) =>
      eb.or([
        eb('id', 'in', identifierMatch),
        eb(sql`lower(last_name)`, 'like', name),
        eb(sql`lower(first_name)`, 'like', name),
      ]),
    );
  }
  const rows = await select.orderBy('id', 'desc').limit(query.limit + 1).execute();
  const page = pageOf(rows, query.limit, (row) => row.id);
  return { items: await loadCustomerRecords(db, page.items.map((row) => row.id), masked), nextCursor: page.nextCursor };
}

function prefixIdentifierMatch(db: DbOrTx, q: string, phoneRegion: string) {
  const prefixes = new Set([q.toLowerCase(), q.replace(/[\s-]/g, '').toUpperCase()]);
  const phone = normalizePhone(q, phoneRegion);
  if (phone.ok) prefixes.add(phone.value);
  else if (/^\+?[\d\s()-]{3,}$/.test(q)) prefixes.add(`+${q.replace(/\D/g, '')}`);
  return db
    .selectFrom('customerIdentifiers')
    .select('customerId')
    .where((eb) => eb.or([...prefixes].map((prefix) => eb('value', 'like', `${escapeLike(prefix)}%`))));
}

/** `q` read as a whole phone, e-mail, card or external id (of any source), each normalised as stored. */
function wholeIdentifierMatch(db: DbOrTx, q: string, phoneRegion: string) {
  const candidates: Array<{ kind: IdentifierKind; value: string }> = [{ kind: 'external', value: q }];
  const phone = normalizePhone(q, phoneRegion);
  if (phone.ok) candidates.push({ kind: 'phone', value: phone.value });
  const email = normalizeEmail(q);
  if (email.ok) candidates.push({ kind: 'email', value: email.value });
  const card = normalizeCard(q);
  if (card.ok) candidates.push({ kind: 'card', value: card.value });
  return db
    .selectFrom('customerIdentifiers')
    .select('customerId')
    .where((eb) => eb.or(candidates.map(({ kind, value }) => eb.and([eb('kind', '=', kind), eb('value', '=', value)]))));
}
