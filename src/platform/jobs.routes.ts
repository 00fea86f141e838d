import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ScheduledJob } from './registry.ts';
import { authErrors, errorResponses, StringEnum } from './schemas.ts';

/** `POST /v1/jobs/{name}/run`: an owner runs any module's scheduled job now; it answers the job's counts. */
export function jobRoutes(app: FastifyInstance, deps: { jobs: ScheduledJob[] }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const byName = new Map(deps.jobs.map((job) => [job.name, job]));
  r.post('/v1/jobs/:name/run', {
    config: { permission: 'jobs:run' },
    schema: {
      tags: ['operations'],
      summary: 'Run a scheduled job now (they also run on their own: ledger jobs every minute, reviews daily)',
      params: Type.Object({ name: StringEnum(deps.jobs.map((job) => job.name) as [string, ...string[]]) }),
      response: { 200: Type.Record(Type.String(), Type.Integer()), ...errorResponses(400, ...authErrors) },
    },
    // Run to the end: an owner asked for it now (a server stopping still answers requests under way).
    handler: async (request) => byName.get(request.params.name)!.run(new AbortController().signal),
  });
}
