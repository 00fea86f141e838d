import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import { customerIds, type Customers } from '../customers/index.ts';
import type { Lotteries } from './index.ts';
import {
  CustomerEntryPage,
  CustomerEntryQuery,
  EntriesQuery,
  EntryPage,
  LotteryCreate,
  LotteryListQuery,
  LotteryPage,
  LotteryParams,
  LotteryPatch,
  LotterySchema,
} from './lotteries.schemas.ts';
import type { LotteryInput } from './lottery-store.ts';

const tags = ['lotteries'];
const CustomerParams = Type.Object({ id: Type.String({ pattern: customerIds.pattern('cus') }) });

export function lotteryRoutes(app: FastifyInstance, { lotteries, customers }: { lotteries: Lotteries; customers: Customers }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/lotteries', {
    config: { permission: 'lotteries:read' },
    schema: { tags, summary: 'Lotteries, newest first; filter by status', querystring: LotteryListQuery, response: { 200: LotteryPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => lotteries.list(request.query),
  });
  r.post('/v1/lotteries', {
    config: { permission: 'lotteries:write' },
    schema: {
      tags,
      summary: 'Create a lottery: its secret seed is made now and its commitment (SHA-256 of the seed) published',
      body: LotteryCreate,
      response: { 201: LotterySchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await lotteries.create(request.body as LotteryInput, actorOf(request))),
  });
  r.get('/v1/lotteries/:id', {
    config: { permission: 'lotteries:read' },
    schema: {
      tags,
      summary: 'A lottery: its commitment, status, and once drawn the seed, the entries digest and the winners',
      params: LotteryParams,
      response: { 200: LotterySchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => lotteries.get(request.params.id),
  });
  r.patch('/v1/lotteries/:id', {
    config: { permission: 'lotteries:write' },
    schema: {
      tags,
      summary: 'Change part of a lottery (JSON merge patch; {"status":"cancelled"} cancels it before its draw)',
      consumes: mergePatchMediaTypes,
      params: LotteryParams,
      body: LotteryPatch,
      response: { 200: LotterySchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, ...patch } = request.body as { version?: number | null };
      return lotteries.patch(request.params.id, patch, actorOf(request), version ?? undefined);
    },
  });
  r.delete('/v1/lotteries/:id', {
    config: { permission: 'lotteries:write' },
    schema: {
      tags,
      summary: 'Delete a lottery whose entry period has not started (later: cancel it)',
      params: LotteryParams,
      response: { 200: LotterySchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => lotteries.delete(request.params.id, actorOf(request)),
  });
  r.post('/v1/lotteries/:id/draw', {
    config: { permission: 'lotteries:draw' },
    schema: {
      tags,
      summary: 'Draw the winners once the entry period has ended: freezes the entries, reveals the seed, issues the prizes. Drawing again answers the same result',
      params: LotteryParams,
      response: { 200: LotterySchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => lotteries.draw(request.params.id, actorOf(request)),
  });
  r.get('/v1/lotteries/:id/entries', {
    config: { permission: 'lotteries:read' },
    schema: {
      tags,
      summary: 'The entries the draw froze, by customer id in byte order (empty before the draw): what entriesDigest hashes',
      params: LotteryParams,
      querystring: EntriesQuery,
      response: { 200: EntryPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => lotteries.entries(request.params.id, request.query),
  });
  r.get('/v1/customers/:id/lottery-entries', {
    config: { permission: 'lotteries:read' },
    schema: {
      tags,
      summary: "A customer's entries in lotteries that have started, newest first (before a draw: earned so far)",
      params: CustomerParams,
      querystring: CustomerEntryQuery,
      response: { 200: CustomerEntryPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => lotteries.customerEntries(await customers.resolveId(request.params.id), request.query),
  });
}
