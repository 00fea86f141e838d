import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { withLease, type Leases } from './leases.ts';
import { platformError } from './errors.ts';
import type { ScheduledJob } from './registry.ts';
import { authErrors, errorResponses, StringEnum } from './schemas.ts';

const WAIT_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `POST /v1/jobs/{name}/run`: an owner runs any module's scheduled job now; it answers the job's
 * counts. It takes the job's lease like the scheduler does, so the run never overlaps the
 * scheduled one (here or on another instance): it waits for a run under way to end, up to a limit.
 */
export function jobRoutes(app: FastifyInstance, deps: { jobs: ScheduledJob[]; leases: Leases }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const byName = new Map(deps.jobs.map((job) => [job.name, job]));
  r.post('/v1/jobs/:name/run', {
    config: { permission: 'jobs:run' },
    schema: {
      tags: ['operations'],
      summary: 'Run a scheduled job now (they also run on their own: ledger jobs every minute, reviews daily)',
      params: Type.Object({ name: StringEnum(deps.jobs.map((job) => job.name) as [string, ...string[]]) }),
      response: { 200: Type.Record(Type.String(), Type.Integer()), ...errorResponses(400, 409, ...authErrors) },
    },
    handler: async (request) => {
      const job = byName.get(request.params.name)!;
      const giveUpAt = Date.now() + WAIT_MS;
      for (;;) {
        // Run to the end: an owner asked for it now (a server stopping still answers requests under way).
        const outcome = await withLease(deps.leases, `job:${job.name}`, 30_000, new AbortController().signal, (signal) => job.run(signal, false));
        if (outcome.ran) return outcome.result;
        if (Date.now() >= giveUpAt) {
          throw platformError('job.running', `The job ${job.name} has been running for more than ${WAIT_MS / 1000} s (here or on another instance); its counts show in the log when it ends. Ask again later.`);
        }
        await sleep(250);
      }
    },
  });
}
