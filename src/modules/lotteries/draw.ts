import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { platformTx, type PlatformTx } from '../../platform/db-views.ts';
import { AppError } from '../../platform/errors.ts';
import { drawWinners, entriesDigestOf, slotPrizes } from './fair-draw.ts';
import type { Db, Tx } from './lotteries.db.ts';
import { lotteryError } from './lotteries.errors.ts';
import { emitEvents } from './lotteries.events.ts';
import type { Ids } from './lotteries.ids.ts';
import type { PrizeStatus } from './lotteries.tables.ts';
import { countEntries, type CountedEntry } from './lottery-entries.ts';
import { findLottery, getLottery, statusOf, type LotteryView } from './lottery-store.ts';

/**
 * How a prize with a reward reaches its winner: the rewards module's `grant`, run in the draw's
 * transaction (the order commits with the draw or not at all). buildApp passes it; without it
 * such prizes are recorded `pending`.
 */
export type PrizeGranter = {
  grant(tx: PlatformTx, input: { rewardId: string; customerId: string; reference: string; actor: string | null }): Promise<{ orderId: string; code?: string | null }>;
};

/** Rows a statement inserts at once (each row is five parameters' worth of array items). */
const CHUNK = 10_000;

async function freezeEntries(tx: Tx, lotteryId: string, entries: CountedEntry[]): Promise<void> {
  let next = 0;
  const firstTickets = entries.map((entry) => {
    const first = next;
    next += entry.entries;
    return first;
  });
  for (let i = 0; i < entries.length; i += CHUNK) {
    const part = entries.slice(i, i + CHUNK);
    await sql`insert into lottery_entries (lottery_id, customer_id, entries, first_ticket, spend_entries, action_entries)
      select ${lotteryId}, * from unnest(${part.map((e) => e.customerId)}::text[], ${part.map((e) => e.entries)}::bigint[],
        ${firstTickets.slice(i, i + CHUNK)}::bigint[], ${part.map((e) => e.spendEntries)}::bigint[], ${part.map((e) => e.actionEntries)}::bigint[])`.execute(tx);
  }
}

/** One prize through the rewards service, in a savepoint: a refused grant (out of stock) leaves the draw standing, the prize `failed`. */
async function grantPrize(tx: Tx, granter: PrizeGranter, input: Parameters<PrizeGranter['grant']>[1]): Promise<{ status: PrizeStatus; orderId: string | null; failure: string | null }> {
  await sql`savepoint lottery_prize`.execute(tx);
  try {
    const { orderId } = await granter.grant(platformTx(tx), input);
    await sql`release savepoint lottery_prize`.execute(tx);
    return { status: 'granted', orderId, failure: null };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await sql`rollback to savepoint lottery_prize`.execute(tx);
    return { status: 'failed', orderId: null, failure: `${error.code}: ${error.detail}`.slice(0, 500) };
  }
}

/**
 * The draw, once, in one transaction under the lottery's row lock: a second draw (at the same
 * time or later) waits for the first and answers its result. It counts the entries Patron
 * recorded in the entry period (lottery-entries.ts: nothing recorded from `to` on changes them,
 * so the entries do not depend on when the draw runs), freezes them in customer-id order with their digest, runs the published algorithm
 * (fair-draw.ts) on the seed, records the winners, issues prizes with rewards, and reveals the
 * seed by setting the state to drawn.
 */
export async function drawLottery(db: Db, clock: Clock, ids: Ids, actor: Actor, id: string, granter: PrizeGranter | null): Promise<LotteryView> {
  await db.transaction().execute(async (tx) => {
    const row = await findLottery(tx, id, true);
    const now = clock.now();
    if (row.state === 'drawn') return;
    if (row.state === 'cancelled') throw lotteryError('lottery.cancelled', `Lottery ${id} was cancelled; it cannot be drawn`);
    if (now < row.entryTo) {
      throw lotteryError('lottery.not_ended', `Lottery ${id} is ${statusOf(row, now)}: its entry period ends at ${row.entryTo.toISOString()}; draw it from then on`);
    }

    const entries = await countEntries(tx, { from: row.entryFrom, to: row.entryTo }, row.rules);
    await freezeEntries(tx, id, entries);
    const slots = slotPrizes(row.prizes);
    const winners = drawWinners(row.seed, entries, slots.length);
    const rows = [];
    for (const winner of winners) {
      const prizeIndex = slots[winner.slot]!;
      const rewardId = row.prizes[prizeIndex]!.rewardId ?? null;
      const prize =
        rewardId === null
          ? { status: 'no_reward' as const, orderId: null, failure: null }
          : granter === null
            ? { status: 'pending' as const, orderId: null, failure: null }
            : await grantPrize(tx, granter, { rewardId, customerId: winner.customerId, reference: `${id}/${winner.slot}`, actor: actor.keyId });
      rows.push({ lotteryId: id, slot: winner.slot, prizeIndex, customerId: winner.customerId, ticket: winner.ticket, attempts: winner.attempts, rewardId, prizeStatus: prize.status, orderId: prize.orderId, failure: prize.failure });
    }
    for (let i = 0; i < rows.length; i += 1000) await tx.insertInto('lotteryWinners').values(rows.slice(i, i + 1000)).execute();

    const entriesDigest = entriesDigestOf(entries);
    const totalEntries = entries.reduce((sum, e) => sum + e.entries, 0);
    await tx
      .updateTable('lotteries')
      .set({ state: 'drawn', entriesDigest, entrants: entries.length, totalEntries, drawnAt: now, updatedAt: now, version: row.version + 1 })
      .where('id', '=', id)
      .execute();
    await writeAudit(tx, clock, actor, { action: 'lottery.draw', entityType: 'lottery', entityId: id, details: { entriesDigest, entrants: entries.length, totalEntries, winners: winners.length } });
    await emitEvents(tx, clock, ids, [
      { type: 'lottery.drawn', customerId: null, payload: { lotteryId: id, entriesDigest, entrants: entries.length, winners: winners.length } },
      ...rows.map((w) => ({ type: 'lottery.won' as const, customerId: w.customerId, payload: { lotteryId: id, slot: w.slot, prizeIndex: w.prizeIndex, rewardId: w.rewardId, orderId: w.orderId } })),
    ]);
  });
  return getLottery(db, clock, id);
}
