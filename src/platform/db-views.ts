import type { Kysely, Transaction } from 'kysely';
import type { PlatformTables } from './platform.tables.ts';

/**
 * Views of the one database. A module sees its own tables plus the platform's
 * (`ModuleDb<CustomersTables>`), so a query naming another module's table does not compile: it
 * has to go through that module's index.ts. buildApp makes each view once from the whole
 * database (`viewOf` in src/db/database.ts); values that cross a boundary later (an import
 * batch's transaction, a lifecycle hook's) are claimed with the functions below.
 */
export type ModuleDb<T> = Kysely<T & PlatformTables>;
export type ModuleTx<T> = Transaction<T & PlatformTables>;

/** The platform's own view: what the import runner, API keys and the audit log read. */
export type PlatformDb = Kysely<PlatformTables>;
export type PlatformTx = Transaction<PlatformTables>;

/**
 * Any module's view of the database, or a transaction on it. Kysely's types are invariant in the
 * tables, so platform services (audit, outbox) take this generic to accept whichever view the
 * calling module holds, as long as it includes the platform's tables.
 */
export type AnyDb<V extends PlatformTables = PlatformTables> = Kysely<V> | Transaction<V>;

// Every view is of one database (src/db/schema.ts's DB is the union of all modules' tables and
// the platform's), so the casts below change what the compiler lets a caller name, never what
// the object is.

/** The platform's view of any view: it only forgets tables. */
export function platformDb<V extends PlatformTables>(db: AnyDb<V>): PlatformDb {
  return db as unknown as PlatformDb;
}

export function platformTx<V extends PlatformTables>(tx: Transaction<V>): PlatformTx {
  return tx as unknown as PlatformTx;
}

/**
 * A module claims its own view of a database or transaction handed over by the platform or by
 * another module. Only a module's `<module>.db.ts` calls these, naming its own tables.
 */
export function claimDb<T, V extends PlatformTables = PlatformTables>(db: AnyDb<V>): ModuleDb<T> {
  return db as unknown as ModuleDb<T>;
}

export function claimTx<T, V extends PlatformTables = PlatformTables>(tx: Transaction<V>): ModuleTx<T> {
  return tx as unknown as ModuleTx<T>;
}
