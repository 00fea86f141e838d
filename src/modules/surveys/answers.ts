import type { FieldProblem } from '../../platform/errors.ts';
import type { Answers, Question, SurveyKind } from './survey-types.ts';

const list = (values: string[]) => values.join(', ');

/**
 * What is wrong with answers to these questions: each answer must name a question and fit it (a
 * choice one of its options, a rating within its bounds, a ranking every option once), every
 * required question must be answered, and at least one answered. Empty when they fit.
 */
export function checkAnswers(questions: Question[], answers: Answers): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const byId = new Map(questions.map((q) => [q.id, q]));
  for (const key of Object.keys(answers)) {
    if (!byId.has(key)) problems.push({ field: `answers/${key}`, reason: `is no question of this survey; its questions are ${list(questions.map((q) => q.id))}` });
  }
  for (const q of questions) {
    const field = `answers/${q.id}`;
    const value = Object.hasOwn(answers, q.id) ? answers[q.id] : undefined;
    if (value === undefined) {
      if (q.required) problems.push({ field, reason: 'is required: answer this question' });
      continue;
    }
    switch (q.type) {
      case 'nps':
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 10) problems.push({ field, reason: 'must be a whole number from 0 to 10' });
        break;
      case 'rating':
        if (!Number.isInteger(value) || (value as number) < q.min || (value as number) > q.max) problems.push({ field, reason: `must be a whole number from ${q.min} to ${q.max}` });
        break;
      case 'single_choice':
        if (typeof value !== 'string' || !q.options.some((o) => o.id === value)) problems.push({ field, reason: `must be one option id of ${list(q.options.map((o) => o.id))}` });
        break;
      case 'multiple_choice': {
        const ids = q.options.map((o) => o.id);
        if (!Array.isArray(value) || value.length === 0 || value.some((v) => !ids.includes(v)) || new Set(value).size !== value.length) {
          problems.push({ field, reason: `must be a list of one or more different option ids of ${list(ids)}` });
        }
        break;
      }
      case 'ranking': {
        const ids = q.options.map((o) => o.id);
        if (!Array.isArray(value) || value.length !== ids.length || new Set(value).size !== ids.length || value.some((v) => !ids.includes(v))) {
          problems.push({ field, reason: `must list every option once, best first: the ${ids.length} ids ${list(ids)} in the order you rank them` });
        }
        break;
      }
      case 'text':
        if (typeof value !== 'string' || value.trim().length === 0 || value.length > q.maxLength) problems.push({ field, reason: `must be a text of 1 to ${q.maxLength} characters` });
        break;
    }
  }
  if (problems.length === 0 && Object.keys(answers).length === 0) problems.push({ field: 'answers', reason: 'answer at least one question' });
  return problems;
}

/** The answer's NPS or CSAT score: the survey's first nps (nps kind) or rating (csat kind) question's answer. */
export function scoreOf(kind: SurveyKind, questions: Question[], answers: Answers): number | null {
  const type = kind === 'nps' ? 'nps' : kind === 'csat' ? 'rating' : null;
  const question = type ? questions.find((q) => q.type === type) : undefined;
  const value = question ? answers[question.id] : undefined;
  return typeof value === 'number' ? value : null;
}

/** Answers as stored: texts trimmed. */
export function cleanAnswers(questions: Question[], answers: Answers): Answers {
  const texts = new Set(questions.filter((q) => q.type === 'text').map((q) => q.id));
  return Object.fromEntries(Object.entries(answers).map(([key, value]) => [key, texts.has(key) && typeof value === 'string' ? value.trim() : value]));
}

const EMAILS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// A phone as people write one: + or a digit, then 6 or more digits with spaces, dashes, dots or brackets between.
const PHONES = /\+?\d(?:[\s\-().]*\d){6,}/g;

/** Free text as a role that sees contacts masked reads it: e-mails and phone numbers replaced. */
export const maskText = (text: string): string => text.replace(EMAILS, '[e-mail]').replace(PHONES, '[phone]');
