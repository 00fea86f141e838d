import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './partners.db.ts';
import { partnerErrors } from './partners.errors.ts';
import { partnerIds } from './partners.ids.ts';

/** What the partners module registers with the platform when buildApp wires it. */
export const partnersModule = defineModule({
  name: 'partners',
  events: [],
  idPrefixes: partnerIds.prefixes,
  errors: partnerErrors.table,
  ownTx,
});
