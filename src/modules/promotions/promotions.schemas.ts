import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { Defaulted, StringEnum } from '../../platform/schemas.ts';
import { promotionIds } from './promotions.ids.ts';

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Names = (maxItems: number) => Type.Array(Name, { minItems: 1, maxItems });
const Minor = (description: string) => Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: `${description}, in minor units (kopecks: 149000 is 1,490.00)` });
const Units = Type.Integer({ minimum: 1, maximum: 1000 });
const Bp = (description: string) => Type.Integer({ minimum: 1, maximum: 10_000, description: `${description}, in basis points (1000 = 10%, 10000 = 100%)` });
const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM in the store\'s timezone' });
const Id = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });

export const PromotionId = Type.String({ pattern: promotionIds.pattern('prm'), description: 'prm_… id' });
export const PromotionParams = Type.Object({ id: PromotionId });

export const LineTargetSchema = named('LineTarget', Type.Object(
  { skus: Type.Optional(Names(5000)), categories: Type.Optional(Names(500)), brands: Type.Optional(Names(500)) },
  { additionalProperties: false, description: 'Which lines: any of these SKUs, categories (anywhere in the path) or brands; nothing named: every line. Categories the program excludes (tobacco) never take a discount' },
));

export const BenefitSchema = named('PromotionBenefit', Type.Union([
  Type.Object(
    { kind: Type.Literal('percent_off'), percentBp: Bp('Off each target line, rounded half-up per line'), target: Type.Optional(LineTargetSchema), maxDiscountMinor: Type.Optional(Minor('At most this off in all')) },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('amount_off'), amountMinor: Minor('Off the target lines together, shared by what each costs'), target: Type.Optional(LineTargetSchema) }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('n_for_m'), buy: Type.Integer({ minimum: 2, maximum: 100 }), pay: Type.Integer({ minimum: 1, maximum: 99 }), target: Type.Optional(LineTargetSchema) },
    { additionalProperties: false, description: 'buy units for the price of pay: in every buy whole units, the cheapest buy − pay are free' },
  ),
  Type.Object(
    {
      kind: Type.Literal('buy_x_get_y'),
      buy: Type.Object({ target: LineTargetSchema, qty: Units }, { additionalProperties: false }),
      get: Type.Object({ target: LineTargetSchema, qty: Units, percentBp: Bp('Off the gifted units (10000: free)') }, { additionalProperties: false }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('bundle_price'),
      items: Type.Array(Type.Object({ target: LineTargetSchema, qty: Units }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
      priceMinor: Minor('What the bundle costs'),
    },
    { additionalProperties: false },
  ),
  Type.Object({ kind: Type.Literal('free_item'), sku: Name, qty: Units }, { additionalProperties: false, description: 'The gift line must be on the receipt (the till adds it)' }),
  Type.Object(
    { kind: Type.Literal('points_multiplier'), factor: Type.Number({ minimum: 1.01, maximum: 100, multipleOf: 0.01, description: '×factor the percent points of the target lines (2 = double points)' }), target: Type.Optional(LineTargetSchema) },
    { additionalProperties: false, description: 'Points, not money: adds to the discounts; its extra points count against limits.budgetPoints' },
  ),
  Type.Object(
    { kind: Type.Literal('bonus_points'), points: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'Points once per receipt, shared by the target lines' }), target: Type.Optional(LineTargetSchema) },
    { additionalProperties: false, description: 'Points, not money: adds to the discounts; counts against limits.budgetPoints' },
  ),
], { description: 'What the promotion gives: money off, or points (points_multiplier, bonus_points), earned on what is paid after discounts' }));

export const AudienceSchema = named('PromotionAudience', Type.Union([
  Type.Object({ kind: Type.Literal('everyone') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('tiers'), tiers: Type.Array(Id, { minItems: 1, maxItems: 50 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('segments'), segments: Type.Array(Id, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('customers'), customerIds: Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 10_000 }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('new_customers') }, { additionalProperties: false, description: 'Customers without an earlier confirmed receipt' }),
]));

export const ValiditySchema = named('PromotionValidity', Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    weekdays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { minItems: 1, maxItems: 7, description: '1 = Monday … 7 = Sunday, in the store\'s timezone' })),
    timeFrom: Type.Optional(HHMM),
    timeTo: Type.Optional(HHMM),
    stores: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 5000 })),
    channels: Type.Optional(Type.Array(StringEnum(['offline', 'online'] as const), { minItems: 1, maxItems: 2 })),
  },
  { additionalProperties: false, description: 'When and where it applies; nothing named: always, everywhere' },
));

