import { sql, type RawBuilder } from 'kysely';

/**
 * What analytics reads of messages (its funnels): each message to a customer sent, opened and
 * clicked, as `customer_id, message_id, source_id, status, at`, one row per history entry (an
 * e-mail opened three times is three rows; a funnel takes the first). The campaign or journey is
 * `source_id`. Messages with no customer (reports, alerts, an erased customer's) are left out.
 */
export const interactionStatuses = ['sent', 'opened', 'clicked'] as const;
export type InteractionStatus = (typeof interactionStatuses)[number];

export function messageInteractionFacts(): RawBuilder<unknown> {
  return sql`select e.customer_id, e.message_id, m.source_id, e.status, e.occurred_at as at
    from message_events e join messages m on m.id = e.message_id
    where e.customer_id is not null and e.status in ('sent', 'opened', 'clicked')`;
}
