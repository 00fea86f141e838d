import { decodeCursor, isIntegerKey, pageOf, type Page } from '../../platform/pagination.ts';
import { sql } from 'kysely';
import type { DbOrTx } from './loyalty.db.ts';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import { emitEvents } from './loyalty.events.ts';
import type { LoyaltyDeps } from './checkout.ts';
import type { LoyaltyConfig } from './config-store.ts';
import { readCustomerState } from './checkout-state.ts';
import { addLot, expiryFor, lockAndSettle, MergedMeanwhile, spend } from './ledger.ts';
import { loyaltyError } from './loyalty.errors.ts';
import { currentCustomerId, customerErrors } from '../customers/index.ts';
import { tierProgress, type TierProgress } from './tiers.ts';

export type BalanceView = {
  customerId: string;
  available: number;
  /** Points waiting out the return window, in all (`pending` says when each batch becomes available). */
  pendingPoints: number;
  pending: Array<{ points: number; activatesAt: string }>;
  expiring: { points: number; at: string } | null;
  lifetime: { earned: number; redeemed: number; expired: number };
  tier: TierProgress;
};

export async function balanceView(db: DbOrTx, customerId: string, now: Date, config: LoyaltyConfig): Promise<BalanceView> {
  // Read as of now: due pending lots count as available and lapsed ones as gone, even before the jobs run.
  const [balance, current, pending, expiring, tier] = await Promise.all([
    db.selectFrom('pointBalances').selectAll().where('customerId', '=', customerId).executeTakeFirst(),
    readCustomerState(db, customerId, now, { warningDays: 0, tiers: null }),
    sql<{ points: number; activatesAt: Date }>`
      select sum(remaining)::int as points, activates_at from point_lots
      where customer_id = ${customerId} and activated_at is null and expired_at is null and remaining > 0 and activates_at > ${now}
      group by activates_at order by activates_at`.execute(db),
    sql<{ points: number; at: Date }>`
      select sum(remaining)::int as points, expires_at as at from point_lots
      where customer_id = ${customerId} and expired_at is null and remaining > 0 and expires_at > ${now}
        and (activated_at is not null or activates_at <= ${now})
      group by expires_at order by expires_at limit 1`.execute(db),
    tierProgress(db, customerId, config.tiers.body, now),
  ]);
  const next = expiring.rows[0];
  return {
    customerId,
    available: current.available,
    pendingPoints: pending.rows.reduce((sum, row) => sum + Number(row.points), 0),
    pending: pending.rows.map((row) => ({ points: Number(row.points), activatesAt: row.activatesAt.toISOString() })),
    expiring: next ? { points: Number(next.points), at: next.at.toISOString() } : null,
    lifetime: { earned: balance?.lifetimeEarned ?? 0, redeemed: balance?.lifetimeRedeemed ?? 0, expired: balance?.lifetimeExpired ?? 0 },
    tier,
  };
}

export type LedgerEntry = {
  id: number;
  kind: string;
  available: number;
  pending: number;
  lotId: string | null;
  receiptId: string | null;
  refundId: string | null;
  reason: string | null;
  actor: string | null;
  at: string;
};

/** Every change to a customer's balance, newest first. */
export async function ledgerPage(db: DbOrTx, customerId: string, limit: number, cursor?: string): Promise<Page<LedgerEntry>> {
  const before = decodeCursor(cursor, isIntegerKey);
  let query = db.selectFrom('pointEntries').selectAll().where('customerId', '=', customerId).orderBy('id', 'desc').limit(limit + 1);
  if (before !== undefined) query = query.where('id', '<', before);
  const page = pageOf(await query.execute(), limit, (row) => row.id);
  const items = page.items.map((row) => ({
    id: row.id,
    kind: row.kind,
    available: row.availableDelta,
    pending: row.pendingDelta,
    lotId: row.lotId,
    receiptId: row.receiptId,
    refundId: row.refundId,
    reason: row.reason,
    actor: row.actor,
    at: row.occurredAt.toISOString(),
  }));
  return { items, nextCursor: page.nextCursor };
}

export type AdjustmentResult = { customerId: string; points: number; reason: string; balance: number; pendingPoints: number };


/**
 * A support operator's correction: + adds an active lot (expiring as the program says),
 * − takes points oldest first and may not overdraw. Audited; idempotent on Idempotency-Key.
 * A merge moves points under the same balance lock, so the customer is read again after the
 * lock is taken: an adjustment that raced a merge lands on the survivor, never on the merged
 * record (where its points would be stranded).
 */
export async function adjustPoints(
  deps: LoyaltyDeps,
  customerId: string,
  input: { points: number; reason: string },
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<{ result: AdjustmentResult; replayed: boolean }> {
  let target = customerId;
  for (let hop = 0; ; hop++) {
    try {
      return await adjustOnce(deps, target, input, actor, idempotencyKey);
    } catch (error) {
      if (!(error instanceof MergedMeanwhile) || hop >= 2) throw error;
      target = error.survivorId;
    }
  }
}

async function adjustOnce(
  deps: LoyaltyDeps,
  customerId: string,
  input: { points: number; reason: string },
  actor: Actor,
  idempotencyKey: string | undefined,
): Promise<{ result: AdjustmentResult; replayed: boolean }> {
  const { db, clock, ids } = deps;
  return db.transaction().execute(async (tx) => {
    const now = clock.now();
    await lockAndSettle(tx, customerId, now);
    const current = await currentCustomerId(tx, customerId);
    if (current === null) throw customerErrors.error('customer.erased', `Customer ${customerId} was erased; its points cannot change`);
    if (current !== customerId) throw new MergedMeanwhile(current);
    if (idempotencyKey) {
      const earlier = await tx.selectFrom('adjustments').select(['points', 'reason', 'response']).where('customerId', '=', customerId).where('idempotencyKey', '=', idempotencyKey).executeTakeFirst();
      if (earlier) {
        if (requestHash({ points: earlier.points, reason: earlier.reason }) !== requestHash(input)) {
          throw loyaltyError('points.adjustment_conflict', 'This Idempotency-Key was used for a different adjustment');
        }
        return { result: earlier.response as unknown as AdjustmentResult, replayed: true };
      }
    }
    const meta = { reason: input.reason, actor: actor.keyId ?? actor.name };
    let balance;
    if (input.points > 0) {
      const settings = (await deps.cache.config(tx)).program.body;
      balance = await addLot(tx, ids, { customerId, source: 'adjustment', receiptId: null, points: input.points, earnedAt: now, activatesAt: now, expiresAt: expiryFor(settings.expiry, now) }, 'adjust', meta, now);
    } else {
      balance = await spend(tx, customerId, -input.points, 'adjust', meta, now);
    }
    const result: AdjustmentResult = { customerId, points: input.points, reason: input.reason, balance: balance.available, pendingPoints: balance.pending };
    if (idempotencyKey) {
      await tx.insertInto('adjustments').values({ customerId, idempotencyKey, points: input.points, reason: input.reason, response: JSON.stringify(result), createdAt: now }).execute();
    }
    // The reason may name a person; the audit keeps the amount, the reason stays in the ledger.
    await writeAudit(tx, clock, actor, { action: 'points.adjust', entityType: 'customer', entityId: customerId, details: { points: input.points } });
    await emitEvents(tx, clock, ids, [{ type: 'points.adjusted', customerId, payload: { customerId, points: input.points } }]);
    return { result, replayed: false };
  });
}
