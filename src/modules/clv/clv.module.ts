import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './clv.db.ts';
import { clvErrors } from './clv.errors.ts';
import { clvIds } from './clv.ids.ts';
import type { Clv } from './index.ts';

/**
 * What the CLV module registers with the platform. Fits are on demand (POST
 * /v1/analytics/clv/fit): when to refit (weekly, after a promotion) is the analyst's call.
 */
export const clvModule = defineModule({
  name: 'clv',
  events: [],
  idPrefixes: clvIds.prefixes,
  errors: clvErrors.table,
  ownTx,
  segmentFields: (clv: Clv) => clv.segmentFields(),
});
