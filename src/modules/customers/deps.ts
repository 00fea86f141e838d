import type { Clock } from '../../platform/clock.ts';
import type { PlatformTx } from '../../platform/db-views.ts';
import type { Db } from './customers.db.ts';
import type { Ids } from './customers.ids.ts';

export type CustomersDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** Region for phone numbers written without a country code ("8 912 …" in RU). */
  phoneRegion: string;
};

/** What a till shows of a customer's account beside the masked contacts: points and tier. */
export type AccountSummary = { balance: number; pendingPoints: number; tier: { id: string; name: string } | null };

/**
 * What other modules do when customers merge or are erased, inside the same transaction:
 * the loyalty module moves receipts and points, messaging forgets addresses, and so on.
 * Handlers get that transaction as `T`: a module registers through `customers.hooksFor(ownTx)`
 * and so sees it through its own view of the database, never the customers' tables.
 * A module may also provide the account summary of the till view (loyalty does: balance and
 * tier), so a till's lookup answers in one call while customers never imports loyalty.
 */
export type CreatedCustomer = { id: string; identifiers: Array<{ kind: 'phone' | 'email' | 'card' | 'external'; value: string }> };

export type CustomerLifecycleHooks<T = PlatformTx> = {
  onMerge: Array<(tx: T, fromId: string, intoId: string) => Promise<void>>;
  onErase: Array<(tx: T, customerIds: string[]) => Promise<void>>;
  /**
   * Customers just created (by the API, at a till, or by an import batch: several at once), with
   * the phones, e-mails and cards they were created with; in the creating transaction (referrals
   * give each a code at sign-up here, so reading it later writes nothing).
   */
  onCreate?: Array<(tx: T, created: CreatedCustomer[]) => Promise<void>>;
  accountSummary?: (customerId: string) => Promise<AccountSummary>;
};
