import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { actorOf } from '../../platform/http.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import { customerIds } from '../customers/index.ts';
import type { FiscalReceipts } from './index.ts';
import {
  FiscalReceiptListQuery,
  FiscalReceiptPage,
  FiscalReceiptParams,
  FiscalReceiptSchema,
  FiscalSettingsReplacement,
  FiscalSettingsSchema,
  FiscalSubmit,
} from './fiscal-receipts.schemas.ts';
import type { FiscalSettingsBody } from './fiscal-types.ts';

const tags = ['fiscal receipts'];
const CustomerParams = Type.Object({ id: Type.String({ pattern: customerIds.pattern('cus') }) });

export function fiscalReceiptRoutes(app: FastifyInstance, { fiscalReceipts }: { fiscalReceipts: FiscalReceipts }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/fiscal-receipts/settings', {
    config: { permission: 'program:read' },
    schema: {
      tags,
      summary: 'The fiscal-receipt settings: the verification service (its token never answered), the store receipts are booked at, the brand\'s products on receipts, the maximum age',
      response: { 200: FiscalSettingsSchema, ...errorResponses(...authErrors) },
    },
    handler: async () => fiscalReceipts.settings(),
  });
  r.put('/v1/fiscal-receipts/settings', {
    config: { permission: 'program:write' },
    schema: {
      tags,
      summary: 'Replace the fiscal-receipt settings (takes what GET answers; token: a string sets it, null removes it, left out keeps it; with version, a change saved since is a 409)',
      body: FiscalSettingsReplacement,
      response: { 200: FiscalSettingsSchema, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, tokenSet: _tokenSet, updatedAt: _updatedAt, ...body } = request.body;
      return fiscalReceipts.replaceSettings(body as FiscalSettingsBody & { token?: string | null }, actorOf(request), version);
    },
  });
  r.post('/v1/customers/:id/fiscal-receipts', {
    config: { permission: 'fiscal-receipts:submit' },
    schema: {
      tags,
      summary: "Submit a fiscal receipt's QR for a customer: checked and answered pending; a job verifies it and the brand's products on it earn by the earning rules. A receipt earns once (409 for the same QR again, whoever sends it)",
      params: CustomerParams,
      body: FiscalSubmit,
      response: { 202: FiscalReceiptSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415, 422) },
    },
    handler: async (request, reply) => {
      const actor = actorOf(request);
      const submitted = await fiscalReceipts.submit(request.params.id, request.body.qr, { channel: 'api', keyId: actor.keyId });
      return reply.status(202).send(submitted);
    },
  });
  r.get('/v1/customers/:id/fiscal-receipts', {
    config: { permission: 'fiscal-receipts:read' },
    schema: {
      tags,
      summary: "A customer's submitted fiscal receipts, newest first, with their status and points",
      params: CustomerParams,
      querystring: FiscalReceiptListQuery,
      response: { 200: FiscalReceiptPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => fiscalReceipts.listForCustomer(request.params.id, request.query),
  });
  r.get('/v1/fiscal-receipts/:id', {
    config: { permission: 'fiscal-receipts:read' },
    schema: {
      tags,
      summary: 'A submitted fiscal receipt: pending, earned (its points and the receipt it became) or rejected (the reason)',
      params: FiscalReceiptParams,
      response: { 200: FiscalReceiptSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => fiscalReceipts.get(request.params.id),
  });
}
