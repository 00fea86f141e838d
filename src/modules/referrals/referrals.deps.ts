import type { Clock } from '../../platform/clock.ts';
import type { Customers } from '../customers/index.ts';
import type { PointsPort, ReceiptStanding } from '../loyalty/index.ts';
import type { Db } from './referrals.db.ts';
import type { Ids } from './referrals.ids.ts';

/** What the referrals module works with: its database view, the customers' contacts, loyalty's receipts and points port. */
export type ReferralsDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  customers: Pick<Customers, 'get' | 'resolveId'>;
  receipts: ReceiptStanding;
  points: PointsPort;
  log?: { error(obj: object, msg: string): void };
};
