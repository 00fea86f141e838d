import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { ClustersTables } from './clusters.tables.ts';

/**
 * The clusters module's view of the database: its own tables and the platform's. Purchases come
 * in as loyalty's purchase facts (SQL subqueries), never as loyalty's tables.
 */
export type ClustersView = ClustersTables & PlatformTables;
export type Db = Kysely<ClustersView>;
export type Tx = Transaction<ClustersView>;

export const ownTx = (tx: PlatformTx): Tx => claimTx<ClustersTables>(tx);
