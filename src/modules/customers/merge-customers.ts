import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { platformTx } from '../../platform/db-views.ts';
import { loadCustomerRecord, resolveCustomerId, type CustomerRecord } from './customer-record.ts';
import { customerError } from './customers.errors.ts';
import { emitEvents } from './customers.events.ts';
import type { CustomerLifecycleHooks, CustomersDeps } from './deps.ts';

/**
 * Merges a duplicate into a survivor: identifiers, consent history and (through hooks) other
 * modules' data move; the survivor keeps its own profile values and takes the duplicate's
 * where it has none. The duplicate stays as a pointer, so its id keeps resolving to the
 * survivor. Merging again changes nothing.
 */
export async function mergeCustomers(
  deps: CustomersDeps,
  hooks: CustomerLifecycleHooks,
  survivorId: string,
  duplicateId: string,
  actor: Actor,
): Promise<{ customer: CustomerRecord; changed: boolean }> {
  const { db, clock, ids } = deps;
  return db.transaction().execute(async (tx) => {
    const intoId = await resolveCustomerId(tx, survivorId);
    // Lock both rows in id order so two merges of the same pair cannot deadlock. FOR NO KEY
    // UPDATE, not FOR UPDATE: a merge changes no key, and other modules' writes that reference
    // the customer (a points adjustment's lot) take a key-share lock that must not wait behind
    // the merge while the merge waits for their balance lock (a deadlock, seen as 503s).
    const rows = await tx
      .selectFrom('customers')
      .select(['id', 'status', 'mergedInto'])
      .where('id', 'in', [intoId, duplicateId])
      .orderBy('id')
      .forNoKeyUpdate()
      .execute();
    const into = rows.find((row) => row.id === intoId);
    const from = rows.find((row) => row.id === duplicateId);
    if (!from) throw customerError('customer.not_found', `No customer ${duplicateId}`);
    if (!into) throw customerError('customer.not_found', `No customer ${survivorId}`);
    if (from.mergedInto === intoId) return { customer: await loadCustomerRecord(tx, intoId, false), changed: false };
    if (from.id === intoId) throw customerError('customer.merge_self', 'Pass two different customers');
    if (from.status === 'merged') throw customerError('customer.already_merged', `${duplicateId} was merged into another customer`);
    if (from.status === 'erased' || into.status === 'erased') throw customerError('customer.erased', 'An erased customer cannot be merged');
    if (into.status !== 'active') throw customerError('customer.already_merged', `${survivorId} was merged into another customer`);

    const now = clock.now();
    // A moved identifier stays primary only where the survivor has no primary of that kind.
    await sql`
      update customer_identifiers moved set customer_id = ${intoId},
        is_primary = moved.is_primary and not exists (
          select 1 from customer_identifiers own
          where own.customer_id = ${intoId} and own.kind = moved.kind and own.source = moved.source and own.is_primary)
      where moved.customer_id = ${duplicateId}`.execute(tx);
    await tx.updateTable('consentEvents').set({ customerId: intoId }).where('customerId', '=', duplicateId).execute();
    await tx.updateTable('topicEvents').set({ customerId: intoId }).where('customerId', '=', duplicateId).execute();
    await sql`
      update customers s set
        first_name = coalesce(s.first_name, d.first_name),
        last_name = coalesce(s.last_name, d.last_name),
        birth_date = coalesce(s.birth_date, d.birth_date),
        gender = coalesce(s.gender, d.gender),
        city = coalesce(s.city, d.city),
        timezone = coalesce(s.timezone, d.timezone),
        locale = coalesce(s.locale, d.locale),
        tags = array(select distinct t from unnest(s.tags || d.tags) t order by t),
        attributes = d.attributes || s.attributes,
        updated_at = ${now}
      from customers d
      where s.id = ${intoId} and d.id = ${duplicateId}`.execute(tx);
    await tx
      .updateTable('customers')
      .set({ status: 'merged', mergedInto: intoId, mergedAt: now, updatedAt: now })
      .where('id', '=', duplicateId)
      .execute();
    // Keep chains one hop long: whatever pointed at the duplicate now points at the survivor.
    await tx.updateTable('customers').set({ mergedInto: intoId }).where('mergedInto', '=', duplicateId).execute();
    for (const hook of hooks.onMerge) await hook(platformTx(tx), duplicateId, intoId);
    await writeAudit(tx, clock, actor, { action: 'customer.merge', entityType: 'customer', entityId: intoId, details: { mergedId: duplicateId } });
    await emitEvents(tx, clock, ids, [{ type: 'customer.merged', customerId: intoId, payload: { customerId: intoId, mergedId: duplicateId } }]);
    return { customer: await loadCustomerRecord(tx, intoId, false), changed: true };
  });
}
