import type { DocExample } from './docs-examples.ts';

/**
 * The surveys chapter of the worked examples (src/docs-examples.ts runs it after messaging, on
 * the same coffee shop, whose messaging policy gives the public address https://club.shop.example):
 * an NPS survey from creation to its report, answers by the app for Anna and Olga and one
 * anonymous, the list of answers as the analyst reads it (a phone in a free text masked), a
 * customer's answers, and a draft deleted. Every answer here is exact: nothing is random but the
 * ids, and the figures of the report follow from the three answers (one promoter, one passive,
 * one detractor: NPS 0 ± 92.39).
 */
export const surveyExampleIds = {
  survey: 'srv_0195f3c3c1a27c3d4e5f60718293a4b1',
  draftSurvey: 'srv_0195f3c3c1b37d4e5f60718293a4b5c2',
  annaResponse: 'srs_0195f3c3c2c47e5f60718293a4b5c6d3',
  olgaResponse: 'srs_0195f3c3c2d57f60718293a4b5c6d7e4',
  anonymousResponse: 'srs_0195f3c3c2e67a8b9c0d1e2f3a4b5c65',
} as const;

type Customers = { anna: string; olga: string };

const at = '2026-03-01T09:00:00.000Z';
const TITLE = { ru: 'Как вам у нас?', en: 'How do you like us?' };
const QUESTIONS = [
  { id: 'q1', type: 'nps', text: { ru: 'Порекомендуете ли вы нас друзьям?', en: 'Would you recommend us to a friend?' }, required: true },
  { id: 'q2', type: 'text', text: { ru: 'Что нам улучшить?', en: 'What should we improve?' }, required: false, maxLength: 500 },
];
const OLGA_TEXT = 'Call me at +7 916 123-45-67, the queue was long';
const MARGIN = 92.39358828997851;

