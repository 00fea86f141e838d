import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Promotions (`prm_…`) and promo-code batches (`pcb_…`). */
export const promotionIds = defineIdPrefixes(['prm', 'pcb'] as const);
export type PromotionIdPrefix = (typeof promotionIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<PromotionIdPrefix>;
