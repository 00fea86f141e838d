import { sql, type RawBuilder } from 'kysely';
import type { DbOrTx, Tx } from './loyalty.db.ts';
import { purchaseLines, purchaseReceipts } from './purchase-facts.ts';

/**
 * Each customer's closed purchases as running totals (`rollup_customer_baskets`, migration 0048),
 * kept by the fold (rollups.ts) in the same steps as `rollup_customer_purchases` and from the same
 * purchase facts the raw reading uses (purchase-facts.ts), so a window read from them
 * (purchase-summaries.ts) gives what the raw receipts and lines give.
 *
 * A step writes its customers' rows whole from their purchases before the step's end: the rows
 * hold matrices (a row of running totals per store and per category), which an append would have
 * to rebuild anyway, and a customer's history is read by the customer's index (a few receipts).
 */

/** Which customers a step writes: these, and never past the backfill's position while it runs. */
const only = (column: RawBuilder<unknown>, ids: string[], upto: string | null) =>
  sql`${column} = any(${ids}::text[]) ${upto === null ? sql`` : sql`and ${column} <= ${upto}`}`;

/**
 * Writes the rows of these customers (up to the backfill's position `upto`, when it runs) whole
 * from their purchases before `to`; a customer with none left loses the row.
 */
export async function rewriteBaskets(tx: Tx, to: Date, ids: string[], upto: string | null): Promise<void> {
  if (ids.length === 0) return;
  await sql`delete from rollup_customer_baskets c where ${only(sql`c.customer_id`, ids, upto)}`.execute(tx);
  // The purchases, numbered in time order (then receipt id, as rollup_customer_purchases), with
  // what their lines held: read by the customers' index, then each receipt's lines by its key.
  await sql`create temporary table rollup_step_baskets on commit drop as
    select r.customer_id, r.receipt_id, r.occurred_at, r.local_hour::int2 as local_hour, r.store_id, r.channel = 'online' as online,
      r.net_minor, r.discount_minor, r.redeemed_minor, r.total_minor,
      (row_number() over (partition by r.customer_id order by r.occurred_at, r.receipt_id))::int as i
    from (${purchaseReceipts({ to })}) r where ${only(sql`r.customer_id`, ids, upto)}`.execute(tx);
  await sql`create temporary table rollup_step_basket_lines on commit drop as
    select b.customer_id, b.i, l.top_category, count(*)::int as lines, sum(l.net_minor)::bigint as net_minor
    from rollup_step_baskets b
    join lateral (select * from (${purchaseLines({ to })}) l where l.receipt_id = b.receipt_id) l on true
    group by 1, 2, 3`.execute(tx);
  await sql`analyze rollup_step_baskets`.execute(tx);
  await sql`analyze rollup_step_basket_lines`.execute(tx);
  await sql`insert into rollup_customer_baskets (customer_id, purchase_at, local_hours, online, net_cum, discount_cum, redeemed_cum, total_cum,
      lines_cum, lines_net_cum, store_cum, category_names, category_net_cum, category_lines_cum)
    with per_purchase as (
      select b.*, coalesce(l.lines, 0) as lines, coalesce(l.net_minor, 0) as lines_net
      from rollup_step_baskets b
      left join (select customer_id, i, sum(lines)::int as lines, sum(net_minor)::bigint as net_minor from rollup_step_basket_lines group by 1, 2) l
        on l.customer_id = b.customer_id and l.i = b.i
    ), running as (
      select p.customer_id, array_agg(p.occurred_at order by p.i) as purchase_at, array_agg(p.local_hour order by p.i) as local_hours,
        array_agg(p.online order by p.i) as online, array_agg(p.net order by p.i) as net_cum, array_agg(p.discount order by p.i) as discount_cum,
        array_agg(p.redeemed order by p.i) as redeemed_cum, array_agg(p.total order by p.i) as total_cum,
        array_agg(p.lines_so_far order by p.i) as lines_cum, array_agg(p.lines_net_so_far order by p.i) as lines_net_cum
      from (select x.customer_id, x.i, x.occurred_at, x.local_hour, x.online,
          (sum(x.net_minor) over w)::bigint as net, (sum(x.discount_minor) over w)::bigint as discount, (sum(x.redeemed_minor) over w)::bigint as redeemed,
          (sum(x.total_minor) over w)::bigint as total, (sum(x.lines) over w)::int as lines_so_far, (sum(x.lines_net) over w)::bigint as lines_net_so_far
        from per_purchase x window w as (partition by x.customer_id order by x.i)) p
      group by 1
    ), stores as (
      -- Row k: purchases at the customer's k-th store among purchases 1..i, for each i.
      select g.customer_id, array_agg(g.c order by g.store_id, g.i) as store_cum
      from (select k.customer_id, k.store_id, p.i,
          (count(*) filter (where p.store_id = k.store_id) over (partition by k.customer_id, k.store_id order by p.i))::int as c
        from (select distinct customer_id, store_id from rollup_step_baskets) k join rollup_step_baskets p on p.customer_id = k.customer_id) g
      group by 1
    ), categories as (
      select g.customer_id, array_agg(g.name order by g.name) filter (where g.i = 1) as names,
        array_agg(g.net order by g.name, g.i) as net_cum, array_agg(g.lines order by g.name, g.i) as lines_cum
      from (select k.customer_id, k.name, p.i,
          (sum(coalesce(l.net_minor, 0)) over w)::bigint as net, (sum(coalesce(l.lines, 0)) over w)::int as lines
        from (select distinct customer_id, top_category as name from rollup_step_basket_lines where top_category <> '') k
        join rollup_step_baskets p on p.customer_id = k.customer_id
        left join rollup_step_basket_lines l on l.customer_id = k.customer_id and l.i = p.i and l.top_category = k.name
        window w as (partition by k.customer_id, k.name order by p.i)) g
      group by 1
    )
    select r.customer_id, r.purchase_at, r.local_hours, r.online, r.net_cum, r.discount_cum, r.redeemed_cum, r.total_cum, r.lines_cum, r.lines_net_cum,
      s.store_cum, coalesce(c.names, '{}'), coalesce(c.net_cum, '{}'), coalesce(c.lines_cum, '{}')
    from running r join stores s on s.customer_id = r.customer_id left join categories c on c.customer_id = r.customer_id`.execute(tx);
  await sql`drop table rollup_step_baskets, rollup_step_basket_lines`.execute(tx);
}

