import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Model runs (`rcr_…`). */
export const recommendationIds = defineIdPrefixes(['rcr'] as const);
export type RecommendationIdPrefix = (typeof recommendationIds.prefixes)[number];
export type Ids = IdsOf<RecommendationIdPrefix>;
