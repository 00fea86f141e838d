import { sql, type RawBuilder } from 'kysely';

/**
 * A window of each customer's closed purchases, summed from their folded baskets
 * (`rollup_customer_baskets`, rollup-baskets.ts) instead of their receipts and lines: any window
 * is two binary searches on the purchase instants and each sum a subtraction of running totals,
 * so a million customers are one pass over a million rows, no join and no grouping.
 *
 * Only the purchases before `closedUntil` are here; a reader adds what came since from the raw
 * purchase facts (clustering reads the customers with a purchase since raw, whole).
 */
export type SummaryWindow = { from: Date; to: Date };

export type SummarySpec = {
  /** Top-level categories whose lines' paid share is wanted, `category_net_<i>` in this order. */
  categories: string[];
  /** Bands of local hours [first, last], inclusive: `hours_<i>` counts the purchases in each. */
  hourBands: Array<[number, number]>;
};

const at = (instant: Date) => sql`${instant.toISOString()}::timestamptz`;

/** How many of a row's purchases came before `instant` (width_bucket counts the elements ≤ its operand). */
const before = (instant: Date) => sql`coalesce(width_bucket(${at(instant)} - interval '1 microsecond', c.purchase_at), 0)`;

/** The closed rows with `n` (purchases kept) and the window's purchases a+1 … b. */
function windowed(window: SummaryWindow, closedUntil: Date): RawBuilder<unknown> {
  const end = window.to.getTime() < closedUntil.getTime() ? window.to : closedUntil;
  return sql`select c.*, cardinality(c.purchase_at) as n, ${before(window.from)} as a, ${before(end)} as b from rollup_customer_baskets c`;
}

/** The window's part of a running total: total at b less total at a (none before the first). */
const part = (column: string) => sql`(coalesce(${sql.ref(`p.${column}`)}[p.b], 0) - coalesce(${sql.ref(`p.${column}`)}[p.a], 0))`;

/** The same for row k (an SQL expression, from 1) of a matrix flattened row by row (n a row). */
const matrixPart = (column: string, k: RawBuilder<unknown>) =>
  sql`(${sql.ref(`p.${column}`)}[(${k} - 1) * p.n + p.b] - case when p.a = 0 then 0 else ${sql.ref(`p.${column}`)}[(${k} - 1) * p.n + p.a] end)`;

/**
 * One row a customer with a closed purchase in the window, but those in `except`: `customer_id,
 * purchases, net_minor, last_at, online, stores` (stores bought at), `top_store` (purchases at the
 * most visited), `discount_minor, redeemed_minor, total_minor, lines` (lines held), `lines_net_minor`
 * (their paid share), `hours_<i>` and `category_net_<i>` (see SummarySpec); every count and sum an
 * integer, as the raw purchase facts give them.
 */
export function closedSummaries(window: SummaryWindow, closedUntil: Date, spec: SummarySpec, except: string[]): RawBuilder<unknown> {
  const slice = sql`p.local_hours[p.a + 1 : p.b]`;
  const hours = spec.hourBands.map(([first, last], i) => {
    const each = Array.from({ length: last - first + 1 }, (_v, h) => sql`cardinality(array_positions(${slice}, ${sql.lit(first + h)}::int2))`);
    return sql`(${sql.join(each, sql` + `)}) as ${sql.ref(`hours_${i}`)}`;
  });
  const categories = spec.categories.map((name, i) => {
    const k = sql`array_position(p.category_names, ${name}::text)`;
    return sql`coalesce(${matrixPart('category_net_cum', k)}, 0) as ${sql.ref(`category_net_${i}`)}`;
  });
  const extra = [...hours, ...categories];
  return sql`select p.customer_id, p.b - p.a as purchases, ${part('net_cum')} as net_minor, p.purchase_at[p.b] as last_at,
      cardinality(array_positions(p.online[p.a + 1 : p.b], true)) as online, s.stores, s.top_store,
      ${part('discount_cum')} as discount_minor, ${part('redeemed_cum')} as redeemed_minor, ${part('total_cum')} as total_minor,
      ${part('lines_cum')} as lines, ${part('lines_net_cum')} as lines_net_minor
      ${extra.length > 0 ? sql`, ${sql.join(extra)}` : sql``}
    from (${windowed(window, closedUntil)}) p
    cross join lateral rollup_store_mix(p.store_cum, p.n, p.a, p.b) s
    where p.b > p.a and p.customer_id <> all(${except}::text[])`;
}

/**
 * The window's closed lines by top-level category: `category, net_minor` (their paid share), for
 * the categories with a line held in the window.
 */
export function closedCategoryTotals(window: SummaryWindow, closedUntil: Date): RawBuilder<unknown> {
  return sql`select p.category_names[k] as category, sum(${matrixPart('category_net_cum', sql`k`)}) as net_minor
    from (${windowed(window, closedUntil)}) p cross join lateral generate_subscripts(p.category_names, 1) k
    where p.b > p.a and ${matrixPart('category_lines_cum', sql`k`)} > 0
    group by 1`;
}

/**
 * What loyalty hands readers of per-customer summaries: up to when the folded baskets answer
 * (null: read raw), and the SQL of their closed part.
 */
export type PurchaseSummaries = {
  rolledUntil(): Promise<Date | null>;
  closed: typeof closedSummaries;
  categoryTotals: typeof closedCategoryTotals;
};
