import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { TouchpointsTables } from './touchpoints.tables.ts';

/**
 * The touchpoints module's view of the database: its own tables and the platform's. Customers,
 * points and messages are reached through those modules' index.ts.
 */
export type TouchpointsView = TouchpointsTables & PlatformTables;
export type Db = Kysely<TouchpointsView>;
export type Tx = Transaction<TouchpointsView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by another module (the customers' hooks). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<TouchpointsTables>(tx);
