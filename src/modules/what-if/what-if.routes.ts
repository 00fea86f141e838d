import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, sendJsonOrCsv } from '../../platform/http.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { WhatIf } from './index.ts';
import type { WhatIfRequest } from './run.ts';
import { RunParams, WhatIfRequestSchema, WhatIfRunSchema } from './what-if.schemas.ts';

const tags = ['analytics'];

export function whatIfRoutes(app: FastifyInstance, { whatIf }: { whatIf: WhatIf }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/v1/analytics/what-if', {
    config: { permission: 'analytics:write' },
    schema: {
      tags,
      summary: 'Replay the last N days of receipts under changed earning rules, tiers and promotions: a job with progress, writing nothing',
      description: 'Answers 202 with the run; GET /v1/analytics/what-if/{id} follows it and, once completed, holds the comparison with what actually happened.',
      body: WhatIfRequestSchema,
      response: { 202: WhatIfRunSchema, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request, reply) => reply.status(202).send(await whatIf.start(request.body as WhatIfRequest, actorOf(request))),
  });
  r.get('/v1/analytics/what-if/:id', {
    config: { permission: 'analytics:read' },
    schema: {
      tags,
      summary: "A what-if run's progress and, once completed, its report (Accept: text/csv for the by-store and by-tier table)",
      params: RunParams,
      produces: ['application/json', 'text/csv'],
      response: { 200: WhatIfRunSchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request, reply) =>
      sendJsonOrCsv(request, reply, {
        json: () => whatIf.get(request.params.id),
        csv: async () => ({ filename: `what-if-${request.params.id}.csv`, body: await whatIf.csv(request.params.id) }),
      }),
  });
}
