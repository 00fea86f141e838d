import type { Kysely, Transaction } from 'kysely';
import { claimDb, claimTx, type AnyDb, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { GiftCardsTables } from './gift-cards.tables.ts';

/**
 * The gift-cards module's view of the database: its own tables and the platform's. Receipts are
 * loyalty's: the checkout hands its transaction over (the tender) and names the receipt by id.
 */
export type GiftCardsView = GiftCardsTables & PlatformTables;
export type Db = Kysely<GiftCardsView>;
export type Tx = Transaction<GiftCardsView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction or database handed over by loyalty (the checkout's) or the customers module (its hooks). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<GiftCardsTables>(tx);
export const ownDbOrTx = <V extends PlatformTables>(db: AnyDb<V>): DbOrTx => claimDb<GiftCardsTables, V>(db);
