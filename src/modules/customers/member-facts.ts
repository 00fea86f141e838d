import { sql, type RawBuilder } from 'kysely';

/**
 * The members the analytics module counts, as SQL it selects from: one row per active customer
 * (a merged or erased record is no member), `customer_id, created_at, signup_source`.
 */
export const memberFacts = (): RawBuilder<unknown> =>
  sql`select c.id as customer_id, c.created_at, c.signup_source from customers c where c.status = 'active'`;

/**
 * The customers a count over everyone's activity must not take as members of a period ending
 * before `since` or later: those who are no members (merged, erased) and those who joined at
 * `since` or after (an import's customer may have bought before the record was made). Few, so
 * a count over a million customers' activity leaves them out by a small hash instead of joining
 * every member: `customer_id, created_at, member`.
 */
export const memberExceptions = (since: Date): RawBuilder<unknown> =>
  // Two parts, each read by an index of its own (migration 0050); as one OR, a scan of every customer.
  sql`select c.id as customer_id, c.created_at, false as member from customers c where c.status <> 'active'
    union all
    select c.id, c.created_at, true from customers c where c.status = 'active' and c.created_at >= ${since}::timestamptz`;
