import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import { mergePatchMediaTypes, mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from '../customers/index.ts';
import type { Promotions } from './index.ts';
import { withKnownCustomers } from './named-customers.ts';
import { promotionError } from './promotions.errors.ts';
import { promotionIds } from './promotions.ids.ts';
import { PromotionCreate, PromotionId, PromotionListQuery, PromotionPage, PromotionParams, PromotionReplacement, PromotionSchema } from './promotions.schemas.ts';
import type { PromotionInput } from './promotion-store.ts';

const tags = ['promotions'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

const PromotionPatch = mergePatchSchema('PromotionPatch', Type.Object({ ...PromotionCreate.properties, version: Type.Integer({ minimum: 1 }) }));

const PromoCode = named('PromoCode', Type.Object({
  code: Type.String(),
  promotionId: Type.String(),
  batchId: Nullable(Type.String()),
  customerId: Nullable(Type.String({ description: 'A personal code: only this customer may use it' })),
  usesLimit: Nullable(Type.Integer({ description: 'null: any number of uses (a public code)' })),
  uses: Type.Integer(),
  perCustomer: Nullable(Type.Integer()),
  validFrom: Nullable(Type.String()),
  validTo: Nullable(Type.String()),
  createdAt: Type.String(),
}));
const PromoCodeCreate = named('PromoCodeCreate', Type.Object(
  {
    promotionId: PromotionId,
    code: Type.Optional(Type.String({ minLength: 3, maxLength: 80, description: 'Letters and digits (spaces and dashes dropped, upper-cased); left out: one is made' })),
    customerId: Type.Optional(Type.String({ maxLength: 40, description: 'A personal code, for this customer only' })),
    usesLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_000_000_000, description: 'Left out: any number of uses' })),
    perCustomer: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    validFrom: Type.Optional(Type.String({ format: 'date-time' })),
    validTo: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
));
const PromoCodeQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: 100, maxLimit: 1000 }),
    promotionId: Type.Optional(PromotionId),
    batchId: Type.Optional(Type.String({ pattern: promotionIds.pattern('pcb') })),
    customerId: Type.Optional(Type.String({ maxLength: 40 })),
  },
  { additionalProperties: false },
);
const PromoCodePage = PageOf('PromoCodePage', PromoCode);

const Batch = named('PromoCodeBatch', Type.Object({
  id: Type.String(),
  promotionId: Type.String(),
  count: Type.Integer(),
  length: Type.Integer({ description: 'Random characters per code, prefix and check character aside' }),
  prefix: Type.String(),
  checkCharacter: Type.Boolean(),
  usesPerCode: Type.Integer(),
  generated: Type.Integer(),
  progress: Type.Number({ description: 'Share of the codes made, 0 to 1' }),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  failure: Nullable(Type.String()),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
}));
const BatchCreate = named('PromoCodeBatchCreate', Type.Object(
  {
    promotionId: PromotionId,
    count: Type.Integer({ minimum: 1, maximum: 5_000_000 }),
    length: Type.Optional(Type.Integer({ minimum: 4, maximum: 32, description: 'Random characters per code; left out: the fewest that make a guessed code one in 10,000' })),
    prefix: Type.Optional(Type.String({ maxLength: 16, description: 'Letters and digits every code starts with' })),
    checkCharacter: Type.Optional(Type.Boolean({ description: 'End each code with a check character (Luhn mod 32) that catches a mistyped character' })),
    usesPerCode: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Left out: single-use codes' })),
  },
  { additionalProperties: false },
));
const BatchParams = Type.Object({ id: Type.String({ pattern: promotionIds.pattern('pcb') }) });
const BatchQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 500 }), promotionId: Type.Optional(PromotionId) }, { additionalProperties: false });
const BatchPage = PageOf('PromoCodeBatchPage', Batch);

