import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PlatformTx } from '../../platform/db-views.ts';
import { currentCustomerId, customerErrors } from '../customers/index.ts';
import type { PointsPort } from '../loyalty/index.ts';
import { toOrderView, type OrderRow, type OrderView } from './order-views.ts';
import { issueRewardCode } from './reward-codes.ts';
import type { RewardRow } from './reward-store.ts';
import { ownTx, type Db, type Tx } from './rewards.db.ts';
import { rewardError } from './rewards.errors.ts';
import { emitEvents } from './rewards.events.ts';
import type { Ids } from './rewards.ids.ts';
import { claimVoucher } from './vouchers.ts';

export type RewardsDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  points: PointsPort;
  /** The customer's tier now (loyalty's), asked only for rewards limited to tiers. */
  tierOf: (customerId: string) => Promise<string | null>;
};

const DAY_MS = 86_400_000;

/** Thrown inside the order's transaction when its Idempotency-Key turned out taken: roll back, answer the first order. */
class KeyTaken extends Error {}

async function rewardRow(tx: Db | Tx, rewardId: string): Promise<RewardRow> {
  const row = await tx.selectFrom('rewards').selectAll().where('id', '=', rewardId).executeTakeFirst();
  if (!row) throw rewardError('reward.not_found', `No reward ${rewardId}; GET /v1/rewards lists them`);
  return row;
}

/** What a customer may buy now: an active reward, within its dates, for the customer's tier. */
function checkPurchasable(reward: RewardRow, now: Date, tier: string | null | undefined): void {
  if (reward.status !== 'active') throw rewardError('reward.unavailable', `Reward ${reward.id} is ${reward.status}; only active rewards can be ordered`);
  if (reward.validFrom && now < reward.validFrom) throw rewardError('reward.unavailable', `Reward ${reward.id} can be ordered from ${reward.validFrom.toISOString()}`);
  if (reward.validTo && now >= reward.validTo) throw rewardError('reward.unavailable', `Reward ${reward.id} could be ordered until ${reward.validTo.toISOString()}`);
  if (reward.tiers) {
    if (tier === undefined) throw rewardError('reward.unavailable', `Reward ${reward.id} was limited to tiers a moment ago; order it again`);
    if (tier === null || !reward.tiers.includes(tier)) {
      throw rewardError('reward.unavailable', `Reward ${reward.id} is for the tiers ${reward.tiers.join(', ')}; the customer's tier is ${tier ?? 'none'}`);
    }
  }
}

type Issue = { source: 'purchase'; idempotencyKey: string | null } | { source: 'prize'; reference: string };

/**
 * The writes of one order, in the caller's transaction, each guarded in SQL: the per-customer
 * limit (purchases; counted under the customer's balance lock the spend took), a voucher claimed
 * with SKIP LOCKED, a goods code, the order row (its unique key makes a retry a no-op), and last
 * the stock — one guarded UPDATE of the reward's counters, so the reward's row lock is held only
 * from there to the commit. Any refusal throws, and the caller's rollback undoes the rest.
 */
