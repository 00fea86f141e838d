import { defineEvents } from '../../platform/outbox.ts';

/**
 * - `ticket.created` `{ticketId, source, status, tags, customerId}`: a new ticket (a detractor's
 *   survey answer carries the `detractor` tag: webhooks forward it to a helpdesk or a chat).
 * - `ticket.updated` `{ticketId, status, previousStatus}`: a ticket's status changed.
 */
export const feedbackEvents = defineEvents(['ticket.created', 'ticket.updated'] as const);
export const emitEvents = feedbackEvents.emit;
