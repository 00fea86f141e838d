import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './touchpoints.db.ts';
import { touchpointErrors } from './touchpoints.errors.ts';
import { touchpointIds } from './touchpoints.ids.ts';
import type { Touchpoints } from './index.ts';

/** What the touchpoints module registers with the platform when buildApp wires it. */
export const touchpointsModule = defineModule({
  name: 'touchpoints',
  events: [],
  idPrefixes: touchpointIds.prefixes,
  errors: touchpointErrors.table,
  ownTx,
  jobs: (touchpoints: Touchpoints) => [
    // Codes and their waiting form answers (personal data) are kept a day, sessions until they lapse.
    { name: 'clear-codes-and-sessions', cadence: 'frequent', run: () => touchpoints.clearExpired() },
  ],
});
