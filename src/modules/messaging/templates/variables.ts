/**
 * The variables a message template may use: the TypeScript shape the sender fills
 * (TemplateContext) and, beside it, the catalogue that describes every leaf for the docs, the
 * console's autocomplete and the check made when a template is saved (validate.ts).
 *
 * The catalogue is built with `object<T>()` and `list<T>()`, whose `fields` must name exactly
 * the keys of T: a field added to the type and not to the catalogue (or the other way round)
 * does not compile.
 *
 * Dates are strings as JSON carries them: a calendar date as 'YYYY-MM-DD' (no time zone, never
 * shifted), an instant as an ISO 8601 timestamp (shown in the customer's zone by local_date).
 * Money is an integer in minor units (kopecks), points are integers.
 */
import type { CustomerRecord } from '../../customers/index.ts';

export type MessageChannel = 'email' | 'sms' | 'push' | 'telegram';

export type CustomerVars = {
  id: string;
  firstName: string | null;
  lastName: string | null;
  fullName: string;
  email: string | null;
  phone: string | null;
  birthDate: string | null;
  locale: string | null;
  timeZone: string | null;
  city: string | null;
  gender: CustomerRecord['gender'];
  attributes: Record<string, unknown>;
  createdAt: string;
};

export type ExpiringLot = { points: number; date: string };

export type BalanceVars = {
  available: number;
  pending: number;
  expiring: ExpiringLot | null;
  expiringSoon: ExpiringLot[];
};

export type NextTierVars = { name: string; pointsNeeded: number | null; spendNeededMinor: number | null };
export type TierVars = { name: string; code: string; next: NextTierVars | null };

export type PromoCodeVars = { code: string; discountText: string; expiresAt: string | null };

export type RecommendationVars = {
  sku: string;
  name: string;
  url: string;
  priceMinor: number;
  currency: string;
  imageUrl: string | null;
};

export type OfferVars = { name: string; description: string; validUntil: string | null };
export type StoreVars = { name: string; city: string | null; address: string | null };
export type ProgramVars = { name: string; currency: string; locale: string; timeZone: string };
export type LinkVars = { unsubscribe: string; preferences: string; account: string };
export type MessageVars = { id: string; channel: MessageChannel; sentAt: string };

/** Everything a template sees: filled by the sender for a real send, a preview or a test send. */
export type TemplateContext = {
  customer: CustomerVars;
  balance: BalanceVars;
  tier: TierVars | null;
  promoCode: PromoCodeVars | null;
  recommendations: RecommendationVars[];
  offer: OfferVars | null;
  store: StoreVars | null;
  program: ProgramVars;
  links: LinkVars;
  message: MessageVars;
};

/** What a leaf holds; the filter that shows it best follows from it (money → `money`, date → `local_date`). */
export type ValueType = 'text' | 'integer' | 'points' | 'money' | 'date' | 'timestamp' | 'url';

export type CatalogueNode =
  | { kind: 'value'; type: ValueType; description: string; nullable: boolean }
  | { kind: 'object'; description: string; nullable: boolean; fields: Record<string, CatalogueNode> }
  | { kind: 'list'; description: string; item: CatalogueNode }
  // Any key below is allowed (customer.attributes.<anything>): its keys are the program's own.
  | { kind: 'map'; description: string };

type Fields<T> = { [K in keyof T]-?: CatalogueNode };

const value = (type: ValueType, description: string, nullable = false): CatalogueNode => ({ kind: 'value', type, description, nullable });
const text = (description: string, nullable = false) => value('text', description, nullable);

function object<T>(description: string, fields: Fields<NonNullable<T>>, nullable = false): CatalogueNode {
  return { kind: 'object', description, nullable, fields };
}

function list<T>(description: string, fields: Fields<T>): CatalogueNode {
  return { kind: 'list', description, item: { kind: 'object', description, nullable: false, fields } };
}

const expiringLotFields: Fields<ExpiringLot> = {
  points: value('points', 'Points that expire on that date'),
  date: value('date', 'The date they expire (YYYY-MM-DD)'),
};

