import { defineEvents } from '../../platform/outbox.ts';

/**
 * The events the engagement module emits:
 * - `customer.action` `{type, eventId, occurredAt}` for every accepted customer event, Patron's
 *   own included (lotteries count entries from it: keep the name and the payload);
 * - `customer.birthday` `{customerId, offerId, year, kind, points | promotionId and code}` when a
 *   birthday offer is issued (messaging greets). The offer's window is read with
 *   `engagement.birthdayOffer(offerId)`, not carried: it reveals the birth date, and the outbox
 *   is not rewritten on erase.
 */
export const engagementEvents = defineEvents(['customer.action', 'customer.birthday'] as const);
export const emitEvents = engagementEvents.emit;
