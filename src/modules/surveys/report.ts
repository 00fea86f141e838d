import { sql, type RawBuilder } from 'kysely';
import { maskText } from './answers.ts';
import { findSurvey } from './survey-store.ts';
import { oneText, type Option, type Question, type SurveyKind, type Texts } from './survey-types.ts';
import type { DbOrTx } from './surveys.db.ts';
import { surveyError } from './surveys.errors.ts';
import { meanInterval, meanIntervalOf, npsStats, shareMargin, wilsonInterval, type Interval } from './stats.ts';

export type ReportAsk = { interval?: 'week' | 'month'; from?: string; to?: string };

type NpsTrendPoint = { periodStart: string; respondents: number; promoters: number; passives: number; detractors: number; nps: number; marginOfError: number };
type NpsPart = {
  promoters: number;
  passives: number;
  detractors: number;
  promoterShare: number | null;
  passiveShare: number | null;
  detractorShare: number | null;
  nps: number | null;
  marginOfError: number | null;
  interval: Interval | null;
  trend: NpsTrendPoint[];
};
type Count = { value: number | string; count: number; share: number | null };
type RatingPart = { distribution: Count[]; mean: number | null; meanInterval: Interval | null; csatShare: number | null; csatInterval: Interval | null };
type ChoicePart = { options: Array<{ optionId: string; text: Texts; count: number; share: number | null; marginOfError: number | null; interval: Interval | null }> };
type RankedOption = { optionId: string; text: Texts; meanRank: number | null; interval: Interval | null; firstChoices: number };
type TopTwo = { first: string; second: string; meanDifference: number; interval: Interval; distinguishable: boolean };
type RankingPart = { options: RankedOption[]; topTwo: TopTwo | null; verdict: string };
type TextPart = { latest: Array<{ responseId: string; customerId: string | null; text: string; answeredAt: string }> };

export type QuestionReport = {
  questionId: string;
  type: Question['type'];
  text: Texts;
  respondents: number;
  nps?: NpsPart;
  rating?: RatingPart;
  choice?: ChoicePart;
  ranking?: RankingPart;
  freeText?: TextPart;
};

export type SurveyReport = {
  surveyId: string;
  kind: SurveyKind;
  period: { from: string | null; to: string | null };
  respondents: number;
  targetRespondents: number | null;
  targetReached: boolean | null;
  questions: QuestionReport[];
};

/** The latest free-text answers a report shows per question. */
export const LATEST_TEXTS = 5;

