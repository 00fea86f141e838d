import { sql, type RawBuilder } from 'kysely';
import type { PurchaseFacts, PurchaseSummaries } from '../loyalty/index.ts';
import type { Db } from './clusters.db.ts';

/**
 * Each customer's purchase behaviour in the window as a row of numbers, built from loyalty's
 * purchase facts in one set-based statement and read through a cursor a page at a time into
 * one Float64Array (1M customers × 20 features is 160 MB), customer ids beside it.
 */
export type FeatureSpec = {
  key: string;
  /** 'log': log(1 + x) before standardising (counts and money are heavily right-skewed). */
  transform: 'log' | 'none';
};

export type FeatureTable = {
  specs: FeatureSpec[];
  /** The top-level categories with a share of their own (the rest is `share.other`). */
  categories: string[];
  customerIds: string[];
  /** Row-major, customerIds.length × specs.length, in each feature's own units. */
  values: Float64Array;
  /** What each customer spent in the window, net of refunds, in minor units (integers). */
  revenueMinor: Float64Array;
};

const PAGE = 10_000;

const baseSpecs: FeatureSpec[] = [
  { key: 'recencyDays', transform: 'log' },
  { key: 'frequency', transform: 'log' },
  { key: 'monetaryMinor', transform: 'log' },
  { key: 'averageBasketMinor', transform: 'log' },
  { key: 'linesPerBasket', transform: 'log' },
  { key: 'onlineShare', transform: 'none' },
  { key: 'stores', transform: 'log' },
  { key: 'topStoreShare', transform: 'none' },
  { key: 'morningShare', transform: 'none' },
  { key: 'afternoonShare', transform: 'none' },
  { key: 'eveningShare', transform: 'none' },
  { key: 'discountShare', transform: 'none' },
  { key: 'pointsShare', transform: 'none' },
];

/** The feature list for a set of top categories: the behaviour above, then `share.<category>` and `share.other`. */
export function featureSpecs(categories: string[]): FeatureSpec[] {
  return [...baseSpecs, ...categories.map((name) => ({ key: `share.${name}`, transform: 'none' as const })), { key: 'share.other', transform: 'none' }];
}

/** The top-level categories with the most spend in the window (ties by name): the ones the mix names. */
export async function topCategories(db: Db, facts: PurchaseFacts, window: { from: Date; to: Date }, count: number): Promise<string[]> {
  const rows = await sql<{ name: string }>`select l.top_category as name from (${facts.lines(window)}) l
    where l.top_category is not null and l.top_category <> ''
    group by l.top_category order by sum(l.net_minor) desc, l.top_category limit ${count}`.execute(db);
  return rows.rows.map((row) => row.name);
}

/**
 * The statement: per customer with a purchase in the window, from the receipts — recency (days
 * since the last), frequency, money spent, the average basket, the share bought online, the
 * number of stores and the share at the customer's most visited one, the share of receipts in
 * the morning (5–11 h), afternoon (12–16 h) and evening or night (17–4 h) in the store's local
 * time, discounts and points as shares of the receipts' totals before them — and from the lines,
 * lines per basket and the share of spend in each top category and in the rest.
 */
export function featureQuery(facts: PurchaseFacts, window: { from: Date; to: Date }, categories: string[]): RawBuilder<unknown> {
  const sums = categories.map((name, i) => sql`greatest(coalesce(sum(l.net_minor) filter (where l.top_category = ${name}), 0), 0)::float8 as ${sql.ref(`c${i}`)}`);
  const named = categories.length > 0 ? sql`${sql.join(sums)},` : sql``;
  // One pass over the receipts, grouped by customer and store, then rolled up per customer: the
  // store mix comes out of the same groups, and every aggregate can hash (a count(distinct …)
  // would force a sort of all the window's receipts).
  return sql`with by_store as (
      select r.customer_id, r.store_id, count(*) as n, sum(r.net_minor) as net, max(r.occurred_at) as last_at,
        sum((r.channel = 'online')::int) as online, sum((r.local_hour between 5 and 11)::int) as morning,
        sum((r.local_hour between 12 and 16)::int) as afternoon, sum(r.discount_minor) as discount,
        sum(r.redeemed_minor) as redeemed, sum(r.total_minor) as total
      from (${facts.receipts(window)}) r group by r.customer_id, r.store_id),
    per_customer as (
      select b.customer_id, sum(b.n)::float8 as frequency, sum(b.net)::bigint as monetary,
        extract(epoch from (${window.to}::timestamptz - max(b.last_at)))::float8 / 86400 as recency_days,
        count(*)::float8 as stores, max(b.n)::float8 as top_store,
        sum(b.online)::float8 / sum(b.n) as online_share,
        sum(b.morning)::float8 / sum(b.n) as morning,
        sum(b.afternoon)::float8 / sum(b.n) as afternoon,
        sum(b.discount)::float8 / greatest(sum(b.total), 1) as discount_share,
        sum(b.redeemed)::float8 / greatest(sum(b.total), 1) as points_share
      from by_store b group by b.customer_id),
    mix as (
      select l.customer_id, count(*)::float8 as lines, ${named} greatest(sum(l.net_minor), 0)::float8 as spend
      from (${facts.lines(window)}) l group by l.customer_id)
    ${featureSelect(categories, sql`per_customer p left join mix m on m.customer_id = p.customer_id`)}`;
}

