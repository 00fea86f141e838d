import type { Kysely, Transaction } from 'kysely';
import { claimDb, claimTx, type AnyDb, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { CustomersTables } from './customers.tables.ts';

/**
 * The customers module's view of the database: its own tables and the platform's. Every file
 * of the module queries through these, so naming another module's table does not compile.
 */
export type CustomersView = CustomersTables & PlatformTables;
export type Db = Kysely<CustomersView>;
export type Tx = Transaction<CustomersView>;
/** Either the database or a transaction on it: services accept both so callers choose the boundary. */
export type DbOrTx = Db | Tx;

/** This module's view of a database or transaction another module hands in (its own view of the same database). */
export const ownDb = <V extends PlatformTables>(db: AnyDb<V>): DbOrTx => claimDb<CustomersTables, V>(db);
export const ownTx = (tx: PlatformTx): Tx => claimTx<CustomersTables>(tx);
