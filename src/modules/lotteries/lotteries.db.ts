import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { LotteriesTables } from './lotteries.tables.ts';

/**
 * The lotteries module's view of the database: its own tables and the platform's (the outbox,
 * where accepted customer events are counted). Spend and customers are reached through
 * loyalty's and customers' index.ts.
 */
export type LotteriesView = LotteriesTables & PlatformTables;
export type Db = Kysely<LotteriesView>;
export type Tx = Transaction<LotteriesView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by another module (the customers' hooks). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<LotteriesTables>(tx);
