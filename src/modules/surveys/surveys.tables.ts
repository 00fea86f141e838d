import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { Answers, Question, SurveyKind, SurveyStatus, Texts } from './survey-types.ts';

/** The surveys module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type SurveysTable = {
  id: string;
  kind: SurveyKind;
  status: SurveyStatus;
  title: Json<Texts>;
  questions: Json<Question[]>;
  targetRespondents: number | null;
  publicLink: WithDefault<boolean>;
  thankYou: Json<Texts> | null;
  version: WithDefault<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type SurveyChannel = 'link' | 'public' | 'api';

export type SurveyResponsesTable = {
  id: string;
  surveyId: string;
  customerId: string | null;
  channel: SurveyChannel;
  answers: Json<Answers>;
  score: number | null;
  ipHash: string | null;
  userAgent: string | null;
  answeredAt: Timestamp;
  createdAt: Timestamp;
};

export type SurveySettingsTable = { id: number; linkSecret: string };

export type SurveyPublicHitsTable = { surveyId: string; ipHash: string; windowStart: Timestamp; hits: number };

export type SurveysTables = {
  surveys: SurveysTable;
  surveyResponses: SurveyResponsesTable;
  surveySettings: SurveySettingsTable;
  surveyPublicHits: SurveyPublicHitsTable;
};
