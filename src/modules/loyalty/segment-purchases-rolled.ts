import { sql, type RawBuilder } from 'kysely';
import { windowBounds, type FieldContext } from '../../platform/segment-fields.ts';
import { keptReceipt } from './purchase-facts.ts';

/**
 * Purchase conditions read from each customer's closed purchases (`rollup_customer_purchases`,
 * rollup-purchases.ts) for the time before `closedUntil`, and from the raw receipts since, added:
 * the same purchases, money and items as the raw reading in segment-fields.ts, so either gives the
 * same members (the property test runs both). Over a million customers the closed part is one row
 * a customer, joined, instead of their receipts and every line of them; the raw part is the last
 * hour or so of receipts.
 *
 * Taken when the rollups are ready (the fields' `prepare`) and the query can take joins, for a
 * condition the rows can answer: any window with no filter, and `bought` with a filter of
 * categories only or brands only (what a purchase held is kept as items, not which line held
 * which, so "a coffee line of that brand" or "coffee at that store" is read raw).
 */
export type Rolled = { ctx: FieldContext & { join: NonNullable<FieldContext['join']> }; closedUntil: Date };

type Filter = { categories?: string[]; skus?: string[]; brands?: string[]; stores?: string[]; channel?: string };

/** The rollups' answer for these params, or null when the raw reading must answer. */
export function rolledFor(ctx: FieldContext, key: string, params: Record<string, unknown>, what: 'totals' | 'bought'): Rolled | null {
  const closedUntil = ctx.prepared?.get(key);
  if (!(closedUntil instanceof Date) || !ctx.join) return null;
  const filter = params.filter as Filter | undefined;
  if (filter !== undefined) {
    const keys = Object.keys(filter);
    if (what !== 'bought' || keys.length !== 1 || (keys[0] !== 'categories' && keys[0] !== 'brands')) return null;
  }
  return { ctx: ctx as Rolled['ctx'], closedUntil };
}

const at = (instant: Date) => sql`${instant}::timestamptz`;

/** The customer's closed purchases row (null columns for a customer with none). */
const rows = (r: Rolled) => r.ctx.join('rollup_customer_purchases', sql`select * from rollup_customer_purchases`);

const col = (alias: string, column: string) => sql.ref(`${alias}.${column}`);

/** How many of the customer's closed purchases came before `instant` (a binary search: width_bucket counts the elements ≤ its operand; 0 with none). */
const before = (p: string, instant: Date) => sql`coalesce(width_bucket(${at(instant)} - interval '1 microsecond', ${col(p, 'purchase_at')}), 0)`;

/** The window's closed part, [from, end) with end at most closedUntil; null when it holds no time. */
function closedPart(r: Rolled, params: Record<string, unknown>): { from: Date | null; end: Date } | null {
  const { from, to } = windowBounds(params.window, r.ctx.now);
  const end = to && to.getTime() < r.closedUntil.getTime() ? to : r.closedUntil;
  return from && from.getTime() >= end.getTime() ? null : { from, end };
}

/**
 * The raw part: the customer's purchases from closedUntil (or the window's start, if later) to the
 * window's end, counted, summed and their first and last instants, as a joined row
 * (`n, spent, first_at, last_at`). Grouped over the few receipts since closedUntil, once a query.
 */
function openPart(r: Rolled, params: Record<string, unknown>): string {
  const { from, to } = windowBounds(params.window, r.ctx.now);
  const start = from && from.getTime() > r.closedUntil.getTime() ? from : r.closedUntil;
  const filter = params.filter as Filter | undefined;
  const lines = filter?.categories
    ? sql`and string_to_array(l.category, '/') && ${filter.categories}::text[]`
    : filter?.brands
      ? sql`and l.brand = any(${filter.brands}::text[])`
      : null;
  const source = sql`select r.customer_id, count(*) as n, sum(r.paid_minor - r.refunded_minor) as spent, min(r.occurred_at) as first_at, max(r.occurred_at) as last_at
    from receipts r
    where r.customer_id is not null and r.status = 'confirmed' and r.occurred_at >= ${at(start)} ${to ? sql`and r.occurred_at < ${at(to)}` : sql``}
      and ${lines ? sql`exists (select 1 from receipt_lines l where l.receipt_id = r.id and l.refunded_qty_milli < l.qty_milli ${lines})` : keptReceipt}
    group by r.customer_id`;
  return r.ctx.join(`purchases-open:${start.toISOString()}:${to?.toISOString() ?? ''}:${JSON.stringify(filter ?? null)}`, source);
}

/** Purchases in the window. */
export function rolledCount(r: Rolled, params: Record<string, unknown>): RawBuilder<unknown> {
  const p = rows(r);
  const open = openPart(r, params);
  const part = closedPart(r, params);
  const closed = part ? sql`(${before(p, part.end)} - ${part.from ? before(p, part.from) : sql`0`})` : sql`0`;
  return sql`(${closed} + coalesce(${col(open, 'n')}, 0))`;
}

/** Money paid net of refunds in the window: a difference of running totals. */
export function rolledSpent(r: Rolled, params: Record<string, unknown>): RawBuilder<unknown> {
  const p = rows(r);
  const open = openPart(r, params);
  const part = closedPart(r, params);
  const cum = (index: RawBuilder<unknown>) => sql`coalesce(${col(p, 'net_cum')}[${index}], 0)`;
  const closed = part ? sql`(${cum(before(p, part.end))} - ${part.from ? cum(before(p, part.from)) : sql`0`})` : sql`0`;
  return sql`(${closed} + coalesce(${col(open, 'spent')}, 0))`;
}

/** Whether a purchase in the window held one of the filter's items (or, with none, whether there was a purchase). */
export function rolledBought(r: Rolled, params: Record<string, unknown>): RawBuilder<unknown> {
  const filter = params.filter as Filter | undefined;
  if (!filter) return sql`(${rolledCount(r, params)} > 0)`;
  const p = rows(r);
  const open = openPart(r, params);
  const part = closedPart(r, params);
  const items = filter.categories ? filter.categories.map((name) => `c:${name}`) : filter.brands!.map((name) => `b:${name}`);
  // The items of purchases i+1..j are items[ends[i] + 1 .. ends[j]] (ends[0] reads as 0).
  const end = (index: RawBuilder<unknown>) => sql`coalesce(${col(p, 'item_ends')}[${index}], 0)`;
  const closed = part
    ? sql`coalesce(${col(p, 'items')}[${end(part.from ? before(p, part.from) : sql`0`)} + 1 : ${end(before(p, part.end))}]
        && array(select d.id from rollup_items d where d.item = any(${items}::text[])), false)`
    : sql`false`;
  return sql`(${closed} or ${col(open, 'n')} is not null)`;
}

/** The instant of the customer's last (or first) purchase ever: the closed history's, or the raw one since. */
export function rolledEdge(r: Rolled, which: 'last' | 'first'): RawBuilder<unknown> {
  const p = rows(r);
  const open = openPart(r, {});
  const stamps = col(p, 'purchase_at');
  return which === 'last'
    ? sql`greatest(${stamps}[cardinality(${stamps})], ${col(open, 'last_at')})`
    : sql`least(${stamps}[1], ${col(open, 'first_at')})`;
}
