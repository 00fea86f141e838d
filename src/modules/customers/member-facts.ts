import { sql, type RawBuilder } from 'kysely';

/**
 * The members the analytics module counts, as SQL it selects from: one row per active customer
 * (a merged or erased record is no member), `customer_id, created_at, signup_source`.
 */
export const memberFacts = (): RawBuilder<unknown> =>
  sql`select c.id as customer_id, c.created_at, c.signup_source from customers c where c.status = 'active'`;
