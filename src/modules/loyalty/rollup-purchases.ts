import { sql, type RawBuilder } from 'kysely';
import type { FactsWindow } from './purchase-facts.ts';
import type { DbOrTx, Tx } from './loyalty.db.ts';
import { tillReceipts } from './till-facts.ts';

/**
 * Each customer's closed purchases for segment conditions (`rollup_customer_purchases`, migration
 * 0044): kept by the fold (rollups.ts) in the same steps and from the same purchases as
 * `rollup_customer_hours`, so both hold every purchase before `closed_until`.
 *
 * A fold step stages the purchases it adds in a temporary table with what each held, adds new
 * items to the dictionary, and then either appends them to the customers' rows (closing hours:
 * they come after every purchase there) or writes the rows whole (repairs and the backfill).
 */

/** Which customers a step writes: all, a list, and never past the backfill's position while it runs. */
export type PurchaseCustomers = { ids?: string[]; upto: string | null };

const only = (column: RawBuilder<unknown>, who: PurchaseCustomers) =>
  sql`${who.ids ? sql`and ${column} = any(${who.ids}::text[])` : sql``} ${who.upto === null ? sql`` : sql`and ${column} <= ${who.upto}`}`;

/**
 * The window's purchases of those customers into `rollup_step_purchases` (`customer_id,
 * occurred_at, receipt_id, net_minor, items`): the items of the lines not wholly returned, each
 * part of the category path as 'c:…' and the brand as 'b:…'. Lines are read by receipt (laterally):
 * over a week's receipts the planner otherwise hashes every line there is.
 */
async function stage(tx: Tx, window: FactsWindow, who: PurchaseCustomers): Promise<void> {
  await sql`create temporary table rollup_step_purchases on commit drop as
    select t.customer_id, t.occurred_at, t.receipt_id, t.net_minor, coalesce(i.items, '{}') as items
    from (${tillReceipts(window)}) t
    left join lateral (
      select array_agg(distinct x.item) as items
      from receipt_lines l
      cross join lateral unnest(
        array(select 'c:' || p from unnest(string_to_array(l.category, '/')) p where p <> '')
        || case when l.brand is null then '{}'::text[] else array['b:' || l.brand] end) as x(item)
      where l.receipt_id = t.receipt_id and l.refunded_qty_milli < l.qty_milli
    ) i on true
    where t.customer_id is not null ${only(sql`t.customer_id`, who)}`.execute(tx);
  // Under the rollup state's lock (every fold step takes it), so no other step adds the same item meanwhile.
  await sql`insert into rollup_items (item)
    select distinct x.item from rollup_step_purchases s cross join lateral unnest(s.items) as x(item)
    where not exists (select 1 from rollup_items d where d.item = x.item)`.execute(tx);
}

/** The staged purchases as rows of `rollup_customer_purchases`, each customer's in time order (then receipt id, as rollup_customer_hours). */
const stagedRows = sql`
  with p as (
    select s.customer_id, s.occurred_at, s.receipt_id, s.net_minor,
      coalesce((select array_agg(d.id order by d.id) from rollup_items d where d.item = any(s.items)), '{}') as codes
    from rollup_step_purchases s
  ), q as (
    select p.*, (sum(p.net_minor) over w)::bigint as cum, (sum(cardinality(p.codes)) over w)::int as ends
    from p window w as (partition by p.customer_id order by p.occurred_at, p.receipt_id rows unbounded preceding)
  ), a as (
    select q.customer_id, array_agg(q.occurred_at order by q.occurred_at, q.receipt_id) as purchase_at,
      array_agg(q.cum order by q.occurred_at, q.receipt_id) as net_cum, array_agg(q.ends order by q.occurred_at, q.receipt_id) as item_ends
    from q group by 1
  ), i as (
    select q.customer_id, array_agg(u.code order by q.occurred_at, q.receipt_id, u.n) as items
    from q cross join lateral unnest(q.codes) with ordinality as u(code, n) group by 1
  )
  select a.customer_id, a.purchase_at, a.net_cum, a.item_ends, coalesce(i.items, '{}') as items
  from a left join i on i.customer_id = a.customer_id`;

/** Appends the purchases of a closing step [from, to) to the customers' rows: they follow every purchase there, so the arrays stay in order and the running totals and item positions carry on from the last. */
export async function appendPurchases(tx: Tx, window: { from: Date; to: Date }, who: PurchaseCustomers): Promise<void> {
  await stage(tx, window, who);
  const carried = (column: string) =>
    sql`array(select x + coalesce(${sql.ref(`c.${column}`)}[cardinality(${sql.ref(`c.${column}`)})], 0) from unnest(${sql.ref(`excluded.${column}`)}) with ordinality as u(x, n) order by n)`;
  await sql`insert into rollup_customer_purchases as c (customer_id, purchase_at, net_cum, item_ends, items) ${stagedRows}
    on conflict (customer_id) do update set
      purchase_at = c.purchase_at || excluded.purchase_at,
      net_cum = c.net_cum || ${carried('net_cum')},
      item_ends = c.item_ends || ${carried('item_ends')},
      items = c.items || excluded.items`.execute(tx);
}

/** Writes the customers' rows whole from their purchases before `to` (repairs and the backfill); a customer with none left loses the row. */
export async function rewritePurchases(tx: Tx, to: Date, ids: string[], upto: string | null): Promise<void> {
  const who = { ids, upto };
  await sql`delete from rollup_customer_purchases c where true ${only(sql`c.customer_id`, who)}`.execute(tx);
  await stage(tx, { to }, who);
  await sql`insert into rollup_customer_purchases (customer_id, purchase_at, net_cum, item_ends, items) ${stagedRows}`.execute(tx);
}

/** The backfill's position ('' before the first customer), or null when it is done. */
export async function purchasesBackfill(tx: DbOrTx): Promise<string | null> {
  return (await sql<{ at: string | null }>`select purchases_backfill as at from rollup_state`.execute(tx)).rows[0]?.at ?? null;
}

/** Customers a backfill step writes whole. */
const BACKFILL_STEP_CUSTOMERS = 20_000;

/**
 * One step of the backfill over history folded before the table existed: the next customers with
 * a closed history (rollup_customer_hours has a row for each), written whole up to `closedUntil`.
 * The caller holds the state's lock. Returns false once done.
 */
export async function backfillPurchasesStep(tx: Tx, closedUntil: Date): Promise<boolean> {
  const at = await purchasesBackfill(tx);
  if (at === null) return false;
  const ids = (
    await sql<{ id: string }>`select customer_id as id from rollup_customer_hours where customer_id > ${at} order by customer_id limit ${BACKFILL_STEP_CUSTOMERS}`.execute(tx)
  ).rows.map((row) => row.id);
  if (ids.length > 0) await rewritePurchases(tx, closedUntil, ids, null);
  const next = ids.length < BACKFILL_STEP_CUSTOMERS ? null : ids[ids.length - 1]!;
  await sql`update rollup_state set purchases_backfill = ${next}`.execute(tx);
  return next !== null;
}
