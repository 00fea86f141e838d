import { defineModule } from '../../platform/registry.ts';
import { ownTx } from './gift-cards.db.ts';
import { giftCardErrors } from './gift-cards.errors.ts';
import { giftCardIds } from './gift-cards.ids.ts';
import type { GiftCards } from './index.ts';

/** What the gift-cards module registers with the platform when buildApp wires it. */
export const giftCardsModule = defineModule({
  name: 'gift-cards',
  events: [],
  idPrefixes: giftCardIds.prefixes,
  errors: giftCardErrors.table,
  ownTx,
  jobs: (giftCards: GiftCards) => [{ name: 'expire-gift-cards', cadence: 'daily', run: (signal) => giftCards.expireCards(signal) }],
});
