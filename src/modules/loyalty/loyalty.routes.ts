import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TObject } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import type { StoreScope } from '../../platform/store-scope.ts';
import { applyMergePatch, checkMerged, mergePatchMediaTypes, mergePatchSchema } from '../../platform/merge-patch.ts';
import { idPattern } from './loyalty.ids.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from '../customers/index.ts';
import { findRule, findTier, patchRule, patchTier, putRule, removeRule } from './config-items.ts';
import type { ConfigChange, Versioned } from './config-store.ts';
import type { EarningRule } from './config-types.ts';
import type { Loyalty } from './index.ts';
import { loyaltyError } from './loyalty.errors.ts';
import { productsFromCsv } from './products-csv.ts';
import {
  AdjustmentBody,
  CancelBody,
  CheckoutBody,
  ConfirmBody,
  EarningRuleSchema,
  EarningRuleSetSchema,
  ProductSchema,
  ProgramSettingsSchema,
  RefundBody,
  StoreSchema,
  TierConfigSchema,
  TierSchema,
} from './loyalty.schemas.ts';

/** An amount of money: an integer in minor units, and the schema says so (docs/api.md, "Conventions"). */
const Money = (what: string) => Type.Integer({ description: `${what}, in minor units (kopecks: 149000 is 1,490.00)` });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const CustomerParams = Type.Object({ id: Type.String({ pattern: idPattern('cus') }) });
const ReceiptParams = Type.Object({ id: Type.String({ pattern: idPattern('rcp') }) });

