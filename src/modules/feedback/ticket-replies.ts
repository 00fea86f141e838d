import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { FeedbackDeps } from './feedback.deps.ts';
import { feedbackError } from './feedback.errors.ts';
import { emitEvents } from './feedback.events.ts';
import { MAX_SUBJECT } from './feedback.schemas.ts';
import { findTicket, getTicket, type TicketMessageView, type TicketView } from './tickets.ts';

/**
 * Text of Patron's own as a template part: messaging renders every part with Liquid, so each `{`
 * of what support wrote becomes an output of the one-character string "{" — no tag or variable
 * can start in the text, whatever it holds, and the customer gets it as written.
 */
export function literalPart(text: string): string {
  return text.replace(/\{/g, '{{ "{" }}');
}

export function replySubject(subject: string): string {
  const base = /^re:/i.test(subject) ? subject : `Re: ${subject}`;
  return base.length > MAX_SUBJECT ? `${base.slice(0, MAX_SUBJECT - 1)}…` : base;
}

/**
 * Support writes on a ticket: a note stays inside; a reply is also sent to the customer, by
 * e-mail, as a service message of messaging (`source: ticket`), and the ticket keeps the
 * message's id to show its delivery. A reply moves an open ticket to pending (waiting for the
 * customer).
 *
 * In this order, so nothing is half-written: the address is checked first (no customer, an
 * erased one or one without an e-mail: 422 and nothing stored); the thread's message is written;
 * then the e-mail is queued (its dedupe key is the thread message's id: a retry queues no
 * second one); then the message id, the status and the ticket's activity are saved. If the
 * queueing fails, the thread's message is taken back before the error is answered.
 */
export async function addMessage(
  deps: FeedbackDeps,
  ticketId: string,
  input: { kind: 'reply' | 'note'; text: string },
  actor: Actor,
  masked: boolean,
): Promise<TicketView & { messages: TicketMessageView[] }> {
  const { db, clock, ids } = deps;
  if (input.text.trim() === '') throw feedbackError('ticket.invalid', 'text: has no text but spaces', [{ field: 'text', reason: 'has no text but spaces' }]);
  const ticket = await findTicket(db, ticketId);
  if (input.kind === 'reply') {
    if (ticket.status === 'closed') {
      throw feedbackError('ticket.closed', `Ticket ${ticketId} is closed: a closed ticket gets no more replies; a note may still be added, or open a new ticket`);
    }
    if (ticket.customerId === null) {
      throw feedbackError('ticket.no_address', `Ticket ${ticketId} is an anonymous message: there is no customer to send a reply to${ticket.contactEmail ? '; write to the contact it gave yourself, and add a note' : ''}`, [
        { field: 'kind', reason: 'reply needs a ticket with a customer' },
      ]);
    }
    const [record] = await deps.customers.getMany([ticket.customerId], false);
    if (!record || record.status !== 'active') {
      throw feedbackError('ticket.no_address', `Customer ${ticket.customerId} was erased: a reply cannot be sent`, [{ field: 'kind', reason: 'the customer was erased' }]);
    }
    if (!record.email) {
      throw feedbackError('ticket.no_address', `Customer ${ticket.customerId} has no e-mail address, and replies go by e-mail; add one to the profile (PATCH /v1/customers/{id}) or add a note instead`, [
        { field: 'kind', reason: 'reply needs a customer with an e-mail address' },
      ]);
    }
  }
  const id = ids.next('tkm');
  const now = clock.now();
  const direction = input.kind === 'reply' ? 'out' : 'note';
  await db
    .insertInto('ticketMessages')
    .values({ id, ticketId, customerId: ticket.customerId, direction, body: input.text, question: null, author: actor.name, messageId: null, createdAt: now })
    .execute();
  let messageId: string | null = null;
  if (input.kind === 'reply') {
    try {
      const queued = await deps.messaging.enqueue({
        template: { id: null, version: null, kind: 'email', purpose: 'service', parts: { subject: literalPart(replySubject(ticket.subject)), text: literalPart(input.text) } },
        source: 'ticket',
        sourceId: ticketId,
        items: [{ customerId: ticket.customerId!, dedupeKey: `ticket-reply:${id}` }],
      });
      messageId = queued.queued[0] ?? null;
      // The address went between the check and the queueing (an erase, a changed profile).
      if (messageId === null) throw feedbackError('ticket.no_address', `Customer ${ticket.customerId} has no e-mail address any more: the reply was not sent`);
    } catch (error) {
      await db.deleteFrom('ticketMessages').where('id', '=', id).execute();
      throw error;
    }
  }
  await db.transaction().execute(async (tx) => {
    const row = await findTicket(tx, ticketId, true);
    if (messageId) await tx.updateTable('ticketMessages').set({ messageId }).where('id', '=', id).execute();
    const status = input.kind === 'reply' && row.status === 'open' ? 'pending' : row.status;
    await tx.updateTable('tickets').set({ status, messages: row.messages + 1, lastActivityAt: now, updatedAt: now }).where('id', '=', ticketId).execute();
    await writeAudit(tx, clock, actor, { action: input.kind === 'reply' ? 'ticket.reply' : 'ticket.note', entityType: 'ticket', entityId: ticketId, details: { ticketMessageId: id, ...(messageId ? { messageId } : {}) } });
    if (status !== row.status) {
      await emitEvents(tx, clock, ids, [{ type: 'ticket.updated', customerId: row.customerId, payload: { ticketId, status, previousStatus: row.status } }]);
    }
  });
  return getTicket(deps, ticketId, masked);
}
