import type { DbOrTx } from '../db/database.ts';
import type { Clock } from './clock.ts';
import type { Ids } from './ids.ts';

export type DomainEventType =
  | 'customer.created'
  | 'customer.updated'
  | 'customer.merged'
  | 'customer.erased'
  | 'receipt.confirmed'
  | 'receipt.cancelled'
  | 'receipt.refunded'
  | 'points.earned'
  | 'points.redeemed'
  | 'points.activated'
  | 'points.expired'
  | 'points.expiring'
  | 'points.adjusted'
  | 'tier.changed';

export type DomainEvent = {
  type: DomainEventType;
  customerId: string | null;
  /** Ids and names of what changed; consumers read current data, so an erase needs no rewrite here. */
  payload: Record<string, unknown>;
};

/**
 * Writes events to the outbox in the caller's transaction: an event exists exactly when the
 * change that caused it committed. Consumers (journeys, webhooks, analytics) read the outbox.
 */
export async function emitEvents(db: DbOrTx, clock: Clock, ids: Ids, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  const occurredAt = clock.now();
  await db
    .insertInto('outboxEvents')
    .values(
      events.map((event) => ({
        eventId: ids.next('evt'),
        type: event.type,
        customerId: event.customerId,
        payload: JSON.stringify(event.payload),
        occurredAt,
      })),
    )
    .execute();
}
