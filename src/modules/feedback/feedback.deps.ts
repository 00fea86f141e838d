import type { Clock } from '../../platform/clock.ts';
import type { Customers } from '../customers/index.ts';
import type { Messaging } from '../messaging/index.ts';
import type { Db } from './feedback.db.ts';
import type { Ids } from './feedback.ids.ts';

export type FeedbackDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** Customers' service: a (merged) id to the customer now, their profile (the reply's address), current records for a batch of events. */
  customers: Pick<Customers, 'resolveId' | 'getMany' | 'currentRecords'>;
  /** Messaging's service: replies are queued as service e-mails and their delivery read back. */
  messaging: Pick<Messaging, 'enqueue' | 'message'>;
  log?: { error(obj: object, msg: string): void };
};
