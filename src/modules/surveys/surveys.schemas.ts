import { Type } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { questionTypes, surveyKinds, surveyStatuses } from './survey-types.ts';
import { surveyIds } from './surveys.ids.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
/** A question's or option's id: what answers are keyed by. */
const LocalId = (description: string) => Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', description });

export const SurveyId = Type.String({ pattern: surveyIds.pattern('srv'), description: 'srv_… id' });
export const SurveyParams = Type.Object({ id: SurveyId });

const textsOf = (maxLength: number, description: string) =>
  Type.Object(
    { ru: Type.Optional(Type.String({ minLength: 1, maxLength })), en: Type.Optional(Type.String({ minLength: 1, maxLength })) },
    { additionalProperties: false, description: `${description}: in Russian and English, at least one of the two` },
  );
export const Texts = named('SurveyTexts', textsOf(1000, 'A text'));

export const OptionSchema = named('SurveyOption', Type.Object(
  {
    id: Type.Optional(LocalId('What answers name the option by; o1, o2 … in order when left out')),
    text: textsOf(300, 'The option as shown'),
  },
  { additionalProperties: false },
));

export const QuestionSchema = named('SurveyQuestion', Type.Object(
  {
    id: Type.Optional(LocalId('What answers are keyed by; q1, q2 … in order when left out')),
    type: StringEnum(questionTypes, {
      description: 'nps: 0–10; rating: min..max (1–5 for CSAT); single_choice / multiple_choice: of options; ranking: every option in order, best first; text: free text up to maxLength',
    }),
    text: textsOf(500, 'The question'),
    required: Type.Optional(Type.Boolean({ description: 'An answer must include it (default true)' })),
    min: Type.Optional(Type.Integer({ minimum: -100, maximum: 100, description: 'rating: the lowest value (default 1)' })),
    max: Type.Optional(Type.Integer({ minimum: -100, maximum: 100, description: 'rating: the highest value (default 5); at most 20 above min' })),
    options: Type.Optional(Type.Array(OptionSchema, { maxItems: 30, description: 'single_choice, multiple_choice, ranking: 2 to 30 options' })),
    maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'text: the longest answer in characters (default 1000)' })),
  },
  { additionalProperties: false },
));

const definitionFields = {
  kind: StringEnum(surveyKinds, {
    description: 'nps: has an nps question; csat: has a rating question; privilege_ranking: has a ranking question (of candidate privileges); custom: any questions',
  }),
  title: textsOf(200, 'The title'),
  questions: Type.Array(QuestionSchema, { minItems: 1, maxItems: 50 }),
  status: Type.Optional(StringEnum(surveyStatuses, { description: 'draft (default): not answered yet; open: takes answers; closed: takes none' })),
  targetRespondents: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'The sample the report holds the respondents to (250, say)' })),
  publicLink: Type.Optional(Type.Boolean({ description: 'Anyone with the public link may answer, anonymously (default false)' })),
  thankYou: Type.Optional(textsOf(1000, 'What the page says after an answer')),
};

export const SurveyCreate = named('SurveyCreate', Type.Object(definitionFields, { additionalProperties: false }));

export const SurveyPatch = mergePatchSchema(
  'SurveyPatch',
  Type.Object({
    ...definitionFields,
    version: Type.Integer({ minimum: 1, description: 'The version you read: if another was saved since, 409 survey.version_conflict' }),
  }),
  'A JSON merge patch (RFC 7396). The title, status, target, public link and thank-you text change any time; the kind and the questions only while the survey has no answers',
);

const StoredQuestion = named('SurveyStoredQuestion', Type.Object({
  id: Type.String(),
  type: StringEnum(questionTypes),
  text: Texts,
  required: Type.Boolean(),
  min: Type.Optional(Type.Integer()),
  max: Type.Optional(Type.Integer()),
  options: Type.Optional(Type.Array(named('SurveyStoredOption', Type.Object({ id: Type.String(), text: Texts })))),
  maxLength: Type.Optional(Type.Integer()),
}));

