import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, isIdKey, isTextKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { DbOrTx } from './lotteries.db.ts';
import { countEntries } from './lottery-entries.ts';
import { findLottery, statusOf } from './lottery-store.ts';
import type { LotteryStatus } from './lottery-types.ts';

export type EntryView = { customerId: string; entries: number; firstTicket: number; spendEntries: number; actionEntries: number };

/**
 * The entries a draw froze, in customer-id order (bytewise, the order the algorithm uses), a
 * page at a time; empty until the draw. Entrants appear by customer id: an opaque id, no
 * personal data.
 */
export async function listEntries(db: DbOrTx, id: string, query: { limit: number; cursor?: string }): Promise<Page<EntryView>> {
  await findLottery(db, id);
  const after = decodeCursor(query.cursor, isTextKey);
  let select = db.selectFrom('lotteryEntries').selectAll().where('lotteryId', '=', id).orderBy('customerId').limit(query.limit + 1);
  // customer_id is collate "C": this compares and sorts as bytes, along the primary key.
  if (after !== undefined) select = select.where('customerId', '>', after);
  const page = pageOf(await select.execute(), query.limit, (row) => row.customerId);
  return {
    items: page.items.map((row) => ({
      customerId: row.customerId,
      entries: Number(row.entries),
      firstTicket: Number(row.firstTicket),
      spendEntries: Number(row.spendEntries),
      actionEntries: Number(row.actionEntries),
    })),
    nextCursor: page.nextCursor,
  };
}

export type CustomerEntryView = { lotteryId: string; lotteryName: string; status: LotteryStatus; entries: number; won: boolean; prizeName: string | null };

/**
 * A customer's entries in each lottery that has started, newest lottery first: frozen ones after
 * a draw, before it what the rules give so far — counted exactly as the draw counts them (every
 * entrant, merged ids for their survivor), then this customer's line picked, so the figure shown
 * is the one the draw will freeze. Lotteries the customer has no entry in are left out, so a page
 * may hold fewer than `limit`.
 */
export async function customerEntries(db: DbOrTx, clock: Clock, customerId: string, query: { limit: number; cursor?: string }): Promise<Page<CustomerEntryView>> {
  const before = decodeCursor(query.cursor, isIdKey('ltr'));
  const now = clock.now();
  let select = db
    .selectFrom('lotteries')
    .leftJoin('lotteryEntries', (join) => join.onRef('lotteryEntries.lotteryId', '=', 'lotteries.id').on('lotteryEntries.customerId', '=', customerId))
    .leftJoin('lotteryWinners', (join) => join.onRef('lotteryWinners.lotteryId', '=', 'lotteries.id').on('lotteryWinners.customerId', '=', customerId))
    .select(['lotteries.id', 'lotteries.name', 'lotteries.state', 'lotteries.entryFrom', 'lotteries.entryTo', 'lotteries.rules', 'lotteries.prizes'])
    .select(['lotteryEntries.entries', 'lotteryWinners.prizeIndex'])
    .where('lotteries.state', '!=', 'cancelled')
    .where('lotteries.entryFrom', '<=', now)
    .orderBy('lotteries.id', 'desc')
    .limit(query.limit + 1);
  if (before !== undefined) select = select.where('lotteries.id', '<', before);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  const items: CustomerEntryView[] = [];
  for (const row of page.items) {
    const entries =
      row.state === 'drawn'
        ? Number(row.entries ?? 0)
        : ((await countEntries(db, { from: row.entryFrom, to: row.entryTo }, row.rules)).find((e) => e.customerId === customerId)?.entries ?? 0);
    if (entries === 0) continue;
    const prizeName = row.prizeIndex === null ? null : (row.prizes[row.prizeIndex]?.name ?? null);
    items.push({ lotteryId: row.id, lotteryName: row.name, status: statusOf(row, now), entries, won: prizeName !== null, prizeName });
  }
  return { items, nextCursor: page.nextCursor };
}
