import { currentCustomerId } from '../customers/index.ts';
import { ownTx } from './referrals.db.ts';
import type { ReferralsDeps } from './referrals.deps.ts';
import { emitEvents } from './referrals.events.ts';

/**
 * The 'referrals' job (frequent): finds each invited referee's first qualifying purchase, and
 * rewards both sides once that purchase's pending period is over and it still stands.
 *
 * Why polling loyalty's receipts rather than consuming `receipt.confirmed` from the outbox: the
 * outbox has no consumer framework yet, its identity ids commit out of order, and a confirm is
 * only half the story: a cancel or a refund before the pending period ends must undo the
 * qualification, and the receipt itself says both. Each run selects by state and time only
 * (invited, or qualified and due), so a missed run catches up and two instances at once do no
 * harm: the reward is claimed with one guarded `update … where status = 'qualified' returning`.
 * The invited set is bounded by `qualifyWithinDays` (older ones expire), and it is read in
 * pages of 500 referees, one set-based receipt query a page. An aborted `signal` (the server
 * stopping) ends the run after its page.
 */
export type ReferralJobReport = { qualified: number; expired: number; rewarded: number; requalified: number; failed: number };

const PAGE = 500;

export async function runReferralJob(deps: ReferralsDeps, signal?: AbortSignal): Promise<ReferralJobReport> {
  const report: ReferralJobReport = { qualified: 0, expired: 0, rewarded: 0, requalified: 0, failed: 0 };
  await qualify(deps, report, signal);
  await reward(deps, report, signal);
  return report;
}

async function qualify(deps: ReferralsDeps, report: ReferralJobReport, signal?: AbortSignal): Promise<void> {
  const { db, clock, ids } = deps;
  let after = '';
  while (!signal?.aborted) {
    const invited = await db
      .selectFrom('referrals')
      .select(['id', 'customerId', 'thresholdMinor', 'qualifyBy'])
      .where('status', '=', 'invited')
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (invited.length === 0) return;
    after = invited.at(-1)!.id;
    const found = await deps.receipts.firstQualifying(invited.map((r) => ({ customerId: r.customerId, minPaidMinor: Number(r.thresholdMinor), occurredBy: r.qualifyBy })));
    const byCustomer = new Map(found.map((f) => [f.customerId, f]));
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      for (const referral of invited) {
        const receipt = byCustomer.get(referral.customerId);
        if (receipt) {
          const moved = await tx
            .updateTable('referrals')
            .set({ status: 'qualified', receiptId: receipt.receiptId, qualifiedAt: now, rewardDueAt: receipt.pendingUntil, updatedAt: now })
            .where('id', '=', referral.id)
            .where('status', '=', 'invited')
            .executeTakeFirst();
          if (Number(moved.numUpdatedRows) === 0) continue;
          report.qualified += 1;
          await emitEvents(tx, clock, ids, [
            { type: 'referral.qualified', customerId: referral.customerId, payload: { referralId: referral.id, receiptId: receipt.receiptId, rewardDueAt: receipt.pendingUntil.toISOString() } },
          ]);
        } else if (referral.qualifyBy.getTime() < now.getTime()) {
          const moved = await tx.updateTable('referrals').set({ status: 'expired', updatedAt: now }).where('id', '=', referral.id).where('status', '=', 'invited').executeTakeFirst();
          report.expired += Number(moved.numUpdatedRows);
        }
      }
    });
  }
}

async function reward(deps: ReferralsDeps, report: ReferralJobReport, signal?: AbortSignal): Promise<void> {
  const { db, clock } = deps;
  let after = '';
  while (!signal?.aborted) {
    const due = await db
      .selectFrom('referrals')
      .select(['id', 'customerId'])
      .where('status', '=', 'qualified')
      .where('rewardDueAt', '<=', clock.now())
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (due.length === 0) return;
    after = due.at(-1)!.id;
    for (const referral of due) {
      try {
        const outcome = await rewardOne(deps, referral.id, referral.customerId);
        if (outcome === 'rewarded') report.rewarded += 1;
        if (outcome === 'requalify') report.requalified += 1;
      } catch (error) {
        // One referral's failure (a lock timeout, a deadlock) waits for the next run; the others go on.
        report.failed += 1;
        deps.log?.error({ err: error, referralId: referral.id }, 'referral reward failed');
      }
    }
  }
}

