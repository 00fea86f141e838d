import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Alert rules (`alr_…`) and the alerts they fired (`alt_…`). */
export const analyticsIds = defineIdPrefixes(['alr', 'alt'] as const);
export type AnalyticsIdPrefix = (typeof analyticsIds.prefixes)[number];
export type Ids = IdsOf<AnalyticsIdPrefix>;
