import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { platformError } from '../../platform/errors.ts';
import { actorOf, principalOf } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { can, customerViewOf, seesMaskedContacts } from '../../platform/roles.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from './index.ts';
import {
  AttributeBody,
  AttributeDefinition,
  AttributeListQuery,
  AttributePage,
  AttributeParams,
  ConsentView,
  CreateCustomerBody,
  CustomerOrTillView,
  CustomerPage,
  CustomerParams,
  ListQuery,
  LookupQuery,
  MergeBody,
  PutConsentsBody,
  tillSignUpFields,
  UpdateCustomerBody,
} from './customers.schemas.ts';

const tags = ['customers'];
const CustomerRef = Type.Ref('Customer');


export type CustomerRoutesOptions = { customers: Customers };

export function customerRoutes(app: FastifyInstance, { customers }: CustomerRoutesOptions): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const masked = (request: Parameters<typeof principalOf>[0]) => seesMaskedContacts(principalOf(request).role);
  const tillView = (request: Parameters<typeof principalOf>[0]) => customerViewOf(principalOf(request).role) === 'till';

  r.post('/v1/customers', {
    config: { permission: 'customers:sign-up' },
    schema: {
      tags,
      summary: 'Create a customer (a till signs one up with a phone, a card and consents)',
      description:
        'A key without customers:write (pos) may send only phone, cardNumber and consents, and at least a phone or a card; ' +
        'any other field is 403 auth.forbidden. It gets the till view back, not the profile.',
      body: CreateCustomerBody,
      response: { 201: CustomerOrTillView, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request, reply) => {
      const { role } = principalOf(request);
      if (!can(role, 'customers:write')) {
        const others = Object.keys(request.body).filter((field) => !(tillSignUpFields as readonly string[]).includes(field));
        if (others.length > 0) {
          throw platformError('auth.forbidden', `The ${role} role signs a customer up with ${tillSignUpFields.join(', ')} only; it may not set ${others.join(', ')} (needs customers:write)`);
        }
        if (request.body.phone === undefined && request.body.cardNumber === undefined) {
          throw platformError('request.invalid', 'phone or cardNumber: a till signs a customer up with at least one of them', [
            { field: 'phone', reason: 'phone or cardNumber is required' },
          ]);
        }
      }
      const created = tillView(request) ? await customers.createAtTill(request.body, actorOf(request)) : await customers.create(request.body, actorOf(request));
      return reply.status(201).send(created);
    },
  });

  r.get('/v1/customers/lookup', {
    config: { permission: 'customers:identify' },
    schema: {
      tags,
      summary: 'Find a customer by one identifier',
      description:
        'Pass exactly one of phone, email, card, externalId (<source>:<id>). Phones and e-mails are normalised first. ' +
        'pos and partner keys get the till view (masked contacts, the card used, balance and tier); analysts the profile with contacts masked.',
      querystring: LookupQuery,
      response: { 200: CustomerOrTillView, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => (tillView(request) ? customers.lookupForTill(request.query) : customers.lookup(request.query, masked(request))),
  });

  r.get('/v1/customers', {
    config: { permission: 'customers:read' },
    schema: {
      tags,
      summary: 'List and search customers, newest first',
      querystring: ListQuery,
      response: { 200: CustomerPage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => customers.list(request.query, masked(request)),
  });

  r.get('/v1/customers/:id', {
    config: { permission: 'customers:identify' },
    schema: {
      tags,
      summary: 'Get a customer (a merged id returns the survivor)',
      description: 'pos and partner keys get the till view; analysts the profile with contacts masked.',
      params: CustomerParams,
      response: { 200: CustomerOrTillView, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => (tillView(request) ? customers.getForTill(request.params.id) : customers.view(request.params.id, masked(request))),
  });

  r.patch('/v1/customers/:id', {
    config: { permission: 'customers:write' },
    schema: {
      tags,
      summary: 'Change a customer (merge patch: null clears a field)',
      consumes: mergePatchMediaTypes,
      params: CustomerParams,
      body: UpdateCustomerBody,
      response: { 200: CustomerRef, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => customers.updateAndView(request.params.id, request.body, actorOf(request)),
  });

  r.get('/v1/customers/:id/consents', {
    config: { permission: 'customers:read' },
    schema: {
      tags,
      summary: 'Current consents and their full history',
      description: 'Roles that see contacts masked (analyst) see the evidence masked too: the IP address\'s network, the operator\'s initial.',
      params: CustomerParams,
      response: { 200: ConsentView, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => customers.consents(request.params.id, masked(request)),
  });

  r.put('/v1/customers/:id/consents', {
    config: { permission: 'customers:write' },
    schema: {
      tags,
      summary: 'Record consents granted or withdrawn',
      description:
        'Appends to the history; the current state per channel and purpose is the latest entry. Takes a list of consents (each recorded), ' +
        'or `{current, history}` as GET answers it (only the entries of `current` that differ from the current state are recorded; history is never rewritten).',
      params: CustomerParams,
      body: PutConsentsBody,
      response: { 200: ConsentView, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const body = request.body;
      return Array.isArray(body)
        ? customers.setConsents(request.params.id, body, actorOf(request))
        : customers.setConsents(request.params.id, body.current, actorOf(request), { onlyChanges: true });
    },
  });

  r.post('/v1/customers/:id/merge', {
    config: { permission: 'customers:merge' },
    schema: {
      tags,
      summary: 'Merge a duplicate (from) into this customer',
      params: CustomerParams,
      body: MergeBody,
      response: { 200: CustomerRef, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request) => (await customers.merge(request.params.id, request.body.from, actorOf(request))).customer,
  });

  r.post('/v1/customers/:id/erase', {
    config: { permission: 'customers:erase' },
    schema: {
      tags,
      summary: 'Erase personal data (right to be forgotten)',
      params: CustomerParams,
      response: { 200: CustomerRef, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => customers.erase(request.params.id, actorOf(request)),
  });

  r.get('/v1/customer-attributes', {
    config: { permission: 'attributes:read' },
    schema: {
      tags,
      summary: 'Declared custom attributes, by key',
      querystring: AttributeListQuery,
      response: { 200: AttributePage, ...errorResponses(400, ...authErrors) },
    },
    handler: async (request) => customers.attributes.list(request.query.limit, request.query.cursor),
  });

  r.get('/v1/customer-attributes/:key', {
    config: { permission: 'attributes:read' },
    schema: { tags, summary: 'One declared attribute', params: AttributeParams, response: { 200: AttributeDefinition, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => customers.attributes.get(request.params.key),
  });

  r.put('/v1/customer-attributes/:key', {
    config: { permission: 'attributes:write' },
    schema: {
      tags,
      summary: 'Declare or change a custom attribute',
      params: AttributeParams,
      body: AttributeBody,
      response: { 200: AttributeDefinition, 201: AttributeDefinition, ...errorResponses(400, ...authErrors, 409, 415) },
    },
    handler: async (request, reply) => {
      const { definition, created } = await customers.attributes.put(request.params.key, request.body, actorOf(request));
      return reply.status(created ? 201 : 200).send(definition);
    },
  });

  // Untyped on purpose: the reply is a stream, while the schema documents it as a CSV string.
  app.get('/v1/exports/customers', {
    config: { permission: 'customers:export' },
    schema: {
      tags,
      summary: 'All active customers as CSV (the import\'s columns)',
      produces: ['text/csv'],
      response: { 200: { description: 'CSV file', content: { 'text/csv': { schema: { type: 'string' } } } }, ...errorResponses(...authErrors) },
    },
    handler: async (request, reply) => {
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="customers.csv"');
      return reply.send(Readable.from(customers.exportCsv(masked(request))));
    },
  });
}
