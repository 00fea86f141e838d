import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** What-if runs (`wif_…`). */
export const whatIfIds = defineIdPrefixes(['wif'] as const);
export type WhatIfIdPrefix = (typeof whatIfIds.prefixes)[number];
export type Ids = IdsOf<WhatIfIdPrefix>;
