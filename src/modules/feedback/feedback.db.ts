import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { FeedbackTables } from './feedback.tables.ts';

/**
 * The feedback module's view of the database: its own tables and the platform's (the outbox, the
 * audit log). Customers are reached through customers' index.ts, replies sent through messaging's.
 */
export type FeedbackView = FeedbackTables & PlatformTables;
export type Db = Kysely<FeedbackView>;
export type Tx = Transaction<FeedbackView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by another module (the customers' hooks). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<FeedbackTables>(tx);
