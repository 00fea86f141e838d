import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { RewardsDeps } from './issue-reward.ts';
import { findOrder, toOrderView, type OrderRow, type OrderView } from './order-views.ts';
import { normalizeRewardCode } from './reward-codes.ts';
import { ownTx, type Tx } from './rewards.db.ts';
import { rewardError } from './rewards.errors.ts';
import { emitEvents } from './rewards.events.ts';
import { voidVoucher } from './vouchers.ts';

/** A used order refused: its words say what was asked (a cancel, or a second redeem at the till). */
function refuseRedeemed(row: OrderRow, asked: 'cancel' | 'redeem' = 'cancel'): never {
  const why = asked === 'cancel' ? 'a used reward cannot be cancelled' : 'a code is accepted once';
  throw rewardError('reward_order.redeemed', `Order ${row.id} was redeemed at the till at ${row.redeemedAt!.toISOString()}; ${why}`);
}

/**
 * Cancels an order: the points come back (the points port's returnSpent, reference = the order
 * id, with the expiry they had), the unit goes back to stock, a partner voucher is voided — once.
 * The status change is one guarded UPDATE (`… where status = 'issued'`), so of two cancels racing
 * one returns everything and the other finds the order cancelled and answers it unchanged.
 */
export async function cancelOrder(deps: RewardsDeps, customerId: string, orderId: string, actor: Actor): Promise<OrderView> {
  const { db, clock, ids, points } = deps;
  const found = await findOrder(db, customerId, orderId);
  if (found.status === 'cancelled') return toOrderView(found);
  if (found.status === 'redeemed') refuseRedeemed(found);
  const who = actor.keyId ?? actor.name;
  const row = await points.transaction(customerId, async (ptx, target) => {
    const tx = ownTx(ptx);
    const now = clock.now();
    const cancelled = await tx
      .updateTable('rewardOrders')
      .set({ status: 'cancelled', cancelledAt: now })
      .where('id', '=', orderId)
      .where('customerId', '=', target)
      .where('status', '=', 'issued')
      .returningAll()
      .executeTakeFirst();
    if (!cancelled) {
      const current = await findOrder(tx, target, orderId);
      if (current.status === 'redeemed') refuseRedeemed(current);
      return current;
    }
    if (cancelled.points > 0) {
      await points.returnSpent(ptx, { customerId: target, points: cancelled.points, reference: orderId, reason: `Reward cancelled: ${cancelled.rewardName}`, actor: who });
    }
    await tx.updateTable('rewards').set((eb) => ({ cancelled: eb('cancelled', '+', 1) })).where('id', '=', cancelled.rewardId).execute();
    if (cancelled.kind === 'partner_voucher') await voidVoucher(tx, cancelled.rewardId, orderId);
    await writeAudit(tx, clock, actor, { action: 'reward.cancel', entityType: 'reward_order', entityId: orderId, details: { rewardId: cancelled.rewardId, customerId: target, points: cancelled.points } });
    await emitEvents(tx, clock, ids, [{ type: 'reward.cancelled', customerId: target, payload: { customerId: target, orderId, rewardId: cancelled.rewardId, points: cancelled.points } }]);
    return cancelled;
  });
  return toOrderView(row);
}

async function redeemIn(tx: Tx, deps: RewardsDeps, ref: { orderId: string; customerId: string }, actor: Actor): Promise<OrderRow> {
  const { clock, ids } = deps;
  const now = clock.now();
  const redeemed = await tx
    .updateTable('rewardOrders')
    .set({ status: 'redeemed', redeemedAt: now })
    .where('id', '=', ref.orderId)
    .where('customerId', '=', ref.customerId)
    .where('status', '=', 'issued')
    .where((eb) => eb.or([eb('validUntil', 'is', null), eb('validUntil', '>', now)]))
    .returningAll()
    .executeTakeFirst();
  if (!redeemed) {
    const current = await findOrder(tx, ref.customerId, ref.orderId);
    if (current.status === 'redeemed') refuseRedeemed(current, 'redeem');
    if (current.status === 'cancelled') throw rewardError('reward_order.cancelled', `Order ${current.id} was cancelled at ${current.cancelledAt!.toISOString()}: its code is void`);
    throw rewardError('reward_order.expired', `The code of order ${current.id} expired at ${current.validUntil!.toISOString()}`);
  }
  await tx.updateTable('rewards').set((eb) => ({ redeemed: eb('redeemed', '+', 1) })).where('id', '=', redeemed.rewardId).execute();
  await writeAudit(tx, clock, actor, { action: 'reward.redeem', entityType: 'reward_order', entityId: redeemed.id, details: { rewardId: redeemed.rewardId, customerId: redeemed.customerId } });
  await emitEvents(tx, clock, ids, [{ type: 'reward.redeemed', customerId: redeemed.customerId, payload: { customerId: redeemed.customerId, orderId: redeemed.id, rewardId: redeemed.rewardId } }]);
  return redeemed;
}

/** The till accepts a goods code: the order is marked redeemed once (a guarded UPDATE); used, cancelled or expired codes are refused. */
export async function redeemCode(deps: RewardsDeps, input: string, actor: Actor): Promise<OrderView> {
  const { db } = deps;
  const code = normalizeRewardCode(input);
  const ref = code === null ? undefined : await db.selectFrom('rewardCodes').select(['orderId', 'customerId']).where('code', '=', code).executeTakeFirst();
  if (!ref) throw rewardError('reward_code.not_found', `No reward code ${input.slice(0, 64)}; reward codes look like RWC-7KQM-2XPA`);
  const row = await db.transaction().execute((tx) => redeemIn(tx, deps, ref, actor));
  return toOrderView(row);
}
