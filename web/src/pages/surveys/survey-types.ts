/** A survey as GET /v1/surveys/{id} answers it (docs/surveys.md). */
export type Texts = { ru?: string; en?: string };
export type QuestionType = 'nps' | 'rating' | 'single_choice' | 'multiple_choice' | 'ranking' | 'text';
export type SurveyKind = 'nps' | 'csat' | 'privilege_ranking' | 'custom';
export type SurveyStatus = 'draft' | 'open' | 'closed';
export type Option = { id: string; text: Texts };
export type Question = { id: string; type: QuestionType; text: Texts; required: boolean; min?: number; max?: number; options?: Option[]; maxLength?: number };
export type Survey = {
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
export type SurveyResponse = {
  id: string;
  surveyId: string;
  customerId: string | null;
  channel: 'link' | 'public' | 'api';
  answers: Record<string, number | string | string[]>;
  score: number | null;
  answeredAt: string;
  replaced: boolean;
};

export const questionTypes: QuestionType[] = ['nps', 'rating', 'single_choice', 'multiple_choice', 'ranking', 'text'];
export const surveyKinds: SurveyKind[] = ['nps', 'csat', 'privilege_ranking', 'custom'];
export const surveyStatuses: SurveyStatus[] = ['draft', 'open', 'closed'];
export const hasOptions = (type: QuestionType) => type === 'single_choice' || type === 'multiple_choice' || type === 'ranking';

/** A text in the page's language, else the other one. */
export const inLocale = (texts: Texts | null | undefined, locale: 'ru' | 'en') => (texts ? texts[locale] ?? texts.en ?? texts.ru ?? '' : '');