async function issue(tx: Tx, ids: Ids, clock: Clock, reward: RewardRow, customerId: string, orderId: string, points: number, how: Issue, actor: string | null): Promise<OrderRow> {
  const now = clock.now();
  if (how.source === 'purchase' && reward.perCustomer !== null) {
    const held = await tx
      .selectFrom('rewardOrders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('rewardId', '=', reward.id)
      .where('customerId', '=', customerId)
      .where('status', '<>', 'cancelled')
      .executeTakeFirstOrThrow();
    if (Number(held.n) >= reward.perCustomer) {
      throw rewardError('reward.limit_reached', `The customer holds ${Number(held.n)} orders of reward ${reward.id}; it allows ${reward.perCustomer} per customer`);
    }
  }
  let code: string | null = null;
  let validUntil: Date | null = reward.validDays !== null ? new Date(now.getTime() + reward.validDays * DAY_MS) : null;
  if (reward.kind === 'partner_voucher') {
    const voucher = await claimVoucher(tx, reward.id, orderId, now);
    if (!voucher) throw rewardError('reward.out_of_stock', `Reward ${reward.id} is out of stock: no partner voucher is left in its pool`);
    code = voucher.code;
    validUntil = voucher.validUntil;
  } else if (reward.kind === 'goods') {
    code = await issueRewardCode(tx, customerId, orderId, now);
  }
  let insert = tx.insertInto('rewardOrders').values({
    id: orderId,
    customerId,
    rewardId: reward.id,
    kind: reward.kind,
    rewardName: reward.name,
    source: how.source,
    points,
    status: 'issued',
    code,
    privilege: reward.privilege,
    validUntil,
    idempotencyKey: how.source === 'purchase' ? how.idempotencyKey : null,
    grantReference: how.source === 'prize' ? how.reference : null,
    actor,
    createdAt: now,
  });
  // A concurrent order with the same key or reference waits on the unique index, then inserts nothing.
  insert =
    how.source === 'purchase'
      ? insert.onConflict((oc) => oc.columns(['customerId', 'idempotencyKey']).where('idempotencyKey', 'is not', null).doNothing())
      : insert.onConflict((oc) => oc.columns(['customerId', 'grantReference']).where('grantReference', 'is not', null).doNothing());
  const order = await insert.returningAll().executeTakeFirst();
  if (!order) throw new KeyTaken();
  const counted = await tx
    .updateTable('rewards')
    .set((eb) => ({ issued: eb('issued', '+', 1) }))
    .where('id', '=', reward.id)
    .where((eb) => eb.or([eb('stock', 'is', null), eb(eb('issued', '-', eb.ref('cancelled')), '<', eb.ref('stock'))]))
    .returning('id')
    .executeTakeFirst();
  if (!counted) throw rewardError('reward.out_of_stock', `Reward ${reward.id} is out of stock: all ${reward.stock} units are ordered`);
  await emitEvents(tx, clock, ids, [{ type: 'reward.ordered', customerId, payload: { customerId, orderId, rewardId: reward.id, kind: reward.kind, source: how.source, points } }]);
  return order;
}

async function orderByKey(db: Db, customerId: string, key: string, rewardId: string): Promise<OrderRow | null> {
  const row = await db.selectFrom('rewardOrders').selectAll().where('customerId', '=', customerId).where('idempotencyKey', '=', key).executeTakeFirst();
  if (row && row.rewardId !== rewardId) {
    throw rewardError('reward_order.idempotency_conflict', `This Idempotency-Key was used for an order of reward ${row.rewardId} (order ${row.id}), not ${rewardId}; use a new key for a new order`);
  }
  return row ?? null;
}

/**
 * A customer buys a reward with points: in one transaction the points are debited (the points
 * port, under the customer's balance lock), the voucher or code issued, the order written and the
 * stock taken — all or nothing. Too few points: 409 points.insufficient and nothing changes.
 * With an Idempotency-Key a retry answers the first order (as it is now) and spends nothing.
 */
export async function purchaseReward(deps: RewardsDeps, customerId: string, rewardId: string, actor: Actor, idempotencyKey?: string): Promise<{ order: OrderView; replayed: boolean }> {
  const { db, clock, ids, points } = deps;
  const key = idempotencyKey ?? null;
  // By the customer's current record: a merge (before a retry, or during the purchase) moves the order to the survivor.
  const replay = async () => (key === null ? null : orderByKey(db, (await currentCustomerId(db, customerId)) ?? customerId, key, rewardId));
  const earlier = await replay();
  if (earlier) return { order: toOrderView(earlier), replayed: true };
  // The tier is read before the transaction: on PGlite a query outside an open transaction would wait for it.
  const before = await rewardRow(db, rewardId);
  const tier = before.tiers ? await deps.tierOf(customerId) : undefined;
  const who = actor.keyId ?? actor.name;
  try {
    const order = await points.transaction(customerId, async (ptx, target) => {
      const tx = ownTx(ptx);
      const reward = await rewardRow(tx, rewardId);
      checkPurchasable(reward, clock.now(), tier);
      const orderId = ids.next('rwo');
      await points.spend(ptx, { customerId: target, points: reward.pointsCost, reference: orderId, reason: `Reward: ${reward.name}`, actor: who });
      const row = await issue(tx, ids, clock, reward, target, orderId, reward.pointsCost, { source: 'purchase', idempotencyKey: key }, who);
      await writeAudit(tx, clock, actor, { action: 'reward.order', entityType: 'reward_order', entityId: orderId, details: { rewardId, customerId: target, points: reward.pointsCost } });
      return row;
    });
    return { order: toOrderView(order), replayed: false };
  } catch (error) {
    // The same key may have committed meanwhile (a retry racing the first request): answer that order.
    const first = await replay();
    if (first) return { order: toOrderView(first), replayed: true };
    throw error;
  }
}

export type GrantInput = { rewardId: string; customerId: string; reference: string; actor: string | null };

/**
 * A reward given as a prize (a lottery's winner), in the granting module's transaction: no
 * points, no tier or per-customer limit, any status but archived; stock and vouchers as for a
 * purchase (409 reward.out_of_stock). Idempotent on `reference` per customer: a second grant
 * answers the first order. Its writes run under a savepoint, so a refusal leaves the caller's
 * transaction as it was and usable (the draw may record the prize as failed and go on).
 */
export async function grantReward(deps: Pick<RewardsDeps, 'clock' | 'ids'>, platformTx: PlatformTx, input: GrantInput): Promise<{ orderId: string; code: string | null }> {
  const { clock, ids } = deps;
  const tx = ownTx(platformTx);
  const customerId = await currentCustomerId(tx, input.customerId);
  if (customerId === null) throw customerErrors.error('customer.erased', `Customer ${input.customerId} does not exist or was erased; no reward can be granted`);
  const existing = () =>
    tx.selectFrom('rewardOrders').select(['id', 'code']).where('customerId', '=', customerId).where('grantReference', '=', input.reference).executeTakeFirst();
  const earlier = await existing();
  if (earlier) return { orderId: earlier.id, code: earlier.code };
  const reward = await rewardRow(tx, input.rewardId);
  if (reward.status === 'archived') throw rewardError('reward.unavailable', `Reward ${reward.id} is archived; it can no longer be granted`);
  await sql`savepoint reward_grant`.execute(tx);
  try {
    const order = await issue(tx, ids, clock, reward, customerId, ids.next('rwo'), 0, { source: 'prize', reference: input.reference }, input.actor);
    await sql`release savepoint reward_grant`.execute(tx);
    return { orderId: order.id, code: order.code };
  } catch (error) {
    await sql`rollback to savepoint reward_grant`.execute(tx);
    if (!(error instanceof KeyTaken)) throw error;
    const first = await existing();
    if (!first) throw error;
    return { orderId: first.id, code: first.code };
  }
}
