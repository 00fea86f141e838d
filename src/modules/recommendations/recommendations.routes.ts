import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from '../customers/index.ts';
import type { Recommendations } from './index.ts';
import { CustomerParams, CustomerRecommendationsSchema, PairPage, PairQuery, RecommendationQuery, RunBody, RunParams, RunSchema, SummarySchema } from './recommendations.schemas.ts';

const tags = ['recommendations'];
const wantsCsv = (accept: string | undefined) => (accept ?? '').includes('text/csv');

export function recommendationRoutes(app: FastifyInstance, { recommendations, customers }: { recommendations: Recommendations; customers: Pick<Customers, 'resolveId'> }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  // A merged id answers for its survivor, as the balance and the other customer sub-routes do.
  r.get('/v1/customers/:id/recommendations', {
    config: { permission: 'recommendations:read' },
    schema: {
      tags,
      summary: "The customer's next best offers: the top N products (or categories, by=category) they have not bought, each with why, and the popularity baseline beside them (Accept: text/csv for CSV)",
      params: CustomerParams,
      querystring: RecommendationQuery,
      produces: ['application/json', 'text/csv'],
      response: { 200: CustomerRecommendationsSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request, reply) => {
      const customerId = await customers.resolveId(request.params.id);
      if (wantsCsv(request.headers.accept)) {
        const csv = await recommendations.forCustomerCsv(customerId, request.query);
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="recommendations-${customerId}.csv"`).send(csv as never);
      }
      return recommendations.forCustomer(customerId, request.query);
    },
  });
  r.post('/v1/recommendations/runs', {
    config: { permission: 'recommendations:write' },
    schema: {
      tags,
      summary: 'Rebuild the co-purchase model and evaluate it on a time holdout: a job with progress (one already running is answered instead of a second)',
      body: RunBody,
      response: { 202: RunSchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(202).send(await recommendations.startRun(request.body ?? {}, actorOf(request))),
  });
  r.get('/v1/recommendations/runs/:id', {
    config: { permission: 'recommendations:read' },
    schema: { tags, summary: "A run's progress, and once completed its model and holdout evaluation", params: RunParams, response: { 200: RunSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => recommendations.runs.get(request.params.id),
  });
  r.get('/v1/recommendations', {
    config: { permission: 'recommendations:read' },
    schema: { tags, summary: 'The model the API answers from (its size and holdout evaluation: hit rate at N against popularity) and the newest run', response: { 200: SummarySchema, ...errorResponses(...authErrors) } },
    handler: async () => recommendations.summary(),
  });
  r.get('/v1/recommendations/pairs', {
    config: { permission: 'recommendations:read' },
    schema: {
      tags,
      summary: "The latest model's item pairs with support, confidence and lift, by item then strength (Accept: text/csv for all of them as CSV)",
      querystring: PairQuery,
      produces: ['application/json', 'text/csv'],
      response: { 200: PairPage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request, reply) => {
      if (wantsCsv(request.headers.accept)) {
        const rows = recommendations.pairsCsv({ by: request.query.by, ...(request.query.item !== undefined ? { item: request.query.item } : {}) });
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', 'attachment; filename="recommendation-pairs.csv"');
        return reply.send(Readable.from(rows) as never);
      }
      return recommendations.pairs(request.query);
    },
  });
}
