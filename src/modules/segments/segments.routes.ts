import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, principalOf } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { seesMaskedContacts } from '../../platform/roles.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Segments } from './index.ts';
import type { RuleNode } from './rules.ts';
import { segmentError } from './segments.errors.ts';
import {
  ChangePage,
  ChangeQuery,
  FieldList,
  MemberPage,
  MemberQuery,
  PreviewBody,
  PreviewSchema,
  RecomputeParams,
  RecomputeSchema,
  SegmentCreate,
  SegmentListQuery,
  SegmentPage,
  SegmentParams,
  SegmentPatch,
  SegmentReplacement,
  SegmentSchema,
  VersionQuery,
} from './segments.schemas.ts';

const tags = ['segments'];

export function segmentRoutes(app: FastifyInstance, { segments }: { segments: Segments }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const masked = (request: Parameters<typeof principalOf>[0]) => seesMaskedContacts(principalOf(request).role);

  r.get('/v1/segment-fields', {
    config: { permission: 'segments:read' },
    schema: { tags, summary: 'Every field a segment rule can name, with its operators and settings', response: { 200: FieldList, ...errorResponses(...authErrors) } },
    handler: async () => ({ fields: segments.fields() }),
  });
  r.get('/v1/segments', {
    config: { permission: 'segments:read' },
    schema: { tags, summary: 'Segments, newest first, with their member counts and last recompute', querystring: SegmentListQuery, response: { 200: SegmentPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => segments.list(request.query),
  });
  r.post('/v1/segments', {
    config: { permission: 'segments:write' },
    schema: {
      tags,
      summary: 'Save a segment: its members are computed at once (lastRecompute follows it) and kept live from then on',
      body: SegmentCreate,
      response: { 201: SegmentSchema, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await segments.create({ ...request.body, rules: request.body.rules as RuleNode }, actorOf(request))),
  });
  r.post('/v1/segments/preview', {
    config: { permission: 'segments:read' },
    schema: {
      tags,
      summary: 'How many customers rules match now, and the first few of them; nothing is saved',
      body: PreviewBody,
      response: { 200: PreviewSchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request) => segments.preview(request.body.rules as RuleNode, masked(request)),
  });
  r.get('/v1/segments/:id', {
    config: { permission: 'segments:read' },
    schema: { tags, summary: 'A segment: its rules, member count and last recompute', params: SegmentParams, response: { 200: SegmentSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => segments.get(request.params.id),
  });
  r.put('/v1/segments/:id', {
    config: { permission: 'segments:write' },
    schema: {
      tags,
      summary: 'Replace a segment (takes what GET answers; new rules start a recompute; with version, a change saved since is a 409)',
      params: SegmentParams,
      body: SegmentReplacement,
      response: { 200: SegmentSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { id, version, memberCount: _count, computedAt: _computed, lastRecompute: _last, createdAt: _created, updatedAt: _updated, ...input } = request.body;
      if (id !== undefined && id !== request.params.id) {
        throw segmentError('segment.invalid', `id: the body names ${id} while the path names ${request.params.id}`, [{ field: 'id', reason: 'must be the id in the path' }]);
      }
      return segments.replace(request.params.id, { ...input, rules: input.rules as RuleNode }, actorOf(request), version);
    },
  });
  r.patch('/v1/segments/:id', {
    config: { permission: 'segments:write' },
    schema: {
      tags,
      summary: 'Change part of a segment (JSON merge patch: {"name": "…"} renames it; new rules start a recompute)',
      consumes: mergePatchMediaTypes,
      params: SegmentParams,
      body: SegmentPatch,
      response: { 200: SegmentSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, ...patch } = request.body as { version?: number | null };
      return segments.patch(request.params.id, patch, actorOf(request), version ?? undefined);
    },
  });
  r.delete('/v1/segments/:id', {
    config: { permission: 'segments:write' },
    schema: {
      tags,
      summary: 'Delete a segment with its members and history (one another segment is built on: 409 segment.in_use)',
      params: SegmentParams,
      querystring: VersionQuery,
      response: { 200: SegmentSchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => segments.delete(request.params.id, actorOf(request), request.query.version),
  });
  r.post('/v1/segments/:id/recompute', {
    config: { permission: 'segments:write' },
    schema: {
      tags,
      summary: 'Recompute the members now: a job with progress (one already running is answered instead of a second)',
      params: SegmentParams,
      response: { 202: RecomputeSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request, reply) => reply.status(202).send(await segments.recomputes.start(request.params.id, actorOf(request))),
  });
  r.get('/v1/segments/:id/recomputes/:recomputeId', {
    config: { permission: 'segments:read' },
    schema: { tags, summary: "A recompute's progress", params: RecomputeParams, response: { 200: RecomputeSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => segments.recomputes.get(request.params.id, request.params.recomputeId),
  });
  // Untyped on purpose when CSV is asked for: the reply is then a stream.
  r.get('/v1/segments/:id/members', {
    config: { permission: 'segments:read' },
    schema: {
      tags,
      summary: 'Members by customer id (Accept: text/csv for all of them as CSV); contacts masked for analysts',
      params: SegmentParams,
      querystring: MemberQuery,
      produces: ['application/json', 'text/csv'],
      response: { 200: MemberPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request, reply) => {
      if ((request.headers.accept ?? '').includes('text/csv')) {
        const rows = segments.membersCsv(request.params.id, masked(request));
        // The first chunk checks the segment exists, so a 404 is still a problem+json and not a broken stream.
        const first = await rows.next();
        reply.header('content-type', 'text/csv; charset=utf-8');
        reply.header('content-disposition', `attachment; filename="segment-${request.params.id}.csv"`);
        const stream = Readable.from((async function* () {
          if (!first.done) yield first.value;
          yield* rows;
        })());
        return reply.send(stream as never);
      }
      return segments.members(request.params.id, request.query, masked(request));
    },
  });
  // Untyped on purpose: the reply is a stream, while the schema documents it as a CSV string.
  app.get('/v1/segments/:id/audience-export', {
    config: { permission: 'segments:export' },
    schema: {
      tags,
      summary: "The members who allow profiling, as an ad platform's customer list: e-mails and phones normalised and SHA-256 hashed, no clear text",
      params: SegmentParams,
      produces: ['text/csv'],
      response: { 200: { description: 'CSV file', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const rows = segments.audienceCsv(id);
      const first = await rows.next();
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="audience-${id}.csv"`);
      return reply.send(Readable.from((async function* () {
        if (!first.done) yield first.value;
        yield* rows;
      })()));
    },
  });
  r.get('/v1/segments/:id/changes', {
    config: { permission: 'segments:read' },
    schema: {
      tags,
      summary: 'Entries and exits, newest first, with their time and cause (Accept: text/csv for all of them as CSV)',
      params: SegmentParams,
      querystring: ChangeQuery,
      produces: ['application/json', 'text/csv'],
      response: { 200: ChangePage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request, reply) => {
      if (!(request.headers.accept ?? '').includes('text/csv')) return segments.changes(request.params.id, request.query);
      // The segment is checked before the first byte, so a 404 is still a problem+json and not a broken stream.
      await segments.get(request.params.id);
      const rows = segments.changesCsv(request.params.id, request.query.customerId);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="segment-${request.params.id}-changes.csv"`);
      return reply.send(Readable.from(rows) as never);
    },
  });
}
