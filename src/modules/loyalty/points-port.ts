import type { PlatformTx } from '../../platform/db-views.ts';
import { AppError } from '../../platform/errors.ts';
import { currentCustomerId, currentCustomerIds, customerErrors } from '../customers/index.ts';
import type { LoyaltyDeps } from './checkout.ts';
import { ownTx } from './loyalty.db.ts';
import { emitEvents } from './loyalty.events.ts';
import { loyaltyError } from './loyalty.errors.ts';
import { addLot, expiryFor, lockAndSettle, lockBalances, MergedMeanwhile, returnRedeemed, spend, type Balance } from './ledger.ts';

/**
 * How other modules give and take points (bonuses for actions, referrals, birthdays, lottery
 * prizes, rewards bought with points). The ledger stays written by loyalty alone: a module calls
 * these inside its own transaction, so its own row (an event, a reward order) and the points
 * commit or roll back together.
 */
export type PointsMove = {
  customerId: string;
  /** > 0 */
  points: number;
  /**
   * The document the points belong to (`evt_…`, `rwo_…`): stored where a receipt's id would be,
   * so a cancelled reward order gets its points back with the expiry they had.
   */
  reference: string;
  /** Shown in the customer's ledger ("Bonus: first app login"); never personal data. */
  reason: string;
  actor: string | null;
};

export type PointsAward = PointsMove & {
  /** When the points become spendable (a referral's pending period); at once when omitted or past. */
  activatesAt?: Date;
};

export type PointsPort = ReturnType<typeof pointsPort>;

export function pointsPort(deps: LoyaltyDeps) {
  const { db, clock, ids } = deps;

  /** Locks the customer's balance; a merged record names its survivor (the caller's transaction retries there). */
  async function lockCurrent(tx: PlatformTx, customerId: string, now: Date) {
    const own = ownTx(tx);
    await lockAndSettle(own, customerId, now);
    const current = await currentCustomerId(own, customerId);
    if (current === null) throw customerErrors.error('customer.erased', `Customer ${customerId} was erased; its points cannot change`);
    if (current !== customerId) throw new MergedMeanwhile(current);
    return own;
  }

  function checkPoints(points: number) {
    if (!Number.isSafeInteger(points) || points <= 0) throw new Error(`points port: ${points} is not a positive whole number of points`);
  }

  return {
    /**
     * Runs `work` in a transaction on the customer's current record: when the customer was merged
     * while it ran, it runs again on the survivor (at most twice), so points never land on a
     * merged record.
     */
    async transaction<T>(customerId: string, work: (tx: PlatformTx, customerId: string) => Promise<T>): Promise<T> {
      let target = customerId;
      for (let hop = 0; ; hop++) {
        try {
          return await db.transaction().execute((tx) => work(tx as unknown as PlatformTx, target));
        } catch (error) {
          if (!(error instanceof MergedMeanwhile) || hop >= 2) throw error;
          target = error.survivorId;
        }
      }
    },

    /**
     * Takes the customer's balance lock on their current record without changing points: work
     * that writes rows of its own for the customer (an event, a personal code) takes it first,
     * as a merge does, so it cannot land on a record a merge is moving away (MergedMeanwhile:
     * `transaction` redoes it on the survivor).
     */
    async lock(tx: PlatformTx, customerId: string): Promise<void> {
      await lockCurrent(tx, customerId, clock.now());
    },

    /**
     * `lock` for many customers in one statement (sorted, as batches and merges take them, so
     * none waits for another in the opposite order). It changes no points, so nothing is settled.
     * Answers the ids still their own current, unerased record once locked; the others (merged
     * or erased meanwhile) are not the caller's to write to under these locks.
     */
    async lockMany(tx: PlatformTx, customerIds: string[]): Promise<Set<string>> {
      const own = ownTx(tx);
      const isCurrent = (current: Map<string, string | null>) => [...current].filter(([id, to]) => to === id).map(([id]) => id);
      // Only live records get a balance row (an erased one's would outlive the erasure).
      await lockBalances(own, isCurrent(await currentCustomerIds(own, customerIds)), clock.now());
      return new Set(isCurrent(await currentCustomerIds(own, customerIds)));
    },

    /** Credits points as an 'award' lot expiring as the program says; pending until `activatesAt` when that is later. */
    async award(tx: PlatformTx, move: PointsAward): Promise<Balance> {
      checkPoints(move.points);
      const now = clock.now();
      const own = await lockCurrent(tx, move.customerId, now);
      const settings = (await deps.cache.config(own)).program.body;
      const activatesAt = move.activatesAt && move.activatesAt.getTime() > now.getTime() ? move.activatesAt : now;
      const balance = await addLot(
        own,
        ids,
        { customerId: move.customerId, source: 'award', receiptId: move.reference, points: move.points, earnedAt: now, activatesAt, expiresAt: expiryFor(settings.expiry, activatesAt) },
        'award',
        { receiptId: move.reference, reason: move.reason, actor: move.actor },
        now,
      );
      await emitEvents(own, clock, ids, [{ type: 'points.earned', customerId: move.customerId, payload: { customerId: move.customerId, points: move.points, reference: move.reference, reason: move.reason } }]);
      return balance;
    },

    /** Debits points oldest first; fewer available than asked is `409 points.insufficient` and nothing changes. */
    async spend(tx: PlatformTx, move: PointsMove): Promise<Balance> {
      checkPoints(move.points);
      const now = clock.now();
      const own = await lockCurrent(tx, move.customerId, now);
      const balance = await spend(own, move.customerId, move.points, 'redeem', { receiptId: move.reference, reason: move.reason, actor: move.actor }, now).catch((error: unknown) => {
        // Outside a checkout the shortfall is the generic one (a reward, not a receipt, asked).
        if (error instanceof AppError && error.code === 'checkout.insufficient_points') throw loyaltyError('points.insufficient', error.detail);
        throw error;
      });
      await emitEvents(own, clock, ids, [{ type: 'points.redeemed', customerId: move.customerId, payload: { customerId: move.customerId, points: move.points, reference: move.reference } }]);
      return balance;
    },

    /** Gives back points `spend` took for `reference` (a cancelled reward order), with the expiry they had; never more than was spent. */
    async returnSpent(tx: PlatformTx, move: PointsMove): Promise<Balance> {
      checkPoints(move.points);
      const now = clock.now();
      const own = await lockCurrent(tx, move.customerId, now);
      const spent = await own
        .selectFrom('pointEntries')
        .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('availableDelta'), eb.val(0)).as('n')])
        .where('customerId', '=', move.customerId)
        .where('receiptId', '=', move.reference)
        .where('kind', 'in', ['redeem', 'return_redeemed'])
        .executeTakeFirstOrThrow();
      const returnable = -Number(spent.n);
      if (move.points > returnable) {
        throw loyaltyError('points.nothing_to_return', `${move.reference} has ${returnable} points left to return, fewer than ${move.points}`);
      }
      const balance = await lockAndSettle(own, move.customerId, now);
      return returnRedeemed(own, ids, balance, move.reference, move.points, 0, { receiptId: move.reference, reason: move.reason, actor: move.actor }, now);
    },
  };
}
