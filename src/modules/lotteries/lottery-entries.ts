import { sql } from 'kysely';
import { currentCustomerIds } from '../customers/index.ts';
import { netSpendByCustomer } from '../loyalty/index.ts';
import { byCustomerId } from './fair-draw.ts';
import type { DbOrTx } from './lotteries.db.ts';
import type { ActionRule, EntryRule, SpendRule } from './lottery-types.ts';

export type CountedEntry = { customerId: string; entries: number; spendEntries: number; actionEntries: number };

type Period = { from: Date; to: Date };

/** The customer-event type the engagement module writes to the outbox for every accepted POST /v1/events. */
const CUSTOMER_ACTION = 'customer.action';

/** The event the surveys module writes to the outbox for every answer (again when a customer replaces theirs). */
const SURVEY_ANSWERED = 'survey.answered';

/**
 * Accepted customer events per customer and event type, each event once (payload.eventId: a
 * replayed event is not two), that Patron recorded in [from, to): the outbox row's own time
 * (`occurred_at`, the server's clock when the event was accepted) is in the period. The event's
 * stated time (payload.occurredAt, the caller's, any time in the past) must be in it too, but
 * alone it would let an event posted after `to` and dated inside the period change a closed
 * lottery's entries. `survey.answered` also counts the answers given to Patron's own surveys
 * (their links, the API), once per survey a customer answered in the period, however many times
 * they replaced their answers.
 */
async function countActions(db: DbOrTx, period: Period, types: string[]) {
  if (types.length === 0) return [];
  const result = await sql<{ customerId: string; eventType: string; events: string | number }>`
    select customer_id, event_type, count(distinct counted) as events from (
      select customer_id, payload->>'type' as event_type, 'event:' || (payload->>'eventId') as counted
      from outbox_events
      where type = ${CUSTOMER_ACTION} and customer_id is not null and payload->>'type' = any(${types}::text[])
        and occurred_at >= ${period.from}::timestamptz and occurred_at < ${period.to}::timestamptz
        and (payload->>'occurredAt')::timestamptz >= ${period.from}::timestamptz
        and (payload->>'occurredAt')::timestamptz < ${period.to}::timestamptz
      union all
      select customer_id, ${SURVEY_ANSWERED}, 'survey:' || (payload->>'surveyId')
      from outbox_events
      where type = ${SURVEY_ANSWERED} and ${SURVEY_ANSWERED} = any(${types}::text[]) and customer_id is not null
        and occurred_at >= ${period.from}::timestamptz and occurred_at < ${period.to}::timestamptz
    ) x
    group by customer_id, event_type`.execute(db);
  return result.rows.map((row) => ({ customerId: row.customerId, eventType: row.eventType, events: Number(row.events) }));
}

const capped = (rule: { maxEntries?: number }, entries: number) => (rule.maxEntries === undefined ? entries : Math.min(entries, rule.maxEntries));

/**
 * Every entrant's entries by the rules, in customer-id order (the draw's canonical order): what
 * Patron recorded in the period, so nothing recorded from `to` on changes them. Ids of merged
 * customers count for the survivor; erased customers do not take part. Three set-based queries
 * whatever the number of entrants: spend (loyalty's), accepted events (the outbox), current
 * customer ids. There is no narrowing to one customer: receipts and events keep a merged
 * duplicate's id, so one customer's entries are read off the whole count.
 */
export async function countEntries(db: DbOrTx, period: Period, rules: readonly EntryRule[]): Promise<CountedEntry[]> {
  const spendRules = rules.filter((rule): rule is SpendRule => rule.kind === 'spend');
  const actionRules = rules.filter((rule): rule is ActionRule => rule.kind === 'action');
  const spend = spendRules.length > 0 ? await netSpendByCustomer(db, period) : [];
  const actions = await countActions(db, period, [...new Set(actionRules.map((rule) => rule.eventType))]);

  const current = await currentCustomerIds(db, [...new Set([...spend.map((row) => row.customerId), ...actions.map((row) => row.customerId)])]);
  const netOf = new Map<string, number>();
  const tierOf = new Map<string, string | null>();
  for (const row of spend) {
    const id = current.get(row.customerId);
    if (!id) continue;
    netOf.set(id, (netOf.get(id) ?? 0) + row.netMinor);
    if (id === row.customerId || !tierOf.has(id)) tierOf.set(id, row.tierId);
  }
  const eventsOf = new Map<string, number>();
  for (const row of actions) {
    const id = current.get(row.customerId);
    if (!id) continue;
    const key = `${id}\n${row.eventType}`;
    eventsOf.set(key, (eventsOf.get(key) ?? 0) + row.events);
  }

  const entrants = new Map<string, CountedEntry>();
  const entrant = (id: string) => entrants.get(id) ?? entrants.set(id, { customerId: id, entries: 0, spendEntries: 0, actionEntries: 0 }).get(id)!;
  for (const [id, net] of netOf) {
    for (const rule of spendRules) {
      const multiplier = rule.tierMultipliers?.[tierOf.get(id) ?? ''] ?? 1;
      const entries = capped(rule, Math.floor(net / rule.perMinor) * multiplier);
      if (entries > 0) entrant(id).spendEntries += entries;
    }
  }
  for (const [key, events] of eventsOf) {
    const [id, eventType] = key.split('\n') as [string, string];
    for (const rule of actionRules.filter((r) => r.eventType === eventType)) entrant(id).actionEntries += capped(rule, events * rule.entries);
  }
  const list = [...entrants.values()].map((e) => ({ ...e, entries: e.spendEntries + e.actionEntries })).filter((e) => e.entries > 0);
  return list.sort(byCustomerId);
}
