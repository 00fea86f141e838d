import { Type } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { customerIds } from '../customers/index.ts';
import { rewardIds } from './rewards.ids.ts';

const kinds = ['goods', 'partner_voucher', 'privilege'] as const;
const statuses = ['draft', 'active', 'paused', 'archived'] as const;

export const RewardId = Type.String({ pattern: rewardIds.pattern('rwd'), description: 'rwd_… id' });
export const RewardParams = Type.Object({ id: RewardId });
export const OrderId = Type.String({ pattern: rewardIds.pattern('rwo'), description: 'rwo_… id' });
const CustomerId = Type.String({ pattern: customerIds.pattern('cus') });
export const CustomerParams = Type.Object({ id: CustomerId });
export const OrderParams = Type.Object({ id: CustomerId, orderId: OrderId });
export const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) });

const TierId = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });

const definitionFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  kind: StringEnum(kinds, {
    description: 'goods: own goods or a service, a redemption code the till accepts; partner_voucher: a code from the pool the partner uploaded; privilege: a non-material privilege for validDays days',
  }),
  status: Type.Optional(StringEnum(statuses, { description: 'Only active rewards can be ordered; a new one is a draft unless said' })),
  pointsCost: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'Points a customer pays for it' }),
  stock: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'Units in all (cancelled orders give theirs back); left out: unlimited' })),
  perCustomer: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Orders one customer may hold (cancelled ones aside)' })),
  validFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Orderable from' })),
  validTo: Type.Optional(Type.String({ format: 'date-time', description: 'Orderable until' })),
  tiers: Type.Optional(Type.Array(TierId, { minItems: 1, maxItems: 50, uniqueItems: true, description: 'Only customers of these tiers may order it; left out: every tier' })),
  validDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660, description: 'Days what the customer gets lasts: a goods code, a privilege (required for privileges); left out for goods: the code never expires' })),
  privilege: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'What a privilege grants, as a key the till or app checks (priority_service, personal_manager, early_access); privileges only' })),
  partner: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Whose voucher it is (shown to the customer)' })),
};

export const RewardCreate = named('RewardCreate', Type.Object(definitionFields, { additionalProperties: false }));

const Usage = named('RewardUsage', Type.Object({
  issued: Type.Integer({ description: 'Orders ever issued, prizes included' }),
  cancelled: Type.Integer({ description: 'Orders cancelled (their units went back to stock)' }),
  redeemed: Type.Integer({ description: 'Goods codes a till redeemed' }),
  stockLeft: Type.Union([Type.Integer(), Type.Null()], { description: 'Units left; null: unlimited' }),
  vouchersFree: Type.Union([Type.Integer(), Type.Null()], { description: 'Partner vouchers not yet handed out and not expired; null for other kinds' }),
}, { description: 'Read-only: what PUT and PATCH ignore' }));

export const RewardSchema = named('Reward', Type.Object({
  id: Type.String(),
  ...definitionFields,
  status: StringEnum(statuses),
  usage: Usage,
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));

/** PUT takes what GET answers: the read-only members may come back (ignored), `version` is a precondition. */
export const RewardReplacement = named('RewardReplacement', Type.Object({
  ...definitionFields,
  id: Type.Optional(Type.String({ description: 'As GET answers it: must be the id in the path' })),
  usage: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'Read-only; ignored' })),
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 reward.version_conflict' })),
  createdAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
  updatedAt: Type.Optional(Type.String({ description: 'Read-only; ignored' })),
}, { additionalProperties: false }));

export const RewardPatch = mergePatchSchema('RewardPatch', Type.Object({ ...definitionFields, version: Type.Integer({ minimum: 1 }) }));

export const RewardListQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: 50, maxLimit: 500 }),
    kind: Type.Optional(StringEnum(kinds)),
    status: Type.Optional(StringEnum(statuses)),
  },
  { additionalProperties: false },
);
export const RewardPage = PageOf('RewardPage', RewardSchema);

export const VoucherUpload = named('RewardVoucherUpload', Type.Object(
  {
    vouchers: Type.Array(
      Type.Object(
        {
          code: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e]+$', description: 'As the partner issued it: printable ASCII, no spaces' }),
          validUntil: Type.Optional(Type.String({ format: 'date-time', description: 'The partner honours it until then; an expired voucher is never handed out' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 50_000 },
    ),
  },
  { additionalProperties: false, description: 'As CSV: a header row `code` (and `valid_until`), then one voucher a line' },
));

export const VoucherUploadResult = named('RewardVoucherUploadResult', Type.Object({
  added: Type.Integer({ description: 'Codes new to the pool' }),
  duplicates: Type.Integer({ description: 'Codes already in the pool or repeated in the upload: skipped, so no code is ever handed out twice' }),
  vouchersFree: Type.Integer({ description: 'Vouchers now free to hand out' }),
}));

export const OrderCreate = named('RewardOrderCreate', Type.Object({ rewardId: RewardId }, { additionalProperties: false }));

export const OrderSchema = named('RewardOrder', Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  reward: Type.Object({ id: Type.String(), name: Type.String({ description: 'As it was when ordered' }), kind: StringEnum(kinds) }),
  source: StringEnum(['purchase', 'prize'] as const, { description: 'purchase: bought with points; prize: won (a lottery), no points' }),
  points: Type.Integer({ description: 'Points paid (returned when cancelled)' }),
  status: StringEnum(['issued', 'redeemed', 'cancelled'] as const),
  code: Type.Optional(Type.String({ description: 'goods: the code the till redeems; partner_voucher: the partner\'s code' })),
  privilege: Type.Optional(Type.String()),
  validUntil: Type.Optional(Type.String({ description: 'The code or the privilege lasts until then' })),
  createdAt: Type.String(),
  redeemedAt: Type.Optional(Type.String()),
  cancelledAt: Type.Optional(Type.String()),
}));
export const OrderListQuery = Type.Object(
  { ...pageQuery({ defaultLimit: 50, maxLimit: 500 }), status: Type.Optional(StringEnum(['issued', 'redeemed', 'cancelled'] as const)) },
  { additionalProperties: false },
);
export const OrderPage = PageOf('RewardOrderPage', OrderSchema);

export const PrivilegeSchema = named('CustomerPrivilege', Type.Object({
  orderId: Type.String(),
  rewardId: Type.String(),
  name: Type.String(),
  privilege: Type.String(),
  since: Type.String(),
  validUntil: Type.String(),
}));
export const PrivilegeQuery = Type.Object(pageQuery({ defaultLimit: 50, maxLimit: 500 }), { additionalProperties: false });
export const PrivilegePage = PageOf('CustomerPrivilegePage', PrivilegeSchema);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A retry with the same key answers the same order and spends nothing more' })),
});
