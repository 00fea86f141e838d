import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Referrals (`rfl_…`): one a referee's naming of a referrer. */
export const referralIds = defineIdPrefixes(['rfl'] as const);
export type ReferralIdPrefix = (typeof referralIds.prefixes)[number];
export type Ids = IdsOf<ReferralIdPrefix>;
