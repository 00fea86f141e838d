import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Tx } from './referrals.db.ts';

/**
 * A merge: the duplicate's codes, hashes and referrals go to the survivor. A referral between the
 * two becomes void (one person cannot have brought themselves). When both were referees, the
 * survivor's own referral stands; the duplicate's is kept for its history (`merged_from`), void
 * if it was still open — unless the duplicate's was rewarded: then the survivor's open one is
 * void and the duplicate's becomes the survivor's own. Either way one welcome bonus at most.
 */
export async function mergeReferrals(tx: Tx, clock: Clock, fromId: string, intoId: string): Promise<void> {
  const now = clock.now();
  await tx.updateTable('referralCodes').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
  await sql`insert into referral_fingerprints (customer_id, kind, hash, created_at)
    select ${intoId}, kind, hash, created_at from referral_fingerprints where customer_id = ${fromId}
    on conflict do nothing`.execute(tx);
  await tx.deleteFrom('referralFingerprints').where('customerId', '=', fromId).execute();
  await tx
    .updateTable('referrals')
    .set({ status: 'void', voidReason: 'merged: the referrer and the referee are one customer', updatedAt: now })
    .where('status', '<>', 'void')
    .where((eb) => eb.or([eb.and([eb('referrerId', '=', fromId), eb('customerId', '=', intoId)]), eb.and([eb('referrerId', '=', intoId), eb('customerId', '=', fromId)])]))
    .execute();
  await tx.updateTable('referrals').set({ referrerId: intoId }).where('referrerId', '=', fromId).execute();
  // One person gets one welcome bonus: when the duplicate's referral paid it already, the
  // survivor's open one closes (the reverse, below, closes the duplicate's open one).
  const duplicateRewarded = await tx.selectFrom('referrals').select('id').where('customerId', '=', fromId).where('status', '=', 'rewarded').executeTakeFirst();
  if (duplicateRewarded) {
    await tx
      .updateTable('referrals')
      .set({ status: 'void', voidReason: "merged: the duplicate's referral was rewarded already", receiptId: null, qualifiedAt: null, rewardDueAt: null, updatedAt: now })
      .where('customerId', '=', intoId)
      .where('status', 'in', ['invited', 'qualified'])
      .execute();
  }
  const survivorHasOwn = await tx
    .selectFrom('referrals')
    .select('id')
    .where('customerId', '=', intoId)
    .where('mergedFrom', 'is', null)
    .where('status', '<>', 'void')
    .executeTakeFirst();
  if (!survivorHasOwn) {
    await tx.updateTable('referrals').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
    return;
  }
  await sql`update referrals set customer_id = ${intoId}, merged_from = ${fromId}, updated_at = ${now},
      void_reason = case when status in ('invited', 'qualified') then 'merged: the survivor has a referral of its own' else void_reason end,
      status = case when status in ('invited', 'qualified') then 'void' else status end
    where customer_id = ${fromId}`.execute(tx);
}

/**
 * An erase: the customer's hashes (contacts, devices, payment tokens) and codes go; an open
 * referral of theirs becomes void. Rewarded ones stay, anonymous, beside the ledger they explain.
 */
export async function eraseReferrals(tx: Tx, clock: Clock, customerIds: string[]): Promise<void> {
  const now = clock.now();
  await tx.deleteFrom('referralFingerprints').where('customerId', 'in', customerIds).execute();
  await tx.deleteFrom('referralCodes').where('customerId', 'in', customerIds).execute();
  await tx.updateTable('referrals').set({ deviceHash: null, paymentHash: null }).where('customerId', 'in', customerIds).execute();
  await tx
    .updateTable('referrals')
    .set({ status: 'void', voidReason: 'erased', receiptId: null, qualifiedAt: null, rewardDueAt: null, updatedAt: now })
    .where('customerId', 'in', customerIds)
    .where('status', 'in', ['invited', 'qualified'])
    .execute();
}
