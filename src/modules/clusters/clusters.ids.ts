import { defineIdPrefixes, type Ids as IdsOf } from '../../platform/ids.ts';

/** Clustering runs (`clr_…`); a cluster is named by its run and its number. */
export const clusterIds = defineIdPrefixes(['clr'] as const);
export type ClusterIdPrefix = (typeof clusterIds.prefixes)[number];
export type Ids = IdsOf<ClusterIdPrefix>;
