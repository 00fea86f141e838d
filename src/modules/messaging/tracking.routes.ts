import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import { acceptForms, type FormFields } from '../../platform/pages/forms.ts';
import type { Html } from '../../platform/pages/html.ts';
import type { PageLocale } from '../../platform/pages/i18n.ts';
import { pageResponder } from '../../platform/pages/responder.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Messaging } from './index.ts';
import { GlobalControlSchema, GlobalControlUpdate } from './messaging.schemas.ts';
import { PIXEL } from './tracking.ts';
import { invalidLinkBody, invalidLinkTitle, topicField, unsubscribeBody, unsubscribedBody, unsubscribeTitle, type UnsubscribeDone } from './unsubscribe-page.ts';

const Token = Type.Object({ token: Type.String({ minLength: 3, maxLength: 200, description: 'The signed token the message carried' }) });
const Lang = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10, description: 'ru or en; otherwise the browser\'s language' })) });
/** What a link that is not valid answers: a page for the person who followed it (never problem+json). */
const notValid = { description: 'Not a valid link: a page saying so', content: { 'text/html': { schema: { type: 'string' } } } };

/**
 * The links customers follow from messages (public: no key, the signature is the proof) and the
 * global control group's settings. The unsubscribe POST takes the one-click form body of RFC 8058
 * (`List-Unsubscribe=One-Click`) as well as the page's button; its parser lives in this scope only.
 */
export function trackingRoutes(app: FastifyInstance, { messaging }: { messaging: Messaging }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The language switch keeps a link's own URL (u), nothing else of the query. The language is
  // picked as on /join and /me: the link's ?lang=, the remembered choice, the customer's own, the browser's.
  const pages = pageResponder({ brand: async () => (await messaging.policy.get()).programName, keep: { u: (link) => link.slice(0, 4000) }, remembered: true });
  const localeOf = pages.locale;
  const show = (request: FastifyRequest, reply: FastifyReply, locale: PageLocale, status: number, title: string, body: Html) => pages.send(request, reply, locale, { status, title, body });
  const invalid = (request: FastifyRequest, reply: FastifyReply) => {
    const locale = localeOf(request);
    return show(request, reply, locale, 404, invalidLinkTitle(locale), invalidLinkBody(locale));
  };
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
      if (!url) return invalid(request, reply as FastifyReply);
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  });
  r.get('/t/u/:token', {
    schema: {
      tags: ['tracking'],
      summary: 'The preference centre of a message: leave its topic in one click, choose the topics to get, leave its channel\'s marketing or all marketing',
      security: [],
      params: Token,
      querystring: Lang,
      produces: ['text/html'],
      response: { 200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } }, 404: notValid },
    },
    handler: async (request, reply) => {
      const found = await messaging.preferences.view(request.params.token);
      if (!found) return invalid(request, reply);
      const locale = localeOf(request, found.customerLocale);
      const { programName } = await messaging.policy.get();
      const topic = found.topics.find((known) => known.key === found.message.topic) ?? null;
      const action = `/t/u/${encodeURIComponent(request.params.token)}?lang=${locale}`;
      return pages.send(request, reply, locale, { status: 200, brand: programName, title: unsubscribeTitle(locale), body: unsubscribeBody(locale, { programName, kind: found.message.kind, topic, topics: found.topics, state: found.state, action }) });
    },
  });
  const channelOrAll = async (token: string, scope: 'channel' | 'all') => {
    const message = await messaging.links.unsubscribe(token, scope);
    return message && { message, said: { scope } as UnsubscribeDone };
  };
  app.register(async (scope) => {
    // One-click unsubscribe comes as a form (RFC 8058); only this route reads that type, and its body is a line.
    acceptForms(scope, 1024);
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/t/u/:token', {
      schema: {
        tags: ['tracking'],
        summary: 'Unsubscribe in one click (RFC 8058 List-Unsubscribe-Post, or the page\'s buttons): marketing consent on the message\'s channel is withdrawn; with scope=all, on every channel; scope=topic leaves the message\'s topic; scope=topics saves the page\'s topic boxes (topic:<key>, shown)',
        security: [],
        params: Token,
        querystring: Lang,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
        response: { 200: { description: 'Done', content: { 'text/html': { schema: { type: 'string' } } } }, 404: notValid },
      },
      handler: async (request, reply) => {
        // A mail client's one-click POST sends List-Unsubscribe=One-Click: the message's channel.
        // Only a form's scope counts: a JSON body (which the API's parser reads) is not the page's button.
        const fields = (request.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded') ? request.body : undefined) as FormFields | undefined;
        const asked = fields?.scope === 'all' || fields?.scope === 'topic' || fields?.scope === 'topics' ? fields.scope : 'channel';
        const visitor = { ip: request.ip, ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}) };
        const token = request.params.token;
        let done: { message: { kind: Parameters<typeof unsubscribedBody>[1]; customerId: string | null }; said: UnsubscribeDone } | null = null;
        if (asked === 'topics') {
          const shown = (fields?.shown ?? '').split(/\s+/).filter(Boolean).slice(0, 200);
          const saved = await messaging.preferences.saveTopics(token, shown.filter((key) => fields?.[topicField(key)] !== undefined), shown, visitor);
          done = saved && { message: saved.message, said: { scope: 'topics' } };
        } else if (asked === 'topic') {
          const left = await messaging.preferences.leaveTopic(token, visitor);
          // A message on no topic (or one no longer defined): leaving "this" means its channel, as the one click does.
          if (left?.topic) done = { message: left.message, said: { scope: 'topic', topic: left.topic } };
          else if (left) done = await channelOrAll(token, 'channel');
        } else done = await channelOrAll(token, asked);
        if (!done) return invalid(request, reply);
        const locale = localeOf(request, await messaging.preferences.customerLocale(done.message.customerId));
        return show(request, reply, locale, 200, unsubscribeTitle(locale), unsubscribedBody(locale, done.message.kind, done.said));
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
