import { sql } from 'kysely';
import type { DbOrTx } from './loyalty.db.ts';
import type { TierConfig } from './config-types.ts';
import { windowStart } from './tiers.ts';

/**
 * Everything checkout needs about a customer's points and tier, in one statement: the balance
 * as of now (pending lots that are due count as available, lapsed ones not, whatever the jobs
 * have done), whether anything is due to settle, the points expiring soon (the cashier's
 * warning), the tier, and — when asked — the tier metric over its window so far.
 */
export type CustomerState = {
  available: number;
  pending: number;
  /** Lots due to activate or expire: a writer settles them first. */
  settle: boolean;
  expiringSoon: { points: number; at: string } | null;
  tierId: string | null;
  /** The tier metric's value in its window, before this receipt; null when not asked. */
  qualifying: number | null;
  /** Whether the customer has a confirmed receipt already (promotions for new customers ask). */
  hasReceipts: boolean;
};

type Row = {
  available: number | null;
  pending: number | null;
  due: number;
  lapsed: number;
  lapsedPending: number;
  settle: boolean;
  soonPoints: number;
  soonAt: Date | null;
  tierId: string | null;
  qualifying: number | null;
  hasReceipts: boolean;
};

export async function readCustomerState(
  db: DbOrTx,
  customerId: string,
  now: Date,
  options: { warningDays: number; tiers: TierConfig | null },
): Promise<CustomerState> {
  const warnUntil = new Date(now.getTime() + Math.max(0, options.warningDays) * 86_400_000);
  const metric = options.tiers && options.tiers.tiers.length > 1 ? options.tiers.metric : 'none';
  const from = options.tiers ? windowStart(options.tiers, now) : now;
  const row = await sql<Row>`/*ps:checkout_state*/
    with lots as (
      select
        coalesce(sum(remaining) filter (where activated_at is null and activates_at <= ${now}::timestamptz
          and (expires_at is null or expires_at > ${now}::timestamptz)), 0)::int as due,
        coalesce(sum(remaining) filter (where activated_at is not null and expires_at <= ${now}::timestamptz), 0)::int as lapsed,
        coalesce(sum(remaining) filter (where activated_at is null and expires_at <= ${now}::timestamptz), 0)::int as lapsed_pending,
        coalesce(bool_or((activated_at is null and activates_at <= ${now}::timestamptz) or expires_at <= ${now}::timestamptz), false) as settle,
        coalesce(sum(remaining) filter (where (activated_at is not null or activates_at <= ${now}::timestamptz) and remaining > 0
          and expires_at > ${now}::timestamptz and expires_at <= ${warnUntil}::timestamptz), 0)::int as soon_points,
        min(expires_at) filter (where (activated_at is not null or activates_at <= ${now}::timestamptz) and remaining > 0
          and expires_at > ${now}::timestamptz and expires_at <= ${warnUntil}::timestamptz) as soon_at
      from point_lots where customer_id = ${customerId}::text and expired_at is null
    )
    select b.available, b.pending, lots.due, lots.lapsed, lots.lapsed_pending, lots.settle, lots.soon_points, lots.soon_at,
      (select tier_id from customer_tiers where customer_id = ${customerId}::text) as tier_id,
      case ${metric}::text
        when 'spend' then (select coalesce(sum(paid_minor - refunded_minor), 0) from receipts
          where customer_id = ${customerId}::text and status = 'confirmed' and occurred_at >= ${from}::timestamptz and occurred_at <= ${now}::timestamptz)
        when 'points_earned' then (select coalesce(sum(available_delta + pending_delta), 0) from point_entries
          where customer_id = ${customerId}::text and kind in ('earn', 'reverse_earn') and occurred_at >= ${from}::timestamptz and occurred_at <= ${now}::timestamptz)
      end::bigint as qualifying,
      exists (select 1 from receipts where customer_id = ${customerId}::text and status = 'confirmed') as has_receipts
    from lots left join point_balances b on b.customer_id = ${customerId}::text`.execute(db);
  const r = row.rows[0]!;
  return {
    available: (r.available ?? 0) + r.due - r.lapsed,
    pending: (r.pending ?? 0) - r.due - r.lapsedPending,
    settle: r.settle,
    expiringSoon: options.warningDays > 0 && r.soonPoints > 0 && r.soonAt ? { points: r.soonPoints, at: r.soonAt.toISOString() } : null,
    tierId: r.tierId,
    qualifying: r.qualifying === null ? null : Number(r.qualifying),
    hasReceipts: r.hasReceipts,
  };
}
