import { Type } from 'typebox';
import { MAX_RECEIPT_LINES } from '../../platform/money.ts';
import { named } from '../../platform/openapi-names.ts';
import { Defaulted, StringEnum } from '../../platform/schemas.ts';

const Id = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });
const HHMM = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
const Points = Type.Integer({ minimum: 0, maximum: 1_000_000_000 });
const Minor = Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'An amount in minor units (kopecks): 100000 is 1,000.00' });

export const ProgramSettingsSchema = named('ProgramSettings', Type.Object(
  {
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' }),
    pointValueMinor: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'What one point pays, in minor units (100 = 1.00)' }),
    maxRedeemShareBp: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Largest share of a receipt payable with points, basis points (3000 = 30%)' }),
    minRedeemPoints: Points,
    pendingDays: Type.Integer({ minimum: 0, maximum: 365 }),
    expiry: Type.Union([
      Type.Object({ kind: Type.Literal('never') }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('days'), days: Type.Integer({ minimum: 1, maximum: 3650 }) }, { additionalProperties: false }),
      Type.Object(
        { kind: Type.Literal('end_of_period'), period: StringEnum(['month', 'quarter', 'year'] as const), periodsAfter: Type.Integer({ minimum: 0, maximum: 120 }) },
        { additionalProperties: false },
      ),
    ]),
    earnOnRedeemedPart: Type.Boolean(),
    excludedCategories: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 200 }),
    pointsRounding: StringEnum(['floor', 'half_up'] as const),
    refundShortfall: StringEnum(['negative_balance', 'forgive'] as const),
    returnedPointsExtraDays: Type.Integer({ minimum: 0, maximum: 3650 }),
    expiringNoticeDays: Type.Integer({ minimum: 0, maximum: 365 }),
    cashierExpiryWarningDays: Type.Integer({ minimum: 0, maximum: 365 }),
  },
  { additionalProperties: false },
));

export const EarningRuleSchema = named('EarningRule', Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: StringEnum(['percent', 'multiplier', 'per_item', 'per_receipt'] as const),
    rateBp: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, description: 'percent: basis points of the paid amount (500 = 5%)' })),
    factor: Type.Optional(Type.Number({ minimum: 1, maximum: 100, description: 'multiplier: ×factor on percent points (used to the hundredth)' })),
    points: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'per_item / per_receipt: points given' })),
    conditions: Type.Object(
      {
        categories: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 })),
        skus: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 5000 })),
        brands: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 500 })),
        tiers: Type.Optional(Type.Array(Id, { maxItems: 50 })),
        stores: Type.Optional(Type.Array(Id, { maxItems: 5000 })),
        channels: Type.Optional(Type.Array(StringEnum(['offline', 'online'] as const), { maxItems: 2 })),
        weekdays: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), { maxItems: 7 })),
        timeFrom: Type.Optional(HHMM),
        timeTo: Type.Optional(HHMM),
        minReceiptTotal: Type.Optional(Minor),
        segments: Type.Optional(Type.Array(Id, { maxItems: 100 })),
      },
      { additionalProperties: false },
    ),
    priority: Defaulted(Type.Integer({ minimum: -1000, maximum: 1000, default: 0 })),
    stacking: StringEnum(['highest', 'sum', 'exclusive'] as const),
    validFrom: Type.Optional(Type.String({ format: 'date-time' })),
    validTo: Type.Optional(Type.String({ format: 'date-time' })),
    active: Defaulted(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
));

export const EarningRuleSetSchema = named('EarningRuleSet', Type.Object({ rules: Type.Array(EarningRuleSchema, { maxItems: 500 }) }, { additionalProperties: false }));

export const TierSchema = named('Tier', Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    threshold: Minor,
    earnRateBp: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    earnMultiplier: Type.Optional(Type.Number({ minimum: 1, maximum: 100, description: 'used to the hundredth' })),
    maxRedeemShareBp: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    privileges: Defaulted(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50, default: [] })),
  },
  { additionalProperties: false },
));

