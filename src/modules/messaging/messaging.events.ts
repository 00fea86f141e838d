import { defineEvents } from '../../platform/outbox.ts';

/**
 * A message's life as events (journeys branch on them, analytics counts them, webhooks carry
 * them): sent when the provider took it, then delivered, failed or bounced as it learns.
 */
export const messagingEvents = defineEvents(['message.sent', 'message.failed', 'message.delivered', 'message.bounced'] as const);
export const emitEvents = messagingEvents.emit;
