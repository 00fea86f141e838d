import { defineModule } from '../../platform/registry.ts';
import type { Referrals } from './index.ts';
import { ownTx } from './referrals.db.ts';
import { referralErrors } from './referrals.errors.ts';
import { referralEvents } from './referrals.events.ts';
import { referralIds } from './referrals.ids.ts';

/** What the referrals module registers with the platform when buildApp wires it. */
export const referralsModule = defineModule({
  name: 'referrals',
  events: referralEvents.types,
  idPrefixes: referralIds.prefixes,
  errors: referralErrors.table,
  ownTx,
  jobs: (referrals: Referrals) => [{ name: 'reward-referrals', cadence: 'frequent', run: async (signal) => ({ ...(await referrals.runJob(signal)) }) }],
});
