import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Clusters } from './index.ts';
import { ClusterReportSchema, ClusterRunRequest, ClusterRunSchema, RunParams } from './clusters.schemas.ts';

const tags = ['clusters'];

export function clusterRoutes(app: FastifyInstance, { clusters }: { clusters: Clusters }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/v1/clusters/runs', {
    config: { permission: 'segments:write' },
    schema: {
      tags,
      summary: 'Cluster the customers now: a job with progress (one already running is answered instead of a second)',
      body: ClusterRunRequest,
      response: { 202: ClusterRunSchema, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request, reply) => reply.status(202).send(await clusters.start(request.body ?? {}, actorOf(request))),
  });
  r.get('/v1/clusters/runs/:id', {
    config: { permission: 'segments:read' },
    schema: { tags, summary: "A clustering run's progress and outcome", params: RunParams, response: { 200: ClusterRunSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => clusters.runs.get(request.params.id),
  });
  r.get('/v1/clusters', {
    config: { permission: 'segments:read' },
    schema: {
      tags,
      summary: 'The latest completed run: its clusters with descriptions, sizes, revenue, centroids and stability (Accept: text/csv for a CSV)',
      produces: ['application/json', 'text/csv'],
      response: { 200: ClusterReportSchema, ...errorResponses(...authErrors, 404) },
    },
    handler: async (request, reply) => {
      if ((request.headers.accept ?? '').includes('text/csv')) {
        const csv = await clusters.latestCsv();
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', 'attachment; filename="clusters.csv"');
        return reply.send(csv as never);
      }
      return clusters.latest();
    },
  });
}
