import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { platformTx } from '../../platform/db-views.ts';
import { erasableAttributeKeys, listAttributeDefinitions } from './attributes.ts';
import { loadCustomerRecord, lockCustomer, type CustomerRecord } from './customer-record.ts';
import { emitEvents } from './customers.events.ts';
import type { CustomerLifecycleHooks, CustomersDeps } from './deps.ts';

/**
 * The right to be forgotten: names, birth date, city, identifiers, free-text and personal
 * attributes and consent evidence go; the row stays, anonymised, so ledgers and statistics
 * that point at it stay whole. Records merged into the customer are erased with it.
 */
export async function eraseCustomer(
  deps: CustomersDeps,
  hooks: CustomerLifecycleHooks,
  id: string,
  actor: Actor,
): Promise<CustomerRecord> {
  const { db, clock, ids } = deps;
  return db.transaction().execute(async (tx) => {
    const customer = await lockCustomer(tx, id);
    if (customer.status === 'erased') return loadCustomerRecord(tx, customer.id, false);
    const merged = await tx.selectFrom('customers').select('id').where('mergedInto', '=', customer.id).forNoKeyUpdate().execute();
    const targets = [customer.id, ...merged.map((row) => row.id)];
    const erasable = erasableAttributeKeys(await listAttributeDefinitions(tx));
    const now = clock.now();
    await tx
      .updateTable('customers')
      .set({
        firstName: null,
        lastName: null,
        birthDate: null,
        city: null,
        attributes: sql`attributes - ${erasable}::text[]`,
        erasedAt: now,
        updatedAt: now,
      })
      .where('id', 'in', targets)
      .execute();
    await tx.updateTable('customers').set({ status: 'erased' }).where('id', '=', customer.id).execute();
    await tx.deleteFrom('customerIdentifiers').where('customerId', 'in', targets).execute();
    // The history of consents stays (it shows what was allowed when); the proof of who gave it goes.
    await tx.updateTable('consentEvents').set({ evidence: '{}' }).where('customerId', 'in', targets).execute();
    await tx.updateTable('topicEvents').set({ evidence: '{}' }).where('customerId', 'in', targets).execute();
    for (const hook of hooks.onErase) await hook(platformTx(tx), targets);
    await writeAudit(tx, clock, actor, { action: 'customer.erase', entityType: 'customer', entityId: customer.id, details: { records: targets.length } });
    await emitEvents(tx, clock, ids, [{ type: 'customer.erased', customerId: customer.id, payload: { customerId: customer.id } }]);
    return loadCustomerRecord(tx, customer.id, false);
  });
}
