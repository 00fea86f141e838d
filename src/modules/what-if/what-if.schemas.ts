import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { EarningRuleSetSchema, TierConfigSchema } from '../loyalty/index.ts';
import { whatIfIds } from './what-if.ids.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const RunParams = Type.Object({ id: Type.String({ pattern: whatIfIds.pattern('wif'), description: 'wif_… id' }) });

/** As GET answers a document: its version and updatedAt may come along, and are ignored. */
const versioned = { version: Type.Optional(Type.Integer({ description: 'As GET answers it; ignored' })), updatedAt: Type.Optional(Nullable(Type.String({ description: 'As GET answers it; ignored' }))) };

export const WhatIfRequestSchema = named('WhatIfRequest', Type.Object({
  days: Type.Integer({ description: 'Replay the receipts bought in the last N days (1–366), up to the moment the run is asked for' }),
  rules: Type.Optional(Type.Object({ ...EarningRuleSetSchema.properties, ...versioned }, {
    additionalProperties: false,
    description: 'Earning rules to replay with instead of the live ones: what PUT /v1/earning-rules takes (GET\'s answer, edited), checked the same way. Left out: the live rules',
  })),
  tiers: Type.Optional(Type.Object({ ...TierConfigSchema.properties, ...versioned }, {
    additionalProperties: false,
    description: 'Tiers to replay with instead of the live ones: what PUT /v1/tiers takes. Each receipt keeps the tier (by id) it was priced at; a tier id no longer there is the entry tier. Left out: the live tiers',
  })),
  promotions: Type.Optional(Type.Array(
    Type.Object({ id: Type.Optional(Type.String({ description: 'prm_… id of the promotion to change; left out: a new promotion' })) }, {
      additionalProperties: true,
      description: 'With id: a JSON merge patch of that promotion, as PATCH /v1/promotions/{id} takes it ({"id": …, "status": "paused"} switches it off). Without: a new promotion, as POST /v1/promotions takes it, active unless it says otherwise',
    }),
    { maxItems: 100, description: 'Changes to the live promotions (a list of changes, not paged); the live ones not named stay as they are. Left out: the live promotions' },
  )),
}, { additionalProperties: false }));

const Figures = named('WhatIfFigures', Type.Object({
  pointsIssued: Type.Integer({ description: 'Points earned, less what returns took back' }),
  pointsBase: Type.Integer({ description: 'Of pointsIssued, what base rates earned: percent rules with no SKU, category or brand condition, a tier\'s rate, a partner\'s rate' }),
  pointsBonus: Type.Integer({ description: 'Of pointsIssued, the rest: bonus rules, multipliers, per-item and per-receipt points, promotions\' points' }),
  discountMinor: Type.Integer({ description: 'Promotions\' discounts, in minor units (the till\'s own discounts are not counted)' }),
  pointsRedeemed: Type.Integer({ description: 'Points that paid for goods' }),
  redeemedMinor: Type.Integer({ description: 'What those points paid, in minor units' }),
  liabilityChangeMinor: Type.Integer({ description: '(pointsIssued − pointsRedeemed) × pointValueMinor: what the program owes more, in minor units' }),
  costMinor: Type.Integer({ description: 'redeemedMinor + discountMinor + liabilityChangeMinor, in minor units' }),
  revenueMinor: Type.Integer({ description: 'What customers paid in money (totals less discounts less points), in minor units' }),
}));

const rowProperties = {
  receipts: Type.Integer({ description: 'Receipts' }),
  actual: Figures,
  whatIf: Figures,
  /** whatIf − actual, figure by figure. */
  difference: Figures,
};

export const WhatIfReportSchema = named('WhatIfReport', Type.Object({
  currency: Type.String(),
  pointValueMinor: Type.Integer({ description: 'What one point is worth, in minor units (the program\'s setting when the run was asked for)' }),
  receipts: Type.Integer({ description: 'Receipts bought in the window (cancelled ones count nothing)' }),
  mismatched: Type.Integer({ description: 'Receipts the live configuration no longer prices as they were stored (it changed during the window, a promotion ran out, a segment moved): 0 means the replay reproduces what happened' }),
  total: Type.Object(rowProperties, { description: 'All receipts: actual (as stored), whatIf (replayed), difference (whatIf − actual, figure by figure); money in minor units, points whole' }),
  byStore: Type.Array(Type.Object({ storeId: Type.String(), ...rowProperties }), { description: 'Each store with a receipt in the window, by id (a fixed list, not paged)' }),
  byTier: Type.Array(Type.Object({ tierId: Nullable(Type.String({ description: 'The tier the receipt was priced at; null: no customer' })), ...rowProperties }), {
    description: 'Each tier with a receipt in the window, then receipts with no customer (a fixed list, not paged)',
  }),
}));

export const WhatIfRunSchema = named('WhatIfRun', Type.Object({
  id: Type.String(),
  status: StringEnum(['running', 'completed', 'failed'] as const),
  phase: StringEnum(['counting', 'replaying', 'done'] as const, { description: 'counting: the receipts in the window; replaying: a batch at a time (processed counts them); done' }),
  days: Type.Integer(),
  window: Type.Object({ from: Type.String(), to: Type.String() }, { description: 'The purchases replayed: from ≤ occurredAt < to' }),
  changes: Type.Object({
    rules: Type.Boolean({ description: 'Earning rules were given' }),
    tiers: Type.Boolean({ description: 'Tiers were given' }),
    promotions: Type.Integer({ description: 'Changes to promotions given' }),
  }),
  receipts: Type.Integer({ description: 'Receipts in the window (0 until counted)' }),
  processed: Type.Integer({ description: 'Receipts replayed so far' }),
  failure: Type.Optional(Type.String()),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
  result: Type.Optional(WhatIfReportSchema),
}));
