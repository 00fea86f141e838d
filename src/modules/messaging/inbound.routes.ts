import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, principalOf } from '../../platform/http.ts';
import { maskCard } from '../../platform/masking.ts';
import { seesMaskedContacts } from '../../platform/roles.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import { parseStartCommand } from './channels/index.ts';
import type { Messaging } from './index.ts';
import {
  BounceBody, BounceParams, BounceResultSchema, SmsStatusBody, SmsStatusParams, SmsStatusQuery,
  TelegramLinkIssued, TelegramLinkParams, TelegramLinkSchema, TelegramUpdate, TelegramUpdateAnswer, TelegramUpdateParams,
} from './inbound.schemas.ts';
import type { CustomerIds } from './messaging.routes.ts';
import type { TelegramLinkState } from './telegram-links.ts';

const tags = ['messaging'];
const plainAnswer = { description: 'What the gateway expects back (SMS.ru: "100"; the others: nothing)', content: { 'text/plain': { schema: { type: 'string' } } } };
const bounceTypes = ['message/rfc822', 'multipart/report', 'text/plain'];

/**
 * What comes back from outside: a customer's Telegram link (the deep link, the bot's updates,
 * unlinking), SMS gateways' delivery reports and the bounce mailbox's reports. The public routes
 * (/t/…) carry their own proof instead of a key — Telegram's secret token, a gateway's signature
 * or callback secret — and are refused without it; their body parsers live in their scope only.
 */
export function inboundRoutes(app: FastifyInstance, { messaging, customers }: { messaging: Messaging; customers: CustomerIds }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // The chat id is a personal identifier: the roles that see contacts masked get its last four digits.
  const shown = (request: Parameters<typeof principalOf>[0], link: TelegramLinkState): TelegramLinkState =>
    link.chatId && seesMaskedContacts(principalOf(request).role) ? { ...link, chatId: maskCard(link.chatId) } : link;

  r.post('/v1/customers/:id/telegram-link', {
    config: { permission: 'telegram:link' },
    schema: {
      tags,
      summary: "A one-time Telegram deep link for a customer (t.me/<bot>?start=<token>, 24 hours): pressing Start links their chat; their earlier links stop working",
      params: TelegramLinkParams,
      response: { 201: TelegramLinkIssued, ...errorResponses(400, ...authErrors, 404, 409, 422) },
    },
    handler: async (request, reply) => reply.status(201).send(await messaging.telegram.issue(await customers.resolveId(request.params.id), actorOf(request))),
  });
  r.get('/v1/customers/:id/telegram-link', {
    config: { permission: 'telegram:link' },
    schema: { tags, summary: "Whether a customer's Telegram chat is linked, and since when", params: TelegramLinkParams, response: { 200: TelegramLinkSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => shown(request, await messaging.telegram.state(await customers.resolveId(request.params.id))),
  });
  r.delete('/v1/customers/:id/telegram-link', {
    config: { permission: 'telegram:link' },
    schema: {
      tags,
      summary: "Unlink a customer's Telegram chat and void their open links; answers the link as it was",
      params: TelegramLinkParams,
      response: { 200: TelegramLinkSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => shown(request, await messaging.telegram.unlink(await customers.resolveId(request.params.id), actorOf(request))),
  });
  r.post('/t/telegram/:channelId', {
    schema: {
      tags,
      summary: "The bot's webhook (setWebhook's url, with the channel's webhookSecret as secret_token): \"/start <token>\" links the chat; any other update is taken and ignored",
      security: [],
      params: TelegramUpdateParams,
      body: TelegramUpdate,
      response: { 200: TelegramUpdateAnswer, ...errorResponses(400, 403, 404, 413, 415) },
    },
    handler: async (request) => {
      await messaging.telegram.authenticate(request.params.channelId, request.headers);
      const start = parseStartCommand(request.body);
      // A used or expired token links nothing, and Telegram is answered the same: it would only retry.
      if (start) await messaging.telegram.linkChat(start.token, start.chatId);
      return { ok: true };
    },
  });

  app.register(async (scope) => {
    // SMS.ru and Twilio report as forms; read as text here (Twilio's signature covers its fields as sent).
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_request, body, done) => done(null, body));
    const s = scope.withTypeProvider<TypeBoxTypeProvider>();
    const summary = (how: string) =>
      `An SMS gateway's delivery report (${how}): with the channel's callback secret (or Twilio's signature), each report moves its message from sent to delivered or failed`;
    s.post('/t/sms/:channelId/status', {
      schema: {
        tags,
        summary: summary('POSTed as a form or JSON'),
        security: [],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        params: SmsStatusParams,
        querystring: SmsStatusQuery,
        body: SmsStatusBody,
        response: { 200: plainAnswer, ...errorResponses(400, 403, 404, 413, 415) },
      },
      handler: async (request, reply) => {
        const answer = await messaging.deliveryReports.receive({ channelId: request.params.channelId, url: request.url, query: request.query, body: request.body, headers: request.headers });
        return (reply as FastifyReply).status(answer.status).type(answer.contentType).send(answer.body);
      },
    });
    s.get('/t/sms/:channelId/status', {
      schema: {
        tags,
        summary: summary('by GET, its fields in the query string'),
        security: [],
        params: SmsStatusParams,
        querystring: SmsStatusQuery,
        response: { 200: plainAnswer, ...errorResponses(400, 403, 404) },
      },
      handler: async (request, reply) => {
        const answer = await messaging.deliveryReports.receive({ channelId: request.params.channelId, url: request.url, query: request.query, body: undefined, headers: request.headers });
        return (reply as FastifyReply).status(answer.status).type(answer.contentType).send(answer.body);
      },
    });
  });

  app.register(async (scope) => {
    // A report as it arrived at the bounce mailbox; only this route reads these types, and JSON is none of them (a 415).
    scope.removeContentTypeParser(['application/json', 'application/merge-patch+json']);
    scope.addContentTypeParser(bounceTypes, { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<TypeBoxTypeProvider>().post('/v1/channels/:id/bounces', {
      config: { permission: 'channels:manage' },
      schema: {
        tags,
        summary: 'Report a bounce (a DSN, RFC 3464) or a spam complaint (ARF, RFC 5965) that came back to an e-mail channel: the message is marked, a dead or complaining address suppressed',
        consumes: bounceTypes,
        params: BounceParams,
        body: BounceBody,
        response: { 200: BounceResultSchema, ...errorResponses(400, ...authErrors, 404, 413, 415) },
      },
      handler: async (request) => {
        // Posted as multipart/report, the body lost its top header (the boundary is in Content-Type): put it back.
        const type = String(request.headers['content-type'] ?? '');
        const raw = /^multipart\//i.test(type) ? `Content-Type: ${type}\r\n\r\n${request.body}` : request.body;
        return messaging.bounces.receive(request.params.id, raw);
      },
    });
  });
}
