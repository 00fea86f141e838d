import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './what-if.db.ts';
import { whatIfErrors } from './what-if.errors.ts';
import { whatIfIds } from './what-if.ids.ts';

/** What the what-if module registers with the platform: runs are on demand (POST /v1/analytics/what-if). */
export const whatIfModule = defineModule({
  name: 'what-if',
  events: [],
  idPrefixes: whatIfIds.prefixes,
  errors: whatIfErrors.table,
  ownTx,
});
