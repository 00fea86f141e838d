/** A text in Russian and English; at least one of them. */
export type Texts = { ru?: string; en?: string };

export const surveyKinds = ['nps', 'csat', 'custom', 'privilege_ranking'] as const;
export type SurveyKind = (typeof surveyKinds)[number];
export const surveyStatuses = ['draft', 'open', 'closed'] as const;
export type SurveyStatus = (typeof surveyStatuses)[number];
export const questionTypes = ['nps', 'rating', 'single_choice', 'multiple_choice', 'ranking', 'text'] as const;
export type QuestionType = (typeof questionTypes)[number];

export type Option = { id: string; text: Texts };

type Base = { id: string; text: Texts; required: boolean };
export type Question =
  | (Base & { type: 'nps' })
  | (Base & { type: 'rating'; min: number; max: number })
  | (Base & { type: 'single_choice' | 'multiple_choice' | 'ranking'; options: Option[] })
  | (Base & { type: 'text'; maxLength: number });

/**
 * Answers by question id: nps and rating an integer, single_choice an option id, multiple_choice
 * a list of option ids, ranking every option id once, best first, text a string.
 */
export type AnswerValue = number | string | string[];
export type Answers = Record<string, AnswerValue>;

/** The question's text in one language: Russian when it has it, else English (events, reports' verdicts). */
export const oneText = (texts: Texts): string => texts.ru ?? texts.en ?? '';
