import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf, principalOf } from '../../platform/http.ts';
import { seesMaskedContacts } from '../../platform/roles.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from '../customers/index.ts';
import type { Messaging } from './index.ts';
import { CustomerTopicsParams, CustomerTopicsSchema, PutCustomerTopicsBody, TopicListQuery, TopicPage, TopicParams, TopicPut, TopicSchema } from './topics.schemas.ts';

/**
 * Subscription topics: the marketer's definitions (messaging), and a customer's state on them.
 * The customer's topics live beside their consents in the API (/v1/customers/{id}/topics, the
 * customers permissions, the same {current, history} shape), though the topics they name are
 * messaging's: an operator changes both on one customer page.
 */
export function topicRoutes(app: FastifyInstance, { messaging, customers }: { messaging: Messaging; customers: Customers }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get('/v1/messaging/topics', {
    config: { permission: 'messaging:read' },
    schema: { tags: ['messaging'], summary: 'Subscription topics (news, offers, surveys): what templates name and customers may leave', querystring: TopicListQuery, response: { 200: TopicPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => messaging.topics.list(request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/messaging/topics/:key', {
    config: { permission: 'messaging:read' },
    schema: { tags: ['messaging'], summary: 'One subscription topic', params: TopicParams, response: { 200: TopicSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.topics.get(request.params.key),
  });
  r.put('/v1/messaging/topics/:key', {
    config: { permission: 'messaging:write' },
    schema: {
      tags: ['messaging'],
      summary: 'Define a subscription topic, or replace its names, description and default',
      description: 'The key is what templates name (`topic`); it never changes. defaultSubscribed says whether a customer who never chose is on the topic.',
      params: TopicParams,
      body: TopicPut,
      response: { 200: TopicSchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request) => messaging.topics.put(request.params.key, request.body, actorOf(request)),
  });
  r.get('/v1/customers/:id/topics', {
    config: { permission: 'customers:read' },
    schema: {
      tags: ['customers'],
      summary: 'The customer\'s state on every subscription topic, and the history of their choices',
      description: 'A topic the customer never chose on shows its default (source default). Roles that see contacts masked (analyst) see the evidence masked.',
      params: CustomerTopicsParams,
      response: { 200: CustomerTopicsSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => messaging.topics.forCustomer(await customers.resolveId(request.params.id), seesMaskedContacts(principalOf(request).role)),
  });
  r.put('/v1/customers/:id/topics', {
    config: { permission: 'customers:write' },
    schema: {
      tags: ['customers'],
      summary: 'Record topic choices: subscribed to a topic or left it',
      description:
        'Appends to the history, as consents do; a change emits customer.updated (changed: topics). Takes a list of choices (each different from the last choice recorded), ' +
        'or `{current, history}` as GET answers it (only entries that differ from the state now are recorded; history is never rewritten).',
      params: CustomerTopicsParams,
      body: PutCustomerTopicsBody,
      response: { 200: CustomerTopicsSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const customerId = await customers.resolveId(request.params.id);
      const body = request.body;
      return Array.isArray(body)
        ? messaging.topics.setForCustomer(customerId, body, actorOf(request), { onlyChanges: false, source: 'api' })
        : messaging.topics.setForCustomer(customerId, body.current, actorOf(request), { onlyChanges: true, source: 'api' });
    },
  });
}
