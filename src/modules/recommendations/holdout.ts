import { sql } from 'kysely';
import { purchaseFacts } from '../loyalty/index.ts';
import { itemOf, tempTableOf } from './co-purchase.ts';
import { rankedListsSql } from './ranking.ts';
import type { Tx } from './recommendations.db.ts';
import type { ItemKind } from './recommendations.tables.ts';

/**
 * The time holdout, in one set-based statement. The model trained on purchases before the cut
 * (model 'holdout') ranks each customer's top N from everything they bought before the cut, as
 * the API would have answered at the cut; so does the popularity baseline. A customer counts
 * when they bought both before and after the cut; a hit is a customer who bought any of their top
 * N in the test period [cut, end). Hit rate at N = hits / customers, for both lists.
 */
export type HoldoutResult = { customers: number; modelHits: number; popularityHits: number };

/** `tx` must be a transaction: what each customer bought before and after the cut are its temporary tables. */
export async function evaluateHoldout(tx: Tx, spec: { runId: string; kind: ItemKind; cut: Date; end: Date; topN: number }): Promise<HoldoutResult> {
  const item = itemOf(spec.kind);
  const lists = rankedListsSql({ runId: spec.runId, model: 'holdout', kind: spec.kind, limit: spec.topN, reasons: false, history: sql.table('recommendation_history') });
  // What the customers bought after the cut, then what those of them bought before it: the
  // customers in both are the ones evaluated. Indexed, since the lists probe them per customer and item.
  await tempTableOf(tx, 'recommendation_test', sql`select distinct l.customer_id, ${item} as item from (${purchaseFacts.lines({ from: spec.cut, to: spec.end })}) l where ${item} is not null`);
  await tempTableOf(tx, 'recommendation_history', sql`select distinct l.customer_id, ${item} as item from (${purchaseFacts.lines({ to: spec.cut })}) l
    where ${item} is not null and l.customer_id in (select customer_id from recommendation_test)`);
  await sql`create index on recommendation_test (customer_id, item)`.execute(tx);
  await sql`create index on recommendation_history (customer_id, item)`.execute(tx);
  const result = await sql<HoldoutResult>`
    with custs as (select distinct customer_id from recommendation_history),
    ${lists},
    hits as (
      select distinct l.list, l.customer_id from lists l
      where exists (select 1 from recommendation_test t where t.customer_id = l.customer_id and t.item = l.item)
    )
    select (select count(*) from custs)::int as customers,
      (select count(*) from hits where list = 'model')::int as model_hits,
      (select count(*) from hits where list = 'baseline')::int as popularity_hits`.execute(tx);
  await sql`drop table recommendation_history, recommendation_test`.execute(tx);
  return result.rows[0]!;
}

/** A share with four decimals (0 of none). */
export const rate = (hits: number, of: number): number => (of === 0 ? 0 : Math.round((hits / of) * 10_000) / 10_000);
