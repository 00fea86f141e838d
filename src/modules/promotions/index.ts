import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PlatformTx } from '../../platform/db-views.ts';
import type { CustomerLifecycleHooks } from '../customers/index.ts';
import { createBatch, createPromoCode, exportBatchCsv, generateBatch, getBatch, getPromoCode, listBatches, listPromoCodes, randomCode, type BatchInput, type PromoCodeInput } from './promo-codes.ts';
import { ADJUSTER, promotionAdjuster } from './promotion-adjuster.ts';
import { createPromotionCache } from './promotion-cache.ts';
import {
  createPromotion,
  deletePromotion,
  getPromotion,
  listPromotions,
  mergePromotion,
  promotionsNamingSegment,
  savePromotion,
  toDefinition,
  type PromotionInput,
  type SegmentCheck,
} from './promotion-store.ts';
import type { Benefit, PromotionStatus } from './promotion-types.ts';
import { ownTx, type Db, type Tx } from './promotions.db.ts';
import { livePromotions, whatIfPromotions, type PromotionChange } from './what-if.ts';
import { promotionError } from './promotions.errors.ts';
import type { Ids } from './promotions.ids.ts';

export { promotionsModule } from './promotions.module.ts';
export { promotionRoutes } from './promotions.routes.ts';
/** The code alphabet (no look-alikes) and generator, shared with gift cards. */
export { CODE_ALPHABET, randomCodes } from './promo-codes.ts';
export type { Benefit, PromotionDefinition } from './promotion-types.ts';

/** A promotion that reaches a customer without a code (the account page's personal offers). */
export type PersonalOffer = { id: string; name: string; description: string | null; benefit: Benefit; validTo: string | null };
export type { SegmentCheck } from './promotion-store.ts';
export type { PromotionChange, PromotionsScenario } from './what-if.ts';

export type PromotionsDeps = { db: Db; clock: Clock; ids: Ids; cacheMs: number; log?: { error(obj: object, msg: string): void } };

