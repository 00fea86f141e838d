import type { Actor } from '../../platform/actor.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { proportionalPart, toQtyMilli } from '../../platform/money.ts';
import { emitEvents } from './loyalty.events.ts';
import type { Tx } from './loyalty.db.ts';
import type { LoyaltyDeps } from './checkout.ts';
import { lockAndSettle, lockBalance, returnRedeemed, reverseEarned } from './ledger.ts';
import { loyaltyError } from './loyalty.errors.ts';
import type { Adjustment, AdjustmentReversal, CheckoutExtensions } from './pipeline.ts';
import { reverseTenders, type TenderReturn } from './tenders.ts';

export type RefundInput = { refundId: string; lines: Array<{ sku: string; qty: number }> };
/** A cancel returns whatever is left on the receipt, read under the receipt's lock. */
type RefundRequest = RefundInput | { refundId: string; lines: 'rest' };

export type RefundResult = {
  receiptId: string;
  refundId: string;
  lines: Array<{ lineNo: number; sku: string; qty: number; amount: number; pointsReversed: number; pointsReturned: number }>;
  amount: number;
  /** Points taken back from the balance (the lines' shares, less anything forgiven). */
  pointsReversed: number;
  pointsReturned: number;
  /** Points that could not be taken back because they were spent, when the program forgives them. */
  pointsForgiven: number;
  /** Points of the returned goods that had expired already: gone from the balance, not taken twice. */
  pointsAlreadyExpired: number;
  customer?: { id: string; balance: number; pendingPoints: number };
  /** Money given back to the gift cards that paid (their share of `amount`; the rest is returned by the till). */
  giftCards?: TenderReturn[];
};

/**
 * Returns goods, whole or in part. Each line gives back its share of what it earned and
 * redeemed and of the money paid, by the cumulative rule (money.ts), so a line returned in
 * several parts gives back exactly its whole. Idempotent on the refund id.
 */
export async function refundReceipt(
  deps: LoyaltyDeps,
  receiptId: string,
  input: RefundRequest,
  actor: Actor,
  options: { cancel?: boolean } = {},
): Promise<{ result: RefundResult; replayed: boolean }> {
  const hash = requestHash(input.lines === 'rest' ? { refundId: input.refundId, cancel: true } : input);
  for (let attempt = 1; ; attempt++) {
    try {
      return await refundOnce(deps, receiptId, input, actor, options, hash);
    } catch (error) {
      if (!(error instanceof ReceiptMovedMeanwhile) || attempt >= 3) throw error;
    }
  }
}

/** A merge moved the receipt to another customer between the two reads: the refund starts over. */
class ReceiptMovedMeanwhile extends Error {}