export function surveyExamples(customers: Customers): DocExample[] {
  const ids = { ...customers, ...surveyExampleIds };
  const SURVEY = {
    id: ids.survey, kind: 'nps', status: 'open', title: TITLE, questions: QUESTIONS, targetRespondents: 250, publicLink: true,
    publicUrl: `https://club.shop.example/s/p/${ids.survey}`, thankYou: { ru: 'Спасибо!', en: 'Thank you!' }, respondents: 0, version: 1, createdAt: at, updatedAt: at,
  };
  const PATCHED = { ...SURVEY, targetRespondents: 200, version: 2 };
  const ANNA = { id: ids.annaResponse, surveyId: ids.survey, customerId: ids.anna, channel: 'api', answers: { q1: 9 }, score: 9, answeredAt: at, replaced: false };
  const OLGA = { id: ids.olgaResponse, surveyId: ids.survey, customerId: ids.olga, channel: 'api', answers: { q1: 4, q2: OLGA_TEXT }, score: 4, answeredAt: at, replaced: false };
  const ANONYMOUS = { id: ids.anonymousResponse, surveyId: ids.survey, customerId: null, channel: 'api', answers: { q1: 8 }, score: 8, answeredAt: at, replaced: false };
  const DRAFT = {
    id: ids.draftSurvey, kind: 'privilege_ranking', status: 'draft', title: { en: 'Which privilege matters most?' },
    questions: [{ id: 'q1', type: 'ranking', text: { en: 'Rank them, best first' }, required: true, options: [{ id: 'coffee', text: { en: 'Free coffee' } }, { id: 'parking', text: { en: 'Parking' } }] }],
    targetRespondents: null, publicLink: false, publicUrl: null, thankYou: null, respondents: 0, version: 1, createdAt: at, updatedAt: at,
  };
  return [
    {
      route: 'POST /v1/surveys',
      summary: 'An NPS survey with a free-text question, open, with a public link',
      role: 'marketer',
      body: {
        kind: 'nps', status: 'open', title: TITLE, targetRespondents: 250, publicLink: true, thankYou: { ru: 'Спасибо!', en: 'Thank you!' },
        questions: [
          { type: 'nps', text: QUESTIONS[0]!.text },
          { type: 'text', text: QUESTIONS[1]!.text, required: false, maxLength: 500 },
        ],
      },
      status: 201,
      response: SURVEY,
    },
    { route: 'GET /v1/surveys', summary: 'The surveys, newest first', role: 'analyst', query: { status: 'open' }, status: 200, response: { items: [SURVEY], nextCursor: null } },
    { route: 'GET /v1/surveys/{id}', summary: 'The NPS survey', role: 'support', params: { id: ids.survey }, status: 200, response: SURVEY },
    {
      route: 'PATCH /v1/surveys/{id}',
      summary: 'Aim for 200 respondents (its questions could change only until the first answer)',
      role: 'marketer',
      params: { id: ids.survey },
      body: { targetRespondents: 200 },
      status: 200,
      response: PATCHED,
    },
    {
      route: 'POST /v1/surveys/{id}/responses',
      summary: "The app sends Anna's answer: 9, a promoter",
      role: 'pos',
      params: { id: ids.survey },
      body: { customerId: ids.anna, answers: { q1: 9 } },
      status: 201,
      response: ANNA,
    },
    {
      route: 'POST /v1/surveys/{id}/responses',
      summary: "Olga's answer: 4, a detractor, with a comment",
      role: 'pos',
      step: true,
      params: { id: ids.survey },
      body: { customerId: ids.olga, answers: { q1: 4, q2: OLGA_TEXT } },
      status: 201,
      response: OLGA,
    },
    {
      route: 'POST /v1/surveys/{id}/responses',
      summary: 'An anonymous answer: 8, a passive',
      role: 'support',
      step: true,
      params: { id: ids.survey },
      body: { answers: { q1: 8 } },
      status: 201,
      response: ANONYMOUS,
    },
    {
      route: 'GET /v1/surveys/{id}/responses',
      summary: "The survey's answers as the analyst reads them: the phone in Olga's comment masked",
      role: 'analyst',
      params: { id: ids.survey },
      status: 200,
      response: { items: [ANONYMOUS, { ...OLGA, answers: { q1: 4, q2: 'Call me at [phone], the queue was long' } }, ANNA], nextCursor: null },
    },
    {
      route: 'GET /v1/customers/{id}/survey-responses',
      summary: "Olga's answers, for her 360° view",
      role: 'support',
      params: { id: ids.olga },
      status: 200,
      response: { items: [{ ...OLGA, surveyKind: 'nps', surveyTitle: TITLE }], nextCursor: null },
    },
    {
      route: 'GET /v1/surveys/{id}/report',
      summary: 'The report: one promoter, one passive, one detractor make NPS 0 ± 92.4 with three respondents of the 200 aimed for',
      role: 'analyst',
      params: { id: ids.survey },
      query: { interval: 'month' },
      status: 200,
      response: {
        surveyId: ids.survey,
        kind: 'nps',
        period: { from: null, to: null },
        respondents: 3,
        targetRespondents: 200,
        targetReached: false,
        questions: [
          {
            questionId: 'q1',
            type: 'nps',
            text: QUESTIONS[0]!.text,
            respondents: 3,
            nps: {
              promoters: 1, passives: 1, detractors: 1, promoterShare: 1 / 3, passiveShare: 1 / 3, detractorShare: 1 / 3, nps: 0, marginOfError: MARGIN,
              interval: { lower: -MARGIN, upper: MARGIN },
              trend: [{ periodStart: '2026-03-01T00:00:00.000Z', respondents: 3, promoters: 1, passives: 1, detractors: 1, nps: 0, marginOfError: MARGIN }],
            },
          },
          {
            questionId: 'q2',
            type: 'text',
            text: QUESTIONS[1]!.text,
            respondents: 1,
            freeText: { latest: [{ responseId: ids.olgaResponse, customerId: ids.olga, text: 'Call me at [phone], the queue was long', answeredAt: at }] },
          },
        ],
      },
    },
    {
      route: 'POST /v1/surveys',
      summary: 'A privilege-ranking draft',
      role: 'marketer',
      step: true,
      body: { kind: 'privilege_ranking', title: DRAFT.title, questions: [{ type: 'ranking', text: { en: 'Rank them, best first' }, options: [{ id: 'coffee', text: { en: 'Free coffee' } }, { id: 'parking', text: { en: 'Parking' } }] }] },
      status: 201,
      response: DRAFT,
    },
    { route: 'DELETE /v1/surveys/{id}', summary: 'Delete the draft no one has answered; answers the survey as it was', role: 'marketer', params: { id: ids.draftSurvey }, status: 200, response: DRAFT },
  ];
}
