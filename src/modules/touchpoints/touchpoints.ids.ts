import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** One-time code challenges (`otp_…`). */
export const touchpointIds = defineIdPrefixes(['otp'] as const);
export type TouchpointIdPrefix = (typeof touchpointIds.prefixes)[number];
export type Ids = IdsOf<TouchpointIdPrefix>;
