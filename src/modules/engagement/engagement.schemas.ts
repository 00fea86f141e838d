import { Type } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { engagementIds } from './engagement.ids.ts';

/** Event types: lower-case words joined by dots (review.posted, app.login, purchase.survey_answered). */
export const EventType = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$',
  patternDescription: 'lower-case words of letters, digits and _ joined by dots, like review.posted',
});

export const ActionRuleId = Type.String({ pattern: engagementIds.pattern('acr'), description: 'acr_… id' });
export const ActionRuleParams = Type.Object({ id: ActionRuleId });

// A finite number: JSON like -1e400 parses to -Infinity, which JSON (and so the stored rule or event) cannot hold.
const FiniteNumber = Type.Number({ minimum: -1e15, maximum: 1e15 });
const PropertyValue = Type.Union([Type.String({ maxLength: 200 }), FiniteNumber, Type.Boolean()]);

export const ActionLimitsSchema = named('ActionRuleLimits', Type.Object(
  {
    oncePerCustomer: Type.Optional(Type.Boolean({ description: 'At most one award per customer, ever' })),
    perCustomerPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Awards per customer per day (the customer\'s day: their timezone, UTC when none)' })),
    perCustomerTotal: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Awards per customer in all' })),
    totalPoints: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'Points the rule may give away across every customer (an award that would pass it is not made)' })),
  },
  { additionalProperties: false, description: 'Nothing named: every matching event earns' },
));

export const ActionConditionsSchema = named('ActionRuleConditions', Type.Object(
  {
    properties: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 64 }), PropertyValue, {
      maxProperties: 20,
      description: 'Each named property of the event must equal this value ({"rating": 5})',
    })),
  },
  { additionalProperties: false },
));

const ruleFields = {
  name: Type.String({ minLength: 1, maxLength: 200, description: 'Shown in the customer\'s ledger ("Bonus: <name>")' }),
  eventType: EventType,
  points: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Points each matching event earns' }),
  status: Type.Optional(StringEnum(['active', 'paused', 'archived'] as const, { description: 'Only active rules award; a new rule is active unless said' })),
  validFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Awards for events received from this instant' })),
  validTo: Type.Optional(Type.String({ format: 'date-time', description: 'Awards for events received before this instant' })),
  limits: Type.Optional(ActionLimitsSchema),
  conditions: Type.Optional(ActionConditionsSchema),
};

export const ActionRuleCreate = named('ActionRuleCreate', Type.Object(ruleFields, { additionalProperties: false }));

const RuleUsage = named('ActionRuleUsage', Type.Object({
  awards: Type.Integer({ description: 'Events that earned from the rule' }),
  points: Type.Integer({ description: 'Points it gave' }),
  budgetLeft: Type.Union([Type.Integer(), Type.Null()], { description: 'limits.totalPoints less what was given; null without a budget' }),
}, { description: 'Read-only: what PUT and PATCH ignore' }));

export const ActionRuleSchema = named('ActionRule', Type.Object({
  id: Type.String(),
  ...ruleFields,
  status: StringEnum(['active', 'paused', 'archived'] as const),
  limits: ActionLimitsSchema,
  conditions: ActionConditionsSchema,
  usage: RuleUsage,
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));

export const ActionRuleReplacement = named('ActionRuleReplacement', Type.Object({
  ...ruleFields,
  id: Type.Optional(Type.String({ description: 'As GET answers it: must be the id in the path' })),
  usage: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'Read-only; ignored' })),
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 action_rule.version_conflict' })),
  createdAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
  updatedAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
}, { additionalProperties: false }));

export const ActionRulePatch = mergePatchSchema('ActionRulePatch', Type.Object({ ...ActionRuleCreate.properties, version: Type.Integer({ minimum: 1 }) }));

export const ActionRuleListQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: 50, maxLimit: 500 }),
    status: Type.Optional(StringEnum(['active', 'paused', 'archived'] as const)),
    eventType: Type.Optional(EventType),
  },
  { additionalProperties: false },
);
export const ActionRulePage = PageOf('ActionRulePage', ActionRuleSchema);

