import { defineEvents } from '../../platform/outbox.ts';

/**
 * The segments module's events: `segment.entered` and `segment.left` `{segmentId, customerId,
 * cause}` (cause: `event` when live membership moved the customer, `recompute` when a recompute
 * did) — what triggered journeys start from.
 */
export const segmentEvents = defineEvents(['segment.entered', 'segment.left'] as const);
export const emitEvents = segmentEvents.emit;
