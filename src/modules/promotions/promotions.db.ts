import type { Kysely, Transaction } from 'kysely';
import { claimDb, claimTx, type AnyDb, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { PromotionsTables } from './promotions.tables.ts';

/**
 * The promotions module's view of the database: its own tables and the platform's. Receipts,
 * balances and customers are reached through loyalty's and customers' services.
 */
export type PromotionsView = PromotionsTables & PlatformTables;
export type Db = Kysely<PromotionsView>;
export type Tx = Transaction<PromotionsView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction or database handed over by loyalty (the checkout's) or the customers module (its hooks). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<PromotionsTables>(tx);
export const ownDbOrTx = <V extends PlatformTables>(db: AnyDb<V>): DbOrTx => claimDb<PromotionsTables, V>(db);
