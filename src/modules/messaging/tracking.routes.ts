import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Messaging } from './index.ts';
import { GlobalControlSchema, GlobalControlUpdate } from './messaging.schemas.ts';
import { PIXEL } from './tracking.ts';

const Token = Type.Object({ token: Type.String({ minLength: 3, maxLength: 200, description: 'The signed token the message carried' }) });
/** What a link that is not valid answers: a page for the person who followed it (never problem+json). */
const notValid = { description: 'Not a valid link: a page saying so', content: { 'text/html': { schema: { type: 'string' } } } };
const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(title)}</title>` +
  `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1.2rem}</style></head><body>${body}</body></html>`;

/**
 * The links customers follow from messages (public: no key, the signature is the proof) and the
 * global control group's settings. The unsubscribe POST takes the one-click form body of RFC 8058
 * (`List-Unsubscribe=One-Click`) as well as the page's button; its parser lives in this scope only.
 */
export function trackingRoutes(app: FastifyInstance, { messaging }: { messaging: Messaging }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/t/o/:token', {
    schema: {
      tags: ['tracking'],
      summary: 'The open pixel of an e-mail: records the open, answers a 1×1 GIF (whatever the token, so it gives nothing away)',
      security: [],
      params: Token,
      produces: ['image/gif'],
      response: { 200: { description: 'A transparent GIF', content: { 'image/gif': { schema: { type: 'string', format: 'binary' } } } } },
    },
    handler: async (request, reply) => {
      await messaging.links.opened(request.params.token.replace(/\.gif$/, ''));
      return (reply as FastifyReply).header('cache-control', 'no-store').type('image/gif').send(PIXEL);
    },
  });
  r.get('/t/c/:token', {
    schema: {
      tags: ['tracking'],
      summary: 'A link of a message: records the click and redirects to the URL signed with the message (never to another)',
      security: [],
      params: Token,
      querystring: Type.Object({ u: Type.String({ minLength: 1, maxLength: 4000, description: 'The link\'s URL, as the message has it' }) }),
      response: { 302: { description: 'To the link', type: 'null' }, ...errorResponses(400), 404: notValid },
    },
    handler: async (request, reply) => {
      const url = await messaging.links.clicked(request.params.token, request.query.u);
      if (!url) return (reply as FastifyReply).status(404).type('text/html; charset=utf-8').send(page('Link not valid', '<p>This link is not valid. / Ссылка недействительна.</p>'));
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  });
  r.get('/t/u/:token', {
    schema: {
      tags: ['tracking'],
      summary: 'The unsubscribe page of a message: asks before withdrawing marketing consent on its channel',
      security: [],
      params: Token,
      produces: ['text/html'],
      response: { 200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } }, 404: notValid },
    },
    handler: async (request, reply) => {
      const target = await messaging.links.unsubscribeTarget(request.params.token);
      const { programName } = await messaging.policy.get();
      if (!target) return reply.status(404).type('text/html; charset=utf-8').send(page('Link not valid', '<p>This link is not valid. / Ссылка недействительна.</p>'));
      return reply
        .type('text/html; charset=utf-8')
        .send(
          page(
            `Unsubscribe — ${programName}`,
            `<h1>${escape(programName)}</h1><p>Отписаться от рекламных сообщений (${target.kind})? / Unsubscribe from marketing messages (${target.kind})?</p>` +
              `<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Отписаться / Unsubscribe</button></form>`,
          ),
        );
    },
  });
  app.register(async (scope) => {
    // One-click unsubscribe comes as a form (RFC 8058); only this route reads that type.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/t/u/:token', {
      schema: {
        tags: ['tracking'],
        summary: 'Unsubscribe in one click (RFC 8058 List-Unsubscribe-Post, or the page\'s button): marketing consent on the message\'s channel is withdrawn',
        security: [],
        params: Token,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
        response: { 200: { description: 'Done', content: { 'text/html': { schema: { type: 'string' } } } }, 404: notValid },
      },
      handler: async (request, reply) => {
        const done = await messaging.links.unsubscribe(request.params.token);
        if (!done) return reply.status(404).type('text/html; charset=utf-8').send(page('Link not valid', '<p>This link is not valid. / Ссылка недействительна.</p>'));
        return reply.type('text/html; charset=utf-8').send(page('Unsubscribed', '<p>Вы отписаны. / You are unsubscribed.</p>'));
      },
    });
  });

  r.get('/v1/experiments/global-control', {
    config: { permission: 'messaging:read' },
    schema: { tags: ['messaging'], summary: 'The global control group: the share held out of all marketing, and when it was drawn', response: { 200: GlobalControlSchema, ...errorResponses(...authErrors) } },
    handler: async () => messaging.globalControl.get(),
  });
  r.put('/v1/experiments/global-control', {
    config: { permission: 'messaging:write' },
    schema: {
      tags: ['messaging'],
      summary: 'Set the global control group: its share (0 switches it off), how often it is redrawn, or redraw it now',
      body: GlobalControlUpdate,
      response: { 200: GlobalControlSchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request) => messaging.globalControl.put(request.body, actorOf(request)),
  });
}
