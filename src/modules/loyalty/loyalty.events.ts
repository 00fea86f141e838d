import { defineEvents, type DomainEvent as EventOf } from '../../platform/outbox.ts';

/** The events the loyalty module emits (buildApp registers the list; a typo does not compile). */
export const loyaltyEvents = defineEvents([
  'receipt.confirmed',
  'receipt.cancelled',
  'receipt.refunded',
  'points.earned',
  'points.redeemed',
  'points.activated',
  'points.expired',
  'points.expiring',
  'points.adjusted',
  'tier.changed',
] as const);
/** An event this module emits. */
export type DomainEvent = EventOf<(typeof loyaltyEvents.types)[number]>;
export const emitEvents = loyaltyEvents.emit;
