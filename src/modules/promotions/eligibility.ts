import { localTime, withinTime } from '../../platform/local-time.ts';
import type { PromotionDefinition } from './promotion-types.ts';

/** What a promotion's audience and validity look at: the receipt and who is buying. */
export type EligibilityFacts = {
  storeId: string;
  storeTimezone: string;
  channel: 'offline' | 'online';
  occurredAt: Date;
  customer: { id: string; tierId: string | null; segments: ReadonlySet<string>; isNew: boolean } | null;
};

export type Ineligible = 'not_started' | 'expired' | 'wrong_store' | 'wrong_channel' | 'wrong_time' | 'not_in_audience' | 'needs_customer';

/** Why a promotion does not apply to this receipt at all, or null when it may. Pure. */
export function ineligibility(promotion: PromotionDefinition, facts: EligibilityFacts): Ineligible | null {
  const { validity: v, audience } = promotion;
  const at = facts.occurredAt.getTime();
  if (v.from && at < Date.parse(v.from)) return 'not_started';
  if (v.to && at >= Date.parse(v.to)) return 'expired';
  if (v.stores?.length && !v.stores.includes(facts.storeId)) return 'wrong_store';
  if (v.channels?.length && !v.channels.includes(facts.channel)) return 'wrong_channel';
  if (v.weekdays?.length || v.timeFrom || v.timeTo) {
    const local = localTime(facts.occurredAt, facts.storeTimezone);
    if (v.weekdays?.length && !v.weekdays.includes(local.weekday)) return 'wrong_time';
    if (!withinTime(local.minutes, v.timeFrom, v.timeTo)) return 'wrong_time';
  }
  if (audience.kind === 'everyone') return null;
  const customer = facts.customer;
  if (!customer) return 'needs_customer';
  switch (audience.kind) {
    case 'tiers':
      return customer.tierId !== null && audience.tiers.includes(customer.tierId) ? null : 'not_in_audience';
    case 'segments':
      return audience.segments.some((segment) => customer.segments.has(segment)) ? null : 'not_in_audience';
    case 'customers':
      return audience.customerIds.includes(customer.id) ? null : 'not_in_audience';
    case 'new_customers':
      return customer.isNew ? null : 'not_in_audience';
  }
}

/** The purchase's date in the store's timezone: "per customer per day" counts by it. */
export function storeDay(facts: Pick<EligibilityFacts, 'occurredAt' | 'storeTimezone'>): string {
  return localTime(facts.occurredAt, facts.storeTimezone).date;
}
