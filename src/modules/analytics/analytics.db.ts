import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { AnalyticsTables } from './analytics.tables.ts';

/**
 * The analytics module's view of the database: its own tables and the platform's. Receipts,
 * points, members and segments come in as SQL their modules hand over (sources.ts).
 */
export type AnalyticsView = AnalyticsTables & PlatformTables;
export type Db = Kysely<AnalyticsView>;
export type Tx = Transaction<AnalyticsView>;

export const ownTx = (tx: PlatformTx): Tx => claimTx<AnalyticsTables>(tx);