export const SurveySchema = named('Survey', Type.Object({
  id: Type.String(),
  kind: StringEnum(surveyKinds),
  status: StringEnum(surveyStatuses),
  title: Texts,
  questions: Type.Array(StoredQuestion),
  targetRespondents: Nullable(Type.Integer()),
  publicLink: Type.Boolean(),
  publicUrl: Nullable(Type.String({ description: 'The public link (publicLink true): ${publicUrl}/s/p/{id}, publicUrl of the messaging policy' })),
  thankYou: Nullable(Texts),
  respondents: Type.Integer({ description: 'Answers so far (a customer counts once)' }),
  version: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));

export const SurveyListQuery = Type.Object(
  { ...pageQuery({ defaultLimit: 50, maxLimit: 500 }), status: Type.Optional(StringEnum(surveyStatuses)), kind: Type.Optional(StringEnum(surveyKinds)) },
  { additionalProperties: false },
);
export const SurveyPage = PageOf('SurveyPage', SurveySchema);

const AnswerValue = Type.Union([Type.Integer({ minimum: -1000, maximum: 1000 }), Type.String({ maxLength: 5000 }), Type.Array(Type.String({ maxLength: 64 }), { maxItems: 30 })], {
  description: 'nps, rating: an integer; single_choice: an option id; multiple_choice: option ids; ranking: every option id once, best first; text: the text',
});
export const AnswersSchema = named('SurveyAnswers', Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), AnswerValue, {
  description: 'Answers by question id: {"q1": 9, "q2": "Fast service"}',
  maxProperties: 50,
}));

export const ResponseCreate = named('SurveyResponseCreate', Type.Object(
  {
    customerId: Type.Optional(Type.String({ pattern: '^cus_[0-9a-f]{32}$', description: 'Whose answer (a merged id counts for its survivor); left out: an anonymous answer' })),
    answers: AnswersSchema,
  },
  { additionalProperties: false },
));

export const ResponseSchema = named('SurveyResponse', Type.Object({
  id: Type.String(),
  surveyId: Type.String(),
  customerId: Nullable(Type.String()),
  channel: StringEnum(['link', 'public', 'api'] as const, { description: 'link: a customer\'s signed link; public: the public link; api: POST …/responses' }),
  answers: AnswersSchema,
  score: Nullable(Type.Integer({ description: 'The NPS or CSAT score of the answer (the first nps / rating question), else null' })),
  answeredAt: Type.String(),
  replaced: Type.Boolean({ description: 'The customer had answered before: these answers replaced those (a customer counts once)' }),
}));

export const ResponsesQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 500 }) }, { additionalProperties: false });
export const ResponsePage = PageOf('SurveyResponsePage', ResponseSchema);

export const CustomerResponseSchema = named('CustomerSurveyResponse', Type.Object({
  ...ResponseSchema.properties,
  surveyKind: StringEnum(surveyKinds),
  surveyTitle: Texts,
}));
export const CustomerResponsePage = PageOf('CustomerSurveyResponsePage', CustomerResponseSchema);

const Interval = named('SurveyInterval', Type.Object({ lower: Type.Number(), upper: Type.Number() }, { description: 'A 95 % interval' }));
const Share = Type.Number({ description: 'A share of the question\'s respondents, 0 to 1' });

