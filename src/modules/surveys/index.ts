import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { CustomerLifecycleHooks } from '../customers/index.ts';
import { linkSecret, surveyLinkUrl, surveyToken, verifySurveyToken } from './links.ts';
import { surveyReport, type ReportAsk } from './report.ts';
import { answerOf, customerResponses, eraseResponses, listResponses, mergeResponses, recordResponse, type Evidence, type ResponseView } from './responses.ts';
import { createSurvey, deleteSurvey, findSurvey, getSurvey, listSurveys, publicSurveyUrl, patchSurvey, type PublicUrl, type SurveyInput, type SurveyRow } from './survey-store.ts';
import type { Answers, Question, SurveyKind, SurveyStatus, Texts } from './survey-types.ts';
import type { Db, Tx } from './surveys.db.ts';
import { surveyError } from './surveys.errors.ts';
import type { Ids } from './surveys.ids.ts';

export { surveysModule } from './surveys.module.ts';
export { surveyRoutes } from './surveys.routes.ts';
export { surveyPages } from './survey-links.routes.ts';
export { npsAnswerFacts } from './nps-facts.ts';
export type { Evidence, ResponseView } from './responses.ts';
export type { SurveyReport } from './report.ts';
export type { SurveyInput, SurveyView } from './survey-store.ts';
export type { Answers, AnswerValue, Question, SurveyKind, SurveyStatus, Texts } from './survey-types.ts';

export type SurveysDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** This server as customers reach it: the messaging policy's publicUrl (links are `${publicUrl}/s/…`). */
  publicUrl: PublicUrl;
  /** A customer id to the customer it names now (a merged id: its survivor); null when unknown or erased. */
  currentCustomer: (customerId: string) => Promise<string | null>;
};

/** A survey as its page shows it: both languages' texts, nothing of its answers. */
export type SurveyForm = { id: string; kind: SurveyKind; status: SurveyStatus; title: Texts; questions: Question[]; thankYou: Texts | null };

/**
 * What a survey link opens to. `invalid`: a forged or altered token, a survey or customer that is
 * not there (the page says the link is not valid); `closed` / `not_open`: the survey is closed or
 * still a draft (the page says it takes no answers); `open`: the form, with the customer's
 * earlier answers when they answered before (answering again replaces them).
 */
export type OpenedSurvey =
  | { state: 'open'; survey: SurveyForm; customerId: string | null; alreadyAnswered: boolean; previousAnswers: Answers | null }
  | { state: 'closed' | 'not_open'; survey: SurveyForm }
  | { state: 'invalid' };

const formOf = (row: SurveyRow): SurveyForm => ({ id: row.id, kind: row.kind, status: row.status, title: row.title, questions: row.questions, thankYou: row.thankYou });

