import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './promotions.db.ts';
import { promotionErrors } from './promotions.errors.ts';
import { promotionIds } from './promotions.ids.ts';

/** What the promotions module registers with the platform when buildApp wires it. */
export const promotionsModule = defineModule({
  name: 'promotions',
  events: [],
  idPrefixes: promotionIds.prefixes,
  errors: promotionErrors.table,
  ownTx,
});
