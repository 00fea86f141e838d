import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx, Db } from './referrals.db.ts';
import { referralError } from './referrals.errors.ts';

export type ReferralSettings = {
  enabled: boolean;
  referrerPoints: number;
  refereePoints: number;
  /** Minor units: the least a receipt must have paid, returns deducted. */
  qualifyingPurchaseMinor: number;
  joinWindowDays: number;
  qualifyWithinDays: number;
  /** 0: no limit. */
  capPerReferrerPerMonth: number;
  capPerReferrerTotal: number;
  linkTemplate?: string;
};

/**
 * What a program starts with: on, 500 points to the referrer and 300 to the friend for a first
 * purchase of 1,000.00 or more, named within 30 days of joining, bought within 90 days, at most
 * 10 friends a month and 100 in all per referrer (a farm of fake accounts hits the cap first).
 */
export const defaultReferralSettings: ReferralSettings = {
  enabled: true,
  referrerPoints: 500,
  refereePoints: 300,
  qualifyingPurchaseMinor: 100_000,
  joinWindowDays: 30,
  qualifyWithinDays: 90,
  capPerReferrerPerMonth: 10,
  capPerReferrerTotal: 100,
};

export type VersionedSettings = { body: ReferralSettings; version: number; updatedAt: string | null };

/** The stored body lies over the defaults, so a setting added later has its default for programs saved before. */
export async function loadReferralSettings(db: DbOrTx): Promise<VersionedSettings> {
  const row = await db.selectFrom('referralSettings').select(['version', 'body', 'updatedAt']).where('id', '=', true).executeTakeFirstOrThrow();
  return { body: { ...defaultReferralSettings, ...(row.body as Partial<ReferralSettings>) }, version: row.version, updatedAt: row.updatedAt?.toISOString() ?? null };
}

/**
 * Saves the settings under the row's lock: with `expectedVersion`, a version saved since is a 409
 * rather than a lost update; a body equal to the current one saves nothing (PUT what GET answered).
 */
export async function saveReferralSettings(
  db: Db,
  clock: Clock,
  actor: Actor,
  change: (current: ReferralSettings) => ReferralSettings,
  expectedVersion?: number,
): Promise<VersionedSettings> {
  return db.transaction().execute(async (tx) => {
    await tx.selectFrom('referralSettings').select('version').where('id', '=', true).forUpdate().executeTakeFirstOrThrow();
    const current = await loadReferralSettings(tx);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw referralError(
        'referral_program.version_conflict',
        `version: you read version ${expectedVersion}, but version ${current.version} was saved since; read it again and repeat your change`,
        [{ field: 'version', reason: `is ${expectedVersion}; the current version is ${current.version}` }],
      );
    }
    const body = change(current.body);
    if (canonicalJson(body) === canonicalJson(current.body)) return current;
    const now = clock.now();
    await tx
      .updateTable('referralSettings')
      .set({ body: JSON.stringify(body), version: sql`version + 1`, updatedAt: now, updatedBy: actor.keyId ?? actor.name })
      .where('id', '=', true)
      .execute();
    const version = current.version + 1;
    await writeAudit(tx, clock, actor, { action: 'referral_program.update', entityType: 'referral_program', entityId: null, details: { version } });
    return { body, version, updatedAt: now.toISOString() };
  });
}