const ResultLine = named('CheckoutLineResult', Type.Object({
  sku: Type.String(),
  qty: Type.Number(),
  price: Money('Unit price'),
  total: Money('Quantity × unit price'),
  discount: Money('Discount on the line (the POS\'s and the promotions\')'),
  excluded: Type.Boolean({ description: 'In a category that neither earns nor burns' }),
  pointsEarned: Type.Integer(),
  pointsRedeemed: Type.Integer(),
  redeemedMinor: Type.Integer(),
  payable: Money('What the line costs in money after discounts and points'),
}));
const CheckoutResult = named('CheckoutResult', Type.Object({
  lines: Type.Array(ResultLine),
  total: Money('Sum of line totals'),
  discount: Money('Sum of line discounts'),
  pointsToEarn: Type.Integer(),
  maxRedeemable: Type.Integer(),
  pointsRedeemed: Type.Integer(),
  redeemedMinor: Type.Integer(),
  payable: Money('What the customer pays in money'),
  currency: Type.String(),
  customer: Type.Optional(
    Type.Object({ id: Type.String(), balance: Type.Integer(), pendingPoints: Type.Integer({ description: 'Points not yet available, in all' }), tier: Type.Object({ id: Type.String(), name: Type.String() }) }),
  ),
  applied: Type.Array(Type.Object({ ruleId: Type.String(), kind: Type.String(), name: Type.String(), points: Type.Integer(), lines: Type.Array(Type.Integer()) })),
  messages: Type.Array(Type.String()),
  adjustments: Type.Object(
    {
      applied: Type.Array(
        Type.Object({
          adjuster: Type.String(),
          id: Type.String(),
          name: Type.String(),
          discountMinor: Type.Integer(),
          lines: Type.Array(Type.Object({ line: Type.Integer({ description: '0-based, as in lines' }), discountMinor: Type.Integer() })),
        }),
      ),
      rejected: Type.Array(Type.Object({ adjuster: Type.String(), id: Type.String(), reason: Type.String(), detail: Type.String() })),
    },
    { description: 'Discounts the checkout pipeline applied before points (promotions), and the ones it rejected with their reason codes' },
  ),
  promotions: Type.Array(
    named('PromotionOutcome', Type.Object({
      id: Type.String({ description: 'The promotion, or the code when no promotion has it' }),
      name: Nullable(Type.String()),
      code: Nullable(Type.String({ description: 'The promo code it was asked by' })),
      applied: Type.Boolean(),
      discount: Money('What it took off the receipt'),
      points: Type.Integer({ description: 'Points it added (a points benefit: points_multiplier, bonus_points); 0 for a discount' }),
      reason: Nullable(Type.String({ description: 'Why it did not apply: unknown, expired, not_started, inactive, used_up, customer_limit, other_customer, below_minimum, not_combinable, wrong_store, wrong_channel, wrong_time, not_in_audience, needs_customer, no_matching_items, budget_exhausted, duplicate, no_points' })),
      detail: Nullable(Type.String({ description: 'The reason in words, for the cashier' })),
    })),
    { description: 'Each promotion considered: applied with its discount, or not with its reason' },
  ),
  rulesVersion: Type.Integer(),
  giftCards: Type.Optional(Type.Array(
    named('GiftCardOutcome', Type.Object({
      code: Type.String({ description: 'The card\'s code, masked: its last four characters' }),
      amount: Money('What the card was asked to pay'),
      applied: Type.Boolean(),
      reason: Nullable(Type.String({ description: 'Why it does not pay: unknown, not_active, expired, wrong_currency, insufficient_balance, exceeds_total, wrong_store (a partner\'s store: gift cards are the operator\'s money)' })),
      detail: Nullable(Type.String({ description: 'The reason in words, for the cashier' })),
      balance: Nullable(Money('The card\'s balance: calculate, before this receipt; confirm, after it')),
    })),
    { description: 'Present when gift cards were asked: what each pays, in order (docs/gift-cards.md)' },
  )),
  leftToPay: Type.Optional(Money('Present when gift cards were asked: what is left to pay by other means after them')),
}));
const ConfirmResult = named('ConfirmResult', Type.Object({
  receiptId: Type.String(),
  storeId: Type.String(),
  posReceiptId: Type.String(),
  occurredAt: Type.String(),
  ...CheckoutResult.properties,
}));
const RefundResult = named('RefundResult', Type.Object({
  receiptId: Type.String(),
  refundId: Type.String(),
  lines: Type.Array(Type.Object({ lineNo: Type.Integer(), sku: Type.String(), qty: Type.Number(), amount: Money('Money returned for the line'), pointsReversed: Type.Integer(), pointsReturned: Type.Integer() })),
  amount: Money('Money returned'),
  pointsReversed: Type.Integer(),
  pointsReturned: Type.Integer(),
  pointsForgiven: Type.Integer({ description: 'Spent points not taken back, when the program forgives them' }),
  pointsAlreadyExpired: Type.Integer({ description: 'Points of the returned goods that had already expired' }),
  customer: Type.Optional(Type.Object({ id: Type.String(), balance: Type.Integer(), pendingPoints: Type.Integer({ description: 'Points not yet available, in all' }) })),
  giftCards: Type.Optional(Type.Array(
    named('GiftCardReturn', Type.Object({
      code: Type.String({ description: 'The card\'s code, masked' }),
      amount: Money('Given back to the card: its share of this return'),
      balance: Money('The card\'s balance after it'),
    })),
    { description: 'Present when gift cards paid for the receipt: what went back to each; the rest of amount is the till\'s to return' },
  )),
}));
const ReceiptHeader = {
  id: Type.String(),
  storeId: Type.String(),
  posReceiptId: Type.String(),
  registerId: Nullable(Type.String()),
  channel: Type.String(),
  source: Type.String(),
  customerId: Nullable(Type.String()),
  status: Type.String(),
  occurredAt: Type.String(),
  currency: Type.String(),
  total: Money('Sum of line totals'),
  discount: Money('Sum of line discounts'),
  pointsRedeemed: Type.Integer(),
  redeemedMinor: Type.Integer(),
  paid: Money('Paid in money'),
  pointsEarned: Type.Integer(),
  refunded: Money('Money returned so far'),
};
const Receipt = named('Receipt', Type.Object({
  ...ReceiptHeader,
  lines: Type.Array(
    Type.Object({
      lineNo: Type.Integer(),
      sku: Type.String(),
      name: Nullable(Type.String()),
      category: Nullable(Type.String()),
      brand: Nullable(Type.String()),
      qty: Type.Number(),
      price: Money('Unit price'),
      total: Money('Quantity × unit price'),
      discount: Money('Discount on the line'),
      pointsEarned: Type.Integer(),
      pointsRedeemed: Type.Integer(),
      refundedQty: Type.Number(),
    }),
  ),
  refunds: Type.Array(Type.Object({ refundId: Type.String(), at: Type.String() })),
}));
const ReceiptPage = PageOf('ReceiptPage', named('ReceiptSummary', Type.Object(ReceiptHeader)));
const Balance = named('Balance', Type.Object({
  customerId: Type.String(),
  available: Type.Integer(),
  pendingPoints: Type.Integer({ description: 'Points not yet available, in all' }),
  pending: Type.Array(Type.Object({ points: Type.Integer(), activatesAt: Type.String() }), { description: 'When the pending points become available, batch by batch' }),
  expiring: Nullable(Type.Object({ points: Type.Integer(), at: Type.String() })),
  lifetime: Type.Object({ earned: Type.Integer(), redeemed: Type.Integer(), expired: Type.Integer() }),
  tier: Type.Object({
    id: Type.String(),
    name: Type.String(),
    privileges: Type.Array(Type.String()),
    progress: Type.Object({
      metric: Type.String(),
      value: Type.Integer(),
      windowStart: Type.String(),
      next: Nullable(Type.Object({ id: Type.String(), name: Type.String(), threshold: Type.Integer(), remaining: Type.Integer() })),
    }),
  }),
}));
const LedgerPage = PageOf(
  'LedgerPage',
    Type.Object({
      id: Type.Integer(),
      kind: Type.String(),
      available: Type.Integer({ description: 'Change to the available balance' }),
      pending: Type.Integer({ description: 'Change to the pending balance' }),
      lotId: Nullable(Type.String()),
      receiptId: Nullable(Type.String()),
      refundId: Nullable(Type.String()),
      reason: Nullable(Type.String()),
      actor: Nullable(Type.String()),
      at: Type.String(),
    }),
);
const AdjustmentResult = named(
  'AdjustmentResult',
  Type.Object({ customerId: Type.String(), points: Type.Integer(), reason: Type.String(), balance: Type.Integer(), pendingPoints: Type.Integer({ description: 'Points not yet available, in all' }) }),
);
const StoreOut = named('Store', Type.Object({ id: Type.String(), name: Type.String(), region: Nullable(Type.String()), timezone: Type.String(), active: Type.Boolean() }));
const StoreUpdate = named('StoreUpdate', Type.Object({ ...StoreSchema.properties, id: Type.Optional(StoreSchema.properties.id) }, { additionalProperties: false }));
const StoreList = Type.Array(StoreSchema, { minItems: 1, maxItems: 10_000 });
const ProductList = Type.Array(ProductSchema, { minItems: 1, maxItems: 10_000 });
const ProductOut = named(
  'Product',
  Type.Object({
    sku: Type.String(),
    name: Type.String(),
    categoryPath: Type.Array(Type.String()),
    brand: Nullable(Type.String()),
    attributes: Type.Record(Type.String(), Type.Unknown()),
  }),
);
const ProductUpsertResult = named('ProductUpsertResult', Type.Object({ upserted: Type.Integer() }));
const StorePage = PageOf('StorePage', StoreOut);
const StoresSaved = PageOf('StoresSaved', StoreOut);
const StoreItems = named('StoreItems', Type.Object({ items: StoreList, nextCursor: Type.Optional(Nullable(Type.String())) }, { additionalProperties: false }));
const StorePatch = mergePatchSchema('StorePatch', StoreSchema);
const ProductPage = PageOf('ProductPage', ProductOut);
const ProductItems = named('ProductItems', Type.Object({ items: ProductList, nextCursor: Type.Optional(Nullable(Type.String())) }, { additionalProperties: false }));
const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }) });
const StoreParams = IdParams;
const RuleParams = IdParams;