const NpsPart = named('SurveyNpsReport', Type.Object({
  promoters: Type.Integer({ description: 'Scores 9–10' }),
  passives: Type.Integer({ description: 'Scores 7–8' }),
  detractors: Type.Integer({ description: 'Scores 0–6' }),
  promoterShare: Nullable(Share),
  passiveShare: Nullable(Share),
  detractorShare: Nullable(Share),
  nps: Nullable(Type.Number({ description: '% promoters − % detractors, −100 to 100' })),
  marginOfError: Nullable(Type.Number({ description: '95 %, in NPS points: 1.96 · sqrt((pP + pD − (pP − pD)²) / n) · 100' })),
  interval: Nullable(Interval),
  trend: Type.Array(named('SurveyNpsTrendPoint', Type.Object({
    periodStart: Type.String({ description: 'The week (Monday) or month the bucket starts, UTC' }),
    respondents: Type.Integer(),
    promoters: Type.Integer(),
    passives: Type.Integer(),
    detractors: Type.Integer(),
    nps: Type.Number(),
    marginOfError: Type.Number(),
  }))),
}));

const Count = named('SurveyValueCount', Type.Object({ value: Type.Union([Type.Integer(), Type.String()]), count: Type.Integer(), share: Nullable(Share) }));

const RatingPart = named('SurveyRatingReport', Type.Object({
  distribution: Type.Array(Count, { description: 'Every value from min to max' }),
  mean: Nullable(Type.Number()),
  meanInterval: Nullable(Interval),
  csatShare: Nullable(Type.Number({ description: 'Share of the top two values (4–5 of 1–5): the CSAT score' })),
  csatInterval: Nullable(Interval),
}));

const ChoicePart = named('SurveyChoiceReport', Type.Object({
  options: Type.Array(named('SurveyChoiceCount', Type.Object({
    optionId: Type.String(),
    text: Texts,
    count: Type.Integer(),
    share: Nullable(Share),
    marginOfError: Nullable(Type.Number({ description: '95 % margin of the share: 1.96 · sqrt(p(1 − p)/n)' })),
    interval: Nullable(Interval),
  }))),
}));

const RankingPart = named('SurveyRankingReport', Type.Object({
  options: Type.Array(named('SurveyRankedOption', Type.Object({
    optionId: Type.String(),
    text: Texts,
    meanRank: Nullable(Type.Number({ description: '1 is best' })),
    interval: Nullable(Interval),
    firstChoices: Type.Integer({ description: 'Respondents who ranked it first' }),
  })), { description: 'Best first (lowest mean rank)' }),
  topTwo: Nullable(named('SurveyTopTwo', Type.Object({
    first: Type.String(),
    second: Type.String(),
    meanDifference: Type.Number({ description: 'Mean of (second\'s rank − first\'s rank) over the respondents' }),
    interval: Interval,
    distinguishable: Type.Boolean({ description: 'The interval of the paired difference excludes 0' }),
  }))),
  verdict: Type.String(),
}));

const TextPart = named('SurveyTextReport', Type.Object({
  latest: Type.Array(named('SurveyTextAnswer', Type.Object({ responseId: Type.String(), customerId: Nullable(Type.String()), text: Type.String(), answeredAt: Type.String() }))),
}));

export const ReportSchema = named('SurveyReport', Type.Object({
  surveyId: Type.String(),
  kind: StringEnum(surveyKinds),
  period: Type.Object({ from: Nullable(Type.String()), to: Nullable(Type.String()) }),
  respondents: Type.Integer(),
  targetRespondents: Nullable(Type.Integer()),
  targetReached: Nullable(Type.Boolean({ description: 'null when the survey has no target' })),
  questions: Type.Array(named('SurveyQuestionReport', Type.Object({
    questionId: Type.String(),
    type: StringEnum(questionTypes),
    text: Texts,
    respondents: Type.Integer({ description: 'Who answered this question: the sample size n' }),
    nps: Type.Optional(NpsPart),
    rating: Type.Optional(RatingPart),
    choice: Type.Optional(ChoicePart),
    ranking: Type.Optional(RankingPart),
    freeText: Type.Optional(TextPart),
  }))),
}));

export const ReportQuery = Type.Object(
  {
    interval: Type.Optional(StringEnum(['week', 'month'] as const, { description: 'The NPS trend\'s buckets (default month)' })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Answers from this instant (inclusive)' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Answers before this instant' })),
  },
  { additionalProperties: false },
);
