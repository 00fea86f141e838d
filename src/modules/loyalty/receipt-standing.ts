import { sql } from 'kysely';
import type { PlatformTx } from '../../platform/db-views.ts';
import type { CheckoutCache } from './checkout-cache.ts';
import { ownTx, type Db, type DbOrTx } from './loyalty.db.ts';

/**
 * Read-only facts of receipts for modules that reward a purchase once it can no longer be
 * returned (referrals): a receipt "stands" while it is confirmed, and what it paid less what was
 * refunded is its net. Its pending period is the program's (`pendingDays` from when it occurred,
 * as its points' lot), so the reward waits exactly as long as the receipt's own points.
 */
export type StandingReceipt = {
  receiptId: string;
  customerId: string;
  status: 'confirmed' | 'cancelled';
  occurredAt: Date;
  /** paid − refunded, minor units. */
  netPaidMinor: number;
  pendingUntil: Date;
};

type Row = { receiptId: string; customerId: string; status: 'confirmed' | 'cancelled'; occurredAt: Date; netPaidMinor: string | number };

export function receiptStanding(db: Db, cache: CheckoutCache) {
  const pendingMs = async (view: DbOrTx) => (await cache.config(view)).program.body.pendingDays * 86_400_000;
  const standing = (row: Row, pending: number): StandingReceipt => ({
    ...row,
    netPaidMinor: Number(row.netPaidMinor),
    pendingUntil: new Date(row.occurredAt.getTime() + pending),
  });

  return {
    /** Whether the customer has any confirmed receipt (a till's or a loaded one). */
    async hasConfirmedReceipt(customerId: string): Promise<boolean> {
      const row = await db.selectFrom('receipts').select('id').where('customerId', '=', customerId).where('status', '=', 'confirmed').limit(1).executeTakeFirst();
      return row !== undefined;
    },

    /**
     * Each asked customer's earliest till receipt that stands, paid at least `minPaidMinor` net
     * and occurred by `occurredBy`; customers without one are left out. One statement for a batch.
     */
    async firstQualifying(asks: Array<{ customerId: string; minPaidMinor: number; occurredBy: Date }>): Promise<StandingReceipt[]> {
      if (asks.length === 0) return [];
      const rows = await sql<Row>`
        select distinct on (r.customer_id) r.id as receipt_id, r.customer_id, r.status, r.occurred_at, r.paid_minor - r.refunded_minor as net_paid_minor
        from unnest(${asks.map((a) => a.customerId)}::text[], ${asks.map((a) => a.minPaidMinor)}::bigint[], ${asks.map((a) => a.occurredBy.toISOString())}::timestamptz[])
          as a(customer_id, min_paid, occurred_by)
        join receipts r on r.customer_id = a.customer_id
        where r.status = 'confirmed' and r.source = 'checkout' and r.paid_minor - r.refunded_minor >= a.min_paid and r.occurred_at <= a.occurred_by
        order by r.customer_id, r.occurred_at, r.id`.execute(db);
      const pending = await pendingMs(db);
      return rows.rows.map((row) => standing(row, pending));
    },

    /**
     * A receipt as it stands now, read in the caller's transaction under a share lock: a refund
     * or cancel (which lock the receipt for update) waits for the caller's commit, or commits
     * before this read, so a reward never goes out on a receipt returned at the same moment.
     */
    async standingIn(tx: PlatformTx, receiptId: string): Promise<StandingReceipt | null> {
      const own = ownTx(tx);
      const row = await own
        .selectFrom('receipts')
        .select((eb) => ['id as receiptId', 'customerId', 'status', 'occurredAt', eb('paidMinor', '-', eb.ref('refundedMinor')).as('netPaidMinor')])
        .where('id', '=', receiptId)
        .forShare()
        .executeTakeFirst();
      if (!row || row.customerId === null) return null;
      return standing({ ...row, customerId: row.customerId }, await pendingMs(own));
    },
  };
}

export type ReceiptStanding = ReturnType<typeof receiptStanding>;
