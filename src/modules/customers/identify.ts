import { sql } from 'kysely';
import type { DbOrTx } from './customers.db.ts';
import { customerError } from './customers.errors.ts';
import { customerIdByIdentifier, lookupIdentifier, type LookupQuery } from './find-customers.ts';

/** What a till's checkout needs to know about the customer it identified. */
export type IdentifiedCustomer = { id: string; status: 'active' | 'merged' | 'erased'; birthDate: string | null; timezone: string | null };

/**
 * Finds the customer a till names — by one identifier, or by id — following a merge to the
 * survivor (identifiers move with merges; a merged id points at its survivor, one hop, since
 * merges keep chains flat). Each statement is a router query (docs/scale-out.md): the identifier
 * by its value, then the customer by id; a merged id costs one more read. Throws
 * customer.not_found; an erased customer is returned so the caller can say so.
 */
export async function identifyCustomer(db: DbOrTx, ref: LookupQuery & { customerId?: string }, phoneRegion: string): Promise<IdentifiedCustomer> {
  const { customerId, ...identifiers } = ref;
  const byId = customerId !== undefined && Object.values(identifiers).every((v) => v === undefined);
  let id = customerId;
  if (!byId) {
    const identifier = lookupIdentifier(identifiers, phoneRegion);
    id = (await customerIdByIdentifier(db, identifier)) ?? undefined;
    if (!id) throw customerError('customer.not_found', 'No customer has that identifier');
  }
  for (let hop = 0; hop < 2; hop++) {
    const rows = await sql<IdentifiedCustomer & { mergedInto: string | null }>`/*ps:identify_customer*/
      select id, status, birth_date, timezone, merged_into from customers where id = ${id}::text`.execute(db);
    const found = rows.rows[0];
    if (!found) break;
    if (found.status !== 'merged' || !found.mergedInto) return { id: found.id, status: found.status, birthDate: found.birthDate, timezone: found.timezone };
    id = found.mergedInto;
  }
  throw customerError('customer.not_found', byId ? `No customer ${customerId}` : 'No customer has that identifier');
}
