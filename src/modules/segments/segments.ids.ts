import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Segments (`seg_…`), their recomputes (`sgr_…`) and RFM runs (`rfm_…`). */
export const segmentIds = defineIdPrefixes(['seg', 'sgr', 'rfm'] as const);
export type SegmentIdPrefix = (typeof segmentIds.prefixes)[number];
export type Ids = IdsOf<SegmentIdPrefix>;
