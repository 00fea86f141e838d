import { sql, type RawBuilder } from 'kysely';
import { purchaseFacts, type FactsWindow } from '../loyalty/index.ts';
import type { DbOrTx, Tx } from './recommendations.db.ts';
import type { ItemKind, ModelName } from './recommendations.tables.ts';

/**
 * The item-to-item co-purchase model, built set-based in SQL from loyalty's purchase facts. A
 * basket is a receipt; an item is a SKU or a line's category path. Over the baskets of a window:
 *   support(A)       = baskets with A / baskets
 *   support(A, B)    = baskets with both / baskets
 *   confidence(A→B)  = support(A, B) / support(A)   (of the baskets with A, the share that also hold B)
 *   lift(A→B)        = confidence(A→B) / support(B) (how much more often than B's own rate)
 * A pair seen in fewer than `minPairCount` baskets is noise and dropped, as is one with lift ≤ 1
 * (bought together no more often than by chance); each A keeps its `neighbours` strongest Bs by
 * confidence. Two statements per kind (items, then pairs): no per-customer or per-item loop.
 */
export type ModelSpec = { runId: string; model: ModelName; kind: ItemKind; window: FactsWindow; minPairCount: number; neighbours: number };

/**
 * A window's end that includes its instant: purchase facts end before `to`, and a receipt
 * confirmed at the very millisecond of a run (or a request) is already a purchase.
 */
export const through = (at: Date): Date => new Date(at.getTime() + 1);

/** The item column of a purchase-facts line `l`: its SKU, or its category path (lines without one are left out). */
export const itemOf = (kind: ItemKind): RawBuilder<string> => (kind === 'sku' ? sql<string>`l.sku` : sql<string>`nullif(l.category, '')`);

/** Distinct (customer, basket, item) of the window's kept lines. */
export const basketLines = (kind: ItemKind, window: FactsWindow) =>
  sql`select distinct l.customer_id, l.receipt_id, ${itemOf(kind)} as item from (${purchaseFacts.lines(window)}) l where ${itemOf(kind)} is not null`;

/**
 * `select` into a temporary table of the transaction, analysed: the self-join and the anti-joins
 * over a window's lines are planned from its real size. Planned from estimates of the
 * subquery instead (on PGlite, which never analyses its tables, a window's lines count as one
 * row), they ran as nested loops: 25 s for the demo's 3,600 baskets, against well under one.
 */
export async function tempTableOf(tx: DbOrTx, name: string, select: RawBuilder<unknown>): Promise<void> {
  await sql`drop table if exists ${sql.table(name)}`.execute(tx);
  await sql`create temporary table ${sql.table(name)} on commit drop as ${select}`.execute(tx);
  await sql`analyze ${sql.table(name)}`.execute(tx);
}

/** Builds one model's items and pairs; `tx` must be a transaction (its temporary table goes with it). */
export async function buildModel(tx: Tx, spec: ModelSpec): Promise<{ baskets: number; items: number; pairs: number }> {
  const { runId, model, kind } = spec;
  await tempTableOf(tx, 'recommendation_lines', basketLines(kind, spec.window));
  // Items first: the pairs' confidence and lift read each item's basket count from here.
  const items = await sql<{ baskets: number; items: number }>`
    with lines as (select * from recommendation_lines),
    baskets as (select count(distinct receipt_id)::float8 as n from lines),
    counted as (select item, count(distinct receipt_id)::int as basket_count, count(distinct customer_id)::int as customer_count from lines group by item),
    inserted as (
      insert into recommendation_items (run_id, model, kind, item, basket_count, customer_count, support, popularity_rank)
      select ${runId}, ${model}, ${kind}, c.item, c.basket_count, c.customer_count, c.basket_count / b.n,
        row_number() over (order by c.customer_count desc, c.basket_count desc, c.item)
      from counted c cross join baskets b
      returning 1
    )
    select (select n from baskets)::int as baskets, (select count(*) from inserted)::int as items`.execute(tx);
  // The items' basket counts again from the temporary table, not from recommendation_items: rows
  // written in this transaction have no statistics, and a plan guessing them tiny joins each pair
  // to them by a scan (minutes for 20,000 customers on PostgreSQL).
  const pairs = await sql<{ pairs: number }>`
    with lines as (select distinct receipt_id, item from recommendation_lines),
    baskets as (select count(distinct receipt_id)::float8 as n from lines),
    counts as (select item, count(*)::float8 as basket_count from lines group by item),
    together as (
      select a.item as item_a, b.item as item_b, count(*)::int as pair_count
      from lines a join lines b on b.receipt_id = a.receipt_id and b.item <> a.item
      group by a.item, b.item
      having count(*) >= ${spec.minPairCount}
    ),
    scored as (
      select t.item_a, t.item_b, t.pair_count, t.pair_count / n.n as support,
        t.pair_count / ia.basket_count as confidence,
        (t.pair_count / ia.basket_count) / (ib.basket_count / n.n) as lift
      from together t cross join baskets n
      join counts ia on ia.item = t.item_a
      join counts ib on ib.item = t.item_b
    ),
    ranked as (
      select s.*, row_number() over (partition by s.item_a order by s.confidence desc, s.lift desc, s.item_b) as rank
      from scored s where s.lift > 1
    ),
    inserted as (
      insert into recommendation_pairs (run_id, model, kind, item_a, item_b, pair_count, support, confidence, lift, rank)
      select ${runId}, ${model}, ${kind}, item_a, item_b, pair_count, support, confidence, lift, rank from ranked where rank <= ${spec.neighbours}
      returning 1
    )
    select count(*)::int as pairs from inserted`.execute(tx);
  await sql`drop table recommendation_lines`.execute(tx);
  return { baskets: items.rows[0]!.baskets, items: items.rows[0]!.items, pairs: pairs.rows[0]!.pairs };
}