async function refundOnce(
  deps: LoyaltyDeps,
  receiptId: string,
  input: RefundRequest,
  actor: Actor,
  options: { cancel?: boolean },
  hash: string,
): Promise<{ result: RefundResult; replayed: boolean }> {
  const { db, clock, ids } = deps;
  return db.transaction().execute(async (tx) => {
    // The customer's balance lock comes before the receipt's row lock: confirm, a merge (balances,
    // then the receipts it moves) and the referral reward (balances, then the receipt under a
    // share lock) all take them in that order, and a refund taking them the other way round
    // deadlocks with them. Balance before gift cards too (reverseTenders), as confirm does.
    const owner = await tx.selectFrom('receipts').select('customerId').where('id', '=', receiptId).executeTakeFirst();
    if (!owner) throw loyaltyError('receipt.not_found', `No receipt ${receiptId}`);
    if (owner.customerId) await lockBalance(tx, owner.customerId, clock.now());
    // The receipt row lock orders refunds of one receipt one after another.
    const receipt = await tx.selectFrom('receipts').select(['id', 'customerId', 'status', 'paidMinor', 'refundedMinor']).where('id', '=', receiptId).forUpdate().executeTakeFirst();
    if (!receipt) throw loyaltyError('receipt.not_found', `No receipt ${receiptId}`);
    if (receipt.customerId !== owner.customerId) throw new ReceiptMovedMeanwhile();
    const earlier = await tx.selectFrom('refunds').select(['requestHash', 'response']).where('receiptId', '=', receiptId).where('refundId', '=', input.refundId).executeTakeFirst();
    if (earlier) {
      if (earlier.requestHash !== hash) throw loyaltyError('refund.conflict', `Refund ${input.refundId} was made with a different body`);
      return { result: earlier.response as unknown as RefundResult, replayed: true };
    }
    if (receipt.status === 'cancelled') throw loyaltyError('receipt.cancelled', `Receipt ${receiptId} was cancelled`);

    const lines = await tx.selectFrom('receiptLines').selectAll().where('receiptId', '=', receiptId).orderBy('lineNo').execute();
    const taken = new Map<number, number>();
    const problems: FieldProblem[] = [];
    if (input.lines === 'rest') {
      for (const line of lines) if (line.qtyMilli > line.refundedQtyMilli) taken.set(line.lineNo, line.qtyMilli - line.refundedQtyMilli);
    }
    (input.lines === 'rest' ? [] : input.lines).forEach((asked, index) => {
      let qty = toQtyMilli(asked.qty);
      if (qty === null) return problems.push({ field: `lines.${index}.qty`, reason: 'must be positive with at most three decimals' });
      const matching = lines.filter((l) => l.sku === asked.sku);
      if (matching.length === 0) throw loyaltyError('refund.unknown_line', `The receipt has no line with sku ${asked.sku}`, [{ field: `lines.${index}.sku`, reason: 'not on the receipt' }]);
      for (const line of matching) {
        const left = line.qtyMilli - line.refundedQtyMilli - (taken.get(line.lineNo) ?? 0);
        const take = Math.min(left, qty);
        if (take > 0) taken.set(line.lineNo, (taken.get(line.lineNo) ?? 0) + take);
        qty -= take;
      }
      if (qty > 0) throw loyaltyError('refund.exceeds_purchase', `More of ${asked.sku} would be returned than was bought and not yet returned`, [{ field: `lines.${index}.qty`, reason: 'exceeds what is left to return' }]);
    });
    if (problems.length > 0) throw loyaltyError('checkout.invalid_line', problems.map((p) => `${p.field} ${p.reason}`).join('; '), problems);

    const result: RefundResult = { receiptId, refundId: input.refundId, lines: [], amount: 0, pointsReversed: 0, pointsReturned: 0, pointsForgiven: 0, pointsAlreadyExpired: 0 };
    await reverseAdjustments(tx, deps.extensions, {
      receiptId,
      refundId: input.refundId,
      customerId: receipt.customerId,
      cancel: options.cancel === true,
      lines: lines.map((l) => ({ lineNo: l.lineNo, qtyMilli: taken.get(l.lineNo) ?? 0, refundedBeforeMilli: l.refundedQtyMilli, boughtMilli: l.qtyMilli })),
      applied: [],
    });
    for (const line of lines) {
      const qty = taken.get(line.lineNo);
      if (!qty) continue;
      const paid = line.totalMinor - line.discountMinor - line.redeemedMinor;
      const part = {
        lineNo: line.lineNo,
        sku: line.sku,
        qty: qty / 1000,
        amount: proportionalPart(paid, line.refundedQtyMilli, qty, line.qtyMilli),
        pointsReversed: proportionalPart(line.pointsEarned, line.refundedQtyMilli, qty, line.qtyMilli),
        pointsReturned: proportionalPart(line.pointsRedeemed, line.refundedQtyMilli, qty, line.qtyMilli),
      };
      result.lines.push(part);
      result.amount += part.amount;
      result.pointsReversed += part.pointsReversed;
      result.pointsReturned += part.pointsReturned;
      await tx
        .updateTable('receiptLines')
        .set((eb) => ({ refundedQtyMilli: eb('refundedQtyMilli', '+', qty) }))
        .where('receiptId', '=', receiptId)
        .where('lineNo', '=', line.lineNo)
        .execute();
    }

    // Gift cards get back their share of the money this return gives back (tenders.ts).
    const returned = await reverseTenders(deps.extensions, tx, {
      receiptId,
      refundId: input.refundId,
      customerId: receipt.customerId,
      cancel: options.cancel === true,
      paidMinor: receipt.paidMinor,
      refundedBeforeMinor: receipt.refundedMinor,
      amountMinor: result.amount,
      actor: actor.keyId,
    });
    if (returned.length > 0) result.giftCards = returned;
    const now = clock.now();
    if (receipt.customerId) {
      const settings = (await deps.cache.config(tx)).program.body;
      const balance = await lockAndSettle(tx, receipt.customerId, now);
      const meta = { receiptId, refundId: input.refundId, actor: actor.keyId };
      const reversal = await reverseEarned(tx, balance, receiptId, result.pointsReversed, settings.refundShortfall, meta, now);
      // The lines say what they earned; the totals say what the ledger could take back.
      result.pointsReversed = reversal.reversed;
      result.pointsAlreadyExpired = reversal.alreadyExpired;
      result.pointsForgiven = reversal.forgiven;
      const after = await returnRedeemed(tx, ids, reversal.balance, receiptId, result.pointsReturned, settings.returnedPointsExtraDays, meta, now);
      result.customer = { id: receipt.customerId, balance: after.available, pendingPoints: after.pending };
    }
    await tx
      .updateTable('receipts')
      .set((eb) => ({ refundedMinor: eb('refundedMinor', '+', result.amount), ...(options.cancel ? { status: 'cancelled' as const } : {}) }))
      .where('id', '=', receiptId)
      .execute();
    await tx
      .insertInto('refunds')
      .values({ receiptId, refundId: input.refundId, customerId: receipt.customerId, requestHash: hash, response: JSON.stringify(result), createdAt: now })
      .execute();
    await emitEvents(tx, clock, ids, [
      {
        type: options.cancel ? 'receipt.cancelled' : 'receipt.refunded',
        customerId: receipt.customerId,
        payload: { receiptId, refundId: input.refundId, amount: result.amount, pointsReversed: result.pointsReversed, pointsReturned: result.pointsReturned },
      },
    ]);
    return { result, replayed: false };
  });
}

