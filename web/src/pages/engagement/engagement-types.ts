/** What the engagement and referral routes answer, as far as these pages read them, and the form helpers they share. */
export type RuleStatus = 'active' | 'paused' | 'archived';
export type PropertyValue = string | number | boolean;

export type ActionRule = {
  id: string;
  name: string;
  eventType: string;
  points: number;
  status: RuleStatus;
  validFrom?: string;
  validTo?: string;
  limits: { oncePerCustomer?: boolean; perCustomerPerDay?: number; perCustomerTotal?: number; totalPoints?: number };
  conditions: { properties?: Record<string, PropertyValue> };
  usage: { awards: number; points: number; budgetLeft: number | null };
  version: number;
  createdAt: string;
  updatedAt: string;
};

export type BirthdayOffer = {
  enabled: boolean;
  benefit: { kind: 'points'; points: number } | { kind: 'promo_code'; promotionId: string };
  daysBefore: number;
  daysAfter: number;
  defaultTimezone: string;
  version: number;
  updatedAt: string;
};

export type ReferralProgram = {
  enabled: boolean;
  referrerPoints: number;
  refereePoints: number;
  qualifyingPurchaseMinor: number;
  joinWindowDays: number;
  qualifyWithinDays: number;
  capPerReferrerPerMonth: number;
  capPerReferrerTotal: number;
  linkTemplate?: string;
  version: number;
  updatedAt: string | null;
};

export type PromotionOption = { id: string; name: string; status: string; requiresCode?: boolean };

/**
 * A number typed in a field: empty is left out, a number is sent scaled (money in major units →
 * minor), anything else is sent as typed so the server names what is wrong with it in words.
 */
export const numberOf = (value: string, scale = 1): number | string | undefined => {
  const trimmed = value.trim().replace(/\s/g, '').replace(',', '.');
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? Math.round(n * scale * 100) / 100 : trimmed;
};

/** A datetime-local field's value from an ISO time, in this browser's zone. */
export const localDateTime = (iso: string | undefined) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');

/** A datetime-local field's value as an ISO time (as typed when the browser cannot read it, for the server to name). */
export const isoOf = (local: string): string | undefined => {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? local : date.toISOString();
};

/** Event types Patron records itself, and common ones an app posts: offered while typing, any other is allowed. */
export const knownEventTypes = ['customer.joined', 'profile.completed', 'consent.marketing_given', 'app.first_login', 'app.login', 'review.posted', 'survey.answered'] as const;
