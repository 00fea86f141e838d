import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AppError } from '../../platform/errors.ts';
import { formToken, formTokenValid, sameSiteRequest } from '../../platform/pages/form-guard.ts';
import { acceptForms, type FormFields } from '../../platform/pages/forms.ts';
import type { Html } from '../../platform/pages/html.ts';
import { localized, type PageLocale } from '../../platform/pages/i18n.ts';
import { pageResponder } from '../../platform/pages/responder.ts';
import type { OpenedSurvey, Surveys, SurveyForm } from './index.ts';
import { answersFrom, closedBody, surveyBody, surveyWords, thanksBody } from './survey-page.ts';

const Lang = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10, description: 'ru or en; otherwise the browser\'s language' })) });
const TokenParams = Type.Object({ token: Type.String({ minLength: 3, maxLength: 200, description: 'The customer\'s signed survey link (survey_url in a template)' }) });
const PublicParams = Type.Object({ surveyId: Type.String({ minLength: 3, maxLength: 64, description: 'A survey with publicLink on' }) });
const FormBody = Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 5000 }), { maxProperties: 200, description: 'The survey\'s answers (application/x-www-form-urlencoded)' });
const page = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

/**
 * The survey pages customers open from a message (`/s/{token}`, their own signed link) or from a
 * public link (`/s/p/{surveyId}`, anonymous): the questions, and the thanks once answered.
 */
export function surveyPages(
  app: FastifyInstance,
  { surveys, brand, secret, now, customerLocale }: { surveys: Surveys; brand: () => Promise<string>; secret: () => Promise<string>; now: () => Date; customerLocale: (customerId: string) => Promise<string | null> },
): void {
  app.register(async (scope) => {
    acceptForms(scope, 64 * 1024);
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();
    // The language switch keeps nothing of the query: the token or the survey is in the path. The
    // language is picked as on /join and /me: ?lang=, the remembered choice, the customer's own (a
    // signed link names them), the browser's.
    const pages = pageResponder({ brand, remembered: true });
    const localeOf = async (request: FastifyRequest, opened: OpenedSurvey) => pages.locale(request, opened.state === 'open' && opened.customerId ? await customerLocale(opened.customerId) : null);
    const show = (request: FastifyRequest, reply: FastifyReply, locale: PageLocale, status: number, title: string, body: Html) => pages.send(request, reply, locale, { status, title, body });

    const form = async (request: FastifyRequest, reply: FastifyReply, opened: OpenedSurvey, binding: string, status = 200, problems: Record<string, string> = {}, notice?: string, given?: FormFields) => {
      const locale = await localeOf(request, opened);
      if (opened.state === 'invalid') return show(request, reply, locale, 404, surveyWords(locale).invalidTitle, closedBody(null, locale));
      if (opened.state !== 'open') return show(request, reply, locale, 409, localized(opened.survey.title, locale), closedBody(opened.survey, locale));
      const previous = given ? answersFrom(opened.survey, given) : opened.previousAnswers;
      const token = formToken(await secret(), binding, now());
      const path = new URL(request.url, 'http://page.invalid').pathname;
      return show(request, reply, locale, status, localized(opened.survey.title, locale), surveyBody({ survey: opened.survey, locale, action: `${path}?lang=${locale}`, token, previous, alreadyAnswered: opened.alreadyAnswered, problems, ...(notice ? { notice } : {}) }));
    };

    /** Records the answers; a refusal in words comes back as the form with the problems beside their questions. */
    const answer = async (request: FastifyRequest, reply: FastifyReply, opened: OpenedSurvey, binding: string, record: (survey: SurveyForm, fields: FormFields) => Promise<unknown>) => {
      const locale = await localeOf(request, opened);
      const w = surveyWords(locale);
      const fields = request.body as FormFields;
      if (opened.state !== 'open') return form(request, reply, opened, binding);
      if (!sameSiteRequest(request) || !formTokenValid(await secret(), binding, fields.form, now())) return form(request, reply, opened, binding, 400, {}, w.expired, fields);
      try {
        await record(opened.survey, fields);
      } catch (error) {
        if (!(error instanceof AppError) || error.status >= 500) throw error;
        if (error.status === 429) return form(request, reply, opened, binding, 429, {}, w.tooMany, fields);
        const problems = Object.fromEntries((error.fields ?? []).map((f) => [f.field.replace(/^answers\./, '').split('.')[0]!, f.reason]));
        return form(request, reply, opened, binding, 400, problems, Object.keys(problems).length === 0 ? error.detail : undefined, fields);
      }
      return show(request, reply, locale, 200, localized(opened.survey.title, locale), thanksBody(opened.survey, locale));
    };
    const evidence = (request: FastifyRequest) => ({ ip: request.ip, ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'].slice(0, 500) } : {}) });

    r.get('/s/:token', {
      schema: { tags: ['surveys'], summary: 'A survey from the customer\'s own signed link: the questions (earlier answers filled in: answering again replaces them)', security: [], params: TokenParams, querystring: Lang, produces: ['text/html'], response: { 200: page('The survey'), 404: page('Not a valid link: a page saying so'), 409: page('The survey is closed: a page saying so') } },
      handler: async (request, reply) => form(request, reply, await surveys.openByToken(request.params.token), `survey:${request.params.token}`),
    });
    r.post('/s/:token', {
      schema: {
        tags: ['surveys'],
        summary: 'Answer a survey through the customer\'s own link: stored on the customer, survey.answered emitted, the thanks shown',
        security: [],
        params: TokenParams,
        querystring: Lang,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
        response: { 200: page('Thanks'), 400: page('The survey again, each problem beside its question (or: the form had expired)'), 404: page('Not a valid link'), 409: page('The survey is closed') },
      },
      handler: async (request, reply) => {
        const binding = `survey:${request.params.token}`;
        return answer(request, reply, await surveys.openByToken(request.params.token), binding, (survey, fields) => surveys.answerByToken(request.params.token, answersFrom(survey, fields), evidence(request)));
      },
    });
    r.get('/s/p/:surveyId', {
      schema: { tags: ['surveys'], summary: 'A survey\'s public link: anyone may answer, anonymously (when the survey has publicLink on)', security: [], params: PublicParams, querystring: Lang, produces: ['text/html'], response: { 200: page('The survey'), 404: page('No such public survey: a page saying so'), 409: page('The survey is closed') } },
      handler: async (request, reply) => form(request, reply, await surveys.openPublic(request.params.surveyId), `survey-public:${request.params.surveyId}`),
    });
    r.post('/s/p/:surveyId', {
      schema: {
        tags: ['surveys'],
        summary: 'Answer a public survey anonymously (at most 10 answers an hour from one address)',
        security: [],
        params: PublicParams,
        querystring: Lang,
        body: FormBody,
        consumes: ['application/x-www-form-urlencoded'],
        produces: ['text/html'],
        response: { 200: page('Thanks'), 400: page('The survey again, each problem beside its question (or: the form had expired)'), 404: page('No such public survey'), 409: page('The survey is closed'), 429: page('Too many answers from this address') },
      },
      handler: async (request, reply) => {
        const binding = `survey-public:${request.params.surveyId}`;
        return answer(request, reply, await surveys.openPublic(request.params.surveyId), binding, (survey, fields) => surveys.answerPublic(request.params.surveyId, answersFrom(survey, fields), evidence(request)));
      },
    });
  });
}
