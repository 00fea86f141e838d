import type { Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { questionTypes, type Option, type Question, type SurveyKind, type SurveyStatus, type Texts } from './survey-types.ts';
import type { Db, DbOrTx } from './surveys.db.ts';
import { surveyError } from './surveys.errors.ts';
import type { Ids } from './surveys.ids.ts';
import { SurveyCreate } from './surveys.schemas.ts';
import type { SurveysTable } from './surveys.tables.ts';

/** A question as a marketer writes it: ids, `required` and bounds may be left to their defaults. */
export type QuestionInput = {
  id?: string;
  type: Question['type'];
  text: Texts;
  required?: boolean;
  min?: number;
  max?: number;
  options?: Array<{ id?: string; text: Texts }>;
  maxLength?: number;
};

export type SurveyInput = {
  kind: SurveyKind;
  title: Texts;
  questions: QuestionInput[];
  status?: SurveyStatus;
  targetRespondents?: number;
  publicLink?: boolean;
  thankYou?: Texts;
};

export type SurveyView = {
  id: string;
  kind: SurveyKind;
  status: SurveyStatus;
  title: Texts;
  questions: Question[];
  targetRespondents: number | null;
  publicLink: boolean;
  publicUrl: string | null;
  thankYou: Texts | null;
  respondents: number;
  version: number;
  createdAt: string;
  updatedAt: string;
};

export type SurveyRow = Selectable<SurveysTable>;

/** The app's public address as customers reach it (the messaging policy's publicUrl). */
export type PublicUrl = () => Promise<string>;

export const publicSurveyUrl = (base: string, surveyId: string) => `${base.replace(/\/+$/, '')}/s/p/${surveyId}`;

export function toView(row: SurveyRow, respondents: number, base: string): SurveyView {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    title: row.title,
    questions: row.questions,
    targetRespondents: row.targetRespondents,
    publicLink: row.publicLink,
    publicUrl: row.publicLink ? publicSurveyUrl(base, row.id) : null,
    thankYou: row.thankYou,
    respondents,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const textsProblem = (texts: Texts | undefined, field: string): FieldProblem[] =>
  texts && (texts.ru?.trim() || texts.en?.trim()) ? [] : [{ field, reason: 'needs a text in Russian (ru) or English (en), at least one of the two' }];

/** What a kind asks of its questions. */
const kindNeeds: Record<SurveyKind, { type: Question['type'] | null; words: string }> = {
  nps: { type: 'nps', words: 'an nps survey has an nps question (0–10)' },
  csat: { type: 'rating', words: 'a csat survey has a rating question (1–5, say)' },
  privilege_ranking: { type: 'ranking', words: 'a privilege_ranking survey has a ranking question listing the candidate privileges' },
  custom: { type: null, words: '' },
};

/** The questions as stored: ids and defaults filled in; every rule the schema cannot say checked. */
export function normalizeQuestions(input: SurveyInput): { questions: Question[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [...textsProblem(input.title, 'title'), ...(input.thankYou ? textsProblem(input.thankYou, 'thankYou') : [])];
  const questions: Question[] = [];
  const seen = new Set<string>();
  input.questions.forEach((q, i) => {
    const at = `questions/${i}`;
    const id = q.id ?? `q${i + 1}`;
    if (seen.has(id)) problems.push({ field: `${at}/id`, reason: `${id} is the id of an earlier question; each question needs its own` });
    seen.add(id);
    problems.push(...textsProblem(q.text, `${at}/text`));
    const base = { id, text: q.text, required: q.required ?? true };
    const extra = (allowed: Array<keyof QuestionInput>) => {
      for (const key of ['min', 'max', 'options', 'maxLength'] as const) {
        if (q[key] !== undefined && !allowed.includes(key)) problems.push({ field: `${at}/${key}`, reason: `is not a setting of a ${q.type} question` });
      }
    };
    switch (q.type) {
      case 'nps':
        extra([]);
        questions.push({ ...base, type: 'nps' });
        break;
      case 'rating': {
        extra(['min', 'max']);
        const min = q.min ?? 1;
        const max = q.max ?? 5;
        if (max <= min || max - min > 20) problems.push({ field: `${at}/max`, reason: `must be above min (${min}) by 1 to 20; it is ${max}` });
        questions.push({ ...base, type: 'rating', min, max });
        break;
      }
      case 'single_choice':
      case 'multiple_choice':
      case 'ranking': {
        extra(['options']);
        const options: Option[] = (q.options ?? []).map((o, j) => ({ id: o.id ?? `o${j + 1}`, text: o.text }));
        if (options.length < 2) problems.push({ field: `${at}/options`, reason: `a ${q.type} question needs 2 to 30 options; it has ${options.length}` });
        const ids = new Set<string>();
        options.forEach((o, j) => {
          if (ids.has(o.id)) problems.push({ field: `${at}/options/${j}/id`, reason: `${o.id} names an earlier option; each option needs its own id` });
          ids.add(o.id);
          problems.push(...textsProblem(o.text, `${at}/options/${j}/text`));
        });
        questions.push({ ...base, type: q.type, options });
        break;
      }
      case 'text':
        extra(['maxLength']);
        questions.push({ ...base, type: 'text', maxLength: q.maxLength ?? 1000 });
        break;
      default:
        problems.push({ field: `${at}/type`, reason: `must be one of ${questionTypes.join(', ')}` });
    }
  });
  const need = kindNeeds[input.kind];
  if (need.type && !questions.some((q) => q.type === need.type)) problems.push({ field: 'questions', reason: need.words });
  return { questions, problems };
}

function refuse(problems: FieldProblem[]): never {
  throw surveyError('survey.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
}

export async function respondentsOf(db: DbOrTx, surveyIds: string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>(surveyIds.map((id) => [id, 0]));
  if (surveyIds.length === 0) return counts;
  const rows = await db.selectFrom('surveyResponses').select(['surveyId', (eb) => eb.fn.countAll<string>().as('n')]).where('surveyId', 'in', surveyIds).groupBy('surveyId').execute();
  for (const row of rows) counts.set(row.surveyId, Number(row.n));
  return counts;
}

export async function findSurvey(db: DbOrTx, id: string, lock = false): Promise<SurveyRow> {
  let select = db.selectFrom('surveys').selectAll().where('id', '=', id);
  if (lock) select = select.forUpdate();
  const row = await select.executeTakeFirst();
  if (!row) throw surveyError('survey.not_found', `No survey ${id}; GET /v1/surveys lists them`);
  return row;
}

export type StoreDeps = { db: Db; clock: Clock; ids: Ids; publicUrl: PublicUrl };

export async function createSurvey({ db, clock, ids, publicUrl }: StoreDeps, actor: Actor, input: SurveyInput): Promise<SurveyView> {
  const { questions, problems } = normalizeQuestions(input);
  if (problems.length > 0) refuse(problems);
  const now = clock.now();
  const base = await publicUrl();
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto('surveys')
      .values({
        id: ids.next('srv'),
        kind: input.kind,
        status: input.status ?? 'draft',
        title: JSON.stringify(input.title),
        questions: JSON.stringify(questions),
        targetRespondents: input.targetRespondents ?? null,
        publicLink: input.publicLink ?? false,
        thankYou: input.thankYou ? JSON.stringify(input.thankYou) : null,
        createdAt: now,
        updatedAt: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'survey.create', entityType: 'survey', entityId: row.id, details: { kind: row.kind } });
    return toView(row, 0, base);
  });
}

export async function getSurvey({ db, publicUrl }: Pick<StoreDeps, 'db' | 'publicUrl'>, id: string): Promise<SurveyView> {
  const row = await findSurvey(db, id);
  return toView(row, (await respondentsOf(db, [id])).get(id)!, await publicUrl());
}

export async function listSurveys({ db, publicUrl }: Pick<StoreDeps, 'db' | 'publicUrl'>, query: { limit: number; cursor?: string; status?: SurveyStatus; kind?: SurveyKind }): Promise<Page<SurveyView>> {
  const before = decodeCursor(query.cursor, isIdKey('srv'));
  let select = db.selectFrom('surveys').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.status) select = select.where('status', '=', query.status);
  if (query.kind) select = select.where('kind', '=', query.kind);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  const counts = await respondentsOf(db, page.items.map((row) => row.id));
  const base = await publicUrl();
  return { items: page.items.map((row) => toView(row, counts.get(row.id)!, base)), nextCursor: page.nextCursor };
}

const inputOf = (row: SurveyRow): SurveyInput => ({
  kind: row.kind,
  title: row.title,
  questions: row.questions,
  status: row.status,
  ...(row.targetRespondents !== null ? { targetRespondents: row.targetRespondents } : {}),
  publicLink: row.publicLink,
  ...(row.thankYou !== null ? { thankYou: row.thankYou } : {}),
});

const sameJson = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/**
 * PATCH: the title, status, target, public link and thank-you text change any time; the kind and
 * the questions only while no one has answered (answers are keyed by the questions as asked).
 * Under the row lock, so an answer and a change of the questions do not cross.
 */
export async function patchSurvey({ db, clock, publicUrl }: StoreDeps, actor: Actor, id: string, patch: Record<string, unknown>, expectedVersion?: number): Promise<SurveyView> {
  const base = await publicUrl();
  return db.transaction().execute(async (tx) => {
    const row = await findSurvey(tx, id, true);
    if (expectedVersion !== undefined && expectedVersion !== row.version) {
      throw surveyError('survey.version_conflict', `version: you read version ${expectedVersion}, but version ${row.version} was saved since; read it again and repeat your change`, [
        { field: 'version', reason: `is ${expectedVersion}; the current version is ${row.version}` },
      ]);
    }
    const current = inputOf(row);
    const input = checkMerged<SurveyInput>(SurveyCreate, applyMergePatch(current, patch));
    const { questions, problems } = normalizeQuestions(input);
    if (problems.length > 0) refuse(problems);
    const respondents = (await respondentsOf(tx, [id])).get(id)!;
    const locked = [...(input.kind !== row.kind ? ['kind'] : []), ...(!sameJson(questions, row.questions) ? ['questions'] : [])];
    if (locked.length > 0 && respondents > 0) {
      throw surveyError(
        'survey.locked',
        `${locked.join(', ')}: the survey has ${respondents} answer${respondents === 1 ? '' : 's'}, so its kind and questions can no longer change (the title, status, target, public link and thank-you text can); to ask other questions, create a new survey`,
        locked.map((field) => ({ field, reason: `cannot change once the survey has answers` })),
      );
    }
    const status = input.status ?? 'draft';
    if (status === 'draft' && row.status !== 'draft' && respondents > 0) {
      throw surveyError('survey.locked', 'status: a survey with answers cannot go back to draft; close it (status closed) or open it again', [{ field: 'status', reason: 'cannot be draft once the survey has answers' }]);
    }
    const next = { ...input, questions };
    if (sameJson(next, { ...current, status: row.status })) return toView(row, respondents, base);
    const saved = await tx
      .updateTable('surveys')
      .set({
        kind: input.kind,
        status,
        title: JSON.stringify(input.title),
        questions: JSON.stringify(questions),
        targetRespondents: input.targetRespondents ?? null,
        publicLink: input.publicLink ?? false,
        thankYou: input.thankYou ? JSON.stringify(input.thankYou) : null,
        version: row.version + 1,
        updatedAt: clock.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'survey.update', entityType: 'survey', entityId: id, details: { version: saved.version, status: saved.status } });
    return toView(saved, respondents, base);
  });
}

/** A survey may be deleted while no one has answered it; later, close it (status closed). */
export async function deleteSurvey({ db, clock, publicUrl }: StoreDeps, actor: Actor, id: string): Promise<SurveyView> {
  const base = await publicUrl();
  return db.transaction().execute(async (tx) => {
    const row = await findSurvey(tx, id, true);
    const respondents = (await respondentsOf(tx, [id])).get(id)!;
    if (respondents > 0) {
      throw surveyError('survey.locked', `Survey ${id} has ${respondents} answer${respondents === 1 ? '' : 's'}: only a survey without answers may be deleted; close it instead (PATCH {"status":"closed"})`);
    }
    await tx.deleteFrom('surveyPublicHits').where('surveyId', '=', id).execute();
    await tx.deleteFrom('surveys').where('id', '=', id).execute();
    await writeAudit(tx, clock, actor, { action: 'survey.delete', entityType: 'survey', entityId: id, details: {} });
    return toView(row, 0, base);
  });
}