type Outcome = 'rewarded' | 'requalify' | 'deferred' | 'taken';

/**
 * One referral's reward, in one transaction with its points: take both sides' balance locks, in
 * id order, before any referral row (a merge takes the balance locks first and then updates
 * referrals: taking them the other way round, the two would deadlock); then claim the row (a
 * second instance's claim waits for this one and then finds it rewarded), look at the receipt
 * under a share lock (a refund racing this waits or has committed), then credit both sides
 * through the points port.
 */
async function rewardOne(deps: ReferralsDeps, referralId: string, refereeId: string): Promise<Outcome> {
  const { clock, ids, points, receipts } = deps;
  return points.transaction(refereeId, async (platformTx) => {
    const tx = ownTx(platformTx);
    const now = clock.now();
    const seen = await tx.selectFrom('referrals').select(['customerId', 'referrerId']).where('id', '=', referralId).where('status', '=', 'qualified').executeTakeFirst();
    if (!seen) return 'taken';
    // An erased referrer has no balance to lock (and gets nothing below). A side merged meanwhile
    // makes the lock throw MergedMeanwhile: the transaction runs again and reads the moved row.
    const referrer = await currentCustomerId(tx, seen.referrerId);
    for (const id of [...new Set([seen.customerId, ...(referrer ? [referrer] : [])])].sort()) await points.lock(platformTx, id);
    const claimed = await tx
      .updateTable('referrals')
      .set({ status: 'rewarded', rewardedAt: now, updatedAt: now })
      .where('id', '=', referralId)
      .where('status', '=', 'qualified')
      .where('rewardDueAt', '<=', now)
      // The sides locked above are still the row's (anything else waits for the next run).
      .where('customerId', '=', seen.customerId)
      .where('referrerId', '=', seen.referrerId)
      .returningAll()
      .executeTakeFirst();
    if (!claimed?.receiptId) return 'taken';
    const receipt = await receipts.standingIn(platformTx, claimed.receiptId);
    if (!receipt || receipt.status !== 'confirmed' || receipt.netPaidMinor < Number(claimed.thresholdMinor)) {
      // Cancelled or returned below the threshold within its pending period: the referee may still qualify with another purchase.
      await tx
        .updateTable('referrals')
        .set({ status: 'invited', receiptId: null, qualifiedAt: null, rewardDueAt: null, rewardedAt: null, updatedAt: now })
        .where('id', '=', referralId)
        .execute();
      return 'requalify';
    }
    if (receipt.pendingUntil.getTime() > now.getTime()) {
      // The program's pending period grew since the purchase qualified: wait for the longer one.
      await tx.updateTable('referrals').set({ status: 'qualified', rewardDueAt: receipt.pendingUntil, rewardedAt: null, updatedAt: now }).where('id', '=', referralId).execute();
      return 'deferred';
    }
    // An erased referrer gets nothing; the friend still gets their welcome.
    const referrerId = await currentCustomerId(tx, claimed.referrerId);
    const awards = [
      { customerId: claimed.customerId, points: claimed.refereePoints, reason: 'Referral: welcome bonus for the first purchase' },
      ...(referrerId ? [{ customerId: referrerId, points: claimed.referrerPoints, reason: 'Referral: a friend made their first purchase' }] : []),
    ]
      .filter((award) => award.points > 0)
      // Balance locks in id order: two referrals rewarding each other's sides at once cannot deadlock.
      .sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
    for (const award of awards) {
      await points.award(platformTx, { ...award, reference: claimed.id, actor: 'referrals' });
    }
    await emitEvents(tx, clock, ids, [
      {
        type: 'referral.rewarded',
        customerId: claimed.customerId,
        payload: { referralId: claimed.id, customerId: claimed.customerId, referrerId: claimed.referrerId, refereePoints: claimed.refereePoints, referrerPoints: referrerId ? claimed.referrerPoints : 0 },
      },
    ]);
    return 'rewarded';
  });
}
