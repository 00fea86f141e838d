import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, principalOf, sendJsonOrCsv } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { ApiKeyCreated } from '../../platform/platform.routes.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Partners } from './index.ts';
import type { PartnerInput } from './partner-records.ts';
import { partnerError } from './partners.errors.ts';
import {
  PartnerCreate,
  PartnerKeyCreate,
  PartnerListQuery,
  PartnerPage,
  PartnerParams,
  PartnerPatch,
  PartnerSchema,
  SettlementQuery,
  SettlementSchema,
} from './partners.schemas.ts';

const tags = ['partners'];

/** A partner key reads its own partner's settlement only; other roles any partner's (as their permission allows). */
function refuseOtherPartner(request: FastifyRequest, partnerId: string): void {
  const principal = principalOf(request);
  if (principal.role === 'partner' && principal.partnerId !== partnerId) {
    throw partnerError(
      'partner.out_of_scope',
      principal.partnerId ? `This key belongs to partner ${principal.partnerId}: it reads that partner's settlement only` : 'This partner key is bound to no partner, so it reads no settlement',
    );
  }
}

export function partnerRoutes(app: FastifyInstance, { partners }: { partners: Partners }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/partners', {
    config: { permission: 'partners:read' },
    schema: { tags, summary: 'Coalition partners, oldest first, with their stores and rates', querystring: PartnerListQuery, response: { 200: PartnerPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => partners.list(request.query),
  });
  r.post('/v1/partners', {
    config: { permission: 'partners:write' },
    schema: {
      tags,
      summary: 'Add a partner: its stores, its earning rate and its settlement rates',
      body: PartnerCreate,
      response: { 201: PartnerSchema, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await partners.create(request.body as PartnerInput, actorOf(request))),
  });
  r.get('/v1/partners/:id', {
    config: { permission: 'partners:read' },
    schema: { tags, summary: 'A partner with its stores and rates', params: PartnerParams, response: { 200: PartnerSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => partners.get(request.params.id),
  });
  r.patch('/v1/partners/:id', {
    config: { permission: 'partners:write' },
    schema: {
      tags,
      summary: 'Change part of a partner (JSON merge patch; storeIds replaces the list; {"status":"suspended"} stops its keys)',
      consumes: mergePatchMediaTypes,
      params: PartnerParams,
      body: PartnerPatch,
      response: { 200: PartnerSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, ...patch } = request.body as { version?: number | null };
      return partners.patch(request.params.id, patch, actorOf(request), version ?? undefined);
    },
  });
  r.post('/v1/partners/:id/api-keys', {
    config: { permission: 'keys:manage' },
    schema: {
      tags,
      summary: "A partner's API key: role partner, checkout and returns at the partner's own stores only (the secret is shown once)",
      params: PartnerParams,
      body: PartnerKeyCreate,
      response: { 201: ApiKeyCreated, ...errorResponses(400, ...authErrors, 404, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await partners.createKey(request.params.id, request.body.name, actorOf(request))),
  });
  r.get('/v1/partners/:id/settlement', {
    config: { permission: 'partners:settlement' },
    schema: {
      tags,
      summary: "Settlement for a period: points issued and redeemed at the partner's stores, money owed each way (JSON, or CSV with Accept: text/csv or format=csv)",
      description: "The figures are the ledger's (point entries on receipts of the partner's stores, on the UTC day each was written), at the partner's current rates. A partner key reads its own partner only.",
      params: PartnerParams,
      querystring: SettlementQuery,
      produces: ['application/json', 'text/csv'],
      response: {
        200: {
          description: 'The settlement report',
          content: { 'application/json': { schema: SettlementSchema }, 'text/csv': { schema: { type: 'string', description: 'One row a day, one a store, and the total' } } },
        },
        ...errorResponses(400, ...authErrors, 404),
      },
    },
    handler: async (request, reply) => {
      refuseOtherPartner(request, request.params.id);
      const report = await partners.settlement(request.params.id, request.query.from, request.query.to);
      return sendJsonOrCsv(request, reply, {
        format: request.query.format,
        json: () => report,
        csv: () => ({ filename: `settlement-${report.partnerId}-${report.from}-${report.to}.csv`, body: partners.settlementCsv(report) }),
      });
    },
  });
}
