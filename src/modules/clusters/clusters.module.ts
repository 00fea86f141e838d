import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './clusters.db.ts';
import { clusterErrors } from './clusters.errors.ts';
import { clusterIds } from './clusters.ids.ts';
import type { Clusters } from './index.ts';

/**
 * What the clusters module registers with the platform. Runs are on demand (POST
 * /v1/clusters/runs): the scheduler's slowest cadence is daily, too often for a full clustering.
 */
export const clustersModule = defineModule({
  name: 'clusters',
  events: [],
  idPrefixes: clusterIds.prefixes,
  errors: clusterErrors.table,
  ownTx,
  segmentFields: (clusters: Clusters) => clusters.segmentFields(),
});
