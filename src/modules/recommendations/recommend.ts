import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { purchaseFacts } from '../loyalty/index.ts';
import { itemOf, through } from './co-purchase.ts';
import { rankedListsSql } from './ranking.ts';
import type { Db } from './recommendations.db.ts';
import type { ItemKind, RunRow } from './recommendations.tables.ts';

export type By = 'product' | 'category';
export type Reason = { item: string; name: string | null; confidence: number; lift: number };
export type Recommended = { item: string; name: string | null; score: number; source: 'co-purchase' | 'popularity'; reasons: Reason[] };
export type Popular = { item: string; name: string | null; score: number; customers: number };
export type CustomerRecommendations = {
  customerId: string;
  by: By;
  model: { runId: string; builtAt: string; windowDays: number } | null;
  recommendations: Recommended[];
  popularity: Popular[];
};

const DAY_MS = 86_400_000;
/** Without a model the popularity list is counted live over this window (the model's default). */
const LIVE_WINDOW_DAYS = 365;
const REASONS = 3;

const round = (value: number) => Math.round(value * 10_000) / 10_000;
export const kindOf = (by: By): ItemKind => (by === 'product' ? 'sku' : 'category');

type Row = {
  list: 'model' | 'baseline';
  item: string;
  place: number | string;
  source: 'co-purchase' | 'popularity';
  score: number;
  customers: number | null;
  reasons: Array<{ item: string; confidence: number; lift: number }> | null;
};

/**
 * A customer's top N items they have not bought, from the latest model, with the popularity
 * baseline beside it: one statement, which reads the customer's own purchases by customer_id and
 * their items' neighbours by the pairs' key. With no model yet, both lists are the popularity
 * counted live (and `model` is null).
 */
export async function recommendFor(
  deps: { db: Db; clock: Clock; names: (skus: string[]) => Promise<Map<string, string>> },
  run: RunRow | null,
  customerId: string,
  query: { by: By; limit: number },
): Promise<CustomerRecommendations> {
  const { db, clock } = deps;
  const kind = kindOf(query.by);
  const item = itemOf(kind);
  const now = clock.now();
  const bought = sql`select distinct l.customer_id, ${item} as item from (${purchaseFacts.lines({ to: through(now) })}) l where l.customer_id = ${customerId} and ${item} is not null`;
  let rows: Row[];
  if (run) {
    const lists = rankedListsSql({ runId: run.id, model: 'serve', kind, limit: query.limit, reasons: true, history: sql`h` });
    rows = (await sql<Row>`with h as (${bought}), custs as (select ${customerId}::text as customer_id), ${lists}
      select list, item, place, source, score, customers, reasons from lists order by list, place`.execute(db)).rows;
  } else {
    const window = { from: new Date(now.getTime() - LIVE_WINDOW_DAYS * DAY_MS), to: through(now) };
    const popular = (await sql<{ item: string; score: number; customers: number }>`
      with h as (${bought}),
      lines as (select l.customer_id, l.receipt_id, ${item} as item from (${purchaseFacts.lines(window)}) l where ${item} is not null),
      baskets as (select count(distinct receipt_id)::float8 as n from lines)
      select l.item, count(distinct l.receipt_id) / max(b.n) as score, count(distinct l.customer_id)::int as customers
      from lines l cross join baskets b
      where not exists (select 1 from h where h.item = l.item)
      group by l.item order by customers desc, count(distinct l.receipt_id) desc, l.item limit ${query.limit}`.execute(db)).rows;
    rows = popular.flatMap((p, i) => (['model', 'baseline'] as const).map((list) => ({ list, item: p.item, place: i + 1, source: 'popularity' as const, score: p.score, customers: p.customers, reasons: null })));
  }
  const skus = kind === 'sku' ? [...new Set(rows.flatMap((row) => [row.item, ...(row.reasons ?? []).map((r) => r.item)]))] : [];
  const names = skus.length > 0 ? await deps.names(skus) : new Map<string, string>();
  const nameOf = (value: string) => names.get(value) ?? null;
  return {
    customerId,
    by: query.by,
    model: run ? { runId: run.id, builtAt: (run.finishedAt ?? run.asOf).toISOString(), windowDays: run.windowDays } : null,
    recommendations: rows
      .filter((row) => row.list === 'model')
      .map((row) => ({
        item: row.item,
        name: nameOf(row.item),
        score: round(Number(row.score)),
        source: row.source,
        reasons: (row.reasons ?? []).slice(0, REASONS).map((r) => ({ item: r.item, name: nameOf(r.item), confidence: round(r.confidence), lift: round(r.lift) })),
      })),
    popularity: rows.filter((row) => row.list === 'baseline').map((row) => ({ item: row.item, name: nameOf(row.item), score: round(Number(row.score)), customers: Number(row.customers ?? 0) })),
  };
}
