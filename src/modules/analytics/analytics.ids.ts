import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Alert rules (`alr_…`), the alerts they fired (`alt_…`), scheduled reports (`rpt_…`) and their runs (`rpr_…`). */
export const analyticsIds = defineIdPrefixes(['alr', 'alt', 'rpt', 'rpr'] as const);
export type AnalyticsIdPrefix = (typeof analyticsIds.prefixes)[number];
export type Ids = IdsOf<AnalyticsIdPrefix>;