/**
 * The feature row of each customer from `p` (recency_days, frequency, monetary, online_share,
 * stores, top_store, morning, afternoon, discount_share, points_share) and `m` (lines, c0…, spend):
 * the one select both readings end in, so their numbers are made by the same expressions.
 */
function featureSelect(categories: string[], from: RawBuilder<unknown>): RawBuilder<unknown> {
  const shares = categories.map((_name, i) => sql`coalesce(${sql.ref(`m.c${i}`)} / nullif(m.spend, 0), 0)`);
  const topShares = categories.length > 0 ? sql`${sql.join(shares)},` : sql``;
  const topSum = categories.length > 0 ? sql.join(shares, sql` + `) : sql`0`;
  return sql`select p.customer_id as id, p.monetary,
      array[p.recency_days, p.frequency, p.monetary::float8, p.monetary::float8 / p.frequency, coalesce(m.lines, 0) / p.frequency,
        p.online_share, p.stores, p.top_store / p.frequency, p.morning, p.afternoon, greatest(1 - p.morning - p.afternoon, 0),
        p.discount_share, p.points_share, ${topShares}
        case when coalesce(m.spend, 0) > 0 then greatest(1 - (${topSum}), 0) else 0 end]::float8[] as v
    from ${from}`;
}

const laterOf = (a: Date, b: Date) => (a.getTime() > b.getTime() ? a : b);

/** The local hours the morning and afternoon shares count (the evening is the rest). */
const HOUR_BANDS: Array<[number, number]> = [
  [5, 11],
  [12, 16],
];

/** The purchase facts of these customers only (the raw reading of those who bought since the fold). */
function factsOf(facts: PurchaseFacts, ids: string[]): PurchaseFacts {
  return {
    ...facts,
    receipts: (w) => sql`select * from (${facts.receipts(w)}) f where f.customer_id = any(${ids}::text[])`,
    lines: (w) => sql`select * from (${facts.lines(w)}) f where f.customer_id = any(${ids}::text[])`,
  };
}

/**
 * The same rows from loyalty's folded baskets: customers with a purchase since `closedUntil` read
 * raw, whole (featureQuery over them alone, by the customers' index); everyone else from the
 * window's closed part, one row each, with the same integers the raw grouping sums (so the same
 * features to the bit: features.rolled.test.ts).
 */
export function rolledFeatureQuery(
  facts: PurchaseFacts,
  summaries: PurchaseSummaries,
  window: { from: Date; to: Date },
  closedUntil: Date,
  categories: string[],
  boughtSince: string[],
): RawBuilder<unknown> {
  const closed = summaries.closed(window, closedUntil, { categories, hourBands: HOUR_BANDS }, boughtSince);
  const sums = categories.map((_name, i) => sql`greatest(${sql.ref(`s.category_net_${i}`)}, 0)::float8 as ${sql.ref(`c${i}`)}`);
  const named = categories.length > 0 ? sql`${sql.join(sums)},` : sql``;
  const mix = categories.map((_name, i) => sql.ref(`p.c${i}`));
  const rolled = sql`with p as (
      select s.customer_id, s.purchases::float8 as frequency, s.net_minor::bigint as monetary,
        extract(epoch from (${window.to}::timestamptz - s.last_at))::float8 / 86400 as recency_days,
        s.stores::float8 as stores, s.top_store::float8 as top_store,
        s.online::float8 / s.purchases::float8 as online_share,
        s.hours_0::float8 / s.purchases::float8 as morning,
        s.hours_1::float8 / s.purchases::float8 as afternoon,
        s.discount_minor::float8 / greatest(s.total_minor, 1)::float8 as discount_share,
        s.redeemed_minor::float8 / greatest(s.total_minor, 1)::float8 as points_share,
        s.lines::float8 as lines, ${named} greatest(s.lines_net_minor, 0)::float8 as spend
      from (${closed}) s)
    ${featureSelect(categories, sql`p cross join lateral (select p.lines, ${mix.length > 0 ? sql`${sql.join(mix)},` : sql``} p.spend) m`)}`;
  return sql`select * from (${featureQuery(factsOf(facts, boughtSince), window, categories)}) raw union all select * from (${rolled}) rolled`;
}

/** The top categories as topCategories gives them: the closed lines' totals from the baskets, the lines since read raw. */
export async function rolledTopCategories(
  db: Db,
  facts: PurchaseFacts,
  summaries: PurchaseSummaries,
  window: { from: Date; to: Date },
  closedUntil: Date,
  count: number,
): Promise<string[]> {
  const since = { from: laterOf(window.from, closedUntil), to: window.to };
  const rows = await sql<{ name: string }>`select t.category as name from (
      select u.category, sum(u.net_minor) as net from (
        select c.category, c.net_minor from (${summaries.categoryTotals(window, closedUntil)}) c
        union all
        select l.top_category, l.net_minor from (${facts.lines(since)}) l where l.top_category is not null and l.top_category <> '') u
      group by u.category) t
    order by t.net desc, t.category limit ${count}`.execute(db);
  return rows.rows.map((row) => row.name);
}


