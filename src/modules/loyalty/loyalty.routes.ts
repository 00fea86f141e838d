import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import { idPattern } from './loyalty.ids.ts';
import { named } from '../../platform/openapi-names.ts';
import { authErrors, Defaulted, errorResponses, StringEnum } from '../../platform/schemas.ts';
import type { Customers } from '../customers/index.ts';
import type { Loyalty } from './index.ts';
import { productsFromCsv } from './products-csv.ts';
import {
  AdjustmentBody,
  CancelBody,
  CheckoutBody,
  ConfirmBody,
  EarningRuleSetSchema,
  ProductSchema,
  ProgramSettingsSchema,
  RefundBody,
  StoreSchema,
  TierConfigSchema,
} from './loyalty.schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const CustomerParams = Type.Object({ id: Type.String({ pattern: idPattern('cus') }) });
const ReceiptParams = Type.Object({ id: Type.String({ pattern: idPattern('rcp') }) });

const ResultLine = named('CheckoutLineResult', Type.Object({
  sku: Type.String(),
  qty: Type.Number(),
  price: Type.Integer(),
  total: Type.Integer(),
  discount: Type.Integer(),
  excluded: Type.Boolean({ description: 'In a category that neither earns nor burns' }),
  pointsEarned: Type.Integer(),
  pointsRedeemed: Type.Integer(),
  redeemedMinor: Type.Integer(),
  payable: Type.Integer(),
}));
const CheckoutResult = named('CheckoutResult', Type.Object({
  lines: Type.Array(ResultLine),
  total: Type.Integer({ description: 'Sum of line totals, minor units' }),
  discount: Type.Integer(),
  pointsToEarn: Type.Integer(),
  maxRedeemable: Type.Integer(),
  pointsRedeemed: Type.Integer(),
  redeemedMinor: Type.Integer(),
  payable: Type.Integer({ description: 'What the customer pays in money' }),
  currency: Type.String(),
  customer: Type.Optional(
    Type.Object({ id: Type.String(), balance: Type.Integer(), pending: Type.Integer(), tier: Type.Object({ id: Type.String(), name: Type.String() }) }),
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
  rulesVersion: Type.Integer(),
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
  lines: Type.Array(Type.Object({ lineNo: Type.Integer(), sku: Type.String(), qty: Type.Number(), amount: Type.Integer(), pointsReversed: Type.Integer(), pointsReturned: Type.Integer() })),
  amount: Type.Integer(),
  pointsReversed: Type.Integer(),
  pointsReturned: Type.Integer(),
  pointsForgiven: Type.Integer({ description: 'Spent points not taken back, when the program forgives them' }),
  pointsAlreadyExpired: Type.Integer({ description: 'Points of the returned goods that had already expired' }),
  customer: Type.Optional(Type.Object({ id: Type.String(), balance: Type.Integer(), pending: Type.Integer() })),
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
  total: Type.Integer(),
  discount: Type.Integer(),
  pointsRedeemed: Type.Integer(),
  redeemedMinor: Type.Integer(),
  paid: Type.Integer(),
  pointsEarned: Type.Integer(),
  refunded: Type.Integer(),
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
      price: Type.Integer(),
      total: Type.Integer(),
      discount: Type.Integer(),
      pointsEarned: Type.Integer(),
      pointsRedeemed: Type.Integer(),
      refundedQty: Type.Number(),
    }),
  ),
  refunds: Type.Array(Type.Object({ refundId: Type.String(), at: Type.String() })),
}));
const ReceiptPage = named('ReceiptPage', Type.Object({ items: Type.Array(named('ReceiptSummary', Type.Object(ReceiptHeader))), nextBefore: Nullable(Type.String()) }));
const Balance = named('Balance', Type.Object({
  customerId: Type.String(),
  available: Type.Integer(),
  pending: Type.Array(Type.Object({ points: Type.Integer(), activatesAt: Type.String() })),
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
const LedgerPage = named('LedgerPage', Type.Object({
  items: Type.Array(
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
  ),
  nextBefore: Nullable(Type.Integer()),
}));
const AdjustmentResult = named(
  'AdjustmentResult',
  Type.Object({ customerId: Type.String(), points: Type.Integer(), reason: Type.String(), balance: Type.Integer(), pending: Type.Integer() }),
);
const Versioned = <T extends Parameters<typeof Type.Object>[0]>(body: ReturnType<typeof Type.Object<T>>) =>
  Type.Object({ version: Type.Integer(), updatedAt: Nullable(Type.String()), body });
const ProgramSettingsVersion = named('ProgramSettingsVersion', Versioned(ProgramSettingsSchema));
const EarningRuleSetVersion = named('EarningRuleSetVersion', Versioned(EarningRuleSetSchema));
const TierConfigVersion = named('TierConfigVersion', Versioned(TierConfigSchema));
const StoreOut = named('Store', Type.Object({ id: Type.String(), name: Type.String(), region: Nullable(Type.String()), timezone: Type.String(), active: Type.Boolean() }));
const StoreUpdate = named('StoreUpdate', Type.Omit(StoreSchema, ['id']));
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

export function loyaltyRoutes(app: FastifyInstance, { loyalty, customers }: { loyalty: Loyalty; customers: Customers }): void {
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
    handler: async (request) => (await loyalty.cancel(request.body.storeId, request.body.posReceiptId, actorOf(request))).result,
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
        { limit: Defaulted(Type.Integer({ minimum: 1, maximum: 500, default: 50 })), before: Type.Optional(Type.String({ pattern: idPattern('rcp') })) },
        { additionalProperties: false },
      ),
      response: { 200: ReceiptPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => loyalty.customerReceipts(await customers.resolveId(request.params.id), request.query.limit, request.query.before),
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
      querystring: Type.Object({ limit: Defaulted(Type.Integer({ minimum: 1, maximum: 500, default: 100 })), before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })) }, { additionalProperties: false }),
      response: { 200: LedgerPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => loyalty.ledger(await customers.resolveId(request.params.id), request.query.limit, request.query.before),
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

  const configRoute = <S extends ReturnType<typeof Type.Object>>(
    url: string,
    summary: string,
    schema: S,
    versioned: ReturnType<typeof Type.Object>,
    read: () => Promise<{ version: number; updatedAt: string | null; body: unknown }>,
    save: (body: never, actor: ReturnType<typeof actorOf>) => Promise<{ version: number; updatedAt: string | null; body: unknown }>,
  ) => {
    // Untyped registration: one helper serves three schemas; validation still runs on each.
    app.get(url, {
      config: { permission: 'program:read' },
      schema: { tags: ['program'], summary: `${summary} (current version)`, response: { 200: versioned, ...errorResponses(...authErrors) } },
      handler: async () => read(),
    });
    app.put(url, {
      config: { permission: 'program:write' },
      schema: {
        tags: ['program'],
        summary: `Replace ${summary.toLowerCase()}: saved as a new version`,
        body: schema,
        response: { 200: versioned, ...errorResponses(400, ...authErrors, 415) },
      },
      handler: async (request) => save(request.body as never, actorOf(request)),
    });
  };
  configRoute('/v1/program', 'Program settings', ProgramSettingsSchema, ProgramSettingsVersion, async () => (await loyalty.config()).program, loyalty.saveProgram);
  configRoute('/v1/earning-rules', 'Earning rules', EarningRuleSetSchema, EarningRuleSetVersion, async () => (await loyalty.config()).rules, loyalty.saveRules);
  configRoute('/v1/tiers', 'Tiers', TierConfigSchema, TierConfigVersion, async () => (await loyalty.config()).tiers, loyalty.saveTiers);

  r.get('/v1/stores', {
    config: { permission: 'program:read' },
    schema: { tags: ['catalog'], summary: 'Stores', response: { 200: Type.Array(StoreOut), ...errorResponses(...authErrors) } },
    handler: async () => loyalty.stores.list(),
  });
  r.put('/v1/stores', {
    config: { permission: 'catalog:write' },
    schema: {
      tags: ['catalog'],
      summary: 'Create or update stores (by id)',
      body: Type.Array(StoreSchema, { minItems: 1, maxItems: 10_000 }),
      response: { 200: Type.Array(StoreOut), ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request) => loyalty.stores.upsert(request.body, actorOf(request)),
  });
  r.put('/v1/stores/:id', {
    config: { permission: 'catalog:write' },
    schema: {
      tags: ['catalog'],
      summary: 'Create or update one store',
      params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }) }),
      body: StoreUpdate,
      response: { 200: StoreOut, ...errorResponses(400, ...authErrors, 415) },
    },
    handler: async (request) => (await loyalty.stores.upsert([{ ...request.body, id: request.params.id }], actorOf(request)))[0]!,
  });

  r.get('/v1/products', {
    config: { permission: 'program:read' },
    schema: {
      tags: ['catalog'],
      summary: 'Products by SKU, a page at a time',
      querystring: Type.Object(
        { limit: Defaulted(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), after: Type.Optional(Type.String({ maxLength: 100 })), q: Type.Optional(Type.String({ maxLength: 100 })) },
        { additionalProperties: false },
      ),
      response: { 200: Type.Array(ProductOut), ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => loyalty.products.list(request.query.limit, request.query.after, request.query.q),
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
        summary: 'Create or update products (by SKU), as JSON or CSV (sku, name, category_path, brand, attr.<key>)',
        consumes: ['application/json', 'text/csv'],
        body: Type.Array(ProductSchema, { minItems: 1, maxItems: 10_000 }),
        response: { 200: ProductUpsertResult, ...errorResponses(400, ...authErrors, 413, 415) },
      },
      handler: async (request) => ({ upserted: await loyalty.products.upsert(request.body, actorOf(request)) }),
    });
  });

  r.post('/v1/jobs/:name/run', {
    config: { permission: 'jobs:run' },
    schema: {
      tags: ['operations'],
      summary: 'Run a scheduled job now (they also run on their own every minute)',
      params: Type.Object({ name: StringEnum(['activate-points', 'expire-points', 'announce-expiring-points', 'review-tiers'] as const) }),
      response: { 200: Type.Record(Type.String(), Type.Integer()), ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => (await loyalty.runJob(request.params.name)) as Record<string, number>,
  });
}
