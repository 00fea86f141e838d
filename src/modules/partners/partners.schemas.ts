import { Type } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { partnerIds } from './partners.ids.ts';

const StoreId = Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'A store of the store catalog (PUT /v1/stores/{id})' });
const Per100Minor = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 100_000_000, description: `${description}, in minor units per 100 points (10000: 100.00 for 100 points, i.e. 1.00 a point)` });

export const PartnerId = Type.String({ pattern: partnerIds.pattern('prt'), description: 'prt_… id' });
export const PartnerParams = Type.Object({ id: PartnerId });
export const PartnerStatusSchema = StringEnum(['active', 'suspended'] as const, { description: 'suspended: its keys are refused at checkout (403 auth.partner_suspended); its stores still earn at its rate' });

/** What a person writes: the partner without its id, version and times. */
const partnerFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  status: Type.Optional(PartnerStatusSchema),
  storeIds: Type.Optional(Type.Array(StoreId, { maxItems: 10_000, uniqueItems: true, description: "The partner's stores; a store belongs to at most one partner" })),
  earnRateBp: Type.Integer({ minimum: 0, maximum: 10_000, description: "Points earned at the partner's stores: this share of the paid amount, in point value, in basis points (500: 5%, 5 points per 100.00 at a point value of 1.00). It replaces the program's base rate there" }),
  issuedPer100PointsMinor: Per100Minor("What the partner owes the operator for points issued at its stores"),
  redeemedPer100PointsMinor: Per100Minor('What the operator owes the partner for points redeemed at its stores'),
};

export const PartnerCreate = named('PartnerCreate', Type.Object(partnerFields, { additionalProperties: false }));

export const PartnerSchema = named('Partner', Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: PartnerStatusSchema,
  storeIds: Type.Array(Type.String()),
  earnRateBp: Type.Integer(),
  issuedPer100PointsMinor: Type.Integer(),
  redeemedPer100PointsMinor: Type.Integer(),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));

export const PartnerPatch = mergePatchSchema(
  'PartnerPatch',
  Type.Object({ ...partnerFields, version: Type.Integer({ minimum: 1, description: 'The version read: a change saved since is a 409 partner.version_conflict' }) }),
);

export const PartnerListQuery = Type.Object(
  { ...pageQuery({ defaultLimit: 50, maxLimit: 500 }), status: Type.Optional(PartnerStatusSchema), storeId: Type.Optional(StoreId) },
  { additionalProperties: false },
);
export const PartnerPage = PageOf('PartnerPage', PartnerSchema);

export const PartnerKeyCreate = named('PartnerKeyCreate', Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }));

const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD (a UTC day)' });
export const SettlementQuery = Type.Object(
  {
    from: Day,
    to: Type.String({ format: 'date', description: 'YYYY-MM-DD, the last day counted (a UTC day, inclusive)' }),
    format: Type.Optional(StringEnum(['json', 'csv'] as const, { description: 'csv: the same report as text/csv (or send Accept: text/csv)' })),
  },
  { additionalProperties: false },
);

const figures = {
  pointsEarned: Type.Integer({ description: "Points earned on receipts at the partner's stores" }),
  pointsReversed: Type.Integer({ description: 'Points of those earned that refunds and cancels took back' }),
  pointsIssued: Type.Integer({ description: 'pointsEarned − pointsReversed' }),
  pointsRedeemed: Type.Integer({ description: "Points spent on receipts at the partner's stores" }),
  pointsReturned: Type.Integer({ description: 'Points of those spent that refunds and cancels gave back' }),
  pointsRedeemedNet: Type.Integer({ description: 'pointsRedeemed − pointsReturned' }),
  partnerOwesMinor: Type.Integer({ description: 'pointsIssued × issuedPer100PointsMinor ÷ 100, rounded half-up (negative when more was taken back than issued)' }),
  operatorOwesMinor: Type.Integer({ description: 'pointsRedeemedNet × redeemedPer100PointsMinor ÷ 100, rounded half-up' }),
  netMinor: Type.Integer({ description: 'partnerOwesMinor − operatorOwesMinor: positive, the partner pays the operator; negative, the operator pays the partner' }),
};
const Figures = Type.Object(figures);

export const SettlementSchema = named('SettlementReport', Type.Object({
  partnerId: Type.String(),
  partnerName: Type.String(),
  currency: Type.String(),
  from: Type.String(),
  to: Type.String(),
  rates: Type.Object(
    { earnRateBp: Type.Integer(), issuedPer100PointsMinor: Type.Integer(), redeemedPer100PointsMinor: Type.Integer() },
    { description: "The partner's rates when the report is made: the whole period is settled at them" },
  ),
  totals: Figures,
  days: Type.Array(Type.Object({ date: Type.String(), ...figures }), { description: 'Days with any points moved, in order; their money adds up to the totals exactly (cumulative rounding)' }),
  stores: Type.Array(Type.Object({ storeId: Type.String(), ...figures }), { description: "The partner's stores with any points moved; their money adds up to the totals exactly" }),
}));