/**
 * One feature row as the client receives it: the customer's revenue as a float8 (8 bytes, big
 * endian) followed by the features in PostgreSQL's binary array form (`array_send`): a 20-byte
 * header whose last but one word is the element count, then per element a 4-byte length (−1 for
 * null) and the float8. Read as text, a million rows of float8[] took 45 s to parse into Node at
 * load 10 (every number printed, split and parsed); as bytes, 15 s, and every bit is the server's.
 */
export function decodeFeatureRow(bytes: Uint8Array, values: Float64Array, at: number, d: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const revenue = view.getFloat64(0);
  const count = view.getInt32(8 + 12);
  let offset = 8 + 20;
  for (let j = 0; j < d; j++) {
    if (j >= count) {
      values[at * d + j] = 0;
      continue;
    }
    const length = view.getInt32(offset);
    offset += 4;
    if (length < 0) {
      values[at * d + j] = 0;
    } else {
      values[at * d + j] = view.getFloat64(offset);
      offset += length;
    }
  }
  return revenue;
}

/**
 * Every customer's features, found in one statement and read through a cursor in pages (no
 * customer loop in SQL or here). At 1 M customers and 10 M receipts this is most of a run; the
 * settings below are local to its transaction.
 */
export async function loadFeatures(
  db: Db,
  facts: PurchaseFacts,
  window: { from: Date; to: Date },
  categoryCount: number,
  summaries?: PurchaseSummaries,
): Promise<FeatureTable> {
  const customerIds: string[] = [];
  let d = 0;
  let specs: FeatureSpec[] = [];
  let categories: string[] = [];
  let values = new Float64Array(0);
  let revenue = new Float64Array(0);
  // Up to when loyalty's folded baskets answer (its pending repairs made first); null: raw receipts and lines.
  const closedUntil = summaries ? await summaries.rolledUntil() : null;
  await db.transaction().execute(async (tx) => {
    // Hash joins and aggregates over a year's receipts and lines stay in memory instead of
    // spilling to disk in 4 MB pieces: the top categories' join of 28 M lines to 7 M receipts ran
    // in 128 batches (4.7 GB of temporary files, 124 s at load 4) at the default, in one at 256 MB.
    await sql`set local work_mem = '256MB'`.execute(tx);
    // JIT stays on: its 2–6 s of compiling a statement pay for themselves in the aggregates over
    // 28 M lines (with it off this whole read took 252 s at load 10, with it on 209 s at load 8–10).
    let rows: RawBuilder<unknown>;
    if (summaries && closedUntil) {
      // The folded read is a pass of array arithmetic over a row a customer: compiling its wide
      // expressions took longer than evaluating them (14 s of a 36 s statement at 94,460 customers, load 27).
      await sql`set local jit = off`.execute(tx);
      categories = await rolledTopCategories(tx, facts, summaries, window, closedUntil, categoryCount);
      const since = { from: laterOf(window.from, closedUntil), to: window.to };
      const boughtSince = (await sql<{ id: string }>`select distinct r.customer_id as id from (${facts.receipts(since)}) r`.execute(tx)).rows.map((row) => row.id);
      rows = rolledFeatureQuery(facts, summaries, window, closedUntil, categories, boughtSince);
    } else {
      categories = await topCategories(tx, facts, window, categoryCount);
      rows = featureQuery(facts, window, categories);
    }
    specs = featureSpecs(categories);
    d = specs.length;
    values = new Float64Array(PAGE * d);
    revenue = new Float64Array(PAGE);
    // Written to a temporary table first: PostgreSQL plans a cursor's query without parallel
    // workers, and this one reads a year of purchases (at 10 M receipts, most of the run).
    await sql`create temporary table cluster_features_rows on commit drop as ${rows}`.execute(tx);
    await sql`declare cluster_features no scroll cursor for
      select id, float8send(coalesce(monetary::float8, 0)) || array_send(v) as b from cluster_features_rows order by id`.execute(tx);
    for (;;) {
      const page = (await sql<{ id: string; b: Uint8Array }>`fetch forward ${sql.lit(PAGE)} from cluster_features`.execute(tx)).rows;
      if (page.length === 0) break;
      const needed = customerIds.length + page.length;
      if (needed * d > values.length) {
        const grown = new Float64Array(Math.max(needed, customerIds.length * 2) * d);
        grown.set(values);
        values = grown;
        const grownRevenue = new Float64Array(grown.length / d);
        grownRevenue.set(revenue);
        revenue = grownRevenue;
      }
      for (const row of page) {
        const at = customerIds.length;
        revenue[at] = decodeFeatureRow(row.b, values, at, d);
        customerIds.push(row.id);
      }
    }
    await sql`close cluster_features`.execute(tx);
  });
  return { specs, categories, customerIds, values: values.subarray(0, customerIds.length * d), revenueMinor: revenue.subarray(0, customerIds.length) };
}
