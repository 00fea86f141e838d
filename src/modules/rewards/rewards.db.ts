import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { RewardsTables } from './rewards.tables.ts';

/**
 * The rewards module's view of the database: its own tables and the platform's. Points move
 * through loyalty's points port, customers are resolved through the customers module.
 */
export type RewardsView = RewardsTables & PlatformTables;
export type Db = Kysely<RewardsView>;
export type Tx = Transaction<RewardsView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over: the points port's, a lottery draw's, a customer hook's. */
export const ownTx = (tx: PlatformTx): Tx => claimTx<RewardsTables>(tx);
