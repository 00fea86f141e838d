import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, sendJsonOrCsv } from '../../platform/http.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Clv } from './index.ts';
import { ClvFitRequest, ClvReportSchema, ClvRunSchema, RunParams } from './clv.schemas.ts';

const tags = ['analytics'];

export function clvRoutes(app: FastifyInstance, { clv }: { clv: Clv }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/v1/analytics/clv/fit', {
    config: { permission: 'analytics:write' },
    schema: {
      tags,
      summary: 'Fit the CLV models (BG/NBD and Gamma-Gamma) on every customer\'s purchases and predict each one\'s CLV: a job with progress (one already running is answered instead of a second)',
      body: ClvFitRequest,
      response: { 202: ClvRunSchema, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request, reply) => reply.status(202).send(await clv.start(request.body ?? {}, actorOf(request))),
  });
  r.get('/v1/analytics/clv/fit/:id', {
    config: { permission: 'analytics:read' },
    schema: { tags, summary: "A CLV fit's progress and outcome", params: RunParams, response: { 200: ClvRunSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => clv.runs.get(request.params.id),
  });
  r.get('/v1/analytics/clv', {
    config: { permission: 'analytics:read' },
    schema: {
      tags,
      summary: 'The latest completed CLV fit: parameters, log-likelihoods, customers, and the distribution of CLV and P(alive) (Accept: text/csv for the deciles as CSV)',
      produces: ['application/json', 'text/csv'],
      response: { 200: ClvReportSchema, ...errorResponses(...authErrors, 404) },
    },
    handler: async (request, reply) =>
      sendJsonOrCsv(request, reply, {
        json: () => clv.latest(),
        csv: async () => ({ filename: 'clv-deciles.csv', body: await clv.latestCsv() }),
      }),
  });
}
