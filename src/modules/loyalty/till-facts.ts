import { sql, type RawBuilder } from 'kysely';
import { notWhollyReturned, windowOf, type FactsWindow } from './purchase-facts.ts';

/**
 * Read-only facts of every receipt for the analytics module's KPIs and cohorts: SQL it selects
 * from as a subquery, so it never names loyalty's tables. Unlike the purchase facts these keep
 * anonymous receipts (customer_id null): they are what the recognition rate at the till counts.
 *
 * A receipt counts when it is confirmed and still holds a line not wholly returned, the same rule
 * as a purchase; money is what was paid net of refunds.
 */

/**
 * One row per receipt: `receipt_id, customer_id` (null: anonymous), `store_id, register_id` (''
 * when the till sent none), `channel, occurred_at, net_minor` (paid − refunded), `total_minor`
 * (before discounts), `discount_minor, redeemed_minor` (paid with points), and `tier_id`, the
 * tier the customer holds now (null: anonymous or no tier).
 */
export function tillReceipts(w: FactsWindow): RawBuilder<unknown> {
  return sql`select r.id as receipt_id, r.customer_id, r.store_id, coalesce(r.register_id, '') as register_id, r.channel, r.occurred_at,
      r.paid_minor - r.refunded_minor as net_minor, r.total_minor, r.discount_minor, r.redeemed_minor, t.tier_id
    from receipts r left join customer_tiers t on t.customer_id = r.customer_id
    where r.status = 'confirmed' ${windowOf(w)} and ${notWhollyReturned}`;
}

/** One row per receipt of the window with a line kept: `receipt_id, units_milli` (quantities kept, thousandths). */
export function receiptUnits(w: FactsWindow): RawBuilder<unknown> {
  return sql`select l.receipt_id, sum(l.qty_milli - l.refunded_qty_milli) as units_milli
    from receipts r join receipt_lines l on l.receipt_id = r.id
    where r.status = 'confirmed' ${windowOf(w)} and l.refunded_qty_milli < l.qty_milli
    group by l.receipt_id`;
}

/**
 * The same units for the one receipt named by the SQL expression `receipt` (`units_milli`, null
 * without a kept line), to join laterally: over a few hours' receipts the planner otherwise
 * hashes every line there is (40 M at full scale) rather than read each receipt's by its key.
 */
export function unitsOfReceipt(receipt: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`select sum(l.qty_milli - l.refunded_qty_milli) as units_milli from receipt_lines l
    where l.receipt_id = ${receipt} and l.refunded_qty_milli < l.qty_milli`;
}

/**
 * Whether the customer named by the SQL expression `customer` made a purchase before `before`:
 * what tells a new customer of a period from a returning one. One index read per customer.
 */
export function purchasedBefore(customer: RawBuilder<unknown>, before: RawBuilder<unknown> | Date): RawBuilder<boolean> {
  const at = before instanceof Date ? sql`${before}::timestamptz` : before;
  return sql<boolean>`exists (select 1 from receipts p where p.customer_id = ${customer} and p.status = 'confirmed'
    and p.occurred_at < ${at}
    and (not exists (select 1 from refunds f where f.receipt_id = p.id)
      or exists (select 1 from receipt_lines l where l.receipt_id = p.id and l.refunded_qty_milli < l.qty_milli)))`;
}

/** One row per customer who earned or redeemed points in the window (any earn, award or redemption): `customer_id`. */
export function loyaltyActive(w: FactsWindow): RawBuilder<unknown> {
  return sql`select distinct e.customer_id from point_entries e
    where e.kind in ('earn', 'award', 'redeem') ${w.from ? sql`and e.occurred_at >= ${w.from}::timestamptz` : sql``} and e.occurred_at < ${w.to}::timestamptz`;
}

/**
 * Each buyer's first purchase up to `to`: `customer_id, receipt_id, occurred_at, store_id,
 * channel`, and `promotion` — the name of a promotion the first receipt got (the first by
 * order applied; null when none). Cohorts group customers by it.
 */
export function firstPurchases(to: Date): RawBuilder<unknown> {
  return sql`select f.customer_id, f.receipt_id, f.occurred_at, f.store_id, f.channel,
      (select a.name from receipt_adjustments a where a.receipt_id = f.receipt_id and a.adjuster = 'promotions' order by a.seq limit 1) as promotion
    from (select distinct on (r.customer_id) r.customer_id, r.id as receipt_id, r.occurred_at, r.store_id, r.channel
      from receipts r
      where r.customer_id is not null and r.status = 'confirmed' and r.occurred_at < ${to}::timestamptz and ${notWhollyReturned}
      order by r.customer_id, r.occurred_at, r.id) f`;
}

/** One row per customer with a tier: `customer_id, tier_id` (the tier held now). */
export const customerTiers = (): RawBuilder<unknown> => sql`select t.customer_id, t.tier_id from customer_tiers t`;

export const tillFacts = { receipts: tillReceipts, units: receiptUnits, purchasedBefore, loyaltyActive, firstPurchases, tiers: customerTiers };
export type TillFacts = typeof tillFacts;
