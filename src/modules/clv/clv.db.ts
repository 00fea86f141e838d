import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { ClvTables } from './clv.tables.ts';

/**
 * The CLV module's view of the database: its own tables and the platform's. Purchases come in as
 * loyalty's purchase facts (SQL subqueries), never as loyalty's tables.
 */
export type ClvView = ClvTables & PlatformTables;
export type Db = Kysely<ClvView>;
export type Tx = Transaction<ClvView>;

export const ownTx = (tx: PlatformTx): Tx => claimTx<ClvTables>(tx);