/** A versioned document's three shapes: GET's (with version and updatedAt), PUT's (the same, those two optional) and PATCH's. */
function configSchemas(name: string, schema: TObject) {
  const version = Type.Integer({ minimum: 0, description: 'The version you read: if another was saved since, the answer is 409 config.version_conflict. Leave out to save regardless' });
  const updatedAt = Nullable(Type.String({ description: 'As GET answers it; ignored' }));
  return {
    schema,
    current: named(`${name}Version`, Type.Object({ ...schema.properties, version: Type.Integer(), updatedAt: Nullable(Type.String()) })),
    replacement: named(`${name}Replacement`, Type.Object({ ...schema.properties, version: Type.Optional(version), updatedAt: Type.Optional(updatedAt) }, { additionalProperties: false })),
    patch: mergePatchSchema(`${name}Patch`, Type.Object({ ...schema.properties, version, updatedAt })),
  };
}
const programSchemas = configSchemas('ProgramSettings', ProgramSettingsSchema);
const ruleSetSchemas = configSchemas('EarningRuleSet', EarningRuleSetSchema);
const tierConfigSchemas = configSchemas('TierConfig', TierConfigSchema);
const RuleInput = named('EarningRuleReplacement', Type.Object({ ...EarningRuleSchema.properties, id: Type.Optional(EarningRuleSchema.properties.id) }, { additionalProperties: false }));
const EarningRulePatch = mergePatchSchema('EarningRulePatch', EarningRuleSchema);
const TierPatch = mergePatchSchema('TierPatch', TierSchema);

