import type { Actor } from '../../platform/actor.ts';
import { applyMergePatch, checkMerged } from '../../platform/merge-patch.ts';
import { customerErrors, type CustomerLifecycleHooks } from '../customers/index.ts';
import { contactFingerprints, fingerprintKeys, recordFingerprints, recordFingerprintsOfMany, secretFingerprints } from './fingerprints.ts';
import { giveReferralCodes } from './referral-codes.ts';
import { eraseReferrals, mergeReferrals } from './lifecycle.ts';
import { nameReferrer, type NamingInput } from './name-referrer.ts';
import { loadReferralSettings, saveReferralSettings, type ReferralSettings } from './referral-settings.ts';
import { refereePage, referralSummary } from './referral-view.ts';
import type { Tx } from './referrals.db.ts';
import type { ReferralsDeps } from './referrals.deps.ts';
import { ReferralProgramSettingsSchema } from './referrals.schemas.ts';
import type { ReferralStatus } from './referrals.tables.ts';
import { runReferralJob } from './reward-job.ts';

export { referralsModule } from './referrals.module.ts';
export { referralRoutes } from './referrals.routes.ts';
export type { ReferralsDeps } from './referrals.deps.ts';
export type { ReferralSettings } from './referral-settings.ts';

/** The referrals module's public face: codes, naming a referrer, the program's settings and the reward job. */
export function createReferrals(deps: ReferralsDeps, hooks: CustomerLifecycleHooks<Tx>) {
  const { db, clock, customers } = deps;
  const keys = fingerprintKeys(clock);
  hooks.onMerge.push((tx, fromId, intoId) => mergeReferrals(tx, clock, fromId, intoId));
  hooks.onErase.push((tx, customerIds) => eraseReferrals(tx, clock, customerIds));
  // A code at sign-up, so reading it is a read; and the hashes of the contacts the customer came
  // with, so a phone later moved to a second account still matches this one.
  (hooks.onCreate ??= []).push(async (tx, created) => {
    await giveReferralCodes(tx, clock, created.map((c) => c.id));
    const key = await keys.get(tx);
    await recordFingerprintsOfMany(tx, clock, created.flatMap((c) => contactFingerprints(key, c).map((mark) => ({ customerId: c.id, ...mark }))));
  });

  return {
    summary: (customerId: string) => referralSummary(deps, customerId),
    referees: (customerId: string, query: { limit: number; cursor?: string; status?: ReferralStatus }) => refereePage(deps, customerId, query),
    nameReferrer: async (customerId: string, input: NamingInput, actor: Actor) => nameReferrer(deps, await keys.get(db), customerId, input, actor),
    /** Records the hashes of a customer's device id or payment token (and contacts), so a later self-referral from them is caught. */
    async recordFingerprints(id: string, given: { deviceId?: string; paymentToken?: string }) {
      const customerId = await customers.resolveId(id);
      const record = await customers.get(customerId, false);
      if (record.status === 'erased') throw customerErrors.error('customer.erased', `Customer ${customerId} was erased`);
      const key = await keys.get(db);
      const recorded = await recordFingerprints(db, clock, customerId, [...contactFingerprints(key, record), ...secretFingerprints(key, given)]);
      return { customerId, recorded };
    },
    settings: {
      get: () => loadReferralSettings(db),
      replace: (body: ReferralSettings, actor: Actor, expectedVersion?: number) => saveReferralSettings(db, clock, actor, () => body, expectedVersion),
      patch: (patch: Record<string, unknown>, actor: Actor, expectedVersion?: number) =>
        saveReferralSettings(db, clock, actor, (current) => checkMerged<ReferralSettings>(ReferralProgramSettingsSchema, applyMergePatch(current, patch)), expectedVersion),
    },
    runJob: (signal?: AbortSignal) => runReferralJob(deps, signal),
  };
}

export type Referrals = ReturnType<typeof createReferrals>;
