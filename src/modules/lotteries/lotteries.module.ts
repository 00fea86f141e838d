import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './lotteries.db.ts';
import { lotteryErrors } from './lotteries.errors.ts';
import { lotteryEvents } from './lotteries.events.ts';
import { lotteryIds } from './lotteries.ids.ts';

/** What the lotteries module registers with the platform when buildApp wires it. */
export const lotteriesModule = defineModule({
  name: 'lotteries',
  events: lotteryEvents.types,
  idPrefixes: lotteryIds.prefixes,
  errors: lotteryErrors.table,
  ownTx,
});
