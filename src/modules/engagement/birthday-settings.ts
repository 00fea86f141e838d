import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { isTimezone } from '../../platform/time-zones.ts';
import type { Db, DbOrTx } from './engagement.db.ts';
import { engagementError } from './engagement.errors.ts';

/** The birthday offer's setting: one versioned document (GET, PUT, PATCH /v1/birthday-offer). */
export type BirthdayBenefit = { kind: 'points'; points: number } | { kind: 'promo_code'; promotionId: string };
export type BirthdaySettings = { enabled: boolean; benefit: BirthdayBenefit; daysBefore: number; daysAfter: number; defaultTimezone: string };
export type BirthdaySettingsView = BirthdaySettings & { version: number; updatedAt: string };

export async function loadBirthdaySettings(db: DbOrTx): Promise<BirthdaySettingsView> {
  const row = await db.selectFrom('birthdayOfferSettings').selectAll().executeTakeFirstOrThrow();
  return { ...(row.body as BirthdaySettings), version: row.version, updatedAt: row.updatedAt.toISOString() };
}

/**
 * Saves `change(current)` as a new version; `expectedVersion` is the version the caller read
 * (another saved since: 409). `promotionExists` checks a promo-code benefit's promotion through
 * the promotions module, outside the transaction (on PGlite a query outside an open transaction
 * would wait for it forever): the change is made and checked first, then saved under the row's
 * lock only if no other version was saved meanwhile (otherwise made again). An unchanged setting
 * is not saved again.
 */
export async function saveBirthdaySettings(
  db: Db,
  clock: Clock,
  actor: Actor,
  change: (current: BirthdaySettings) => BirthdaySettings,
  promotionExists: (id: string) => Promise<boolean>,
  expectedVersion?: number,
): Promise<BirthdaySettingsView> {
  for (;;) {
    const read = await db.selectFrom('birthdayOfferSettings').selectAll().executeTakeFirstOrThrow();
    if (expectedVersion !== undefined && expectedVersion !== read.version) {
      throw engagementError(
        'birthday_offer.version_conflict',
        `version: you read version ${expectedVersion}, but version ${read.version} was saved since; read it again and repeat your change`,
        [{ field: 'version', reason: `is ${expectedVersion}; the current version is ${read.version}` }],
      );
    }
    const current = read.body as BirthdaySettings;
    const { enabled, benefit, daysBefore, daysAfter, defaultTimezone } = change(current);
    const next: BirthdaySettings = { enabled, benefit, daysBefore, daysAfter, defaultTimezone };
    const problems: FieldProblem[] = [];
    if (!isTimezone(next.defaultTimezone)) problems.push({ field: 'defaultTimezone', reason: 'is not an IANA timezone such as Europe/Moscow' });
    if (next.benefit.kind === 'promo_code' && !(await promotionExists(next.benefit.promotionId))) {
      problems.push({ field: 'benefit.promotionId', reason: `is not a promotion (${next.benefit.promotionId}); GET /v1/promotions lists them` });
    }
    if (problems.length > 0) throw engagementError('birthday_offer.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
    if (canonicalJson(next) === canonicalJson(current)) return { ...current, version: read.version, updatedAt: read.updatedAt.toISOString() };
    const saved = await db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('birthdayOfferSettings')
        .set({ body: JSON.stringify(next), version: read.version + 1, updatedAt: clock.now() })
        .where('version', '=', read.version)
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      await writeAudit(tx, clock, actor, {
        action: 'birthday_offer.update',
        entityType: 'birthday_offer',
        entityId: null,
        details: { version: row.version, enabled: next.enabled, benefit: next.benefit.kind },
      });
      return row;
    });
    if (saved) return { ...next, version: saved.version, updatedAt: saved.updatedAt.toISOString() };
  }
}
