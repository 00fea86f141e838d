import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import type { PlatformTx } from '../../platform/db-views.ts';
import type { CustomerLifecycleHooks } from '../customers/index.ts';
import { grantReward, purchaseReward, type GrantInput, type RewardsDeps } from './issue-reward.ts';
import { cancelOrder, redeemCode } from './order-changes.ts';
import { listOrders, listPrivileges } from './order-views.ts';
import { createReward, deleteReward, getReward, listRewards, mergeReward, saveReward, type RewardInput } from './reward-store.ts';
import type { Tx } from './rewards.db.ts';
import type { OrderStatus, RewardKind, RewardStatus } from './rewards.tables.ts';
import { uploadVouchers, type VoucherInput } from './vouchers.ts';

export { rewardsModule } from './rewards.module.ts';
export { rewardRoutes } from './rewards.routes.ts';
export type { RewardsDeps, GrantInput } from './issue-reward.ts';
export type { OrderView as RewardOrderView } from './order-views.ts';
export type { RewardView } from './reward-store.ts';

/** The rewards module's public face: the catalog, partner voucher pools, orders, and prizes for other modules (`grant`). */
export function createRewards(deps: RewardsDeps, hooks: CustomerLifecycleHooks<Tx>) {
  const { db, clock } = deps;

  // A merge moves the duplicate's orders and codes to the survivor, so its per-customer limits keep
  // counting them. Keys and references are unique per customer: one the survivor also holds gets
  // a suffix; the others stay as they were, so a lottery's grant retried for the duplicate finds its order.
  hooks.onMerge.push(async (tx, fromId, intoId) => {
    const suffix = ` (merged from ${fromId})`;
    await sql`update reward_orders o set customer_id = ${intoId},
        idempotency_key = case when exists (select 1 from reward_orders s where s.customer_id = ${intoId} and s.idempotency_key = o.idempotency_key)
          then o.idempotency_key || ${suffix} else o.idempotency_key end,
        grant_reference = case when exists (select 1 from reward_orders s where s.customer_id = ${intoId} and s.grant_reference = o.grant_reference)
          then o.grant_reference || ${suffix} else o.grant_reference end
      where o.customer_id = ${fromId}`.execute(tx);
    await tx.updateTable('rewardCodes').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
  });

  return {
    rewards: {
      create: (input: RewardInput, actor: Actor) => createReward(db, clock, deps.ids, actor, input),
      get: (id: string) => getReward(db, clock, id),
      list: (query: { limit: number; cursor?: string; kind?: RewardKind; status?: RewardStatus }) => listRewards(db, clock, query),
      replace: (id: string, input: RewardInput, actor: Actor, expectedVersion?: number) => saveReward(db, clock, actor, id, () => input, expectedVersion),
      patch: (id: string, patch: Record<string, unknown>, actor: Actor, expectedVersion?: number) => saveReward(db, clock, actor, id, mergeReward(patch), expectedVersion),
      delete: (id: string, actor: Actor) => deleteReward(db, clock, actor, id),
      uploadVouchers: (id: string, vouchers: VoucherInput[], actor: Actor) => uploadVouchers(db, clock, actor, id, vouchers),
    },
    orders: {
      /** Buys a reward with points, all in one transaction; idempotent on the key. */
      purchase: (customerId: string, rewardId: string, actor: Actor, idempotencyKey?: string) => purchaseReward(deps, customerId, rewardId, actor, idempotencyKey),
      cancel: (customerId: string, orderId: string, actor: Actor) => cancelOrder(deps, customerId, orderId, actor),
      list: (customerId: string, query: { limit: number; cursor?: string; status?: OrderStatus }) => listOrders(db, customerId, query),
      privileges: (customerId: string, query: { limit: number; cursor?: string }) => listPrivileges(db, customerId, clock.now(), query),
      redeem: (code: string, actor: Actor) => redeemCode(deps, code, actor),
    },
    /**
     * Issues a reward as a prize inside another module's transaction (a lottery draw): no points,
     * stock and vouchers as usual (409 reward.out_of_stock), idempotent on `reference`.
     */
    grant: (tx: PlatformTx, input: GrantInput): Promise<{ orderId: string; code: string | null }> => grantReward(deps, tx, input),
  };
}

export type Rewards = ReturnType<typeof createRewards>;
