import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from '../customers/index.ts';
import type { ActionRuleInput } from './action-rules.ts';
import type { BirthdaySettings } from './birthday-settings.ts';
import { engagementError } from './engagement.errors.ts';
import {
  ActionRuleCreate,
  ActionRuleListQuery,
  ActionRulePage,
  ActionRuleParams,
  ActionRulePatch,
  ActionRuleReplacement,
  ActionRuleSchema,
  BirthdayOfferPatch,
  BirthdayOfferReplacement,
  BirthdayOfferSchema,
  CustomerEventPage,
  CustomerEventQuery,
  EventCreate,
  EventResult,
} from './engagement.schemas.ts';
import type { Engagement } from './index.ts';

const tags = ['engagement'];
const VersionQuery = Type.Object(
  { version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 action_rule.version_conflict' })) },
  { additionalProperties: false },
);

export function engagementRoutes(app: FastifyInstance, { engagement, customers }: { engagement: Engagement; customers: Customers }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/v1/events', {
    config: { permission: 'events:post' },
    schema: {
      tags,
      summary: 'Tell Patron a customer did something (app.login, review.posted, your own types): recorded once per eventId, rewarded by the action rules',
      description: 'A replay of the same body answers 200 with the first answer; another body under the same eventId is 409 event.conflict.',
      body: EventCreate,
      response: { 200: EventResult, 201: EventResult, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request, reply) => {
      const answer = await engagement.events.post(request.body, actorOf(request));
      return reply.status(answer.replayed ? 200 : 201).send(answer);
    },
  });
  r.get('/v1/customers/:id/events', {
    config: { permission: 'events:read' },
    schema: {
      tags,
      summary: 'A customer\'s events (theirs and Patron\'s own), newest first, with what each earned',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) }),
      querystring: CustomerEventQuery,
      response: { 200: CustomerEventPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => engagement.events.list(await customers.resolveId(request.params.id), request.query),
  });

  r.get('/v1/action-rules', {
    config: { permission: 'engagement:read' },
    schema: { tags, summary: 'Action rules, newest first, with what each gave', querystring: ActionRuleListQuery, response: { 200: ActionRulePage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => engagement.rules.list(request.query),
  });
  r.post('/v1/action-rules', {
    config: { permission: 'engagement:write' },
    schema: { tags, summary: 'Create an action rule: points for an event type, with limits (active unless status says otherwise)', body: ActionRuleCreate, response: { 201: ActionRuleSchema, ...errorResponses(400, ...authErrors, 413, 415) } },
    handler: async (request, reply) => reply.status(201).send(await engagement.rules.create(request.body as ActionRuleInput, actorOf(request))),
  });
  r.get('/v1/action-rules/:id', {
    config: { permission: 'engagement:read' },
    schema: { tags, summary: 'An action rule and what it gave', params: ActionRuleParams, response: { 200: ActionRuleSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => engagement.rules.get(request.params.id),
  });
  r.put('/v1/action-rules/:id', {
    config: { permission: 'engagement:write' },
    schema: {
      tags,
      summary: 'Replace an action rule (takes what GET answers; usage is read-only; with version, a change saved since is a 409)',
      params: ActionRuleParams,
      body: ActionRuleReplacement,
      response: { 200: ActionRuleSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { id, version, usage: _usage, createdAt: _created, updatedAt: _updated, ...input } = request.body;
      if (id !== undefined && id !== request.params.id) {
        throw engagementError('action_rule.invalid', `id: the body names ${id} while the path names ${request.params.id}`, [{ field: 'id', reason: 'must be the id in the path' }]);
      }
      return engagement.rules.replace(request.params.id, input as ActionRuleInput, actorOf(request), version);
    },
  });
  r.patch('/v1/action-rules/:id', {
    config: { permission: 'engagement:write' },
    schema: {
      tags,
      summary: 'Change part of an action rule (JSON merge patch: {"status":"paused"} pauses it)',
      consumes: mergePatchMediaTypes,
      params: ActionRuleParams,
      body: ActionRulePatch,
      response: { 200: ActionRuleSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, ...patch } = request.body as { version?: number | null };
      return engagement.rules.patch(request.params.id, patch, actorOf(request), version ?? undefined);
    },
  });
  r.delete('/v1/action-rules/:id', {
    config: { permission: 'engagement:write' },
    schema: {
      tags,
      summary: 'Delete an action rule that never awarded (otherwise archive it: status archived)',
      params: ActionRuleParams,
      querystring: VersionQuery,
      response: { 200: ActionRuleSchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => engagement.rules.delete(request.params.id, actorOf(request), request.query.version),
  });

  r.get('/v1/birthday-offer', {
    config: { permission: 'engagement:read' },
    schema: { tags, summary: 'The birthday offer: on or off, points or a personal promo code, its window around the birthday', response: { 200: BirthdayOfferSchema, ...errorResponses(...authErrors) } },
    handler: async () => engagement.birthday.settings(),
  });
  r.put('/v1/birthday-offer', {
    config: { permission: 'engagement:write' },
    schema: {
      tags,
      summary: 'Replace the birthday offer (takes what GET answers; with version, a change saved since is a 409)',
      body: BirthdayOfferReplacement,
      response: { 200: BirthdayOfferSchema, ...errorResponses(400, ...authErrors, 409, 415) },
    },
    handler: async (request) => {
      const { version, updatedAt: _ignored, ...body } = request.body;
      return engagement.birthday.replace(body as BirthdaySettings, actorOf(request), version);
    },
  });
  r.patch('/v1/birthday-offer', {
    config: { permission: 'engagement:write' },
    schema: {
      tags,
      summary: 'Change part of the birthday offer (JSON merge patch: {"enabled":true} turns it on)',
      consumes: mergePatchMediaTypes,
      body: BirthdayOfferPatch,
      response: { 200: BirthdayOfferSchema, ...errorResponses(400, ...authErrors, 409, 415) },
    },
    handler: async (request) => {
      const { version, ...patch } = request.body as { version?: number | null };
      return engagement.birthday.patch(patch, actorOf(request), version ?? undefined);
    },
  });
}
