import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { MessagingTables } from './messaging.tables.ts';

/**
 * The messaging module's view of the database: its own tables and the platform's (the outbox,
 * which its webhooks consumer reads). Customers, consents and balances are reached through
 * customers' and loyalty's index.ts.
 */
export type MessagingView = MessagingTables & PlatformTables;
export type Db = Kysely<MessagingView>;
export type Tx = Transaction<MessagingView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by another module (the customers' hooks). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<MessagingTables>(tx);