// ---- events ----

export const CustomerRef = named('CustomerRef', Type.Object(
  {
    customerId: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    card: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'source:value, as the customers API takes it' })),
  },
  { additionalProperties: false, description: 'Exactly one of customerId, phone, email, card or externalId' },
));

export const EventCreate = named('CustomerEventCreate', Type.Object(
  {
    eventId: Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$',
      patternDescription: 'letters, digits and _ . : - (up to 128), starting with a letter or digit',
      description: 'Your unique id of the event: a replay with the same body answers the first answer; another body under it is 409 event.conflict',
    }),
    customer: CustomerRef,
    type: EventType,
    properties: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.Union([Type.String({ maxLength: 2000 }), FiniteNumber, Type.Boolean(), Type.Null()]), {
      maxProperties: 50,
      description: 'Flat facts about the event (rating, productId, channel); rules may require some to equal a value',
    })),
    occurredAt: Type.Optional(Type.String({ format: 'date-time', description: 'When it happened; left out: now' })),
  },
  { additionalProperties: false },
));

const Award = named('ActionAward', Type.Object({ ruleId: Type.String(), points: Type.Integer() }));

export const EventResult = named('CustomerEventResult', Type.Object({
  eventId: Type.String(),
  customerId: Type.String(),
  awards: Type.Array(Award, { description: 'Points each rule gave for this event (and for the first app login it made, if any)' }),
  replayed: Type.Boolean({ description: 'true: this eventId was accepted before; this is the first answer' }),
}));

export const CustomerEventSchema = named('CustomerEvent', Type.Object({
  eventId: Type.String(),
  customerId: Type.String(),
  type: Type.String(),
  properties: Type.Record(Type.String(), Type.Unknown()),
  occurredAt: Type.String(),
  receivedAt: Type.String(),
  source: StringEnum(['api', 'patron'] as const, { description: 'patron: an event Patron detected itself (customer.joined, profile.completed, …)' }),
  awards: Type.Array(Award),
}));
export const CustomerEventPage = PageOf('CustomerEventPage', CustomerEventSchema);
export const CustomerEventQuery = Type.Object(
  { ...pageQuery({ defaultLimit: 50, maxLimit: 500 }), type: Type.Optional(EventType) },
  { additionalProperties: false },
);

// ---- birthday offer ----

export const BirthdayBenefitSchema = named('BirthdayBenefit', Type.Union([
  Type.Object({ kind: Type.Literal('points'), points: Type.Integer({ minimum: 1, maximum: 1_000_000 }) }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('promo_code'), promotionId: Type.String({ pattern: '^prm_[0-9a-f]{32}$', description: 'prm_… id: the promotion whose personal code the customer gets' }) },
    { additionalProperties: false },
  ),
], { description: 'Points at once, or a personal promo code valid through the window' }));

const birthdayFields = {
  enabled: Type.Boolean(),
  benefit: BirthdayBenefitSchema,
  daysBefore: Type.Integer({ minimum: 0, maximum: 60, description: 'The offer starts this many days before the birthday (the customer\'s local days)' }),
  daysAfter: Type.Integer({ minimum: 0, maximum: 60, description: 'And stays valid this many days after it' }),
  defaultTimezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA timezone for customers who have none (the program keeps no timezone of its own)' }),
};
export const BirthdayOfferBody = Type.Object(birthdayFields, { additionalProperties: false });
export const BirthdayOfferSchema = named('BirthdayOffer', Type.Object({ ...birthdayFields, version: Type.Integer(), updatedAt: Type.String() }));
export const BirthdayOfferReplacement = named('BirthdayOfferReplacement', Type.Object({
  ...birthdayFields,
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 birthday_offer.version_conflict' })),
  updatedAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
}, { additionalProperties: false }));
export const BirthdayOfferPatch = mergePatchSchema('BirthdayOfferPatch', Type.Object({ ...birthdayFields, version: Type.Integer({ minimum: 1 }) }));
