import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { platformError } from '../errors.ts';
import { actorOf, principalOf } from '../http.ts';
import { idPattern } from '../ids.ts';
import { named } from '../openapi-names.ts';
import { PageOf, pageQuery } from '../pagination.ts';
import { can } from '../roles.ts';
import { authErrors, Defaulted, errorResponses } from '../schemas.ts';
import type { ImportType } from './import-format.ts';
import type { ImportRunner } from './import-runner.ts';

const ImportJob = named('ImportJob', Type.Object({
  id: Type.String(),
  kind: Type.String({ description: 'What the file holds, as the module that imports it names it (customers, receipts, …)' }),
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
  fileName: Type.String(),
  bytesTotal: Type.Integer(),
  bytesDone: Type.Integer(),
  progress: Type.Number({ description: 'Share of the file processed, 0 to 1' }),
  rowsDone: Type.Integer(),
  rowsFailed: Type.Integer(),
  rowsCreated: Type.Integer(),
  rowsUpdated: Type.Integer(),
  errors: Type.Array(Type.Object({ line: Type.Integer(), field: Type.String(), reason: Type.String() })),
  errorsTotal: Type.Integer(),
  failure: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
}));
const ImportJobPage = PageOf('ImportJobPage', ImportJob);

/** Uploads that become import jobs (one route per import type the modules registered), and the jobs' progress. */
export function importRoutes(
  app: FastifyInstance,
  { imports, types, importLimitBytes }: { imports: ImportRunner; types: ImportType[]; importLimitBytes: number },
): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/imports', {
    config: { permission: 'imports:read' },
    schema: {
      tags: ['imports'],
      summary: 'Imports, newest first',
      querystring: Type.Object(pageQuery({ defaultLimit: 50, maxLimit: 200 }), { additionalProperties: false }),
      response: { 200: ImportJobPage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => imports.list(request.query.limit, request.query.cursor),
  });

  r.get('/v1/imports/:id', {
    config: { permission: 'imports:read' },
    schema: {
      tags: ['imports'],
      summary: 'Progress and errors of an import',
      params: Type.Object({ id: Type.String({ pattern: idPattern('imp') }) }),
      querystring: Type.Object({ errorsLimit: Defaulted(Type.Integer({ minimum: 0, maximum: 100_000, default: 1000 })) }, { additionalProperties: false }),
      response: { 200: ImportJob, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => imports.get(request.params.id, request.query.errorsLimit),
  });

  for (const { kind, upload } of types) {
    const query = Type.Object({ fileName: Type.Optional(Type.String({ maxLength: 200 })), ...upload.query }, { additionalProperties: false });
    // Each upload parser lives in its own scope, so only its route takes that type, as a stream.
    app.register(async (scope) => {
      scope.addContentTypeParser(upload.contentTypes, (_request, payload, done) => done(null, payload));
      scope.withTypeProvider<TypeBoxTypeProvider>().post(upload.url, {
        config: { permission: upload.permission },
        schema: {
          tags: [upload.tag],
          summary: upload.summary,
          consumes: upload.contentTypes,
          querystring: query,
          response: { 202: ImportJob, ...errorResponses(400, ...authErrors, 413, 415) },
        },
        handler: async (request, reply) => {
          if (!(request.body instanceof Readable)) {
            throw platformError('request.unsupported_media_type', `Send the file as the body with Content-Type: ${upload.contentTypes[0]}`);
          }
          const values = request.query as Record<string, unknown>;
          const options = upload.options?.(values) ?? {};
          // Options that need more than the route's permission (earn=true) are refused before the file is read.
          const needed = upload.optionPermission?.(options);
          const { role } = principalOf(request);
          if (needed && !can(role, needed.permission)) {
            throw platformError('auth.forbidden', `The ${role} role may not ${needed.doing} (needs ${needed.permission})`);
          }
          const fileName = typeof values.fileName === 'string' ? values.fileName : `upload.${upload.extension}`;
          const { job, resumed } = await imports.submit(kind, request.body, fileName, actorOf(request), importLimitBytes, options);
          void imports.run(job.id);
          reply.header('location', `/v1/imports/${job.id}`);
          if (resumed) reply.header('x-patron-import', 'resumed');
          return reply.status(202).send(job);
        },
      });
    });
  }
}
