import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** CLV fits (`clv_…`); a customer's prediction is named by its fit and the customer. */
export const clvIds = defineIdPrefixes(['clv'] as const);
export type ClvIdPrefix = (typeof clvIds.prefixes)[number];
export type Ids = IdsOf<ClvIdPrefix>;
