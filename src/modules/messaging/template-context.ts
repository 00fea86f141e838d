import { localTime } from '../../platform/local-time.ts';
import type { CustomerRecord } from '../customers/index.ts';
import type { ContactPolicy } from './contact-policy.ts';
import type { MessageKind } from './messaging.tables.ts';
import type { TemplateContext } from './templates/index.ts';

/**
 * What a template sees of a customer, read through the other modules' services: the profile
 * (customers), the balance, lots expiring and tier (loyalty). A campaign or a journey step adds
 * its own: the personal promo code, the offer, recommendations.
 */
export type AccountOf = (customerId: string) => Promise<{
  available: number;
  pendingPoints: number;
  /** Lots expiring soonest first: how many points, and the instant they lapse. */
  expiring: Array<{ points: number; at: string }>;
  tier: { id: string; name: string; next: { name: string; remaining: number; metric: 'spend' | 'points' } | null } | null;
}>;

export type ContextSources = {
  customers: (ids: string[]) => Promise<CustomerRecord[]>;
  account: AccountOf;
  currency: () => Promise<string>;
};

export type ContextExtras = Partial<Pick<TemplateContext, 'promoCode' | 'offer' | 'recommendations' | 'store'>> & { links?: Partial<TemplateContext['links']> };

export function fullName(record: Pick<CustomerRecord, 'firstName' | 'lastName'>): string {
  return [record.firstName, record.lastName].filter((part): part is string => Boolean(part)).join(' ');
}

export async function templateContext(
  sources: ContextSources,
  policy: ContactPolicy,
  record: CustomerRecord,
  message: { id: string; kind: MessageKind; at: Date },
  extras: ContextExtras = {},
): Promise<TemplateContext> {
  const [account, currency] = await Promise.all([sources.account(record.id), sources.currency()]);
  const next = account.tier?.next ?? null;
  // The day a lot lapses as the customer's calendar shows it (a lot ending at 00:00 Moscow time is the day before in UTC).
  const zone = record.timezone ?? policy.defaultTimezone;
  const expiringSoon = account.expiring.map((lot) => ({ points: lot.points, date: localTime(new Date(new Date(lot.at).getTime() - 1), zone).date }));
  return {
    customer: {
      id: record.id,
      firstName: record.firstName,
      lastName: record.lastName,
      fullName: fullName(record),
      email: record.email,
      phone: record.phone,
      birthDate: record.birthDate,
      locale: record.locale,
      timeZone: record.timezone,
      city: record.city,
      gender: record.gender,
      attributes: record.attributes,
      createdAt: record.createdAt,
    },
    balance: {
      available: account.available,
      pending: account.pendingPoints,
      expiring: expiringSoon[0] ?? null,
      expiringSoon,
    },
    tier: account.tier
      ? {
          name: account.tier.name,
          code: account.tier.id,
          next: next ? { name: next.name, pointsNeeded: next.metric === 'points' ? next.remaining : null, spendNeededMinor: next.metric === 'spend' ? next.remaining : null } : null,
        }
      : null,
    promoCode: extras.promoCode ?? null,
    recommendations: extras.recommendations ?? [],
    offer: extras.offer ?? null,
    store: extras.store ?? null,
    program: { name: policy.programName, currency, locale: policy.defaultLocale, timeZone: policy.defaultTimezone },
    links: { unsubscribe: '', preferences: '', account: '', ...extras.links },
    message: { id: message.id, channel: message.kind, sentAt: message.at.toISOString() },
  };
}
