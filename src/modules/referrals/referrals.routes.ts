import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { actorOf } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { Referrals } from './index.ts';
import type { VersionedSettings } from './referral-settings.ts';
import {
  CustomerParams,
  FingerprintBody,
  FingerprintResult,
  RefereePage,
  RefereeQuery,
  Referral,
  ReferralProgram,
  ReferralProgramPatch,
  ReferralProgramReplacement,
  ReferralSummary,
  ReferrerBody,
} from './referrals.schemas.ts';
import type { ReferralSettings } from './referral-settings.ts';

const tags = ['referrals'];

/** The settings as GET answers them: flat, with `version` and `updatedAt` (like /v1/program). */
const flat = (saved: VersionedSettings) => ({ ...saved.body, version: saved.version, updatedAt: saved.updatedAt });

export function referralRoutes(app: FastifyInstance, { referrals }: { referrals: Referrals }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/v1/customers/:id/referral', {
    config: { permission: 'referrals:read' },
    schema: {
      tags,
      summary: 'The customer\'s referral code (given at sign-up), who brought them, and whom they brought',
      params: CustomerParams,
      response: { 200: ReferralSummary, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => referrals.summary(request.params.id),
  });
  r.get('/v1/customers/:id/referrals', {
    config: { permission: 'referrals:read' },
    schema: {
      tags,
      summary: 'The customers this one brought, newest first, contacts masked; filter by status',
      params: CustomerParams,
      querystring: RefereeQuery,
      response: { 200: RefereePage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => referrals.referees(request.params.id, request.query),
  });
  r.put('/v1/customers/:id/referrer', {
    config: { permission: 'referrals:write' },
    schema: {
      tags,
      summary: 'Name who brought the customer, by their code: once, before the first purchase, within the join window (201; the same code again: 200)',
      params: CustomerParams,
      body: ReferrerBody,
      response: { 200: Referral, 201: Referral, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request, reply) => {
      const { referral, replayed } = await referrals.nameReferrer(request.params.id, request.body, actorOf(request));
      return reply.status(replayed ? 200 : 201).send(referral);
    },
  });
  r.post('/v1/customers/:id/referral/fingerprints', {
    config: { permission: 'referrals:write' },
    schema: {
      tags,
      summary: 'Record the hashes of the customer\'s device id or payment token (the app, when it shows the code), so a self-referral from them is refused',
      params: CustomerParams,
      body: FingerprintBody,
      response: { 200: FingerprintResult, ...errorResponses(400, ...authErrors, 404, 409, 415) },
    },
    handler: async (request) => referrals.recordFingerprints(request.params.id, request.body),
  });

  r.get('/v1/referral-program', {
    config: { permission: 'program:read' },
    schema: { tags, summary: 'Referral program settings (the current version)', response: { 200: ReferralProgram, ...errorResponses(...authErrors) } },
    handler: async () => flat(await referrals.settings.get()),
  });
  r.put('/v1/referral-program', {
    config: { permission: 'program:write' },
    schema: {
      tags,
      summary: 'Replace the referral program settings (sending back what GET answered changes nothing; with version, a change saved since is a 409)',
      body: ReferralProgramReplacement,
      response: { 200: ReferralProgram, ...errorResponses(400, ...authErrors, 409, 415) },
    },
    handler: async (request) => {
      const { version, updatedAt: _ignored, ...body } = request.body;
      return flat(await referrals.settings.replace(body as ReferralSettings, actorOf(request), version));
    },
  });
  r.patch('/v1/referral-program', {
    config: { permission: 'program:write' },
    schema: {
      tags,
      summary: 'Change part of the referral program settings (JSON merge patch: {"enabled":false} switches it off)',
      consumes: mergePatchMediaTypes,
      body: ReferralProgramPatch,
      response: { 200: ReferralProgram, ...errorResponses(400, ...authErrors, 409, 415) },
    },
    handler: async (request) => {
      const { version, updatedAt: _ignored, ...patch } = request.body as { version?: number | null; updatedAt?: unknown };
      return flat(await referrals.settings.patch(patch, actorOf(request), version ?? undefined));
    },
  });
}
