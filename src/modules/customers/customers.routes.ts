import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf, principalOf } from '../../platform/http.ts';
import { seesMaskedContacts } from '../../platform/roles.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Customers } from './index.ts';
import {
  AttributeBody,
  AttributeDefinition,
  AttributeParams,
  ConsentView,
  CreateCustomerBody,
  CustomerPage,
  CustomerParams,
  ListQuery,
  LookupQuery,
  MergeBody,
  PutConsentsBody,
  UpdateCustomerBody,
} from './customers.schemas.ts';

const tags = ['customers'];
const CustomerRef = Type.Ref('Customer');


export type CustomerRoutesOptions = { customers: Customers };

export function customerRoutes(app: FastifyInstance, { customers }: CustomerRoutesOptions): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const masked = (request: Parameters<typeof principalOf>[0]) => seesMaskedContacts(principalOf(request).role);

  r.post('/v1/customers', {
    config: { permission: 'customers:write' },
    schema: {
      tags,
      summary: 'Create a customer',
      body: CreateCustomerBody,
      response: { 201: CustomerRef, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await customers.create(request.body, actorOf(request))),
  });

  r.get('/v1/customers/lookup', {
    config: { permission: 'customers:identify' },
    schema: {
      tags,
      summary: 'Find a customer by one identifier',
      description: 'Pass exactly one of phone, email, card, externalId (<source>:<id>). Phones and e-mails are normalised first.',
      querystring: LookupQuery,
      response: { 200: CustomerRef, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => customers.lookup(request.query, masked(request)),
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
      params: CustomerParams,
      response: { 200: CustomerRef, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => customers.get(request.params.id, masked(request)),
  });

  r.patch('/v1/customers/:id', {
    config: { permission: 'customers:write' },
    schema: {
      tags,
      summary: 'Change a customer (merge patch: null clears a field)',
      params: CustomerParams,
      body: UpdateCustomerBody,
      response: { 200: CustomerRef, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => customers.update(request.params.id, request.body, actorOf(request)),
  });

  r.get('/v1/customers/:id/consents', {
    config: { permission: 'customers:read' },
    schema: {
      tags,
      summary: 'Current consents and their full history',
      params: CustomerParams,
      response: { 200: ConsentView, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => customers.consents(request.params.id),
  });

  r.put('/v1/customers/:id/consents', {
    config: { permission: 'customers:write' },
    schema: {
      tags,
      summary: 'Record consents granted or withdrawn',
      description: 'Appends to the history; the current state per channel and purpose is the latest entry.',
      params: CustomerParams,
      body: PutConsentsBody,
      response: { 200: ConsentView, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => customers.setConsents(request.params.id, request.body, actorOf(request)),
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
    schema: { tags, summary: 'Declared custom attributes', response: { 200: Type.Array(AttributeDefinition), ...errorResponses(...authErrors) } },
    handler: async () => customers.attributes.list(),
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
