import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Gift cards (`gcd_…`) and batches of them (`gcb_…`). */
export const giftCardIds = defineIdPrefixes(['gcd', 'gcb'] as const);
export type GiftCardIdPrefix = (typeof giftCardIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<GiftCardIdPrefix>;
