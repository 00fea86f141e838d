import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { CustomerLifecycleHooks } from '../customers/index.ts';
import { createBatch, exportBatchCsv, generateBatch, getBatch, listBatches, type BatchInput } from './gift-card-batches.ts';
import { expireDue } from './gift-card-ledger.ts';
import { activateCard, adjustCard, blockCard, cardEntries, cardRef, getCard, issueCard, listCards, unblockCard, type ActivateInput, type AdjustInput, type CardQuery, type IssueInput } from './gift-card-store.ts';
import { giftCardTender } from './gift-card-tender.ts';
import type { Db, Tx } from './gift-cards.db.ts';
import type { Ids } from './gift-cards.ids.ts';

export { giftCardsModule } from './gift-cards.module.ts';
export { giftCardRoutes } from './gift-cards.routes.ts';

export type GiftCardsDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** The program's currency (loyalty's settings): new cards hold money in it. */
  currency: () => Promise<string>;
  log?: { error(obj: object, msg: string): void };
};

/** Cards expired per transaction by the daily job. */
const EXPIRE_CHUNK = 1000;

/** The gift-cards module's public face: cards, batches, the expiry job and the checkout tender. */
export function createGiftCards({ db, clock, ids, currency, log }: GiftCardsDeps, hooks: CustomerLifecycleHooks<Tx>) {
  // A merge moves the duplicate's cards and the payments of its receipts to the survivor.
  hooks.onMerge.push(async (tx, fromId, intoId) => {
    await tx.updateTable('giftCards').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
    await tx.updateTable('giftCardPayments').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
  });

  // Batches generate in the background, one promise each; stop() asks them to finish their chunk and waits.
  const batchRuns = backgroundRuns(
    (id, signal) => generateBatch(db, clock, ids, id, signal),
    (error, id) => log?.error({ err: error, batchId: id }, 'gift-card batch failed'),
  );

  return {
    checkoutTender: giftCardTender(clock),
    cards: {
      issue: async (input: IssueInput, actor: Actor, key?: string) => issueCard(db, clock, ids, actor, await currency(), input, key),
      /** By code (shown in full) or by id gcd_… (masked). */
      get: (code: string) => getCard(db, cardRef(code)),
      list: (query: CardQuery) => listCards(db, query),
      entries: (code: string, query: { limit: number; cursor?: string }) => cardEntries(db, cardRef(code), query),
      activate: (code: string, input: ActivateInput, actor: Actor, key?: string) => activateCard(db, clock, actor, cardRef(code), input, key),
      adjust: (code: string, input: AdjustInput, actor: Actor, key?: string) => adjustCard(db, clock, actor, cardRef(code), input, key),
      block: (code: string, reason: string | undefined, actor: Actor) => blockCard(db, clock, actor, cardRef(code), reason),
      unblock: (code: string, reason: string | undefined, actor: Actor) => unblockCard(db, clock, actor, cardRef(code), reason),
    },
    batches: {
      /** Records the batch and starts making its cards in the background (202: follow it with get); a keyed retry answers the first batch. */
      create: async (input: BatchInput, actor: Actor, key?: string) => {
        const made = await createBatch(db, clock, ids, actor, await currency(), input, key);
        if (!made.replayed) batchRuns.start(made.batch.id);
        return made;
      },
      get: (id: string) => getBatch(db, id),
      list: (query: { limit: number; cursor?: string }) => listBatches(db, query),
      exportCsv: (id: string) => exportBatchCsv(db, id),
      /** At start: batches a stopped process left queued or running go on where they stopped. */
      async resumePending(): Promise<string[]> {
        const pending = await db.selectFrom('giftCardBatches').select('id').where('status', 'in', ['queued', 'running']).orderBy('id').execute();
        return batchRuns.resume(pending.map((row) => row.id));
      },
      idle: batchRuns.idle,
      stop: batchRuns.stop,
    },
    /** The daily job: cards past their expiry lose what is left on them (an 'expire' entry each), in chunks. */
    async expireCards(signal?: AbortSignal): Promise<Record<string, number>> {
      let cards = 0;
      let minor = 0;
      while (!signal?.aborted) {
        const done = await db.transaction().execute((tx) => expireDue(tx, clock.now(), EXPIRE_CHUNK));
        cards += done.cards;
        minor += Number(done.minor);
        if (done.cards < EXPIRE_CHUNK) break;
      }
      return { cards, minor };
    },
  };
}

export type GiftCards = ReturnType<typeof createGiftCards>;
