import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { RecommendationsTables } from './recommendations.tables.ts';

/**
 * The recommendations module's view of the database: its own tables and the platform's.
 * Purchases come in as loyalty's purchase facts (SQL subqueries), never by naming its tables.
 */
export type RecommendationsView = RecommendationsTables & PlatformTables;
export type Db = Kysely<RecommendationsView>;
export type Tx = Transaction<RecommendationsView>;
export type DbOrTx = Db | Tx;

export const ownTx = (tx: PlatformTx): Tx => claimTx<RecommendationsTables>(tx);
