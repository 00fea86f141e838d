import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Segments (`seg_…`) and their recomputes (`sgr_…`). */
export const segmentIds = defineIdPrefixes(['seg', 'sgr'] as const);
export type SegmentIdPrefix = (typeof segmentIds.prefixes)[number];
export type Ids = IdsOf<SegmentIdPrefix>;
