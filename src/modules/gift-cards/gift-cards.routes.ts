import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from '../customers/index.ts';
import { giftCardError } from './gift-cards.errors.ts';
import {
  BatchParams,
  BatchQuery,
  CardParams,
  CardQuery,
  EntryQuery,
  GiftCardActivate,
  GiftCardAdjustment,
  GiftCardBatchCreate,
  GiftCardBatchPage,
  GiftCardBatchSchema,
  GiftCardEntryPage,
  GiftCardIssue,
  GiftCardPage,
  GiftCardSchema,
  GiftCardStatusChange,
  IdempotencyHeaders,
} from './gift-cards.schemas.ts';
import type { GiftCards } from './index.ts';

const tags = ['gift cards'];

export function giftCardRoutes(app: FastifyInstance, { giftCards, customers }: { giftCards: GiftCards; customers: Customers }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/gift-cards', {
    config: { permission: 'gift-cards:read' },
    schema: { tags, summary: 'Gift cards, newest first, codes masked; filter by status, batch or customer', querystring: CardQuery, response: { 200: GiftCardPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => {
      const { customerId, ...query } = request.query;
      return giftCards.cards.list({ ...query, ...(customerId ? { customerId: await customers.resolveId(customerId) } : {}) });
    },
  });
  r.post('/v1/gift-cards', {
    config: { permission: 'gift-cards:write' },
    schema: {
      tags,
      summary: 'Issue one gift card (issued, or active at once); the answer shows its code in full (Idempotency-Key header honoured: a retry answers 200 with the first card)',
      headers: IdempotencyHeaders,
      body: GiftCardIssue,
      response: { 200: GiftCardSchema, 201: GiftCardSchema, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request, reply) => {
      const { customerId, ...input } = request.body;
      const owner = customerId === undefined ? {} : { customerId: await customers.resolveId(customerId) };
      const { card, replayed } = await giftCards.cards.issue({ ...input, ...owner }, actorOf(request), request.headers['idempotency-key']);
      return reply.status(replayed ? 200 : 201).send(card);
    },
  });
  r.get('/v1/gift-cards/batches', {
    config: { permission: 'gift-cards:read' },
    schema: { tags, summary: 'Batches of gift cards, newest first', querystring: BatchQuery, response: { 200: GiftCardBatchPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => giftCards.batches.list(request.query),
  });
  r.post('/v1/gift-cards/batches', {
    config: { permission: 'gift-cards:write' },
    schema: {
      tags,
      summary:
        'Issue a batch of cards in the background (follow it with GET …/batches/{id}); its cards are issued, activated when sold (Idempotency-Key header honoured: a retry answers 200 with the first batch)',
      headers: IdempotencyHeaders,
      body: GiftCardBatchCreate,
      response: { 200: GiftCardBatchSchema, 202: GiftCardBatchSchema, ...errorResponses(400, ...authErrors, 409, 415) },
    },
    handler: async (request, reply) => {
      const { batch, replayed } = await giftCards.batches.create(request.body, actorOf(request), request.headers['idempotency-key']);
      return reply.status(replayed ? 200 : 202).send(batch);
    },
  });
  r.get('/v1/gift-cards/batches/:id', {
    config: { permission: 'gift-cards:read' },
    schema: { tags, summary: 'A batch and its progress', params: BatchParams, response: { 200: GiftCardBatchSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => giftCards.batches.get(request.params.id),
  });
  // Untyped on purpose: the reply is a stream, while the schema documents it as a CSV string.
  app.get('/v1/gift-cards/batches/:id/export', {
    config: { permission: 'gift-cards:write' },
    schema: {
      tags,
      summary: "A completed batch's cards with their codes in full, as CSV for the printer (gift-cards:write: the codes are money)",
      params: BatchParams,
      produces: ['text/csv'],
      response: { 200: { description: 'CSV file', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const batch = await giftCards.batches.get(id);
      if (batch.status !== 'completed') {
        throw giftCardError('gift_card_batch.not_ready', `Batch ${id} is ${batch.status} (${batch.generated} of ${batch.count} cards made); export it once it is completed`);
      }
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="gift-cards-${id}.csv"`);
      return reply.send(Readable.from(giftCards.batches.exportCsv(id)));
    },
  });
  r.get('/v1/gift-cards/:code', {
    config: { permission: 'gift-cards:balance' },
    schema: { tags, summary: 'One gift card: status, balance and expiry (the till checks a balance here)', params: CardParams, response: { 200: GiftCardSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => giftCards.cards.get(request.params.code),
  });
  r.get('/v1/gift-cards/:code/entries', {
    config: { permission: 'gift-cards:read' },
    schema: {
      tags,
      summary: "The card's ledger, newest first: every change of its balance with the balance after it",
      params: CardParams,
      querystring: EntryQuery,
      response: { 200: GiftCardEntryPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => giftCards.cards.entries(request.params.code, request.query),
  });
  r.post('/v1/gift-cards/:code/activate', {
    config: { permission: 'gift-cards:activate' },
    schema: {
      tags,
      summary: 'Activate an issued card as it is sold, loading what the customer paid (Idempotency-Key header honoured)',
      params: CardParams,
      headers: IdempotencyHeaders,
      body: GiftCardActivate,
      response: { 200: GiftCardSchema, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request) => (await giftCards.cards.activate(request.params.code, request.body, actorOf(request), request.headers['idempotency-key'])).card,
  });
  r.post('/v1/gift-cards/:code/block', {
    config: { permission: 'gift-cards:adjust' },
    schema: { tags, summary: 'Block a card (lost, stolen, disputed): it pays nothing until unblocked', params: CardParams, body: GiftCardStatusChange, response: { 200: GiftCardSchema, ...errorResponses(400, ...authErrors, 404, 409, 415) } },
    handler: async (request) => giftCards.cards.block(request.params.code, request.body.reason, actorOf(request)),
  });
  r.post('/v1/gift-cards/:code/unblock', {
    config: { permission: 'gift-cards:adjust' },
    schema: { tags, summary: 'Unblock a card: back to active (or issued, if it was never sold)', params: CardParams, body: GiftCardStatusChange, response: { 200: GiftCardSchema, ...errorResponses(400, ...authErrors, 404, 409, 415) } },
    handler: async (request) => giftCards.cards.unblock(request.params.code, request.body.reason, actorOf(request)),
  });
  r.post('/v1/gift-cards/:code/adjustments', {
    config: { permission: 'gift-cards:adjust' },
    schema: {
      tags,
      summary: 'Put money on a card or take it off by hand, with a reason (audited; Idempotency-Key header honoured)',
      params: CardParams,
      headers: IdempotencyHeaders,
      body: GiftCardAdjustment,
      response: { 200: GiftCardSchema, 201: GiftCardSchema, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request, reply) => {
      const { card, replayed } = await giftCards.cards.adjust(request.params.code, request.body, actorOf(request), request.headers['idempotency-key']);
      return reply.status(replayed ? 200 : 201).send(card);
    },
  });
}
