import { sql } from 'kysely';
import type { DbOrTx } from './loyalty.db.ts';

/**
 * Points the ledger moved on receipts of some stores, day by day (UTC) and store by store: what a
 * coalition partner's settlement counts. Read-only; one set-based query over point_entries joined
 * to the receipts they name (on customer_id too, so on a distributed database the join stays on
 * one shard). An entry counts on the day it was written (a March refund of a February receipt
 * counts in March), so consecutive periods add up to the whole.
 *
 * earned: 'earn' entries (pending points included); reversed: 'reverse_earn' (a refund or cancel
 * took them back); redeemed: 'redeem'; returned: 'return_redeemed' (a refund gave them back).
 */
export type StorePointsRow = { day: string; storeId: string; earned: number; reversed: number; redeemed: number; returned: number };

export async function pointsAtStores(db: DbOrTx, storeIds: readonly string[], from: Date, to: Date): Promise<StorePointsRow[]> {
  if (storeIds.length === 0) return [];
  const result = await sql<{ day: string; storeId: string; earned: string; reversed: string; redeemed: string; returned: string }>`
    select to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD') as day, r.store_id,
      coalesce(sum(e.available_delta + e.pending_delta) filter (where e.kind = 'earn'), 0)::bigint as earned,
      coalesce(-sum(e.available_delta + e.pending_delta) filter (where e.kind = 'reverse_earn'), 0)::bigint as reversed,
      coalesce(-sum(e.available_delta + e.pending_delta) filter (where e.kind = 'redeem'), 0)::bigint as redeemed,
      coalesce(sum(e.available_delta + e.pending_delta) filter (where e.kind = 'return_redeemed'), 0)::bigint as returned
    from receipts r
    join point_entries e on e.customer_id = r.customer_id and e.receipt_id = r.id
    where r.store_id = any(${[...storeIds]}::text[]) and r.customer_id is not null
      and e.kind in ('earn', 'reverse_earn', 'redeem', 'return_redeemed')
      and e.occurred_at >= ${from}::timestamptz and e.occurred_at < ${to}::timestamptz
    group by 1, 2
    order by 1, 2`.execute(db);
  return result.rows.map((row) => ({
    day: row.day,
    storeId: row.storeId,
    earned: Number(row.earned),
    reversed: Number(row.reversed),
    redeemed: Number(row.redeemed),
    returned: Number(row.returned),
  }));
}

/** The store a receipt was made at, or null when there is no such receipt. */
export async function storeOfReceipt(db: DbOrTx, receiptId: string): Promise<string | null> {
  const row = await db.selectFrom('receipts').select('storeId').where('id', '=', receiptId).executeTakeFirst();
  return row?.storeId ?? null;
}
