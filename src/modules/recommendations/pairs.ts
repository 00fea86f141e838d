import { decodeCursor, pageOf, type Page } from '../../platform/pagination.ts';
import type { Db } from './recommendations.db.ts';
import type { ItemKind } from './recommendations.tables.ts';

export type PairView = { itemA: string; itemB: string; baskets: number; support: number; confidence: number; lift: number; rank: number };

const round = (value: number) => Math.round(value * 10_000) / 10_000;
const isKey = (value: unknown): value is [string, number] =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && value[0].length <= 300 && Number.isInteger(value[1]);

/** The latest model's pairs by A, then B's place among A's neighbours (strongest first), a page at a time. */
export async function pairsPage(db: Db, runId: string | null, query: { kind: ItemKind; item?: string; limit: number; cursor?: string }): Promise<Page<PairView>> {
  const after = decodeCursor(query.cursor, isKey);
  if (runId === null) return { items: [], nextCursor: null };
  let select = db
    .selectFrom('recommendationPairs')
    .select(['itemA', 'itemB', 'pairCount', 'support', 'confidence', 'lift', 'rank'])
    .where('runId', '=', runId)
    .where('model', '=', 'serve')
    .where('kind', '=', query.kind)
    .orderBy('itemA')
    .orderBy('rank')
    .limit(query.limit + 1);
  if (query.item !== undefined) select = select.where('itemA', '=', query.item);
  if (after !== undefined) select = select.where((eb) => eb.or([eb('itemA', '>', after[0]), eb.and([eb('itemA', '=', after[0]), eb('rank', '>', after[1])])]));
  const page = pageOf(await select.execute(), query.limit, (row) => [row.itemA, row.rank]);
  return {
    items: page.items.map((row) => ({ itemA: row.itemA, itemB: row.itemB, baskets: row.pairCount, support: round(row.support), confidence: round(row.confidence), lift: round(row.lift), rank: row.rank })),
    nextCursor: page.nextCursor,
  };
}
