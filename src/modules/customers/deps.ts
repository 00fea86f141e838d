import type { Db, Tx } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from '../../platform/ids.ts';

export type CustomersDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** Region for phone numbers written without a country code ("8 912 …" in RU). */
  phoneRegion: string;
};

/**
 * What other modules do when customers merge or are erased, inside the same transaction:
 * the loyalty module moves receipts and points, messaging forgets addresses, and so on.
 */
export type CustomerLifecycleHooks = {
  onMerge: Array<(tx: Tx, fromId: string, intoId: string) => Promise<void>>;
  onErase: Array<(tx: Tx, customerIds: string[]) => Promise<void>>;
};
