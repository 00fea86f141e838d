import { defineErrors } from '../../platform/errors.ts';

export const feedbackErrors = defineErrors({
  'ticket.not_found': { status: 404, title: 'Ticket not found' },
  'ticket.invalid': { status: 400, title: 'The ticket is not valid' },
  'ticket.transition_refused': { status: 409, title: 'The ticket cannot move to that status' },
  'ticket.closed': { status: 409, title: 'The ticket is closed' },
  'ticket.customer_gone': { status: 409, title: 'The customer is no longer active' },
  'ticket.no_address': { status: 422, title: 'The reply cannot be sent by e-mail' },
});
export const feedbackError = feedbackErrors.error;
