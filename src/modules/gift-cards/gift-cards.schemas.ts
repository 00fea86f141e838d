import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { giftCardIds } from './gift-cards.ids.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Minor = (description: string, minimum = 0) =>
  Type.Integer({ minimum, maximum: 1_000_000_000_000, description: `${description}, in minor units (kopecks: 300000 is 3,000.00)` });
const Statuses = ['issued', 'active', 'blocked', 'expired'] as const;
const Status = StringEnum(Statuses, { description: 'issued (not yet sold: pays nothing), active, blocked (pays nothing until unblocked), expired (its money taken off)' });
const ValidDays = Type.Integer({ minimum: 1, maximum: 3650, description: 'Valid this many days from activation (when expiresAt is not given)' });

export const CardParams = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 100, description: 'The code on the card (spaces and dashes dropped), or the card\'s id gcd_…' }),
});
export const BatchParams = Type.Object({ id: Type.String({ pattern: giftCardIds.pattern('gcb'), description: 'gcb_… id' }) });

export const GiftCardSchema = named('GiftCard', Type.Object({
  id: Type.String(),
  code: Type.String({ description: 'In full where you issued the card or named it by its code; otherwise masked (its last four characters)' }),
  status: Status,
  balanceMinor: Type.Integer({ description: 'Money on the card, in minor units' }),
  currency: Type.String(),
  batchId: Nullable(Type.String()),
  customerId: Nullable(Type.String({ description: 'Whom it was sold or given to, if known (it pays for whoever holds the code)' })),
  expiresAt: Nullable(Type.String()),
  validDays: Nullable(Type.Integer()),
  activatedAt: Nullable(Type.String()),
  blockedAt: Nullable(Type.String()),
  blockReason: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));
export const GiftCardPage = PageOf('GiftCardPage', GiftCardSchema);

export const GiftCardIssue = named('GiftCardIssue', Type.Object(
  {
    amountMinor: Type.Optional(Minor('What the card holds from the start (left out: 0, loaded at activation)')),
    code: Type.Optional(Type.String({ minLength: 16, maxLength: 100, description: 'A code printed elsewhere: 16 to 64 letters and digits without 0, 1, I, O (dashes dropped); left out: 16 random ones are made' })),
    customerId: Type.Optional(Type.String({ maxLength: 40 })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    validDays: Type.Optional(ValidDays),
    activate: Type.Optional(Type.Boolean({ description: 'Active at once (a card given away, e.g. as compensation); left out: issued, activated when sold' })),
  },
  { additionalProperties: false },
));

export const CardQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: 50, maxLimit: 500 }),
    status: Type.Optional(StringEnum(Statuses)),
    batchId: Type.Optional(Type.String({ pattern: giftCardIds.pattern('gcb') })),
    customerId: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const GiftCardActivate = named('GiftCardActivate', Type.Object(
  { amountMinor: Type.Optional(Minor('Loaded onto the card as it is sold: what the customer paid at the till (left out: only what it was issued with)')) },
  { additionalProperties: false },
));
export const GiftCardStatusChange = named('GiftCardStatusChange', Type.Object(
  { reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: 'Why (a lost card, a dispute); kept with the card and in the audit log' })) },
  { additionalProperties: false },
));
export const GiftCardAdjustment = named('GiftCardAdjustment', Type.Object(
  {
    amountMinor: Type.Integer({ minimum: -1_000_000_000_000, maximum: 1_000_000_000_000, not: { const: 0 }, description: 'Money onto the card (positive) or off it (negative), in minor units' }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
));
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'A retry with the same key and body answers the first answer and changes nothing more; the same key with another body is 409 gift_card.idempotency_conflict' }),
  ),
});

export const GiftCardEntrySchema = named('GiftCardEntry', Type.Object({
  id: Type.Integer(),
  kind: StringEnum(['issue', 'activate', 'redeem', 'refund', 'adjust', 'expire'] as const),
  amountMinor: Type.Integer({ description: 'Money onto the card (positive) or off it (negative), in minor units' }),
  balanceAfterMinor: Type.Integer({ description: 'The balance once this entry applied, in minor units' }),
  receiptId: Nullable(Type.String()),
  refundId: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  createdAt: Type.String(),
}));
export const GiftCardEntryPage = PageOf('GiftCardEntryPage', GiftCardEntrySchema);
export const EntryQuery = Type.Object(pageQuery({ defaultLimit: 100, maxLimit: 500 }), { additionalProperties: false });

export const GiftCardBatchSchema = named('GiftCardBatch', Type.Object({
  id: Type.String(),
  count: Type.Integer(),
  amountMinor: Type.Integer({ description: 'What each card holds when issued, in minor units' }),
  currency: Type.String(),
  prefix: Type.String(),
  expiresAt: Nullable(Type.String()),
  validDays: Nullable(Type.Integer()),
  generated: Type.Integer(),
  progress: Type.Number({ description: 'Share of the cards made, 0 to 1' }),
  status: StringEnum(['queued', 'running', 'completed', 'failed'] as const),
  failure: Nullable(Type.String()),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
}));
export const GiftCardBatchCreate = named('GiftCardBatchCreate', Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    amountMinor: Type.Optional(Minor('What each card holds when issued (left out: 0, loaded at activation)')),
    prefix: Type.Optional(Type.String({ maxLength: 8, description: 'Letters and digits every code starts with, before its 16 random characters' })),
    expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
    validDays: Type.Optional(ValidDays),
  },
  { additionalProperties: false },
));
export const GiftCardBatchPage = PageOf('GiftCardBatchPage', GiftCardBatchSchema);
export const BatchQuery = Type.Object(pageQuery({ defaultLimit: 50, maxLimit: 500 }), { additionalProperties: false });
