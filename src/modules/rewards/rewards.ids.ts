import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Rewards (`rwd_…`) and reward orders (`rwo_…`, the reference of the points they spent). */
export const rewardIds = defineIdPrefixes(['rwd', 'rwo'] as const);
export type RewardIdPrefix = (typeof rewardIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<RewardIdPrefix>;
