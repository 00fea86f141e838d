import type { Kysely, Transaction } from 'kysely';
import { claimTx, type PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { WhatIfTables } from './what-if.tables.ts';

/**
 * The what-if module's view of the database: its own runs and the platform's tables. Receipts
 * are loyalty's: they come in through loyalty's replay (loyalty/what-if-replay.ts), never as tables.
 */
export type WhatIfView = WhatIfTables & PlatformTables;
export type Db = Kysely<WhatIfView>;
export type Tx = Transaction<WhatIfView>;

export const ownTx = (tx: PlatformTx): Tx => claimTx<WhatIfTables>(tx);
