import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Customers (`cus_…`), consent events (`cns_…`) and topic choices (`tpc_…`). */
export const customerIds = defineIdPrefixes(['cus', 'cns', 'tpc'] as const);
export type CustomerIdPrefix = (typeof customerIds.prefixes)[number];
/** The ids this module makes: its own prefixes and the platform's. */
export type Ids = IdsOf<CustomerIdPrefix>;
