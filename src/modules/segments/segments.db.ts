import type { Kysely, Transaction } from 'kysely';
import { claimDb, claimTx, type AnyDb, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { SegmentsTables } from './segments.tables.ts';

/**
 * The segments module's view of the database: its own tables and the platform's (the outbox it
 * consumes among them). Other modules' data comes in as their segment fields' SQL.
 */
export type SegmentsView = SegmentsTables & PlatformTables;
export type Db = Kysely<SegmentsView>;
export type Tx = Transaction<SegmentsView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by the customers module's hooks or the checkout. */
export const ownTx = (tx: PlatformTx): Tx => claimTx<SegmentsTables>(tx);
export const ownDbOrTx = <V extends PlatformTables>(db: AnyDb<V>): DbOrTx => claimDb<SegmentsTables, V>(db);
