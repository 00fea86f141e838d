import { sql, type RawBuilder } from 'kysely';

/**
 * Read-only purchase facts for the modules that analyse behaviour (RFM, clusters,
 * recommendations, analytics): SQL they select from as a subquery, so they never name loyalty's
 * tables and every one of them counts a purchase the same way the segment fields do.
 *
 * A purchase is a confirmed receipt of a known customer (a merged record's receipts already moved
 * to the survivor) that still holds a line not wholly returned; a cancelled receipt is none. Money
 * is what was paid net of refunds. The window is [from, to) by the receipt's time; no `from`
 * means all history.
 */
export type FactsWindow = { from?: Date; to: Date };

/**
 * "Still holds a line not wholly returned", cheaply, for one customer's receipts (segment fields):
 * a receipt never refunded holds all its lines (one hashed look at the small refunds table), so
 * only a refunded receipt's lines are read.
 */
export const keptReceipt = sql`(not exists (select 1 from refunds f where f.receipt_id = r.id)
  or exists (select 1 from receipt_lines l where l.receipt_id = r.id and l.refunded_qty_milli < l.qty_milli))`;

/**
 * The same over every receipt of a window (the facts below): the wholly returned receipts are
 * found among the refunded ones and anti-joined. No correlated subquery, so PostgreSQL can scan
 * the receipts in parallel: at 10 M receipts this counted a year's purchases in a fraction of
 * the 42 s the form above took (its subqueries keep a plan on one process) and of the 51 s of a
 * semi-join of every receipt against every line.
 */
export const notWhollyReturned = sql`not exists (select 1 from (
    select l.receipt_id from receipt_lines l
    where l.receipt_id in (select f.receipt_id from refunds f)
    group by l.receipt_id having bool_and(l.refunded_qty_milli >= l.qty_milli)) w
  where w.receipt_id = r.id)`;

export const windowOf = (w: FactsWindow) => sql`${w.from ? sql`and r.occurred_at >= ${w.from}::timestamptz` : sql``} and r.occurred_at < ${w.to}::timestamptz`;

/**
 * One row per purchase: `customer_id, receipt_id, occurred_at, local_hour` (0–23 in the store's
 * time zone), `store_id, channel, net_minor` (paid − refunded), `discount_minor, redeemed_minor`
 * (paid with points) and `total_minor` (before discounts).
 */
export function purchaseReceipts(w: FactsWindow): RawBuilder<unknown> {
  return sql`select r.customer_id, r.id as receipt_id, r.occurred_at,
      extract(hour from r.occurred_at at time zone s.timezone)::int as local_hour,
      r.store_id, r.channel, r.paid_minor - r.refunded_minor as net_minor, r.discount_minor, r.redeemed_minor, r.total_minor
    from receipts r join stores s on s.id = r.store_id
    where r.customer_id is not null and r.status = 'confirmed' ${windowOf(w)} and ${notWhollyReturned}`;
}

/**
 * One row per purchased line not wholly returned: `customer_id, receipt_id, occurred_at, sku,
 * category` (the path, 'grocery/coffee'), `top_category` (its first part), `brand, qty_milli`
 * (kept) and `net_minor` (the line's paid share of the quantity kept).
 */
export function purchaseLines(w: FactsWindow): RawBuilder<unknown> {
  return sql`select r.customer_id, r.id as receipt_id, r.occurred_at, l.sku, l.category, split_part(l.category, '/', 1) as top_category, l.brand,
      l.qty_milli - l.refunded_qty_milli as qty_milli,
      (l.total_minor - l.discount_minor - l.redeemed_minor) * (l.qty_milli - l.refunded_qty_milli) / l.qty_milli as net_minor
    from receipts r join receipt_lines l on l.receipt_id = r.id
    where r.customer_id is not null and r.status = 'confirmed' ${windowOf(w)} and l.refunded_qty_milli < l.qty_milli`;
}

/**
 * One row per customer and purchase day, for models that count purchase days rather than
 * receipts (CLV: two receipts on one day are one purchase): `customer_id, day` (the date in the
 * store's time zone), `receipts` and `net_minor` (what the day's purchases paid net of refunds,
 * bigint). The window is by receipt time as above; a caller cutting at a date filters on `day`.
 */
export function purchaseDays(w: FactsWindow): RawBuilder<unknown> {
  return sql`select p.customer_id, p.day, count(*)::int as receipts, sum(p.net_minor)::bigint as net_minor
    from (select r.customer_id, (r.occurred_at at time zone s.timezone)::date as day, r.paid_minor - r.refunded_minor as net_minor
      from receipts r join stores s on s.id = r.store_id
      where r.customer_id is not null and r.status = 'confirmed' ${windowOf(w)} and ${notWhollyReturned}) p
    group by p.customer_id, p.day`;
}

/**
 * Up to `limit` customers who bought on two or more days (store dates) up to `lastDay`: rows of
 * `customer_id`. Grouped straight off the receipts by customer, so PostgreSQL walks the
 * customers' receipts index and stops at `limit` (90 ms at 10 M receipts), where grouping the
 * purchase days first (purchaseDays) had it read every receipt of the window (over 30 s).
 */
export function repeatBuyers(w: FactsWindow, lastDay: string, limit: number): RawBuilder<unknown> {
  return sql`select p.customer_id from (
      select r.customer_id, (r.occurred_at at time zone s.timezone)::date as day
      from receipts r join stores s on s.id = r.store_id
      where r.customer_id is not null and r.status = 'confirmed' ${windowOf(w)} and ${notWhollyReturned}) p
    where p.day <= ${lastDay}::date
    group by p.customer_id having count(distinct p.day) > 1
    limit ${limit}`;
}

export const purchaseFacts = { receipts: purchaseReceipts, lines: purchaseLines, days: purchaseDays, repeatBuyers };
export type PurchaseFacts = typeof purchaseFacts;
