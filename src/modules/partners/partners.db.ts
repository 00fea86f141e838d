import type { Kysely, Transaction } from 'kysely';
import { claimDb, claimTx, type AnyDb, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { PartnersTables } from './partners.tables.ts';

/**
 * The partners module's view of the database: its own tables and the platform's (api_keys, the
 * audit log). Stores, receipts and the ledger are reached through loyalty's index.ts.
 */
export type PartnersView = PartnersTables & PlatformTables;
export type Db = Kysely<PartnersView>;
export type Tx = Transaction<PartnersView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by another module (the checkout's). */
export const ownTx = (tx: PlatformTx): Tx => claimTx<PartnersTables>(tx);
export const ownDbOrTx = <V extends PlatformTables>(db: AnyDb<V>): DbOrTx => claimDb<PartnersTables, V>(db);
