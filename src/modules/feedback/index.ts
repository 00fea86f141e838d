import type { Actor } from '../../platform/actor.ts';
import type { CustomerLifecycleHooks } from '../customers/index.ts';
import type { FeedbackDeps } from './feedback.deps.ts';
import type { Tx } from './feedback.db.ts';
import { openSurveyTickets } from './survey-tickets.ts';
import { addMessage } from './ticket-replies.ts';
import { eraseCustomerTickets, mergeCustomerTickets } from './ticket-lifecycle.ts';
import { createTicket, getTicket, listTickets, patchTicket, type TicketFilters, type TicketInput } from './tickets.ts';

export { feedbackModule } from './feedback.module.ts';
export { feedbackRoutes } from './feedback.routes.ts';
export type { FeedbackDeps } from './feedback.deps.ts';
export type { TicketView, TicketMessageView, TicketInput } from './tickets.ts';
export { SURVEY_EVENT } from './survey-tickets.ts';

type Page = { limit: number; cursor?: string };

/**
 * The feedback inbox's public face: tickets made from customers' messages (the account page, an
 * app or site, a survey's free text), their threads, support's replies by e-mail and notes.
 * `masked`: the caller sees contacts masked (an anonymous sender's name and e-mail).
 */
export function createFeedback(deps: FeedbackDeps, hooks?: CustomerLifecycleHooks<Tx>) {
  hooks?.onMerge.push((tx, fromId, intoId) => mergeCustomerTickets(tx, fromId, intoId));
  hooks?.onErase.push((tx, customerIds) => eraseCustomerTickets(tx, deps.clock, customerIds));
  return {
    /** A customer's message as a ticket (`created: false`: its sourceRef was seen, the first ticket is answered). */
    create: (input: TicketInput, actor: Actor, masked = false) => createTicket(deps, input, actor, masked),
    get: (id: string, masked = false) => getTicket(deps, id, masked),
    list: (query: TicketFilters & Page, masked = false) => listTickets(deps.db, query, masked),
    /** A customer's tickets (the 360° view), newest activity first. */
    customerTickets: (customerId: string, query: Page, masked = false) => listTickets(deps.db, { ...query, customerId }, masked),
    patch: (id: string, patch: Record<string, unknown>, actor: Actor, masked = false) => patchTicket(deps, id, patch, actor, masked),
    /** A reply (sent to the customer by e-mail) or an internal note. */
    addMessage: (id: string, input: { kind: 'reply' | 'note'; text: string }, actor: Actor, masked = false) => addMessage(deps, id, input, actor, masked),
    /** Reads `survey.answered` events and opens a ticket for each response with free text (the `open-survey-tickets` job). */
    openSurveyTickets: (signal?: AbortSignal, woken = false) => openSurveyTickets(deps, signal, woken),
  };
}

export type Feedback = ReturnType<typeof createFeedback>;
