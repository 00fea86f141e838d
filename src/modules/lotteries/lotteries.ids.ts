import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Lotteries (`ltr_…`). */
export const lotteryIds = defineIdPrefixes(['ltr'] as const);
export type LotteryIdPrefix = (typeof lotteryIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<LotteryIdPrefix>;
