import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, principalOf } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { seesMaskedContacts } from '../../platform/roles.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import { customerIds, type Customers } from '../customers/index.ts';
import type { Feedback } from './index.ts';
import { CustomerTicketQuery, TicketCreate, TicketListQuery, TicketPage, TicketParams, TicketPatch, TicketReply, TicketWithMessages } from './feedback.schemas.ts';
import type { TicketInput } from './tickets.ts';

const tags = ['feedback'];
const CustomerParams = Type.Object({ id: Type.String({ pattern: customerIds.pattern('cus') }) });

export function feedbackRoutes(app: FastifyInstance, { feedback, customers }: { feedback: Feedback; customers: Pick<Customers, 'resolveId'> }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const masked = (request: FastifyRequest) => seesMaskedContacts(principalOf(request).role);

  r.get('/v1/tickets', {
    config: { permission: 'tickets:read' },
    schema: {
      tags,
      summary: 'The feedback inbox: tickets, newest activity first; filter by status, assignee, tag, customer and source',
      querystring: TicketListQuery,
      response: { 200: TicketPage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => {
      const { customerId, ...query } = request.query;
      return feedback.list({ ...query, ...(customerId ? { customerId: await customers.resolveId(customerId).catch(() => customerId) } : {}) }, masked(request));
    },
  });
  r.post('/v1/tickets', {
    config: { permission: 'tickets:create' },
    schema: {
      tags,
      summary: "A customer's message as a ticket (an app, a site, the account page); sent again with the same sourceRef, it answers the first ticket (200) and changes nothing",
      body: TicketCreate,
      response: { 201: TicketWithMessages, 200: TicketWithMessages, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request, reply) => {
      const { ticket, created } = await feedback.create(request.body as TicketInput, actorOf(request), masked(request));
      return reply.status(created ? 201 : 200).send(ticket);
    },
  });
  r.get('/v1/tickets/:id', {
    config: { permission: 'tickets:read' },
    schema: {
      tags,
      summary: 'A ticket with its thread: the customer\'s messages, replies (with their e-mail\'s delivery) and notes, oldest first',
      params: TicketParams,
      response: { 200: TicketWithMessages, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => feedback.get(request.params.id, masked(request)),
  });
  r.patch('/v1/tickets/:id', {
    config: { permission: 'tickets:write' },
    schema: {
      tags,
      summary: 'Change a ticket (JSON merge patch): status, assignee, tags, subject; an empty patch changes nothing',
      consumes: mergePatchMediaTypes,
      params: TicketParams,
      body: TicketPatch,
      response: { 200: TicketWithMessages, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => feedback.patch(request.params.id, request.body as Record<string, unknown>, actorOf(request), masked(request)),
  });
  r.post('/v1/tickets/:id/messages', {
    config: { permission: 'tickets:write' },
    schema: {
      tags,
      summary: "Support writes on a ticket: a reply is e-mailed to the customer (an open ticket becomes pending); a note stays internal",
      params: TicketParams,
      body: TicketReply,
      response: { 201: TicketWithMessages, ...errorResponses(400, ...authErrors, 404, 409, 413, 415, 422) },
    },
    handler: async (request, reply) => reply.status(201).send(await feedback.addMessage(request.params.id, request.body, actorOf(request), masked(request))),
  });
  r.get('/v1/customers/:id/tickets', {
    config: { permission: 'tickets:read' },
    schema: {
      tags,
      summary: "A customer's tickets, newest activity first (the 360° view)",
      params: CustomerParams,
      querystring: CustomerTicketQuery,
      response: { 200: TicketPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => feedback.customerTickets(await customers.resolveId(request.params.id), request.query, masked(request)),
  });
}