/** The customers who bought (or had a receipt changed) in [from, to): a closing step writes them whole. */
export async function basketCustomersOf(tx: Tx, from: Date, to: Date): Promise<string[]> {
  const rows = await sql<{ id: string }>`select distinct r.customer_id as id from (${purchaseReceipts({ from, to })}) r`.execute(tx);
  return rows.rows.map((row) => row.id);
}

/** The backfill's position ('' before the first customer), or null when it is done. */
export async function basketsBackfill(tx: DbOrTx): Promise<string | null> {
  return (await sql<{ at: string | null }>`select baskets_backfill as at from rollup_state`.execute(tx)).rows[0]?.at ?? null;
}

/** Customers a backfill step writes whole. */
const BACKFILL_STEP_CUSTOMERS = 20_000;

/**
 * One step of the backfill: the next customers with a closed history (rollup_customer_hours has a
 * row for each), written whole up to `closedUntil`. The caller holds the state's lock. Returns
 * false once done.
 */
export async function backfillBasketsStep(tx: Tx, closedUntil: Date): Promise<boolean> {
  const at = await basketsBackfill(tx);
  if (at === null) return false;
  const ids = (
    await sql<{ id: string }>`select customer_id as id from rollup_customer_hours where customer_id > ${at} order by customer_id limit ${BACKFILL_STEP_CUSTOMERS}`.execute(tx)
  ).rows.map((row) => row.id);
  if (ids.length > 0) await rewriteBaskets(tx, closedUntil, ids, null);
  const next = ids.length < BACKFILL_STEP_CUSTOMERS ? null : ids[ids.length - 1]!;
  await sql`update rollup_state set baskets_backfill = ${next}`.execute(tx);
  return next !== null;
}