export const TierConfigSchema = named('TierConfig', Type.Object(
  {
    metric: StringEnum(['spend', 'points_earned'] as const),
    window: Type.Union([
      Type.Object({ kind: Type.Literal('rolling'), days: Type.Integer({ minimum: 1, maximum: 3650 }) }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('calendar'), period: StringEnum(['month', 'quarter', 'year'] as const) }, { additionalProperties: false }),
    ]),
    downgrade: StringEnum(['one_level', 'to_earned'] as const),
    tiers: Type.Array(TierSchema, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
));

export const ConfigVersion = Type.Object({ version: Type.Integer(), updatedAt: Type.Union([Type.String(), Type.Null()]) });

export const StoreSchema = named('StoreInput', Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    region: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    timezone: Type.String({ maxLength: 64, description: 'IANA timezone of the store' }),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
));

export const ProductSchema = named('ProductInput', Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.String({ minLength: 1, maxLength: 300 }),
    categoryPath: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 10, description: 'Most general first: ["drinks","coffee"]' })),
    brand: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    attributes: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.Union([Type.String({ maxLength: 500 }), Type.Number(), Type.Boolean()]), { maxProperties: 50 })),
  },
  { additionalProperties: false },
));

const CustomerRef = named('CustomerIdentifier', Type.Object(
  {
    phone: Type.Optional(Type.String({ maxLength: 32 })),
    card: Type.Optional(Type.String({ maxLength: 64 })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    customerId: Type.Optional(Type.String({ maxLength: 40 })),
    externalId: Type.Optional(Type.String({ maxLength: 161 })),
  },
  { additionalProperties: false, description: 'Exactly one identifier' },
));

const LineInput = named('CheckoutLine', Type.Object(
  {
    sku: Type.String({ minLength: 1, maxLength: 100 }),
    name: Type.Optional(Type.String({ maxLength: 300 })),
    category: Type.Optional(Type.String({ maxLength: 300, description: 'Category, or a path "drinks/coffee"; the catalog fills it when absent' })),
    brand: Type.Optional(Type.String({ maxLength: 100 })),
    qty: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000, description: 'Up to three decimals for weighed goods (0.455)' }),
    price: Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Unit price in minor units' }),
    discount: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000_000, description: 'Discount on the line already given by the POS, minor units' })),
  },
  { additionalProperties: false },
));

export const CheckoutBody = named('CheckoutRequest', Type.Object(
  {
    storeId: Id,
    customer: Type.Optional(CustomerRef),
    // At most MAX_RECEIPT_LINES, each totalling at most MAX_LINE_TOTAL_MINOR: every receipt total stays exact.
    lines: Type.Array(LineInput, { minItems: 1, maxItems: MAX_RECEIPT_LINES }),
    redeemPoints: Type.Optional(Points),
    channel: Type.Optional(StringEnum(['offline', 'online'] as const)),
    occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
    promoCodes: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20, description: 'Codes the customer presented; promotions read them (ignored until a promotion uses them)' }),
    ),
    posReceiptId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Accepted so the till can send one body to calculate and confirm; calculate ignores it' })),
    giftCards: Type.Optional(
      Type.Array(
        named('GiftCardPayment', Type.Object(
          {
            code: Type.String({ minLength: 1, maxLength: 80, description: 'The code on the card (spaces and dashes dropped)' }),
            amount: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000, description: 'What the card pays, in minor units (kopecks)' }),
          },
          { additionalProperties: false },
        )),
        { maxItems: 10, description: 'Gift cards paying part of the receipt, in order, from what is left after discounts and points; the same card twice is a 400' },
      ),
    ),
    registerId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
));

export const ConfirmBody = named('ConfirmRequest', Type.Object(
  {
    ...CheckoutBody.properties,
    posReceiptId: Type.String({ minLength: 1, maxLength: 100 }),
  },
  { additionalProperties: false },
));

export const CancelBody = named('CancelRequest', Type.Object({ storeId: Id, posReceiptId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }));

export const RefundBody = named('RefundRequest', Type.Object(
  {
    refundId: Type.String({ minLength: 1, maxLength: 100, pattern: '^(?!cancel:)', description: 'Any id except those starting with "cancel:", which cancel uses' }),
    lines: Type.Array(Type.Object({ sku: Type.String({ minLength: 1, maxLength: 100 }), qty: Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 1000,
    }),
  },
  { additionalProperties: false },
));

export const AdjustmentBody = named('AdjustmentRequest', Type.Object(
  {
    points: Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000, not: { const: 0 } }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
));
