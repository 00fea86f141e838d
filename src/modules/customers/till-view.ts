import { sql } from 'kysely';
import { maskEmail, maskPhone } from '../../platform/masking.ts';
import type { DbOrTx } from './customers.db.ts';
import { customerError } from './customers.errors.ts';
import type { AccountSummary } from './deps.ts';

/**
 * What a till (and a partner) sees of a customer: enough to greet them and take their points,
 * nothing to profile them by — no name, birth date, other cards, tags or attributes.
 */
export type TillView = {
  id: string;
  phone: string | null;
  email: string | null;
  /** The card the till named (looked up or signed up with); never the customer's other cards. */
  card: string | null;
} & AccountSummary;

export type AccountSummaryOf = (customerId: string) => Promise<AccountSummary>;

/**
 * One statement for the contacts (a router query: both tables by the customer's id), beside
 * the account summary the loyalty module provides. Throws customer.not_found for unknown ids.
 */
export async function loadTillView(db: DbOrTx, customerId: string, card: string | null, summaryOf: AccountSummaryOf): Promise<TillView> {
  const [contacts, account] = await Promise.all([
    sql<{ id: string; phone: string | null; email: string | null }>`/*ps:till_view*/
      select c.id,
        (select value from customer_identifiers where customer_id = c.id and kind = 'phone' and is_primary) as phone,
        (select value from customer_identifiers where customer_id = c.id and kind = 'email' and is_primary) as email
      from customers c where c.id = ${customerId}::text`.execute(db),
    summaryOf(customerId),
  ]);
  const row = contacts.rows[0];
  if (!row) throw customerError('customer.not_found', `No customer ${customerId}`);
  return {
    id: row.id,
    phone: row.phone === null ? null : maskPhone(row.phone),
    email: row.email === null ? null : maskEmail(row.email),
    card,
    ...account,
  };
}
