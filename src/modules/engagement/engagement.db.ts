import type { Kysely, Transaction } from 'kysely';
import { claimDb, claimTx, type AnyDb, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { EngagementTables } from './engagement.tables.ts';

/**
 * The engagement module's view of the database: its own tables and the platform's (the outbox it
 * consumes among them). Customers, points and promo codes are reached through their modules.
 */
export type EngagementView = EngagementTables & PlatformTables;
export type Db = Kysely<EngagementView>;
export type Tx = Transaction<EngagementView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by loyalty's points port or the customers module's hooks. */
export const ownTx = (tx: PlatformTx): Tx => claimTx<EngagementTables>(tx);
export const ownDbOrTx = <V extends PlatformTables>(db: AnyDb<V>): DbOrTx => claimDb<EngagementTables, V>(db);
