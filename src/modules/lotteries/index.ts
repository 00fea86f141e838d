import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { drawLottery, type PrizeGranter } from './draw.ts';
import type { Db } from './lotteries.db.ts';
import type { Ids } from './lotteries.ids.ts';
import { customerEntries, listEntries } from './lottery-entries-read.ts';
import { createLottery, deleteLottery, getLottery, listLotteries, patchLottery, type LotteryInput } from './lottery-store.ts';
import type { LotteryStatus } from './lottery-types.ts';

export { lotteriesModule } from './lotteries.module.ts';
export { lotteryRoutes } from './lotteries.routes.ts';
export { ALGORITHM, verifyDraw, type Entry, type PublishedDraw } from './fair-draw.ts';
export type { PrizeGranter } from './draw.ts';

export type LotteriesDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** The rewards module's grant; without it, prizes with a reward are recorded pending. */
  prizes?: PrizeGranter | null;
};

/** The lotteries module's public face: lotteries, their provably fair draw, entries. */
export function createLotteries({ db, clock, ids, prizes = null }: LotteriesDeps) {
  // No customer lifecycle hooks: frozen entries and winners are a published record (the entries
  // digest covers them), so a later merge leaves them as drawn, and an erase leaves only the
  // opaque customer id, like the ledger kept anonymised. Entries not yet frozen are counted at
  // the draw, where merged ids count for their survivor and erased customers drop out.
  return {
    create: (input: LotteryInput, actor: Actor) => createLottery(db, clock, ids, actor, input),
    get: (id: string) => getLottery(db, clock, id),
    list: (query: { limit: number; cursor?: string; status?: LotteryStatus }) => listLotteries(db, clock, query),
    patch: (id: string, patch: Record<string, unknown>, actor: Actor, expectedVersion?: number) => patchLottery(db, clock, actor, id, patch, expectedVersion),
    delete: (id: string, actor: Actor) => deleteLottery(db, clock, actor, id),
    draw: (id: string, actor: Actor) => drawLottery(db, clock, ids, actor, id, prizes),
    entries: (id: string, query: { limit: number; cursor?: string }) => listEntries(db, id, query),
    customerEntries: (customerId: string, query: { limit: number; cursor?: string }) => customerEntries(db, clock, customerId, query),
  };
}

export type Lotteries = ReturnType<typeof createLotteries>;
