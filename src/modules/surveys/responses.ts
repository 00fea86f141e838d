import { sql, type Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { checkAnswers, cleanAnswers, maskText, scoreOf } from './answers.ts';
import { addressHash, linkSecret } from './links.ts';
import { findSurvey } from './survey-store.ts';
import { oneText, type Answers, type Question, type SurveyKind, type Texts } from './survey-types.ts';
import type { Db, DbOrTx, Tx } from './surveys.db.ts';
import { surveyError } from './surveys.errors.ts';
import { emitEvents } from './surveys.events.ts';
import type { Ids } from './surveys.ids.ts';
import type { SurveyChannel, SurveyResponsesTable } from './surveys.tables.ts';

/** What a page or an app tells about the one answering: kept as a keyed hash of the address and the browser's name. */
export type Evidence = { ip?: string; userAgent?: string };

export type ResponseView = {
  id: string;
  surveyId: string;
  customerId: string | null;
  channel: SurveyChannel;
  answers: Answers;
  score: number | null;
  answeredAt: string;
  replaced: boolean;
};

type ResponseRow = Selectable<SurveyResponsesTable>;

/** Public answers one address may give a survey in an hour (several instances count together, in the database). */
export const PUBLIC_ANSWERS_PER_HOUR = 10;

/** Masks free-text answers for a role that sees contacts masked. */
export function maskAnswers(questions: Question[] | null, answers: Answers): Answers {
  return Object.fromEntries(
    Object.entries(answers).map(([key, value]) => {
      const text = questions ? questions.find((q) => q.id === key)?.type === 'text' : true;
      return [key, text && typeof value === 'string' ? maskText(value) : value];
    }),
  );
}

const view = (row: ResponseRow, replaced: boolean): ResponseView => ({
  id: row.id,
  surveyId: row.surveyId,
  customerId: row.customerId,
  channel: row.channel,
  answers: row.answers,
  score: row.score,
  answeredAt: row.answeredAt.toISOString(),
  replaced,
});

export type RecordInput = { surveyId: string; customerId: string | null; channel: SurveyChannel; answers: Answers; evidence?: Evidence };

/**
 * Records an answer and its `survey.answered` event in one transaction. A customer answers a
 * survey once: answering again replaces the earlier answers (the same response id, the time of
 * the latest answer), so the report counts each customer once, with what they said last.
 * The survey row is read FOR SHARE: its questions cannot change under an answer being written.
 */
export async function recordResponse(deps: { db: Db; clock: Clock; ids: Ids }, input: RecordInput): Promise<ResponseView> {
  const { db, clock, ids } = deps;
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    const survey = await tx.selectFrom('surveys').selectAll().where('id', '=', input.surveyId).forShare().executeTakeFirst();
    if (!survey) throw surveyError('survey.not_found', `No survey ${input.surveyId}; GET /v1/surveys lists them`);
    if (survey.status !== 'open') {
      throw surveyError('survey.not_open', `Survey ${survey.id} is ${survey.status}: it takes answers only while open${survey.status === 'draft' ? ' (PATCH {"status":"open"} opens it)' : ''}`);
    }
    const problems = checkAnswers(survey.questions, input.answers);
    if (problems.length > 0) throw surveyError('survey.answer_invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
    const answers = cleanAnswers(survey.questions, input.answers);
    const score = scoreOf(survey.kind, survey.questions, answers);
    const secret = input.evidence ? await linkSecret(tx) : null;
    const ipHash = secret && input.evidence ? addressHash(secret, input.evidence.ip) : null;
    if (input.channel === 'public') await countPublicAnswer(tx, now, survey.id, ipHash ?? 'unknown');
    const values = {
      id: ids.next('srs'),
      surveyId: survey.id,
      customerId: input.customerId,
      channel: input.channel,
      answers: JSON.stringify(answers),
      score,
      ipHash,
      userAgent: input.evidence?.userAgent?.slice(0, 300) ?? null,
      answeredAt: now,
      createdAt: now,
    };
    let row: ResponseRow & { replaced: boolean };
    if (input.customerId === null) {
      row = { ...(await tx.insertInto('surveyResponses').values(values).returningAll().executeTakeFirstOrThrow()), replaced: false };
    } else {
      // xmax is not 0 on a row the ON CONFLICT branch updated: the customer had answered before.
      row = await tx
        .insertInto('surveyResponses')
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(['surveyId', 'customerId'])
            .where('customerId', 'is not', null)
            .doUpdateSet({ answers: values.answers, score, channel: input.channel, ipHash, userAgent: values.userAgent, answeredAt: now }),
        )
        .returningAll()
        .returning(sql<boolean>`xmax::text <> '0'`.as('replaced'))
        .executeTakeFirstOrThrow();
    }
    const texts = survey.questions
      .filter((q) => q.type === 'text' && typeof answers[q.id] === 'string')
      .map((q) => ({ questionId: q.id, question: oneText(q.text), text: answers[q.id] as string }));
    await emitEvents(tx, clock, ids, [
      { type: 'survey.answered', customerId: row.customerId, payload: { surveyId: survey.id, responseId: row.id, customerId: row.customerId, kind: survey.kind, score, texts } },
    ]);
    return view(row, row.replaced);
  });
}

