import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { actorOf, principalOf } from '../../platform/http.ts';
import { mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { seesMaskedContacts } from '../../platform/roles.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import { customerIds, type Customers } from '../customers/index.ts';
import type { Surveys } from './index.ts';
import type { SurveyInput } from './survey-store.ts';
import type { Answers } from './survey-types.ts';
import {
  CustomerResponsePage,
  ReportQuery,
  ReportSchema,
  ResponseCreate,
  ResponsePage,
  ResponseSchema,
  ResponsesQuery,
  SurveyCreate,
  SurveyListQuery,
  SurveyPage,
  SurveyParams,
  SurveyPatch,
  SurveySchema,
} from './surveys.schemas.ts';

const tags = ['surveys'];
const CustomerParams = Type.Object({ id: Type.String({ pattern: customerIds.pattern('cus') }) });

/** A read of a survey's (or a customer's) answers: one page of them, or a problem naming the parameter, the key or the id. */
const answersRead = <P extends TSchema, Q extends TSchema, R extends TSchema>(summary: string, params: P, querystring: Q, page: R) => ({
  tags,
  summary,
  params,
  querystring,
  response: { 200: page, ...errorResponses(400, ...authErrors, 404) },
});

export function surveyRoutes(app: FastifyInstance, { surveys, customers }: { surveys: Surveys; customers: Customers }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // Free-text answers may hold what a customer wrote about themselves: masked for roles that see contacts masked.
  const masked = (request: Parameters<typeof principalOf>[0]) => seesMaskedContacts(principalOf(request).role);

  r.get('/v1/surveys', {
    config: { permission: 'surveys:read' },
    schema: { tags, summary: 'Surveys, newest first; filter by status or kind', querystring: SurveyListQuery, response: { 200: SurveyPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => surveys.list(request.query),
  });
  r.post('/v1/surveys', {
    config: { permission: 'surveys:write' },
    schema: {
      tags,
      summary: 'Create a survey: NPS, CSAT, custom or privilege ranking, its questions in Russian and English (a draft unless status says open)',
      body: SurveyCreate,
      response: { 201: SurveySchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await surveys.create(request.body as SurveyInput, actorOf(request))),
  });
  r.get('/v1/surveys/:id', {
    config: { permission: 'surveys:read' },
    schema: { tags, summary: 'A survey with its questions, respondents so far and public link', params: SurveyParams, response: { 200: SurveySchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => surveys.get(request.params.id),
  });
  r.patch('/v1/surveys/:id', {
    config: { permission: 'surveys:write' },
    schema: {
      tags,
      summary: 'Change part of a survey (JSON merge patch): open or close it, retitle it; its kind and questions only until the first answer',
      consumes: mergePatchMediaTypes,
      params: SurveyParams,
      body: SurveyPatch,
      response: { 200: SurveySchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { version, ...patch } = request.body as { version?: number | null };
      return surveys.patch(request.params.id, patch, actorOf(request), version ?? undefined);
    },
  });
  r.delete('/v1/surveys/:id', {
    config: { permission: 'surveys:write' },
    schema: {
      tags,
      summary: 'Delete a survey no one has answered (later: close it with PATCH {"status":"closed"})',
      params: SurveyParams,
      response: { 200: SurveySchema, ...errorResponses(400, ...authErrors, 404, 409) },
    },
    handler: async (request) => surveys.delete(request.params.id, actorOf(request)),
  });
  r.post('/v1/surveys/:id/responses', {
    config: { permission: 'surveys:answer' },
    schema: {
      tags,
      summary: "Answer an open survey for a customer (or anonymously): checked against its questions; a customer's second answer replaces the first",
      params: SurveyParams,
      body: ResponseCreate,
      response: { 201: ResponseSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await surveys.answer(request.params.id, request.body as { customerId?: string; answers: Answers })),
  });
  r.get('/v1/surveys/:id/responses', {
    config: { permission: 'surveys:read' },
    schema: answersRead("A survey's answers, newest first (analyst: e-mails and phones in free texts masked)", SurveyParams, ResponsesQuery, ResponsePage),
    handler: async (request) => surveys.responses(request.params.id, request.query, masked(request)),
  });
  r.get('/v1/surveys/:id/report', {
    config: { permission: 'surveys:read' },
    schema: answersRead(
      "A survey's report: respondents against the target; NPS with its margin of error and trend, distributions, CSAT, shares, a ranking's order with intervals and verdict, the latest texts",
      SurveyParams,
      ReportQuery,
      ReportSchema,
    ),
    handler: async (request) => surveys.report(request.params.id, request.query, masked(request)),
  });
  r.get('/v1/customers/:id/survey-responses', {
    config: { permission: 'surveys:read' },
    schema: answersRead("A customer's survey answers, newest first (the 360° view)", CustomerParams, ResponsesQuery, CustomerResponsePage),
    handler: async (request) => surveys.customerResponses(await customers.resolveId(request.params.id), request.query, masked(request)),
  });
}
