import { defineEvents, type DomainEvent } from '../../platform/outbox.ts';

/** The events the customers module emits (buildApp registers the list; a typo does not compile). */
export const customerEvents = defineEvents(['customer.created', 'customer.updated', 'customer.merged', 'customer.erased'] as const);
export type CustomerEvent = DomainEvent<(typeof customerEvents.types)[number]>;
export const emitEvents = customerEvents.emit;
