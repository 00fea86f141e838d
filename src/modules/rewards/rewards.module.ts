import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './rewards.db.ts';
import { rewardErrors } from './rewards.errors.ts';
import { rewardEvents } from './rewards.events.ts';
import { rewardIds } from './rewards.ids.ts';

/** What the rewards module registers with the platform when buildApp wires it. */
export const rewardsModule = defineModule({
  name: 'rewards',
  events: rewardEvents.types,
  idPrefixes: rewardIds.prefixes,
  errors: rewardErrors.table,
  ownTx,
});
