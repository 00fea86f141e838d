import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { customerErrors } from '../customers/index.ts';
import { contactFingerprints, kindWords, recordFingerprints, secretFingerprints, sharedKind, storedFingerprints, type Fingerprint, type FingerprintKey } from './fingerprints.ts';
import { normalizeReferralCode } from './referral-codes.ts';
import { loadReferralSettings, type ReferralSettings } from './referral-settings.ts';
import { ownReferral, toReferral, type ReferralView } from './referral-view.ts';
import type { Tx } from './referrals.db.ts';
import type { ReferralsDeps } from './referrals.deps.ts';
import { referralError } from './referrals.errors.ts';
import { emitEvents } from './referrals.events.ts';

export type NamingInput = { code: string; deviceId?: string; paymentToken?: string };

const DAY = 86_400_000;

/**
 * PUT /v1/customers/{id}/referrer: a new customer names who brought them, once, before their
 * first confirmed receipt and within the join window. Refused when both sides are one person
 * (the same customer, or a phone, e-mail, card, device or payment token in common, now or as
 * seen before) and when the referrer reached a cap. Naming the same code again answers the
 * referral made (a retried request), with `replayed`.
 */
export async function nameReferrer(deps: ReferralsDeps, key: FingerprintKey, id: string, input: NamingInput, actor: Actor): Promise<{ referral: ReferralView; replayed: boolean }> {
  const { db, clock, customers } = deps;
  const settings = (await loadReferralSettings(db)).body;
  const refereeId = await customers.resolveId(id);
  const code = normalizeReferralCode(input.code);

  const earlier = await ownReferral(db, refereeId);
  if (earlier) return replayOrRefuse(earlier, code);
  if (!settings.enabled) throw referralError('referral.program_disabled', 'The referral program is switched off (GET /v1/referral-program); no referrer can be named now');

  const owner = await db.selectFrom('referralCodes').select('customerId').where('code', '=', code).executeTakeFirst();
  const unknown = () => referralError('referral.unknown_code', `code: no customer has the referral code ${code}`, [{ field: 'code', reason: 'is no customer\'s referral code' }]);
  if (!owner) throw unknown();
  const referrerId = await customers.resolveId(owner.customerId);
  const [referee, referrer] = [await customers.get(refereeId, false), await customers.get(referrerId, false)];
  if (referee.status === 'erased') throw customerErrors.error('customer.erased', `Customer ${refereeId} was erased`);
  if (referrer.status === 'erased') throw unknown();
  if (referrerId === refereeId) throw referralError('referral.self_referral', `code: ${code} is the customer's own referral code`, [{ field: 'code', reason: 'is the customer\'s own' }]);

  const now = clock.now();
  const joinedAt = new Date(referee.createdAt);
  if (now.getTime() > joinedAt.getTime() + settings.joinWindowDays * DAY) {
    throw referralError('referral.join_window_passed', `The customer joined on ${referee.createdAt.slice(0, 10)}; a referrer is named within ${settings.joinWindowDays} days of joining`);
  }
  if (await deps.receipts.hasConfirmedReceipt(refereeId)) {
    throw referralError('referral.after_first_purchase', 'The customer has a confirmed purchase already; a referrer is named before the first one');
  }

  const given = secretFingerprints(key, input);
  const refereeMarks = [...contactFingerprints(key, referee), ...given, ...(await storedFingerprints(db, refereeId))];
  const referrerMarks = [...contactFingerprints(key, referrer), ...(await storedFingerprints(db, referrerId))];
  const shared = sharedKind(refereeMarks, referrerMarks);
  if (shared) {
    throw referralError('referral.self_referral', `The customer and the owner of ${code} share a ${kindWords[shared]}: a customer cannot refer themselves`);
  }

  const referral = await db.transaction().execute(async (tx) => {
    // The referrer's code rows are the lock that serialises namings of one referrer, so the caps
    // below count every referral committed before this one and none can slip past them.
    await tx.selectFrom('referralCodes').select('code').where('customerId', '=', referrerId).orderBy('code').forUpdate().execute();
    await checkDevicesUnused(tx, refereeId, given);
    await checkCaps(tx, referrerId, settings, now);
    const inserted = await sql<{ id: string }>`
      insert into referrals (id, customer_id, referrer_id, code, status, referrer_points, referee_points, threshold_minor, qualify_by,
        device_hash, payment_hash, created_at, updated_at)
      values (${deps.ids.next('rfl')}, ${refereeId}, ${referrerId}, ${code}, 'invited', ${settings.referrerPoints}, ${settings.refereePoints},
        ${settings.qualifyingPurchaseMinor}, ${new Date(now.getTime() + settings.qualifyWithinDays * DAY)},
        ${given.find((f) => f.kind === 'device')?.hash ?? null}, ${given.find((f) => f.kind === 'payment')?.hash ?? null}, ${now}, ${now})
      on conflict (customer_id) where merged_from is null and status <> 'void' do nothing
      returning id`.execute(tx);
    const row = inserted.rows[0];
    if (!row) return null;
    await recordFingerprints(tx, clock, refereeId, [...contactFingerprints(key, referee), ...given]);
    await recordFingerprints(tx, clock, referrerId, contactFingerprints(key, referrer));
    await writeAudit(tx, clock, actor, { action: 'referral.name', entityType: 'referral', entityId: row.id, details: { customerId: refereeId, referrerId } });
    await emitEvents(tx, clock, deps.ids, [{ type: 'referral.named', customerId: refereeId, payload: { referralId: row.id, customerId: refereeId, referrerId } }]);
    return tx.selectFrom('referrals').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
  });
  // Another request named a referrer for this customer at the same moment: its answer stands.
  if (!referral) {
    const winner = await ownReferral(db, refereeId);
    if (!winner) throw new Error(`referral of ${refereeId}: the insert lost to a row that is gone`);
    return replayOrRefuse(winner, code);
  }
  return { referral: toReferral(referral), replayed: false };
}

