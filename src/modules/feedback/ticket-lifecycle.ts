import type { Clock } from '../../platform/clock.ts';
import type { Tx } from './feedback.db.ts';

/** A merged duplicate's tickets and their threads become the survivor's. */
export async function mergeCustomerTickets(tx: Tx, fromId: string, intoId: string): Promise<void> {
  await tx.updateTable('tickets').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
  await tx.updateTable('ticketMessages').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
}

/**
 * An erased customer's tickets keep their shape (status, tags, assignee, how many messages, when)
 * under the opaque customer id, like the ledger: every body and question is blanked, the subject
 * (often the customer's own first words) replaced, and any contact dropped.
 */
export async function eraseCustomerTickets(tx: Tx, clock: Clock, customerIds: string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.updateTable('ticketMessages').set({ body: null, question: null }).where('customerId', 'in', customerIds).execute();
  await tx
    .updateTable('tickets')
    .set({ subject: '(erased)', contactName: null, contactEmail: null, erasedAt: clock.now() })
    .where('customerId', 'in', customerIds)
    .execute();
}
