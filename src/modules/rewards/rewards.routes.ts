import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from '../customers/index.ts';
import type { Rewards } from './index.ts';
import type { RewardInput } from './reward-store.ts';
import { rewardError } from './rewards.errors.ts';
import {
  CodeParams,
  CustomerParams,
  IdempotencyHeaders,
  OrderCreate,
  OrderListQuery,
  OrderPage,
  OrderParams,
  OrderSchema,
  PrivilegePage,
  PrivilegeQuery,
  RewardCreate,
  RewardListQuery,
  RewardPage,
  RewardParams,
  RewardPatch,
  RewardReplacement,
  RewardSchema,
  VoucherUpload,
  VoucherUploadResult,
} from './rewards.schemas.ts';
import { vouchersFromCsv } from './vouchers.ts';

/** Roles that see a reward order's code whole (they give it to the customer or accept it); the others see its last four characters. */
const codeReaders = new Set(['owner', 'support', 'pos']);

const tags = ['rewards'];

export function rewardRoutes(app: FastifyInstance, { rewards, customers }: { rewards: Rewards; customers: Customers }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/rewards', {
    config: { permission: 'rewards:read' },
    schema: { tags, summary: 'The rewards catalog, newest first, with usage and stock left; filter by kind and status', querystring: RewardListQuery, response: { 200: RewardPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => rewards.rewards.list(request.query),
  });
  r.post('/v1/rewards', {
    config: { permission: 'rewards:write' },
    schema: { tags, summary: 'Create a reward (a draft unless status says otherwise)', body: RewardCreate, response: { 201: RewardSchema, ...errorResponses(400, ...authErrors, 413, 415) } },
    handler: async (request, reply) => reply.status(201).send(await rewards.rewards.create(request.body as RewardInput, actorOf(request))),
  });
  r.get('/v1/rewards/:id', {
    config: { permission: 'rewards:read' },
    schema: { tags, summary: 'A reward, its usage and its stock left', params: RewardParams, response: { 200: RewardSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => rewards.rewards.get(request.params.id),
  });
  r.put('/v1/rewards/:id', {
    config: { permission: 'rewards:write' },
    schema: {
      tags,
      summary: 'Replace a reward (takes what GET answers; usage is read-only; with version, a change saved since is a 409)',
      params: RewardParams,
      body: RewardReplacement,
      response: { 200: RewardSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { id, version, usage: _usage, createdAt: _created, updatedAt: _updated, ...input } = request.body;
      if (id !== undefined && id !== request.params.id) {
        throw rewardError('reward.invalid', `id: the body names ${id} while the path names ${request.params.id}`, [{ field: 'id', reason: 'must be the id in the path' }]);
      }
      return rewards.rewards.replace(request.params.id, input as RewardInput, actorOf(request), version);
    },
  });
  r.patch('/v1/rewards/:id', {
    config: { permission: 'rewards:write' },
    schema: {
      tags,
      summary: 'Change part of a reward (JSON merge patch: {"stock": 500} restocks it, {"status":"paused"} pauses it)',
      consumes: mergePatchMediaTypes,
      params: RewardParams,
      body: RewardPatch,
      response: { 200: RewardSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, ...patch } = request.body as { version?: number | null };
      return rewards.rewards.patch(request.params.id, patch, actorOf(request), version ?? undefined);
    },
  });
  r.delete('/v1/rewards/:id', {
    config: { permission: 'rewards:write' },
    schema: {
      tags,
      summary: 'Delete a reward nobody ordered (otherwise archive it: status archived)',
      params: RewardParams,
      response: { 200: RewardSchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => rewards.rewards.delete(request.params.id, actorOf(request)),
  });
  // The pool comes as JSON or as the partner's CSV; CSV is turned into the JSON form and checked by the same schema.
  app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, vouchersFromCsv(body as string));
      } catch (error) {
        done(error as Error);
      }
    });
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/v1/rewards/:id/vouchers', {
      config: { permission: 'rewards:write' },
      schema: {
        tags,
        summary: 'Add partner vouchers to a partner_voucher reward\'s pool, as JSON or CSV (code, valid_until); codes already in the pool are skipped',
        consumes: ['application/json', 'text/csv'],
        params: RewardParams,
        body: VoucherUpload,
        response: { 200: VoucherUploadResult, ...errorResponses(400, ...authErrors, 404, 413, 415) },
      },
      handler: async (request) => rewards.rewards.uploadVouchers(request.params.id, request.body.vouchers, actorOf(request)),
    });
  });

  r.get('/v1/customers/:id/rewards', {
    config: { permission: 'reward-orders:read' },
    schema: { tags, summary: 'A customer\'s reward orders, newest first; filter by status', params: CustomerParams, querystring: OrderListQuery, response: { 200: OrderPage, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => {
      const page = await rewards.orders.list(await customers.resolveId(request.params.id), request.query);
      // A goods code or a partner voucher is a bearer token worth money: the roles that hand it over (owner, support, the till) see it; others its last four characters.
      if (codeReaders.has(actorOf(request).role ?? '')) return page;
      return { ...page, items: page.items.map((order) => (order.code === undefined ? order : { ...order, code: `****${order.code.slice(-4)}` })) };
    },
  });
  r.post('/v1/customers/:id/rewards', {
    config: { permission: 'reward-orders:write' },
    schema: {
      tags,
      summary: 'Buy a reward with points: points debited, code or voucher issued, stock taken, in one transaction (Idempotency-Key honoured)',
      params: CustomerParams,
      headers: IdempotencyHeaders,
      body: OrderCreate,
      response: { 200: OrderSchema, 201: OrderSchema, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request, reply) => {
      const customerId = await customers.resolveId(request.params.id);
      const { order, replayed } = await rewards.orders.purchase(customerId, request.body.rewardId, actorOf(request), request.headers['idempotency-key']);
      return reply.status(replayed ? 200 : 201).send(order);
    },
  });
  r.post('/v1/customers/:id/rewards/:orderId/cancel', {
    config: { permission: 'reward-orders:write' },
    schema: {
      tags,
      summary: 'Cancel a reward order: points, stock and the order come back once (a cancelled order answers as it is)',
      params: OrderParams,
      response: { 200: OrderSchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => rewards.orders.cancel(await customers.resolveId(request.params.id), request.params.orderId, actorOf(request)),
  });
  r.get('/v1/customers/:id/privileges', {
    config: { permission: 'reward-orders:read' },
    schema: { tags, summary: 'The privileges a customer holds now (priority service, a personal manager, early access …)', params: CustomerParams, querystring: PrivilegeQuery, response: { 200: PrivilegePage, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => rewards.orders.privileges(await customers.resolveId(request.params.id), request.query),
  });
  r.post('/v1/reward-codes/:code/redeem', {
    config: { permission: 'reward-codes:redeem' },
    schema: {
      tags,
      summary: 'The till accepts a goods reward code: the order is marked redeemed, once',
      params: CodeParams,
      response: { 200: OrderSchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => rewards.orders.redeem(request.params.code, actorOf(request)),
  });
}