export function promotionRoutes(app: FastifyInstance, { promotions, customers }: { promotions: Promotions; customers: Customers }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/promotions', {
    config: { permission: 'promotions:read' },
    schema: { tags, summary: 'Promotions, newest first, with their usage and budget left', querystring: PromotionListQuery, response: { 200: PromotionPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => promotions.promotions.list(request.query),
  });
  r.post('/v1/promotions', {
    config: { permission: 'promotions:write' },
    schema: { tags, summary: 'Create a promotion (a draft unless status says otherwise)', body: PromotionCreate, response: { 201: PromotionSchema, ...errorResponses(400, ...authErrors, 413, 415) } },
    handler: async (request, reply) => reply.status(201).send(await promotions.promotions.create(await withKnownCustomers(request.body as PromotionInput, customers), actorOf(request))),
  });
  r.get('/v1/promotions/:id', {
    config: { permission: 'promotions:read' },
    schema: { tags, summary: 'A promotion, its usage and its budget left', params: PromotionParams, response: { 200: PromotionSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => promotions.promotions.get(request.params.id),
  });
  r.put('/v1/promotions/:id', {
    config: { permission: 'promotions:write' },
    schema: {
      tags,
      summary: 'Replace a promotion (takes what GET answers; usage is read-only; with version, a change saved since is a 409)',
      params: PromotionParams,
      body: PromotionReplacement,
      response: { 200: PromotionSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { id, version, usage: _usage, createdAt: _created, updatedAt: _updated, ...input } = request.body;
      if (id !== undefined && id !== request.params.id) {
        throw promotionError('promotion.invalid', `id: the body names ${id} while the path names ${request.params.id}`, [{ field: 'id', reason: 'must be the id in the path' }]);
      }
      return promotions.promotions.replace(request.params.id, await withKnownCustomers(input as PromotionInput, customers), actorOf(request), version);
    },
  });
  r.patch('/v1/promotions/:id', {
    config: { permission: 'promotions:write' },
    schema: {
      tags,
      summary: 'Change part of a promotion (JSON merge patch: {"status":"paused"} pauses it)',
      consumes: mergePatchMediaTypes,
      params: PromotionParams,
      body: PromotionPatch,
      response: { 200: PromotionSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, ...patch } = request.body as { version?: number | null };
      return promotions.promotions.patch(request.params.id, await withKnownCustomers(patch, customers), actorOf(request), version ?? undefined);
    },
  });
  r.delete('/v1/promotions/:id', {
    config: { permission: 'promotions:write' },
    schema: {
      tags,
      summary: 'Delete a promotion no receipt used and no code names (otherwise archive it: status archived)',
      params: PromotionParams,
      response: { 200: PromotionSchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => promotions.promotions.delete(request.params.id, actorOf(request)),
  });

  r.get('/v1/promo-codes', {
    config: { permission: 'promotions:read' },
    schema: { tags, summary: 'Promo codes, by code; filter by promotion, batch or customer', querystring: PromoCodeQuery, response: { 200: PromoCodePage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => {
      const { customerId, ...query } = request.query;
      return promotions.codes.list({ ...query, ...(customerId ? { customerId: await customers.resolveId(customerId) } : {}) });
    },
  });
  r.post('/v1/promo-codes', {
    config: { permission: 'promotions:write' },
    schema: {
      tags,
      summary: 'Create a promo code: public (no usesLimit), limited, or personal (customerId)',
      body: PromoCodeCreate,
      response: { 201: PromoCode, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request, reply) => {
      const { customerId, ...input } = request.body;
      const owner = customerId === undefined ? {} : { customerId: await customers.resolveId(customerId) };
      return reply.status(201).send(await promotions.codes.create({ ...input, ...owner }, actorOf(request)));
    },
  });
  r.get('/v1/promo-codes/batches', {
    config: { permission: 'promotions:read' },
    schema: { tags, summary: 'Batches of generated codes, newest first', querystring: BatchQuery, response: { 200: BatchPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => promotions.batches.list(request.query),
  });
  r.post('/v1/promo-codes/batches', {
    config: { permission: 'promotions:write' },
    schema: {
      tags,
      summary: 'Generate a batch of unique codes in the background (follow it with GET …/batches/{id})',
      body: BatchCreate,
      response: { 202: Batch, ...errorResponses(400, ...authErrors, 404, 415) },
    },
    handler: async (request, reply) => reply.status(202).send(await promotions.batches.create(request.body, actorOf(request))),
  });
  r.get('/v1/promo-codes/batches/:id', {
    config: { permission: 'promotions:read' },
    schema: { tags, summary: 'A batch and its progress', params: BatchParams, response: { 200: Batch, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => promotions.batches.get(request.params.id),
  });
  // Untyped on purpose: the reply is a stream, while the schema documents it as a CSV string.
  app.get('/v1/promo-codes/batches/:id/export', {
    config: { permission: 'promotions:read' },
    schema: {
      tags,
      summary: 'A completed batch\'s codes as CSV, for printing or mailing',
      params: BatchParams,
      produces: ['text/csv'],
      response: { 200: { description: 'CSV file', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const batch = await promotions.batches.get(id);
      if (batch.status !== 'completed') {
        throw promotionError('promo_code_batch.not_ready', `Batch ${id} is ${batch.status} (${batch.generated} of ${batch.count} codes made); export it once it is completed`);
      }
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="promo-codes-${id}.csv"`);
      return reply.send(Readable.from(promotions.batches.exportCsv(id)));
    },
  });
  r.get('/v1/promo-codes/:code', {
    config: { permission: 'promotions:read' },
    schema: {
      tags,
      summary: 'One promo code and its uses',
      params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 80 }) }),
      response: { 200: PromoCode, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => promotions.codes.get(request.params.code),
  });
}
