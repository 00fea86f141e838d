import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Surveys (`srv_…`) and their responses (`srs_…`). */
export const surveyIds = defineIdPrefixes(['srv', 'srs'] as const);
export type SurveyIdPrefix = (typeof surveyIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<SurveyIdPrefix>;