/** The surveys module's public face: surveys, answers, signed links, reports. */
export function createSurveys(deps: SurveysDeps, hooks: CustomerLifecycleHooks<Tx>) {
  const { db, clock, ids, publicUrl, currentCustomer } = deps;
  const store = { db, clock, ids, publicUrl };
  hooks.onMerge.push((tx, fromId, intoId) => mergeResponses(tx, fromId, intoId));
  hooks.onErase.push((tx, customerIds) => eraseResponses(tx, customerIds));

  const surveyOrNull = async (id: string) => (await db.selectFrom('surveys').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  const stateOf = (row: SurveyRow) => (row.status === 'open' ? null : ({ state: row.status === 'closed' ? 'closed' : 'not_open', survey: formOf(row) } as const));
  /** The survey and current customer a token names, or null when it is not valid. */
  const fromToken = async (token: string) => {
    const named = verifySurveyToken(await linkSecret(db), token);
    if (!named) return null;
    const [row, customerId] = await Promise.all([surveyOrNull(named.surveyId), currentCustomer(named.customerId)]);
    return row && customerId ? { row, customerId } : null;
  };
  const invalidLink = () => surveyError('survey.link_invalid', 'This survey link is not valid: it was altered, or its survey or customer is no longer there');

  return {
    create: (input: SurveyInput, actor: Actor) => createSurvey(store, actor, input),
    get: (id: string) => getSurvey(store, id),
    list: (query: { limit: number; cursor?: string; status?: SurveyStatus; kind?: SurveyKind }) => listSurveys(store, query),
    patch: (id: string, patch: Record<string, unknown>, actor: Actor, expectedVersion?: number) => patchSurvey(store, actor, id, patch, expectedVersion),
    delete: (id: string, actor: Actor) => deleteSurvey(store, actor, id),
    /** An answer sent through the API (an app, support on the phone): the customer's, or anonymous without one. */
    async answer(surveyId: string, input: { customerId?: string; answers: Answers }): Promise<ResponseView> {
      let customerId: string | null = null;
      if (input.customerId !== undefined) {
        customerId = await currentCustomer(input.customerId);
        if (!customerId) throw surveyError('survey.customer_not_found', `customerId: no active customer ${input.customerId}`, [{ field: 'customerId', reason: 'names no active customer' }]);
      }
      return recordResponse({ db, clock, ids }, { surveyId, customerId, channel: 'api', answers: input.answers });
    },
    responses: (surveyId: string, query: { limit: number; cursor?: string }, masked: boolean) => listResponses(db, surveyId, query, masked),
    customerResponses: (customerId: string, query: { limit: number; cursor?: string }, masked: boolean) => customerResponses(db, customerId, query, masked),
    report: (surveyId: string, ask: ReportAsk, masked: boolean) => surveyReport(db, surveyId, ask, masked),

    /** A customer's own signed link to a survey: `${publicUrl}/s/{token}`. */
    async linkFor(surveyId: string, customerId: string): Promise<string> {
      await findSurvey(db, surveyId);
      return surveyLinkUrl(await publicUrl(), surveyToken(await linkSecret(db), surveyId, customerId));
    },
    /** A survey's public link, `${publicUrl}/s/p/{surveyId}` (anyone may answer, anonymously, when publicLink is on). */
    publicLinkFor: async (surveyId: string) => publicSurveyUrl(await publicUrl(), surveyId),
    /** What a per-customer link opens to (the lead's `/s/{token}` page calls this). */
    async openByToken(token: string): Promise<OpenedSurvey> {
      const found = await fromToken(token);
      if (!found) return { state: 'invalid' };
      const closed = stateOf(found.row);
      if (closed) return closed;
      const previous = await answerOf(db, found.row.id, found.customerId);
      return { state: 'open', survey: formOf(found.row), customerId: found.customerId, alreadyAnswered: previous !== null, previousAnswers: previous?.answers ?? null };
    },
    /**
     * The answer given through a per-customer link: 404 survey.link_invalid for a link that is
     * not valid, 409 survey.not_open for a closed survey, 400 survey.answer_invalid for answers
     * that do not fit. Answering again replaces the customer's earlier answers.
     */
    async answerByToken(token: string, answers: Answers, evidence: Evidence = {}): Promise<ResponseView> {
      const found = await fromToken(token);
      if (!found) throw invalidLink();
      return recordResponse({ db, clock, ids }, { surveyId: found.row.id, customerId: found.customerId, channel: 'link', answers, evidence });
    },
    /** What a survey's public link opens to: invalid unless the survey exists and has publicLink on. */
    async openPublic(surveyId: string): Promise<OpenedSurvey> {
      const row = await surveyOrNull(surveyId);
      if (!row || !row.publicLink) return { state: 'invalid' };
      return stateOf(row) ?? { state: 'open', survey: formOf(row), customerId: null, alreadyAnswered: false, previousAnswers: null };
    },
    /** An anonymous answer through the public link; an address may give a survey 10 an hour (429 survey.rate_limited past that). */
    async answerPublic(surveyId: string, answers: Answers, evidence: Evidence = {}): Promise<ResponseView> {
      const row = await surveyOrNull(surveyId);
      if (!row || !row.publicLink) throw invalidLink();
      return recordResponse({ db, clock, ids }, { surveyId, customerId: null, channel: 'public', answers, evidence: { ...evidence } });
    },
    /**
     * For message templates (`{{ "srv_…" | survey_url }}`): which of these survey ids do not exist
     * (a template naming one is refused on save), and a signer, loaded once per batch, that makes
     * a customer's link without a further query.
     */
    templateLinks: {
      async missing(surveyIds: string[]): Promise<string[]> {
        if (surveyIds.length === 0) return [];
        const found = new Set((await db.selectFrom('surveys').select('id').where('id', 'in', surveyIds).execute()).map((row) => row.id));
        return surveyIds.filter((id) => !found.has(id));
      },
      async signer(): Promise<(surveyId: string, customerId: string) => string> {
        const [secret, base] = await Promise.all([linkSecret(db), publicUrl()]);
        return (surveyId, customerId) => surveyLinkUrl(base, surveyToken(secret, surveyId, customerId));
      },
    },
  };
}

export type Surveys = ReturnType<typeof createSurveys>;
