import { sql, type Updateable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { attributeDefinitionMap, checkAttributes } from './attributes.ts';
import { invalid } from './create-customer.ts';
import { loadCustomerRecord, lockCustomer, type CustomerRecord } from './customer-record.ts';
import { customerError } from './customers.errors.ts';
import { emitEvents } from './customers.events.ts';
import type { CustomersTable } from './customers.tables.ts';
import type { CustomersDeps } from './deps.ts';
import { removePrimaryIdentifier, setPrimaryIdentifiers } from './identifier-store.ts';
import { normalizeIdentifiers, type IdentifierInput } from './identifiers.ts';
import { checkProfile, type ProfileInput } from './profile.ts';

export type UpdateCustomerInput = IdentifierInput & ProfileInput & { attributes?: Record<string, unknown> };

const profileFields = ['firstName', 'lastName', 'birthDate', 'gender', 'city', 'timezone', 'locale', 'tags'] as const;

/**
 * A merge patch: a field left out stays as it is, null clears it. A new phone, e-mail, card or
 * external id replaces the primary one of its kind; attributes merge key by key.
 */
export async function updateCustomer(deps: CustomersDeps, id: string, input: UpdateCustomerInput, actor: Actor): Promise<CustomerRecord> {
  const { db, clock, ids, phoneRegion } = deps;
  const identifiers = normalizeIdentifiers(input, phoneRegion);
  if (identifiers.problems.length > 0) throw invalid(identifiers.problems, 'customer.invalid_identifier');
  const { profile, problems } = checkProfile(input, clock.now());
  if (problems.length > 0) throw invalid(problems, 'customer.invalid_profile');
  const definitions = await attributeDefinitionMap(db);
  const attributes = checkAttributes(input.attributes ?? {}, definitions);
  if (attributes.problems.length > 0) throw invalid(attributes.problems, 'customer.invalid_attribute');

  return db.transaction().execute(async (tx) => {
    const customer = await lockCustomer(tx, id);
    if (customer.status === 'erased') throw customerError('customer.erased', `Customer ${id} was erased and cannot change`);
    // An empty patch changes nothing: no new updatedAt, no audit entry, no customer.updated event.
    if (Object.keys(input).length === 0) return loadCustomerRecord(tx, customer.id, false);
    const changes: Updateable<CustomersTable> = { updatedAt: clock.now() };
    for (const field of profileFields) {
      if (profile[field] !== undefined) Object.assign(changes, { [field]: profile[field] });
    }
    let update = tx.updateTable('customers').set(changes);
    if (Object.keys(attributes.set).length > 0 || attributes.remove.length > 0) {
      update = update.set({
        attributes: sql`(attributes - ${attributes.remove}::text[]) || ${JSON.stringify(attributes.set)}::jsonb`,
      });
    }
    await update.where('id', '=', customer.id).execute();
    for (const removed of identifiers.removed) await removePrimaryIdentifier(tx, customer.id, removed);
    await setPrimaryIdentifiers(tx, clock, customer.id, identifiers.set);
    const changed = Object.keys(input).sort();
    await writeAudit(tx, clock, actor, { action: 'customer.update', entityType: 'customer', entityId: customer.id, details: { fields: changed } });
    await emitEvents(tx, clock, ids, [{ type: 'customer.updated', customerId: customer.id, payload: { customerId: customer.id, changed } }]);
    return loadCustomerRecord(tx, customer.id, false);
  });
}
