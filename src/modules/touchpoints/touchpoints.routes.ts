import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import { named } from '../../platform/openapi-names.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Touchpoints } from './index.ts';
import { JoinFormSchema, JoinFormView } from './join-form.ts';

const JoinFormUpdate = named(
  'JoinFormUpdate',
  Type.Object(
    {
      ...JoinFormSchema.properties,
      version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 31 - 1, description: 'The version you read: a change made meanwhile is refused (409)' })),
      updatedAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'As GET answered it; not read' })),
    },
    { additionalProperties: false },
  ),
);

const view = (settings: Awaited<ReturnType<Touchpoints['settings']>>) => ({ ...settings.form, version: settings.version, updatedAt: settings.updatedAt?.toISOString() ?? null });

/** The marketer's settings of the customer pages (the pages themselves are touchpoint-pages.ts). */
export function touchpointRoutes(app: FastifyInstance, { touchpoints }: { touchpoints: Touchpoints }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/v1/touchpoints/join-form', {
    config: { permission: 'touchpoints:read' },
    schema: { tags: ['touchpoints'], summary: 'The join form\'s settings: fields asked, consent texts with their versions, kiosk timings, sites that may embed it', response: { 200: JoinFormView, ...errorResponses(...authErrors) } },
    handler: async () => view(await touchpoints.settings()),
  });
  r.put('/v1/touchpoints/join-form', {
    config: { permission: 'touchpoints:write' },
    schema: {
      tags: ['touchpoints'],
      summary: 'Replace the join form\'s settings (what GET answers; a version, when sent, must be the current one)',
      body: JoinFormUpdate,
      response: { 200: JoinFormView, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, updatedAt: _updatedAt, ...form } = request.body;
      return view(await touchpoints.putJoinForm(form, actorOf(request), version));
    },
  });
}
