import { sql, type RawBuilder } from 'kysely';
import type { Clock } from './clock.ts';
import { platformDb, type AnyDb } from './db-views.ts';
import type { Ids } from './ids.ts';
import type { PlatformTables } from './platform.tables.ts';

export type DomainEvent<T extends string = string> = {
  type: T;
  customerId: string | null;
  /** Ids and names of what changed; consumers read current data, so an erase needs no rewrite here. */
  payload: Record<string, unknown>;
};

/**
 * A module's event types, and the emitter typed by them (a misspelt type does not compile).
 * buildApp registers each module's list, so the outbox's consumers know every type there is.
 */
export function defineEvents<const T extends readonly string[]>(types: T) {
  return {
    types,
    /**
     * Writes events to the outbox in the caller's transaction: an event exists exactly when the
     * change that caused it committed. Consumers (journeys, webhooks, analytics) read the outbox.
     */
    emit: <V extends PlatformTables>(db: AnyDb<V>, clock: Clock, ids: Ids, events: Array<DomainEvent<T[number]>>) =>
      writeEvents(platformDb(db), clock, ids, events),
    /**
     * The same insert as a statement to place in a data-modifying CTE, so a hot path writes its
     * change and its event in one round trip (the checkout's receipt statement does).
     */
    insert: (clock: Clock, ids: Ids, events: Array<DomainEvent<T[number]>>) => eventsInsert(clock, ids, events),
  };
}

function eventsInsert(clock: Clock, ids: Ids, events: DomainEvent[]): RawBuilder<unknown> {
  // One statement of arrays whatever the count: an import batch writes thousands of events.
  return sql`insert into outbox_events (event_id, type, customer_id, payload, occurred_at)
    select event_id, type, customer_id, payload::jsonb, ${clock.now()}::timestamptz
    from unnest(${events.map(() => ids.next('evt'))}::text[], ${events.map((e) => e.type)}::text[],
      ${events.map((e) => e.customerId)}::text[], ${events.map((e) => JSON.stringify(e.payload))}::text[])
      as t(event_id, type, customer_id, payload)`;
}

async function writeEvents(db: AnyDb, clock: Clock, ids: Ids, events: DomainEvent[]): Promise<void> {
  if (events.length === 0) return;
  await eventsInsert(clock, ids, events).execute(db);
}
