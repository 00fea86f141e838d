import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Action rules (`acr_…`) and birthday offers (`bdo_…`). Customer events keep the caller's eventId. */
export const engagementIds = defineIdPrefixes(['acr', 'bdo'] as const);
export type EngagementIdPrefix = (typeof engagementIds.prefixes)[number];
export type Ids = IdsOf<EngagementIdPrefix>;
