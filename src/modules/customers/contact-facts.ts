import { sql, type RawBuilder } from 'kysely';

/**
 * What messaging needs to queue a campaign set-based, as SQL over the customers' own tables, so
 * a million customers are one statement a chunk instead of a million records made in Node.
 *
 * `contactOf(id, wanted)` selects, for the customer whose id the expression names (a lateral join), one
 * row: `status, timezone, email, phone`, the e-mail and phone being the primary ones exactly as
 * `toRecord` picks them (identifiers in kind, source, created_at, value order, the first primary);
 * no row for an unknown id; an address not `wanted` is null. `grantedSql(id, channel, purpose)` is true when the customer's latest
 * consent event (marketing unless named) on the channel (or on 'all') grants it, as `grantedNow` decides.
 */
export function contactOf(customerId: RawBuilder<unknown>, wanted: { email: boolean; phone: boolean } = { email: true, phone: true }): RawBuilder<unknown> {
  // An address no template of the campaign uses is not looked up (null): a lookup a customer each.
  const primary = (kind: 'email' | 'phone') =>
    wanted[kind]
      ? sql`(select i.value from customer_identifiers i
          where i.customer_id = c.id and i.kind = ${kind} and i.is_primary order by i.source, i.created_at, i.value limit 1)`
      : sql`null::text`;
  return sql`select c.status, c.timezone, ${primary('email')} as email, ${primary('phone')} as phone from customers c where c.id = ${customerId}`;
}

export function grantedSql(customerId: RawBuilder<unknown>, channel: string, purpose = 'marketing'): RawBuilder<boolean> {
  return sql<boolean>`coalesce((select ce.granted from consent_events ce
    where ce.customer_id = ${customerId} and ce.purpose = ${purpose} and ce.channel in (${channel}, 'all')
    order by ce.occurred_at desc, ce.id desc limit 1), false)`;
}

/** The customer's latest choice on a subscription topic (true subscribed, false left), null when they never chose: messaging adds the topic's default. */
export function topicChoiceSql(customerId: RawBuilder<unknown>, topic: string): RawBuilder<boolean | null> {
  return sql<boolean | null>`(select te.subscribed from topic_events te
    where te.customer_id = ${customerId} and te.topic = ${topic}
    order by te.occurred_at desc, te.id desc limit 1)`;
}