/** The promotions module's public face: promotions, promo codes and their batches, and the checkout adjuster. */
export function createPromotions({ db, clock, ids, cacheMs, log }: PromotionsDeps, hooks: CustomerLifecycleHooks<Tx>) {
  const cache = createPromotionCache(cacheMs);
  // The segments module's check of the segment ids an audience names (buildApp sets it).
  const references: { segments: SegmentCheck | null } = { segments: null };
  const changed = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work;
    cache.changed();
    return result;
  };
  const adjuster = promotionAdjuster(cache, clock, async (view, promotionIds) =>
    (await view.selectFrom('promotions').selectAll().where('id', 'in', promotionIds).execute()).map(toDefinition),
  );

  // A merge moves the duplicate's personal codes and its uses to the survivor, so per-customer limits keep counting them.
  hooks.onMerge.push(async (tx, fromId, intoId) => {
    await tx.updateTable('promotionRedemptions').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
    await tx.updateTable('promoCodes').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
  });

  // An erase: a personal code's window can give the birth date away (a birthday code starts on it),
  // so the dates go. Unused codes are deleted (with no dates a code would be valid for ever, and
  // uses_limit cannot be 0); used ones stay, spent (uses_limit = uses), for the redemptions that name them.
  hooks.onErase.push(async (tx, customerIds) => {
    await tx.deleteFrom('promoCodes').where('customerId', 'in', customerIds).where('uses', '=', 0).execute();
    await tx
      .updateTable('promoCodes')
      .set((eb) => ({ validFrom: null, validTo: null, usesLimit: eb.ref('uses') }))
      .where('customerId', 'in', customerIds)
      .execute();
  });

  // Batches generate in the background, one promise each; stop() asks them to finish their chunk and waits.
  const batchRuns = backgroundRuns(
    (id, signal) => generateBatch(db, clock, id, signal),
    (error, id) => log?.error({ err: error, batchId: id }, 'promo-code batch failed'),
  );

  return {
    checkoutAdjuster: adjuster,
    /**
     * The what-if replay's promotions (what-if.ts): the live set, or the live set with changes
     * checked as POST and PATCH check them; `adjuster` is the name the replay's input goes under.
     */
    whatIf: {
      adjuster: ADJUSTER,
      live: () => livePromotions(db),
      withChanges: (changes: PromotionChange[]) => whatIfPromotions(db, changes, references.segments),
    },
    /** Where segments sets the check of the segment ids an audience names; none set, any id is taken. */
    references,
    /** The promotions whose audience names the segment, in the caller's transaction: segments asks before a delete. */
    promotionsNamingSegment: (tx: PlatformTx, segmentId: string) => promotionsNamingSegment(ownTx(tx), segmentId),
    promotions: {
      create: (input: PromotionInput, actor: Actor) => changed(createPromotion(db, clock, ids, actor, input, references.segments)),
      get: (id: string) => getPromotion(db, id),
      /** The names and statuses of the promotions with these ids, in one query (an id with no promotion is left out). */
      namesOf: async (promotionIds: readonly string[]): Promise<Array<{ id: string; name: string; status: PromotionStatus }>> =>
        promotionIds.length === 0 ? [] : db.selectFrom('promotions').select(['id', 'name', 'status']).where('id', 'in', [...promotionIds]).execute(),
      list: (query: { limit: number; cursor?: string; status?: PromotionStatus; q?: string }) => listPromotions(db, query),
      /**
       * The active promotions meant for this customer that need no code: an audience naming a
       * segment they are in (`segmentIds`, the segments module's answer) or naming them, valid now
       * (not ended, begun). Soonest end first. An audience of everyone, a tier or new customers is
       * no personal offer.
       */
      async offersFor(customerId: string, segmentIds: readonly string[], at: Date): Promise<PersonalOffer[]> {
        const mine = new Set(segmentIds);
        const { active } = await livePromotions(db);
        return active
          .filter((p) => !p.requiresCode)
          .filter((p) => (p.audience.kind === 'segments' ? p.audience.segments.some((id) => mine.has(id)) : p.audience.kind === 'customers' && p.audience.customerIds.includes(customerId)))
          .filter((p) => (!p.validity.from || Date.parse(p.validity.from) <= at.getTime()) && (!p.validity.to || Date.parse(p.validity.to) > at.getTime()))
          .sort((a, b) => (a.validity.to ? Date.parse(a.validity.to) : Infinity) - (b.validity.to ? Date.parse(b.validity.to) : Infinity) || a.name.localeCompare(b.name))
          .map((p) => ({ id: p.id, name: p.name, description: p.description ?? null, benefit: p.benefit, validTo: p.validity.to ?? null }));
      },
      replace: (id: string, input: PromotionInput, actor: Actor, expectedVersion?: number) => changed(savePromotion(db, clock, actor, id, () => input, expectedVersion, references.segments)),
      patch: (id: string, patch: Record<string, unknown>, actor: Actor, expectedVersion?: number) =>
        changed(savePromotion(db, clock, actor, id, mergePromotion(patch), expectedVersion, references.segments)),
      delete: (id: string, actor: Actor) => changed(deletePromotion(db, clock, actor, id)),
    },
    codes: {
      create: (input: PromoCodeInput, actor: Actor) => createPromoCode(db, clock, actor, input),
      get: (code: string) => getPromoCode(db, code),
      list: (query: { limit: number; cursor?: string; promotionId?: string; batchId?: string; customerId?: string }) => listPromoCodes(db, query),
      /**
       * A single-use personal code of `promotionId` for `customerId`, valid in [validFrom, validTo),
       * written in the caller's transaction (a birthday offer's, so the offer and its code commit
       * together); the code made before for the same customer, promotion and window if there is one.
       */
      async issuePersonal(tx: PlatformTx, input: { promotionId: string; customerId: string; validFrom: Date; validTo: Date }): Promise<string> {
        const own = ownTx(tx);
        const made = await own
          .selectFrom('promoCodes')
          .select('code')
          .where('customerId', '=', input.customerId)
          .where('promotionId', '=', input.promotionId)
          .where('validFrom', '=', input.validFrom)
          .where('validTo', '=', input.validTo)
          .executeTakeFirst();
        if (made) return made.code;
        const promotion = await own.selectFrom('promotions').select('id').where('id', '=', input.promotionId).executeTakeFirst();
        if (!promotion) throw promotionError('promotion.not_found', `No promotion ${input.promotionId}; GET /v1/promotions lists them`);
        // 10 random characters of 32: a collision is one in 10^15 per existing code; one more draw settles it.
        for (;;) {
          const code = randomCode(10, '', false);
          const row = await own
            .insertInto('promoCodes')
            .values({ code, promotionId: input.promotionId, batchId: null, customerId: input.customerId, usesLimit: 1, perCustomer: null, validFrom: input.validFrom, validTo: input.validTo, createdAt: clock.now() })
            .onConflict((oc) => oc.column('code').doNothing())
            .returning('code')
            .executeTakeFirst();
          if (row) return row.code;
        }
      },
    },
    batches: {
      /** Records the batch and starts generating it in the background (202: follow it with get). */
      create: async (input: BatchInput, actor: Actor) => {
        const batch = await createBatch(db, clock, ids, actor, input);
        batchRuns.start(batch.id);
        return batch;
      },
      get: (id: string) => getBatch(db, id),
      list: (query: { limit: number; cursor?: string; promotionId?: string }) => listBatches(db, query),
      exportCsv: (id: string) => exportBatchCsv(db, id),
      /** At start: batches a stopped process left queued or running go on where they stopped. */
      async resumePending(): Promise<string[]> {
        const pending = await db.selectFrom('promoCodeBatches').select('id').where('status', 'in', ['queued', 'running']).orderBy('id').execute();
        return batchRuns.resume(pending.map((row) => row.id));
      },
      idle: batchRuns.idle,
      stop: batchRuns.stop,
    },
  };
}

export type Promotions = ReturnType<typeof createPromotions>;
