import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { FiscalReceiptsTables } from './fiscal-receipts.tables.ts';

/**
 * The fiscal-receipts module's view of the database: its own tables and the platform's (the
 * outbox, the audit log). Customers, stores, products and points are reached through customers'
 * and loyalty's index.ts.
 */
export type FiscalReceiptsView = FiscalReceiptsTables & PlatformTables;
export type Db = Kysely<FiscalReceiptsView>;
export type Tx = Transaction<FiscalReceiptsView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by another module (the customers' hooks, loyalty's points port). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<FiscalReceiptsTables>(tx);
