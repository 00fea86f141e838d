import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import type { Tx } from './customers.db.ts';
import { customerError } from './customers.errors.ts';
import { customerIdByIdentifier } from './find-customers.ts';
import { describeIdentifier, type Identifier } from './identifiers.ts';

/**
 * Makes each identifier the customer's primary one of its kind (and source), replacing the
 * previous primary. An identifier owned by another customer is a 409; the caller's
 * transaction then rolls back, so nothing is half-written.
 */
export async function setPrimaryIdentifiers(tx: Tx, clock: Clock, customerId: string, identifiers: Identifier[]): Promise<void> {
  const taken: FieldProblem[] = [];
  const holders: string[] = [];
  for (const identifier of identifiers) {
    const owner = await tx
      .selectFrom('customerIdentifiers')
      .select(['customerId', 'isPrimary'])
      .where('kind', '=', identifier.kind)
      .where('source', '=', identifier.source)
      .where('value', '=', identifier.value)
      .forUpdate()
      .executeTakeFirst();
    if (owner && owner.customerId !== customerId) {
      taken.push({ field: describeIdentifier(identifier), reason: 'belongs to another customer' });
      holders.push(owner.customerId);
      continue;
    }
    if (owner?.isPrimary) continue;
    await removePrimaryIdentifier(tx, customerId, identifier);
    if (owner) {
      await tx
        .updateTable('customerIdentifiers')
        .set({ isPrimary: true })
        .where('kind', '=', identifier.kind)
        .where('source', '=', identifier.source)
        .where('value', '=', identifier.value)
        .execute();
      continue;
    }
    // ON CONFLICT: another transaction may insert the same value between our check and here.
    const inserted = await tx
      .insertInto('customerIdentifiers')
      .values({ ...identifier, customerId, isPrimary: true, createdAt: clock.now() })
      .onConflict((oc) => oc.columns(['kind', 'source', 'value']).doNothing())
      .returning('customerId')
      .executeTakeFirst();
    if (!inserted) {
      taken.push({ field: describeIdentifier(identifier), reason: 'belongs to another customer' });
      // Inserted by a transaction that committed after our check: its row is visible now.
      const holder = await customerIdByIdentifier(tx, identifier);
      if (holder) holders.push(holder);
    }
  }
  if (taken.length > 0) {
    const error = customerError('customer.identifier_taken', taken.map((t) => `${t.field} ${t.reason}`).join('; '), taken);
    // Who holds it is customer data: only roles that may read customers learn the id.
    const holderId = holders[0];
    throw holderId ? error.withMembers({ holderId }, 'customers:read') : error;
  }
}

export async function removePrimaryIdentifier(tx: Tx, customerId: string, identifier: Omit<Identifier, 'value'>): Promise<void> {
  await tx
    .deleteFrom('customerIdentifiers')
    .where('customerId', '=', customerId)
    .where('kind', '=', identifier.kind)
    .where('source', '=', identifier.source)
    .where('isPrimary', '=', true)
    .execute();
}
