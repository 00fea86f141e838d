import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { ReferralsTables } from './referrals.tables.ts';

/**
 * The referrals module's view of the database: its own tables and the platform's. Customers'
 * contacts come through the customers module's index.ts, receipts through loyalty's.
 */
export type ReferralsView = ReferralsTables & PlatformTables;
export type Db = Kysely<ReferralsView>;
export type Tx = Transaction<ReferralsView>;
export type DbOrTx = Db | Tx;

/** This module's view of a transaction handed over by loyalty's points port or the customers module's hooks. */
export const ownTx = (tx: PlatformTx): Tx => claimTx<ReferralsTables>(tx);
