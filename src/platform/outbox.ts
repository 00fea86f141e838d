import { sql } from 'kysely';
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
  // One statement of arrays whatever the count: an import batch writes thousands of events.
  await sql`insert into outbox_events (event_id, type, customer_id, payload, occurred_at)
    select event_id, type, customer_id, payload::jsonb, ${clock.now()}
    from unnest(${events.map(() => ids.next('evt'))}::text[], ${events.map((e) => e.type)}::text[],
      ${events.map((e) => e.customerId)}::text[], ${events.map((e) => JSON.stringify(e.payload))}::text[])
      as t(event_id, type, customer_id, payload)`.execute(db);
}
