import { defineModule } from '../../platform/registry.ts';
import type { Recommendations } from './index.ts';
import { ownTx } from './recommendations.db.ts';
import { recommendationErrors } from './recommendations.errors.ts';
import { recommendationIds } from './recommendations.ids.ts';

/** What the recommendations module registers with the platform when buildApp wires it. */
export const recommendationsModule = defineModule({
  name: 'recommendations',
  events: [],
  idPrefixes: recommendationIds.prefixes,
  errors: recommendationErrors.table,
  ownTx,
  jobs: (recommendations: Recommendations) => [
    // Baskets change slowly in aggregate: a model a day (and its holdout check) keeps it current.
    { name: 'rebuild-recommendations', cadence: 'daily', run: () => recommendations.rebuildDaily() },
  ],
});