function replayOrRefuse(existing: Parameters<typeof toReferral>[0], code: string) {
  if (existing.code === code) return { referral: toReferral(existing), replayed: true };
  throw referralError('referral.already_referred', `The customer named the referral code ${existing.code} on ${existing.createdAt.toISOString().slice(0, 10)}; a referrer is named once`);
}

/** A device or payment token that brought another customer already is a farm's tell: one phone, many accounts. */
async function checkDevicesUnused(tx: Tx, refereeId: string, given: Fingerprint[]): Promise<void> {
  for (const mark of given) {
    const column = mark.kind === 'device' ? 'deviceHash' : 'paymentHash';
    const used = await tx.selectFrom('referrals').select('id').where(column, '=', mark.hash).where('customerId', '<>', refereeId).where('status', '<>', 'void').limit(1).executeTakeFirst();
    if (used) throw referralError('referral.device_used', `This ${mark.kind === 'device' ? 'device' : 'payment card'} was used to name a referrer for another customer; it counts once`);
  }
}

/** Caps count every referee a referrer brought (void ones aside), whatever became of them: farmed accounts that never buy still count. */
async function checkCaps(tx: Tx, referrerId: string, settings: ReferralSettings, now: Date): Promise<void> {
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const counts = await tx
    .selectFrom('referrals')
    .select((eb) => [eb.fn.countAll<string>().as('total'), eb.fn.countAll<string>().filterWhere('createdAt', '>=', monthStart).as('month')])
    .where('referrerId', '=', referrerId)
    .where('status', '<>', 'void')
    .executeTakeFirstOrThrow();
  const { capPerReferrerPerMonth: perMonth, capPerReferrerTotal: total } = settings;
  if (perMonth > 0 && Number(counts.month) >= perMonth) {
    throw referralError('referral.cap_reached', `The referrer brought ${counts.month} customers this month; the program allows ${perMonth} a month`);
  }
  if (total > 0 && Number(counts.total) >= total) {
    throw referralError('referral.cap_reached', `The referrer brought ${counts.total} customers; the program allows ${total} in all`);
  }
}