/** A query's instant, refused in words when no clock shows it (a leap second, say). */
function instant(value: string | undefined, field: 'from' | 'to'): Date | null {
  if (value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw surveyError('survey.invalid', `${field}: ${value} is not an instant; give one like 2026-03-01T00:00:00Z`, [{ field, reason: 'is not an instant' }]);
  return date;
}

const share = (count: number, n: number) => (n === 0 ? null : count / n);

/** "Sample 212 of 250: below target" and the like. */
export function sampleWords(n: number, target: number | null): string {
  if (target === null) return `Sample ${n} (no target set)`;
  return `Sample ${n} of ${target}: ${n >= target ? 'target reached' : 'below target'}`;
}

/**
 * A survey's report over its answers in [from, to): respondents and the target, and per question
 * what fits its type (NPS with its margin and trend, a rating's distribution, mean and CSAT share,
 * choices' shares, a ranking's order with intervals and a verdict, the latest texts). Each
 * aggregate is one grouped query over the survey's answers; the statistics are stats.ts's.
 */
export async function surveyReport(db: DbOrTx, surveyId: string, ask: ReportAsk, masked: boolean): Promise<SurveyReport> {
  const survey = await findSurvey(db, surveyId);
  const from = instant(ask.from, 'from');
  const to = instant(ask.to, 'to');
  const inPeriod: RawBuilder<unknown> = sql`r.survey_id = ${surveyId}${from ? sql` and r.answered_at >= ${from}` : sql``}${to ? sql` and r.answered_at < ${to}` : sql``}`;
  const questions = survey.questions;

  const [total, perQuestion, scalars, positions] = await Promise.all([
    sql<{ n: number }>`select count(*)::int as n from survey_responses r where ${inPeriod}`.execute(db),
    sql<{ questionId: string; n: number }>`select a.key as question_id, count(*)::int as n from survey_responses r cross join jsonb_each(r.answers) a where ${inPeriod} group by 1`.execute(db),
    sql<{ questionId: string; value: string; n: number }>`select a.key as question_id, a.value #>> '{}' as value, count(*)::int as n
      from survey_responses r cross join jsonb_each(r.answers) a
      where ${inPeriod} and jsonb_typeof(a.value) in ('number', 'string')
        and a.key = any(${questions.filter((q) => q.type !== 'text').map((q) => q.id)}::text[])
      group by 1, 2`.execute(db),
    sql<{ questionId: string; optionId: string; position: number; n: number }>`select a.key as question_id, e.value as option_id, e.ord::int as position, count(*)::int as n
      from survey_responses r cross join jsonb_each(r.answers) a
        cross join jsonb_array_elements_text(case when jsonb_typeof(a.value) = 'array' then a.value else '[]'::jsonb end) with ordinality e(value, ord)
      where ${inPeriod}
      group by 1, 2, 3`.execute(db),
  ]);
  const respondents = total.rows[0]?.n ?? 0;
  const answered = new Map(perQuestion.rows.map((row) => [row.questionId, row.n]));
  const reports: QuestionReport[] = [];
  for (const q of questions) {
    const n = answered.get(q.id) ?? 0;
    const values = scalars.rows.filter((row) => row.questionId === q.id);
    const report: QuestionReport = { questionId: q.id, type: q.type, text: q.text, respondents: n };
    switch (q.type) {
      case 'nps':
        report.nps = await npsPart(db, inPeriod, q.id, values, ask.interval ?? 'month');
        break;
      case 'rating': {
        const countOf = (value: number) => values.find((row) => Number(row.value) === value)?.n ?? 0;
        const distribution: Count[] = [];
        let sum = 0;
        let sumOfSquares = 0;
        for (let value = q.min; value <= q.max; value++) {
          const count = countOf(value);
          distribution.push({ value, count, share: share(count, n) });
          sum += value * count;
          sumOfSquares += value * value * count;
        }
        const { mean, interval } = meanInterval(n, sum, sumOfSquares);
        // CSAT: the share of the top two values (4 and 5 of 1–5).
        const top = countOf(q.max) + countOf(q.max - 1);
        report.rating = { distribution, mean, meanInterval: interval, csatShare: share(top, n), csatInterval: wilsonInterval(top, n) };
        break;
      }
      case 'single_choice':
      case 'multiple_choice': {
        const counted = (optionId: string) =>
          q.type === 'single_choice'
            ? (values.find((row) => row.value === optionId)?.n ?? 0)
            : positions.rows.filter((row) => row.questionId === q.id && row.optionId === optionId).reduce((sum, row) => sum + row.n, 0);
        report.choice = {
          options: q.options.map((o) => {
            const count = counted(o.id);
            return { optionId: o.id, text: o.text, count, share: share(count, n), marginOfError: shareMargin(count, n), interval: wilsonInterval(count, n) };
          }),
        };
        break;
      }
      case 'ranking':
        report.ranking = await rankingPart(db, inPeriod, q, positions.rows.filter((row) => row.questionId === q.id), n, survey.targetRespondents);
        break;
      case 'text': {
        const latest = await sql<{ id: string; customerId: string | null; text: string; answeredAt: Date }>`
          select r.id, r.customer_id, r.answers->>${q.id} as text, r.answered_at from survey_responses r
          where ${inPeriod} and jsonb_exists(r.answers, ${q.id}) order by r.answered_at desc, r.id desc limit ${LATEST_TEXTS}`.execute(db);
        report.freeText = {
          latest: latest.rows.map((row) => ({ responseId: row.id, customerId: row.customerId, text: masked ? maskText(row.text) : row.text, answeredAt: new Date(row.answeredAt).toISOString() })),
        };
        break;
      }
    }
    reports.push(report);
  }
  return {
    surveyId,
    kind: survey.kind,
    period: { from: from?.toISOString() ?? null, to: to?.toISOString() ?? null },
    respondents,
    targetRespondents: survey.targetRespondents,
    targetReached: survey.targetRespondents === null ? null : respondents >= survey.targetRespondents,
    questions: reports,
  };
}

const npsGroup = (score: number) => (score >= 9 ? 'promoters' : score >= 7 ? 'passives' : 'detractors');

async function npsPart(db: DbOrTx, inPeriod: RawBuilder<unknown>, questionId: string, values: Array<{ value: string; n: number }>, interval: 'week' | 'month'): Promise<NpsPart> {
  const counts = { promoters: 0, passives: 0, detractors: 0 };
  for (const row of values) counts[npsGroup(Number(row.value))] += row.n;
  const stats = npsStats(counts.promoters, counts.passives, counts.detractors);
  // Weeks start on Monday (date_trunc's ISO week), months on the 1st, both in UTC.
  const buckets = await sql<{ periodStart: string; score: number; n: number }>`
    select to_char(date_trunc(${interval}, r.answered_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as period_start,
      (r.answers->>${questionId})::int as score, count(*)::int as n
    from survey_responses r where ${inPeriod} and jsonb_typeof(r.answers->${questionId}) = 'number'
    group by 1, 2 order by 1`.execute(db);
  const byPeriod = new Map<string, { promoters: number; passives: number; detractors: number }>();
  for (const row of buckets.rows) {
    const bucket = byPeriod.get(row.periodStart) ?? { promoters: 0, passives: 0, detractors: 0 };
    bucket[npsGroup(row.score)] += row.n;
    byPeriod.set(row.periodStart, bucket);
  }
  const trend = [...byPeriod].map(([periodStart, c]) => {
    const s = npsStats(c.promoters, c.passives, c.detractors)!;
    return { periodStart, respondents: s.n, ...c, nps: s.nps, marginOfError: s.marginOfError };
  });
  return {
    ...counts,
    promoterShare: stats?.promoterShare ?? null,
    passiveShare: stats?.passiveShare ?? null,
    detractorShare: stats?.detractorShare ?? null,
    nps: stats?.nps ?? null,
    marginOfError: stats?.marginOfError ?? null,
    interval: stats?.interval ?? null,
    trend,
  };
}

const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * A ranking: each option's mean rank (1 best) with its t interval, best first, and whether the
 * top two differ at 95 %: judged on each respondent's difference of the two ranks (a paired t
 * interval), since one person's ranks of two options are not independent.
 */
