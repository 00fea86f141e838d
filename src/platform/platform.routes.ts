import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { ApiKeys } from './api-keys.ts';
import { writeAudit } from './audit.ts';
import type { Clock } from './clock.ts';
import type { PlatformDb } from './db-views.ts';
import { platformError } from './errors.ts';
import { actorOf } from './http.ts';
import { idPattern } from './ids.ts';
import { named } from './openapi-names.ts';
import { roles } from './roles.ts';
import { decodeCursor, isIntegerKey, pageOf, PageOf, pageQuery } from './pagination.ts';
import { authErrors, errorResponses, StringEnum } from './schemas.ts';

const Role = StringEnum(roles);
const ApiKey = named('ApiKey', Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: Role,
  hint: Type.String({ description: 'The first characters of the secret, to tell keys apart' }),
  source: Type.String(),
  createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  partnerId: Type.Union([Type.String(), Type.Null()], { description: "A partner key's partner (POST /v1/partners/{id}/api-keys): it acts only at that partner's stores" }),
}));
const ApiKeyCreate = named('ApiKeyCreate', Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }), role: Role }, { additionalProperties: false }));
export const ApiKeyCreated = named('ApiKeyCreated', Type.Object({ key: ApiKey, secret: Type.String({ description: 'Shown once; only its SHA-256 is stored' }) }));
const Health = named('Health', Type.Object({ status: Type.Literal('ok') }));
const HealthUnavailable = named('HealthUnavailable', Type.Object({ status: Type.Literal('unavailable') }));
const AuditEntry = named(
  'AuditEntry',
  Type.Object({
    id: Type.Integer(),
    occurredAt: Type.String(),
    actorKeyId: Type.Union([Type.String(), Type.Null()]),
    actorName: Type.String(),
    actorRole: Type.Union([Type.String(), Type.Null()]),
    action: Type.String(),
    entityType: Type.String(),
    entityId: Type.Union([Type.String(), Type.Null()]),
    details: Type.Record(Type.String(), Type.Unknown()),
    requestId: Type.Union([Type.String(), Type.Null()]),
  }),
);
const ApiKeyPage = PageOf('ApiKeyPage', ApiKey);
const AuditEntryPage = PageOf('AuditEntryPage', AuditEntry);

export type PlatformRouteDeps = {
  db: PlatformDb;
  apiKeys: ApiKeys;
  clock: Clock;
  /** A consistent copy of the embedded database (a gzipped tar); absent on PostgreSQL. */
  snapshot?: () => Promise<Blob>;
};

/** Health, API keys, the audit log and backups of the embedded database. */
export function platformRoutes(app: FastifyInstance, { db, apiKeys, clock, snapshot }: PlatformRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/health', {
    schema: {
      tags: ['platform'],
      summary: 'Liveness and database reachability',
      security: [],
      response: { 200: Health, 503: HealthUnavailable },
    },
    handler: async (request, reply) => {
      try {
        await sql`select 1`.execute(db);
        return { status: 'ok' as const };
      } catch (error) {
        request.log.error({ err: error }, 'health check: database unreachable');
        return reply.status(503).send({ status: 'unavailable' as const });
      }
    },
  });

  r.post('/v1/api-keys', {
    config: { permission: 'keys:manage' },
    schema: {
      tags: ['access'],
      summary: 'Create an API key (the secret is shown once)',
      body: ApiKeyCreate,
      response: { 201: ApiKeyCreated, ...errorResponses(400, ...authErrors, 415) },
    },
    handler: async (request, reply) => {
      const created = await apiKeys.create({ ...request.body, source: 'api' }, actorOf(request));
      return reply.status(201).send(created);
    },
  });

  r.get('/v1/api-keys', {
    config: { permission: 'keys:manage' },
    schema: {
      tags: ['access'],
      summary: 'API keys, oldest first (never their secrets)',
      querystring: Type.Object(pageQuery({ defaultLimit: 100, maxLimit: 500 }), { additionalProperties: false }),
      response: { 200: ApiKeyPage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => apiKeys.list(request.query.limit, request.query.cursor),
  });

  r.delete('/v1/api-keys/:id', {
    config: { permission: 'keys:manage' },
    schema: {
      tags: ['access'],
      summary: 'Revoke an API key',
      params: Type.Object({ id: Type.String({ pattern: idPattern('key') }) }),
      response: { 200: ApiKey, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => apiKeys.revoke(request.params.id, actorOf(request)),
  });

  r.get('/v1/audit-log', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['access'],
      summary: 'Who changed what, newest first',
      querystring: Type.Object(
        {
          entityType: Type.Optional(Type.String({ maxLength: 50 })),
          entityId: Type.Optional(Type.String({ maxLength: 100 })),
          ...pageQuery({ defaultLimit: 100, maxLimit: 500 }),
        },
        { additionalProperties: false },
      ),
      response: {
        200: AuditEntryPage,
        ...errorResponses(400, ...authErrors),
      },
    },
    handler: async (request) => {
      const { limit, cursor, entityType, entityId } = request.query;
      const before = decodeCursor(cursor, isIntegerKey);
      let query = db.selectFrom('auditLog').selectAll().orderBy('id', 'desc').limit(limit + 1);
      if (entityType) query = query.where('entityType', '=', entityType);
      if (entityId) query = query.where('entityId', '=', entityId);
      if (before !== undefined) query = query.where('id', '<', before);
      const page = pageOf(await query.execute(), limit, (row) => row.id);
      return { items: page.items.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() })), nextCursor: page.nextCursor };
    },
  });
  // Plain `app`: the answer is binary, not the JSON the type provider derives from the schema.
  app.post('/v1/admin/backup', {
    config: { permission: 'backup:create' },
    schema: {
      tags: ['access'],
      summary: 'A consistent snapshot of the embedded database, taken while the server runs (`patron backup --url`)',
      description:
        'A gzipped tar of the embedded database\'s data directory; `patron restore FILE` puts it back. Requests wait while it is ' +
        'taken (a checkpoint and a copy: about a second for a small shop). On PostgreSQL the answer is 409 `backup.unavailable`: use ' +
        'pg_dump or pg_basebackup (docs/operations.md).',
      produces: ['application/gzip'],
      response: {
        200: { description: 'The snapshot (.tar.gz)', content: { 'application/gzip': { schema: { type: 'string', format: 'binary' } } } },
        ...errorResponses(...authErrors, 409),
      },
    },
    handler: async (request, reply) => {
      if (!snapshot) {
        throw platformError('backup.unavailable', 'This server runs on PostgreSQL: back it up with pg_dump or pg_basebackup (see docs/operations.md)');
      }
      const tarball = Buffer.from(await (await snapshot()).arrayBuffer());
      await writeAudit(db, clock, actorOf(request), { action: 'database.backup', entityType: 'database', entityId: null, details: { bytes: tarball.length } });
      const stamp = clock.now().toISOString().replace(/[:.]/g, '-');
      reply.header('content-type', 'application/gzip');
      reply.header('content-disposition', `attachment; filename="patron-backup-${stamp}.tar.gz"`);
      return reply.send(tarball);
    },
  });
}
