import { sql } from 'kysely';
import { expect } from 'vitest';
import type { DbOrTx } from '../../src/db/database.ts';

/**
 * The ledger's invariants, for every customer with a balance: the cached balance equals the sum
 * of the entries; pending lots hold the pending points; active lots hold the available points
 * (none when the balance is below zero); no balance is negative unless a refund made it so; and
 * the kept outstanding points by expiry month equal the lots' (globally, not per customer).
 */
export async function expectLedgerConsistent(db: DbOrTx): Promise<void> {
  const rows = await sql<{ customerId: string; available: number; pending: number; entriesAvailable: number; entriesPending: number; lotsPending: number; lotsActive: number }>`
    select b.customer_id, b.available, b.pending,
      coalesce((select sum(available_delta) from point_entries e where e.customer_id = b.customer_id), 0)::int as entries_available,
      coalesce((select sum(pending_delta) from point_entries e where e.customer_id = b.customer_id), 0)::int as entries_pending,
      coalesce((select sum(remaining) from point_lots l where l.customer_id = b.customer_id and l.activated_at is null and l.expired_at is null), 0)::int as lots_pending,
      coalesce((select sum(remaining) from point_lots l where l.customer_id = b.customer_id and l.activated_at is not null and l.expired_at is null), 0)::int as lots_active
    from point_balances b`.execute(db);
  for (const row of rows.rows) {
    expect({ customer: row.customerId, available: row.entriesAvailable, pending: row.entriesPending }).toEqual({
      customer: row.customerId,
      available: row.available,
      pending: row.pending,
    });
    expect({ customer: row.customerId, pendingLots: row.lotsPending, activeLots: row.lotsActive }).toEqual({
      customer: row.customerId,
      pendingLots: row.pending,
      activeLots: Math.max(0, row.available),
    });
  }
  // The kept outstanding points by expiry month (migration 0053), folded or not, equal the lots'.
  const months = await sql<{ month: string; kept: string; lots: string }>`
    select coalesce(k.month, l.month) as month, coalesce(k.points, 0)::text as kept, coalesce(l.points, 0)::text as lots
    from (select month, sum(points) as points from (select month, points from points_outstanding_by_expiry
            union all select month, points from points_outstanding_changes) c group by month having sum(points) <> 0) k
      full join (select coalesce(to_char(expires_at at time zone 'UTC', 'YYYY-MM'), 'never') as month, sum(remaining) as points
            from point_lots where expired_at is null and remaining > 0 group by 1) l on l.month = k.month
    order by 1`.execute(db);
  for (const row of months.rows) expect({ month: row.month, kept: row.kept }, 'kept outstanding by expiry month').toEqual({ month: row.month, kept: row.lots });
}