/**
 * One more public answer from an address this hour, refused past the limit: one guarded upsert,
 * so instances sharing the database share the count. Windows older than a day are dropped.
 */
async function countPublicAnswer(tx: Tx, now: Date, surveyId: string, ipHash: string): Promise<void> {
  const windowStart = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const counted = await sql<{ hits: number }>`
    insert into survey_public_hits (survey_id, ip_hash, window_start, hits) values (${surveyId}, ${ipHash}, ${windowStart}, 1)
    on conflict (survey_id, ip_hash, window_start) do update set hits = survey_public_hits.hits + 1
      where survey_public_hits.hits < ${PUBLIC_ANSWERS_PER_HOUR}
    returning hits`.execute(tx);
  if (counted.rows.length === 0) {
    const minutes = Math.ceil((windowStart.getTime() + 3_600_000 - now.getTime()) / 60_000);
    throw surveyError('survey.rate_limited', `This address has answered survey ${surveyId} ${PUBLIC_ANSWERS_PER_HOUR} times this hour, the most the public link takes; try again in ${minutes} minute${minutes === 1 ? '' : 's'}`);
  }
  await tx.deleteFrom('surveyPublicHits').where('windowStart', '<', new Date(now.getTime() - 86_400_000)).execute();
}

/** A customer's answer to a survey, if they gave one. */
export async function answerOf(db: DbOrTx, surveyId: string, customerId: string): Promise<ResponseView | null> {
  const row = await db.selectFrom('surveyResponses').selectAll().where('surveyId', '=', surveyId).where('customerId', '=', customerId).executeTakeFirst();
  return row ? view(row, row.answeredAt.getTime() > row.createdAt.getTime()) : null;
}

/** A survey's answers, newest first. */
export async function listResponses(db: DbOrTx, surveyId: string, query: { limit: number; cursor?: string }, masked: boolean): Promise<Page<ResponseView>> {
  const survey = await findSurvey(db, surveyId);
  const before = decodeCursor(query.cursor, isIdKey('srs'));
  let select = db.selectFrom('surveyResponses').selectAll().where('surveyId', '=', surveyId).orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return {
    items: page.items.map((row) => {
      const item = view(row, row.answeredAt.getTime() > row.createdAt.getTime());
      return masked ? { ...item, answers: maskAnswers(survey.questions, item.answers) } : item;
    }),
    nextCursor: page.nextCursor,
  };
}

export type CustomerResponseView = ResponseView & { surveyKind: SurveyKind; surveyTitle: Texts };

/** A customer's answers to every survey, newest first (the 360° view). */
export async function customerResponses(db: DbOrTx, customerId: string, query: { limit: number; cursor?: string }, masked: boolean): Promise<Page<CustomerResponseView>> {
  const before = decodeCursor(query.cursor, isIdKey('srs'));
  let select = db
    .selectFrom('surveyResponses')
    .innerJoin('surveys', 'surveys.id', 'surveyResponses.surveyId')
    .selectAll('surveyResponses')
    .select(['surveys.kind', 'surveys.title', 'surveys.questions'])
    .where('surveyResponses.customerId', '=', customerId)
    .orderBy('surveyResponses.id', 'desc')
    .limit(query.limit + 1);
  if (before !== undefined) select = select.where('surveyResponses.id', '<', before);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return {
    items: page.items.map((row) => {
      const item = view(row, row.answeredAt.getTime() > row.createdAt.getTime());
      return { ...item, answers: masked ? maskAnswers(row.questions, item.answers) : item.answers, surveyKind: row.kind, surveyTitle: row.title };
    }),
    nextCursor: page.nextCursor,
  };
}

/**
 * Merge: the duplicate's answers become the survivor's. Where both answered a survey, the later
 * answer is kept (a customer counts once).
 */
export async function mergeResponses(tx: Tx, fromId: string, intoId: string): Promise<void> {
  await sql`delete from survey_responses d using survey_responses s
    where d.customer_id = ${fromId} and s.customer_id = ${intoId} and s.survey_id = d.survey_id and s.answered_at >= d.answered_at`.execute(tx);
  await sql`delete from survey_responses s using survey_responses d
    where s.customer_id = ${intoId} and d.customer_id = ${fromId} and d.survey_id = s.survey_id`.execute(tx);
  await tx.updateTable('surveyResponses').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
}

/**
 * Erase: the free-text answers' content goes (what the customer wrote may name them), and the
 * evidence (address hash, browser); the scores and choices stay, under the opaque customer id,
 * as the ledger is kept anonymised, so the reports do not change.
 */
export async function eraseResponses(tx: Tx, customerIds: string[]): Promise<void> {
  if (customerIds.length === 0) return;
  await sql`update survey_responses r
    set answers = r.answers - coalesce((select array_agg(q->>'id') from surveys s cross join jsonb_array_elements(s.questions) q
        where s.id = r.survey_id and q->>'type' = 'text'), '{}'::text[]),
      ip_hash = null, user_agent = null
    where r.customer_id = any(${customerIds}::text[])`.execute(tx);
}