export function loyaltyRoutes(app: FastifyInstance, { loyalty, customers, storeScope }: { loyalty: Loyalty; customers: Customers; storeScope: StoreScope }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['checkout'];

  r.post('/v1/checkout/calculate', {
    config: { permission: 'checkout' },
    schema: {
      tags,
      summary: 'Phase one: what a receipt earns and may redeem (no side effects)',
      body: CheckoutBody,
      response: { 200: CheckoutResult, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      // A partner key checks out at its own partner's stores only (platform/store-scope.ts).
      await storeScope.check(request, request.body.storeId);
      return loyalty.calculate(request.body);
    },
  });

  // The same answer for staff trying out the program (the console's checkout simulator): a
  // marketer may read the program but not run the till, and calculate writes nothing.
  r.post('/v1/checkout/simulate', {
    config: { permission: 'program:read' },
    schema: {
      tags,
      summary: "Calculate a receipt as the till would, for staff trying out the program: calculate's answer, never confirmed (no side effects)",
      body: CheckoutBody,
      response: { 200: CheckoutResult, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => loyalty.calculate(request.body),
  });

  r.post('/v1/checkout/confirm', {
    config: { permission: 'checkout' },
    schema: {
      tags,
      summary: 'Phase two: commit the receipt and its points (idempotent on storeId + posReceiptId)',
      description: 'A replay of the same body answers 200 with the first answer; a different body under the same POS receipt id is 409 checkout.receipt_conflict.',
      body: ConfirmBody,
      response: { 200: ConfirmResult, 201: ConfirmResult, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request, reply) => {
      await storeScope.check(request, request.body.storeId);
      const { result, replayed } = await loyalty.confirm(request.body, actorOf(request));
      return reply.status(replayed ? 200 : 201).send(result);
    },
  });

  r.post('/v1/checkout/cancel', {
    config: { permission: 'checkout' },
    schema: {
      tags,
      summary: 'Void a confirmed receipt: every line returned, points reversed and given back',
      body: CancelBody,
      response: { 200: RefundResult, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request) => {
      await storeScope.check(request, request.body.storeId);
      return (await loyalty.cancel(request.body.storeId, request.body.posReceiptId, actorOf(request))).result;
    },
  });

  r.post('/v1/receipts/:id/refunds', {
    config: { permission: 'refunds:create' },
    schema: {
      tags: ['receipts'],
      summary: 'Return goods, whole or in part (idempotent on refundId)',
      params: ReceiptParams,
      body: RefundBody,
      response: { 200: RefundResult, 201: RefundResult, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request, reply) => {
      // The receipt's store decides a partner key's scope (read only for a partner key).
      await storeScope.check(request, () => loyalty.storeOfReceipt(request.params.id));
      const { result, replayed } = await loyalty.refund(request.params.id, request.body, actorOf(request));
      return reply.status(replayed ? 200 : 201).send(result);
    },
  });

  r.get('/v1/receipts/:id', {
    config: { permission: 'receipts:read' },
    schema: { tags: ['receipts'], summary: 'A receipt with its lines and refunds', params: ReceiptParams, response: { 200: Receipt, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => loyalty.receipt(request.params.id),
  });

  r.get('/v1/customers/:id/receipts', {
    config: { permission: 'receipts:read' },
    schema: {
      tags: ['receipts'],
      summary: "A customer's receipts, newest first",
      params: CustomerParams,
      querystring: Type.Object(
        pageQuery({ defaultLimit: 50, maxLimit: 500 }),
        { additionalProperties: false },
      ),
      response: { 200: ReceiptPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => loyalty.customerReceipts(await customers.resolveId(request.params.id), request.query.limit, request.query.cursor),
  });

  r.get('/v1/customers/:id/balance', {
    config: { permission: 'points:balance' },
    schema: {
      tags: ['points'],
      summary: 'Balance: available, pending with dates, next expiry, lifetime totals, tier and progress',
      params: CustomerParams,
      response: { 200: Balance, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => loyalty.balance(await customers.resolveId(request.params.id)),
  });

  r.get('/v1/customers/:id/ledger', {
    config: { permission: 'points:ledger' },
    schema: {
      tags: ['points'],
      summary: 'Every change to the balance, newest first',
      params: CustomerParams,
      querystring: Type.Object(pageQuery({ defaultLimit: 100, maxLimit: 500 }), { additionalProperties: false }),
      response: { 200: LedgerPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => loyalty.ledger(await customers.resolveId(request.params.id), request.query.limit, request.query.cursor),
  });

  r.post('/v1/customers/:id/points/adjustments', {
    config: { permission: 'points:adjust' },
    schema: {
      tags: ['points'],
      summary: 'Add or take points by hand, with a reason (audited; Idempotency-Key header honoured)',
      params: CustomerParams,
      headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
      body: AdjustmentBody,
      response: {
        200: AdjustmentResult,
        201: AdjustmentResult,
        ...errorResponses(400, ...authErrors, 404, 409, 415),
      },
    },
    handler: async (request, reply) => {
      const customerId = await customers.resolveId(request.params.id);
      const { result, replayed } = await loyalty.adjust(customerId, request.body, actorOf(request), request.headers['idempotency-key']);
      return reply.status(replayed ? 200 : 201).send(result);
    },
  });

  /**
   * Program settings, earning rules and tiers: versioned documents. GET answers the document
   * with its `version` and `updatedAt`; PUT takes exactly that back (with `version`, a change
   * saved since is a 409, not a lost update) and saves a new version; PATCH takes a merge patch.
   */
  const configRoutes = <K extends 'program' | 'rules' | 'tiers'>(
    url: string,
    summary: string,
    key: K,
    { schema, current, replacement, patch }: ReturnType<typeof configSchemas>,
    save: (change: ConfigChange<never>, actor: ReturnType<typeof actorOf>, expectedVersion?: number) => Promise<Versioned<unknown>>,
  ) => {
    const flat = (saved: Versioned<unknown>) => ({ ...(saved.body as object), version: saved.version, updatedAt: saved.updatedAt });
    // Untyped registration: one helper serves three schemas; validation still runs on each.
    app.get(url, {
      config: { permission: 'program:read' },
      schema: { tags: ['program'], summary: `${summary} (the current version)`, response: { 200: current, ...errorResponses(...authErrors) } },
      handler: async () => flat((await loyalty.config())[key]),
    });
    app.put(url, {
      config: { permission: 'program:write' },
      schema: {
        tags: ['program'],
        summary: `Replace ${summary.toLowerCase()}: saved as a new version (sending back what GET answered changes nothing)`,
        body: replacement,
        response: { 200: current, ...errorResponses(400, ...authErrors, 409, 415) },
      },
      handler: async (request) => {
        const { version, updatedAt: _ignored, ...body } = request.body as { version?: number; updatedAt?: unknown };
        return flat(await save(body as never, actorOf(request), version));
      },
    });
    app.patch(url, {
      config: { permission: 'program:write' },
      schema: {
        tags: ['program'],
        summary: `Change part of ${summary.toLowerCase()} (JSON merge patch): saved as a new version`,
        consumes: mergePatchMediaTypes,
        body: patch,
        response: { 200: current, ...errorResponses(400, ...authErrors, 409, 415) },
      },
      handler: async (request) => {
        const { version, updatedAt: _ignored, ...changes } = request.body as { version?: number | null; updatedAt?: unknown };
        const change = (body: unknown) => checkMerged(schema, applyMergePatch(body, changes));
        return flat(await save(change as never, actorOf(request), version ?? undefined));
      },
    });
  };
  configRoutes('/v1/program', 'Program settings', 'program', programSchemas, loyalty.saveProgram as never);
  configRoutes('/v1/earning-rules', 'Earning rules', 'rules', ruleSetSchemas, loyalty.saveRules as never);
  configRoutes('/v1/tiers', 'Tiers', 'tiers', tierConfigSchemas, loyalty.saveTiers as never);

  r.get('/v1/earning-rules/:id', {
    config: { permission: 'program:read' },
    schema: { tags: ['program'], summary: 'One earning rule of the current version', params: RuleParams, response: { 200: EarningRuleSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => findRule((await loyalty.config()).rules.body, request.params.id),
  });
  r.put('/v1/earning-rules/:id', {
    config: { permission: 'program:write' },
    schema: {
      tags: ['program'],
      summary: 'Create or replace one earning rule (a new version of the rules; a new rule goes last)',
      params: RuleParams,
      body: RuleInput,
      response: { 200: EarningRuleSchema, 201: EarningRuleSchema, ...errorResponses(400, ...authErrors, 415) },
    },
    handler: async (request, reply) => {
      const { change, outcome } = putRule(request.params.id, request.body as EarningRule);
      const saved = await loyalty.saveRules(change, actorOf(request));
      return reply.status(outcome.created ? 201 : 200).send(findRule(saved.body, request.params.id));
    },
  });
  r.patch('/v1/earning-rules/:id', {
    config: { permission: 'program:write' },
    schema: {
      tags: ['program'],
      summary: 'Change part of one earning rule (JSON merge patch; a new version of the rules)',
      consumes: mergePatchMediaTypes,
      params: RuleParams,
      body: EarningRulePatch,
      response: { 200: EarningRuleSchema, ...errorResponses(400, ...authErrors, 404, 415) },
    },
    handler: async (request) => findRule((await loyalty.saveRules(patchRule(request.params.id, request.body), actorOf(request))).body, request.params.id),
  });
  r.delete('/v1/earning-rules/:id', {
    config: { permission: 'program:write' },
    schema: {
      tags: ['program'],
      summary: 'Remove one earning rule (a new version of the rules); answers the rule removed',
      params: RuleParams,
      response: { 200: EarningRuleSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => {
      const removed = findRule((await loyalty.config()).rules.body, request.params.id);
      await loyalty.saveRules(removeRule(request.params.id), actorOf(request));
      return removed;
    },
  });
  r.get('/v1/tiers/:id', {
    config: { permission: 'program:read' },
    schema: { tags: ['program'], summary: 'One tier of the current version', params: RuleParams, response: { 200: TierSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => findTier((await loyalty.config()).tiers.body, request.params.id),
  });
  r.patch('/v1/tiers/:id', {
    config: { permission: 'program:write' },
    schema: {
      tags: ['program'],
      summary: 'Change part of one tier (JSON merge patch; a new version of the tiers). Add or remove tiers with PUT /v1/tiers',
      consumes: mergePatchMediaTypes,
      params: RuleParams,
      body: TierPatch,
      response: { 200: TierSchema, ...errorResponses(400, ...authErrors, 404, 415) },
    },
    handler: async (request) => findTier((await loyalty.saveTiers(patchTier(request.params.id, request.body), actorOf(request))).body, request.params.id),
  });

  r.get('/v1/stores', {
    config: { permission: 'program:read' },
    schema: {
      tags: ['catalog'],
      summary: 'Stores, by id',
      querystring: Type.Object(pageQuery({ defaultLimit: 100, maxLimit: 1000 }), { additionalProperties: false }),
      response: { 200: StorePage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => loyalty.stores.page(request.query.limit, request.query.cursor),
  });
  r.put('/v1/stores', {
    config: { permission: 'catalog:write' },
    schema: {
      tags: ['catalog'],
      summary: 'Create or update stores (by id); stores not named stay as they are',
      description: 'Takes a list of stores, or `{items}` as GET answers it. Each store is replaced whole: a field left out takes its default (region null, active true).',
      body: Type.Union([StoreList, StoreItems]),
      response: { 200: StoresSaved, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request) => {
      const stores = Array.isArray(request.body) ? request.body : request.body.items;
      return { items: await loyalty.stores.upsert(stores, actorOf(request)), nextCursor: null };
    },
  });
  r.get('/v1/stores/:id', {
    config: { permission: 'program:read' },
    schema: { tags: ['catalog'], summary: 'One store', params: StoreParams, response: { 200: StoreOut, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => loyalty.stores.get(request.params.id),
  });
  r.put('/v1/stores/:id', {
    config: { permission: 'catalog:write' },
    schema: {
      tags: ['catalog'],
      summary: 'Create or replace one store (a field left out takes its default: region null, active true; PATCH changes one field)',
      params: StoreParams,
      body: StoreUpdate,
      response: { 200: StoreOut, ...errorResponses(400, ...authErrors, 415) },
    },
    handler: async (request) => {
      if (request.body.id !== undefined && request.body.id !== request.params.id) {
        throw loyaltyError('store.invalid', `id: the body names ${request.body.id} while the path names ${request.params.id}`, [{ field: 'id', reason: 'must be the id in the path' }]);
      }
      return (await loyalty.stores.upsert([{ ...request.body, id: request.params.id }], actorOf(request)))[0]!;
    },
  });
  r.patch('/v1/stores/:id', {
    config: { permission: 'catalog:write' },
    schema: {
      tags: ['catalog'],
      summary: 'Change part of a store (JSON merge patch: {"active": false} closes it and changes nothing else)',
      consumes: mergePatchMediaTypes,
      params: StoreParams,
      body: StorePatch,
      response: { 200: StoreOut, ...errorResponses(400, ...authErrors, 404, 415) },
    },
    handler: async (request) => loyalty.stores.patch(request.params.id, request.body, actorOf(request)),
  });

  r.get('/v1/products', {
    config: { permission: 'program:read' },
    schema: {
      tags: ['catalog'],
      summary: 'Products by SKU, a page at a time',
      querystring: Type.Object(
        { ...pageQuery({ defaultLimit: 100, maxLimit: 1000 }), q: Type.Optional(Type.String({ maxLength: 100, description: 'The start of a SKU or any part of a name' })) },
        { additionalProperties: false },
      ),
      response: { 200: ProductPage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => loyalty.products.list(request.query.limit, request.query.cursor, request.query.q),
  });
  // A catalog may come as JSON or as CSV; CSV is turned into the JSON form and checked by the same schema.
  app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, productsFromCsv(body as string));
      } catch (error) {
        done(error as Error);
      }
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().put('/v1/products', {
      config: { permission: 'catalog:write' },
      schema: {
        tags: ['catalog'],
        summary: 'Create or update products (by SKU), as JSON or CSV (sku, name, category_path, brand, attr.<key>); products not named stay',
        description: 'JSON: a list of products, or `{items}` as GET answers it.',
        consumes: ['application/json', 'text/csv'],
        body: Type.Union([ProductList, ProductItems]),
        response: { 200: ProductUpsertResult, ...errorResponses(400, ...authErrors, 413, 415) },
      },
      handler: async (request) => ({ upserted: await loyalty.products.upsert(Array.isArray(request.body) ? request.body : request.body.items, actorOf(request)) }),
    });
  });
}