export const StackingSchema = named('PromotionStacking', Type.Object(
  {
    exclusive: Defaulted(Type.Boolean({ default: false, description: 'Applies alone: no other promotion with it' })),
    group: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'At most one promotion of a group applies: the one worth most to the customer' })),
    priority: Defaulted(Type.Integer({ minimum: -1000, maximum: 1000, default: 0, description: 'Higher first' })),
  },
  { additionalProperties: false },
));

export const LimitsSchema = named('PromotionLimits', Type.Object(
  {
    budgetMinor: Type.Optional(Minor('Money it may give away in all')),
    budgetPoints: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'Points a points benefit may give in all' })),
    uses: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_000_000_000, description: 'Receipts it may apply to in all' })),
    perCustomer: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    perCustomerPerDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Days by the store\'s calendar' })),
  },
  { additionalProperties: false },
));

const definitionFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  status: Type.Optional(StringEnum(['draft', 'active', 'paused', 'archived'] as const, { description: 'Only active promotions apply; a new one is a draft unless said' })),
  benefit: BenefitSchema,
  minSpendMinor: Type.Optional(Minor('The receipt (its target lines) must reach this before the promotion applies')),
  audience: Type.Optional(AudienceSchema),
  validity: Type.Optional(ValiditySchema),
  stacking: Type.Optional(StackingSchema),
  limits: Type.Optional(LimitsSchema),
  requiresCode: Defaulted(Type.Boolean({ default: false, description: 'Applies only when the customer presents one of its promo codes' })),
  releaseOnReturn: Defaulted(Type.Boolean({ default: true, description: 'A cancel, or a return of the whole receipt, gives the use (and the code\'s use) back; the budget always gets back the returned share' })),
};

export const PromotionCreate = named('PromotionCreate', Type.Object(definitionFields, { additionalProperties: false }));

const Usage = named('PromotionUsage', Type.Object({
  usedMinor: Minor('Discount given so far, returns deducted'),
  uses: Type.Integer({ description: 'Receipts it applied to, returns given back deducted' }),
  budgetLeftMinor: Type.Union([Minor('Budget left'), Type.Null()]),
  usedPoints: Type.Integer({ description: 'Points a points benefit gave so far, returns deducted' }),
  budgetLeftPoints: Type.Union([Type.Integer(), Type.Null()]),
  usesLeft: Type.Union([Type.Integer(), Type.Null()]),
}, { description: 'Read-only: what PUT and PATCH ignore' }));

export const PromotionSchema = named('Promotion', Type.Object({
  id: Type.String(),
  ...definitionFields,
  status: StringEnum(['draft', 'active', 'paused', 'archived'] as const),
  audience: AudienceSchema,
  validity: ValiditySchema,
  stacking: StackingSchema,
  limits: LimitsSchema,
  requiresCode: Type.Boolean(),
  releaseOnReturn: Type.Boolean(),
  usage: Usage,
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));

/** PUT takes what GET answers: the read-only members may come back (ignored), `version` is a precondition. */
export const PromotionReplacement = named('PromotionReplacement', Type.Object({
  ...definitionFields,
  id: Type.Optional(Type.String({ description: 'As GET answers it: must be the id in the path' })),
  usage: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'Read-only; ignored' })),
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 promotion.version_conflict' })),
  createdAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
  updatedAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
}, { additionalProperties: false }));

export const PromotionListQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: 50, maxLimit: 500 }),
    status: Type.Optional(StringEnum(['draft', 'active', 'paused', 'archived'] as const)),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the name' })),
  },
  { additionalProperties: false },
);
export const PromotionPage = PageOf('PromotionPage', PromotionSchema);
