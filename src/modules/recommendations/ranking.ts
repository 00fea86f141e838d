import { sql, type RawBuilder } from 'kysely';
import type { ItemKind, ModelName } from './recommendations.tables.ts';

/**
 * The two ranked lists per customer, as one SQL fragment the API (one customer) and the holdout
 * evaluation (every evaluated customer) both use, so what is evaluated is what is served:
 *  - 'model': items the customer has not bought, scored by the sum over their bought items of
 *    confidence(bought → item) — a customer who bought several items that lead to it ranks it
 *    higher — ties broken by the strongest lift; when co-purchase finds fewer than N, the list is
 *    filled with the most popular items they have not bought (source 'popularity'), so a
 *    customer with no history gets the popularity list;
 *  - 'baseline': the N most popular items (bought by the most distinct customers in the model's
 *    window) the customer has not bought.
 * It expects `custs (customer_id)` before it in the same `with`, whom to rank for (customers with
 * no history too), and reads what they bought from `history`.
 * Columns: list, customer_id, item, place (1…N), source, score, lift, customers, reasons (json
 * [{item, confidence, lift}] strongest first, when asked for), popularity_rank.
 */
export type RankSpec = {
  runId: string;
  model: ModelName;
  kind: ItemKind;
  limit: number;
  reasons: boolean;
  /**
   * The relation of what each customer bought (customer_id, item): a CTE's name for one customer,
   * an indexed temporary table for many (the "not bought" checks probe it per customer and item).
   */
  history: RawBuilder<unknown>;
};

export function rankedListsSql(spec: RankSpec): RawBuilder<unknown> {
  const { runId, model, kind, limit, history } = spec;
  const reasons = spec.reasons
    ? sql`json_agg(json_build_object('item', p.item_a, 'confidence', p.confidence, 'lift', p.lift) order by p.confidence desc, p.item_a)`
    : sql`null::json`;
  return sql`
    scored as (
      select h.customer_id, p.item_b as item, sum(p.confidence)::float8 as score, max(p.lift)::float8 as lift, ${reasons} as reasons
      from ${history} h join recommendation_pairs p on p.run_id = ${runId} and p.model = ${model} and p.kind = ${kind} and p.item_a = h.item
      where not exists (select 1 from ${history} o where o.customer_id = h.customer_id and o.item = p.item_b)
      group by h.customer_id, p.item_b
    ),
    popular as (
      select c.customer_id, i.item, i.support, i.customer_count, i.popularity_rank
      from custs c cross join lateral (
        select i.item, i.support, i.customer_count, i.popularity_rank from recommendation_items i
        where i.run_id = ${runId} and i.model = ${model} and i.kind = ${kind}
          and not exists (select 1 from ${history} o where o.customer_id = c.customer_id and o.item = i.item)
        order by i.popularity_rank limit ${limit}
      ) i
    ),
    candidates as (
      select customer_id, item, 0 as priority, 'co-purchase' as source, score, lift, reasons, null::int as customers,
        row_number() over (partition by customer_id order by score desc, lift desc, item) as place
      from scored
      union all
      select customer_id, item, 1, 'popularity', support, null::float8, null::json, customer_count, popularity_rank from popular
    ),
    model_list as (
      select * from (
        select d.*, row_number() over (partition by d.customer_id order by d.priority, d.place) as final_place
        from (select distinct on (customer_id, item) * from candidates order by customer_id, item, priority, place) d
      ) x where final_place <= ${limit}
    ),
    lists as (
      select 'model' as list, customer_id, item, final_place as place, source, score, lift, customers, reasons, case when priority = 1 then place end as popularity_rank from model_list
      union all
      select 'baseline', customer_id, item, row_number() over (partition by customer_id order by popularity_rank), 'popularity', support, null::float8, customer_count, null::json, popularity_rank from popular
    )`;
}
