import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { LoyaltyTables } from './loyalty.tables.ts';

/**
 * The loyalty module's view of the database: its own tables and the platform's. Every file of
 * the module queries through these, so naming another module's table (customers) does not
 * compile: customers are reached through customers/index.ts.
 */
export type LoyaltyView = LoyaltyTables & PlatformTables;
export type Db = Kysely<LoyaltyView>;
export type Tx = Transaction<LoyaltyView>;
/** Either the database or a transaction on it: services accept both so callers choose the boundary. */
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by the platform (an import batch) or the customers module (its hooks). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<LoyaltyTables>(tx);