async function rankingPart(
  db: DbOrTx,
  inPeriod: RawBuilder<unknown>,
  q: { id: string; options: Option[] },
  rows: Array<{ optionId: string; position: number; n: number }>,
  n: number,
  target: number | null,
): Promise<RankingPart> {
  const options: RankedOption[] = q.options.map((o) => {
    const mine = rows.filter((row) => row.optionId === o.id);
    const count = mine.reduce((sum, row) => sum + row.n, 0);
    const { mean, interval } = meanInterval(
      count,
      mine.reduce((sum, row) => sum + row.position * row.n, 0),
      mine.reduce((sum, row) => sum + row.position * row.position * row.n, 0),
    );
    return { optionId: o.id, text: o.text, meanRank: mean, interval, firstChoices: mine.find((row) => row.position === 1)?.n ?? 0 };
  });
  options.sort((a, b) => (a.meanRank ?? Infinity) - (b.meanRank ?? Infinity) || a.optionId.localeCompare(b.optionId));
  const sample = sampleWords(n, target);
  const [first, second] = options;
  if (n < 2 || !first || !second) return { options, topTwo: null, verdict: `${sample}; too few answers to compare the privileges` };
  const pairs = await sql<{ a: number; b: number }>`
    select (select e.ord from jsonb_array_elements_text(r.answers->${q.id}) with ordinality e(v, ord) where e.v = ${first.optionId})::int as a,
      (select e.ord from jsonb_array_elements_text(r.answers->${q.id}) with ordinality e(v, ord) where e.v = ${second.optionId})::int as b
    from survey_responses r where ${inPeriod} and jsonb_typeof(r.answers->${q.id}) = 'array'`.execute(db);
  const differences = pairs.rows.map((row) => row.b - row.a);
  const { mean, interval } = meanIntervalOf(differences);
  const [a, b] = [oneText(first.text), oneText(second.text)];
  const distinguishable = interval !== null && (interval.lower > 0 || interval.upper < 0);
  const topTwo = mean !== null && interval ? { first: first.optionId, second: second.optionId, meanDifference: mean, interval, distinguishable } : null;
  const ranks = `mean rank ${round(first.meanRank!)} vs ${round(second.meanRank!)}`;
  const verdict = distinguishable
    ? `${sample}; "${a}" ranks above "${b}" at 95 % (${ranks})`
    : `${sample}; the top two privileges, "${a}" and "${b}", are not distinguishable at 95 % (${ranks})`;
  return { options, topTwo, verdict };
}