/**
 * Gives each adjuster back what this return returns of its adjustments on the receipt, in the
 * refund's transaction (so a failed refund gives nothing back). An adjustment whose adjuster is
 * no longer wired has nothing to give back to.
 */
async function reverseAdjustments(tx: Tx, extensions: CheckoutExtensions, reversal: AdjustmentReversal): Promise<void> {
  if (extensions.adjusters.length === 0 || reversal.lines.length === 0) return;
  // By the customer too: on a sharded database the customer's id routes the read to one shard.
  const rows = await tx
    .selectFrom('receiptAdjustments')
    .selectAll()
    .where('receiptId', '=', reversal.receiptId)
    .where('customerId', reversal.customerId === null ? 'is' : '=', reversal.customerId)
    .orderBy('seq')
    .execute();
  for (const adjuster of extensions.adjusters) {
    const applied: Adjustment[] = rows
      .filter((row) => row.adjuster === adjuster.name)
      .map((row) => {
        const { points, ...data } = row.data as Record<string, unknown> & { points?: Adjustment['points'] };
        return { adjuster: row.adjuster, id: row.adjustmentId, name: row.name, discountMinor: row.discountMinor, lines: row.lines, data, ...(points ? { points } : {}) };
      });
    if (applied.length > 0) await adjuster.reverse(tx, { ...reversal, applied });
  }
}

/** Voids a confirmed receipt: everything not yet returned is returned, and the receipt is cancelled. */
export async function cancelReceipt(deps: LoyaltyDeps, storeId: string, posReceiptId: string, actor: Actor): Promise<{ result: RefundResult; replayed: boolean }> {
  const receipt = await deps.db.selectFrom('receipts').select(['id', 'status']).where('storeId', '=', storeId).where('posReceiptId', '=', posReceiptId).executeTakeFirst();
  if (!receipt) throw loyaltyError('receipt.not_found', `No receipt ${posReceiptId} in store ${storeId}`);
  const refundId = `cancel:${posReceiptId}`;
  if (receipt.status === 'cancelled') {
    const done = await deps.db.selectFrom('refunds').select('response').where('receiptId', '=', receipt.id).where('refundId', '=', refundId).executeTakeFirst();
    if (done) return { result: done.response as unknown as RefundResult, replayed: true };
  }
  // What is left to return is read under the receipt's lock, so refunds racing the cancel are
  // either already counted or wait for it (and then find the receipt cancelled).
  return refundReceipt(deps, receipt.id, { refundId, lines: 'rest' }, actor, { cancel: true });
}