export const variableCatalogue: Fields<TemplateContext> = {
  customer: object<CustomerVars>('The customer the message is for', {
    id: text('Customer id (cus_…)'),
    firstName: text('First name', true),
    lastName: text('Last name', true),
    fullName: text('First and last name joined; empty when neither is known'),
    email: text('E-mail address', true),
    phone: text('Phone number in international format (+7…)', true),
    birthDate: value('date', 'Date of birth (YYYY-MM-DD)', true),
    locale: text('Preferred language (ru, en …); money, points and dates are shown in it', true),
    timeZone: text('IANA time zone (Europe/Moscow); dates and days_until count in it', true),
    city: text('City', true),
    gender: text('female, male or other', true),
    attributes: { kind: 'map', description: "The program's own customer attributes: customer.attributes.<name>" },
    createdAt: value('timestamp', 'When the customer joined the program'),
  }),
  balance: object<BalanceVars>("The customer's points", {
    available: value('points', 'Points the customer may spend now'),
    pending: value('points', 'Points earned but not yet available (the return period has not passed)'),
    expiring: object<ExpiringLot | null>('The soonest points to expire: their sum and date; null when none expire', expiringLotFields, true),
    expiringSoon: list<ExpiringLot>('Points that expire soon, soonest first', expiringLotFields),
  }),
  tier: object<TierVars | null>("The customer's tier; null when the program has no tiers", {
    name: text('Tier name'),
    code: text('Tier code'),
    next: object<NextTierVars | null>('The next tier up; null at the top', {
      name: text('Next tier name'),
      pointsNeeded: value('points', 'Points still needed to reach it; null when the tier is reached by spend', true),
      spendNeededMinor: value('money', 'Spend still needed to reach it, in minor units; null when the tier is reached by points', true),
    }, true),
  }, true),
  promoCode: object<PromoCodeVars | null>("The customer's personal promo code; null when the message has none", {
    code: text('The code to enter at checkout'),
    discountText: text('What it gives, in words (−10%, 500 ₽ off)'),
    expiresAt: value('timestamp', 'When it stops working; null when it does not expire', true),
  }, true),
  recommendations: list<RecommendationVars>('Products recommended to the customer, best first', {
    sku: text('Product SKU'),
    name: text('Product name'),
    url: value('url', 'Product page'),
    priceMinor: value('money', 'Price in minor units'),
    currency: text('Price currency (ISO 4217)'),
    imageUrl: value('url', 'Product image', true),
  }),
  offer: object<OfferVars | null>('The offer the message announces; null when none', {
    name: text('Offer name'),
    description: text('Offer description'),
    validUntil: value('timestamp', 'When the offer ends; null when it does not', true),
  }, true),
  store: object<StoreVars | null>("The customer's home store; null when unknown", {
    name: text('Store name'),
    city: text('Store city', true),
    address: text('Store address', true),
  }, true),
  program: object<ProgramVars>('The loyalty program', {
    name: text('Program name'),
    currency: text('Program currency (ISO 4217); money uses it unless told another'),
    locale: text("The program's language, used when the customer's is unknown"),
    timeZone: text("The program's time zone, used when the customer's is unknown"),
  }),
  links: object<LinkVars>('Links to put in the message', {
    unsubscribe: value('url', 'Unsubscribe from this kind of message'),
    preferences: value('url', 'Manage subscriptions'),
    account: value('url', "The customer's account"),
  }),
  message: object<MessageVars>('This message', {
    id: text('Message id'),
    channel: text('email, sms, push or telegram'),
    sentAt: value('timestamp', 'When it is sent (for a preview: when it is previewed)'),
  }),
};

export type CatalogueEntry = { path: string; kind: CatalogueNode['kind']; type?: ValueType; description: string; nullable: boolean };

/**
 * Every node of the catalogue as a flat list, parents before children, for the docs and
 * autocomplete. A list's item fields read `recommendations[].name`.
 */
export function catalogueEntries(): CatalogueEntry[] {
  const entries: CatalogueEntry[] = [];
  const visit = (path: string, node: CatalogueNode) => {
    if (node.kind === 'value') entries.push({ path, kind: 'value', type: node.type, description: node.description, nullable: node.nullable });
    else if (node.kind === 'map') entries.push({ path, kind: 'map', description: node.description, nullable: false });
    else if (node.kind === 'list') {
      entries.push({ path, kind: 'list', description: node.description, nullable: false });
      if (node.item.kind === 'object') for (const [name, child] of Object.entries(node.item.fields)) visit(`${path}[].${name}`, child);
    } else {
      entries.push({ path, kind: 'object', description: node.description, nullable: node.nullable });
      for (const [name, child] of Object.entries(node.fields)) visit(`${path}.${name}`, child);
    }
  };
  for (const [name, node] of Object.entries(variableCatalogue)) visit(name, node);
  return entries;
}
