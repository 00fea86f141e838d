import { AppError } from '../../platform/errors.ts';
import { localTime } from '../../platform/local-time.ts';
import type { Promotions } from '../promotions/index.ts';
import { dueOffer, monthDaysAround, startOfLocalDay, addDays, LATE_GRACE_DAYS, type DueOffer } from './birthday-dates.ts';
import { loadBirthdaySettings, type BirthdaySettings } from './birthday-settings.ts';
import type { EngagementDeps } from './customer-events.ts';
import { ownTx } from './engagement.db.ts';
import { emitEvents } from './engagement.events.ts';

/**
 * The daily job `issue-birthday-offers`: every customer whose offer window holds today — their
 * today, in their own timezone (the setting's defaultTimezone when they have none) — gets the
 * offer once per year. The unique (customer_id, year) row is the guarantee, so a second run, a
 * second instance or a run after days off never issues twice, and a run after days off still
 * issues to those whose window is not over yet. A window missed whole (a one-day window between
 * two runs, across a DST change or a long interval) is made up late, up to LATE_GRACE_DAYS after
 * it ended: valid from that day for the window's length. Later than that it is not made up.
 *
 * Customers are walked by id in pages (only those whose birthday falls near today, in SQL); the
 * page reached is saved, so a run stopped halfway goes on from there the same day.
 */
export type BirthdayDeps = EngagementDeps & { promotions: Pick<Promotions, 'codes'> };
export type BirthdayReport = { customers: number; due: number; issued: number; failed: number };

const PAGE = 500;
const STATE = 'issue-birthday-offers';

/** Thrown inside the offer's transaction when another run issued it first: rolls back the points. */
class AlreadyIssued extends Error {}

export async function issueBirthdayOffers(deps: BirthdayDeps, signal?: AbortSignal): Promise<BirthdayReport> {
  const { db, clock } = deps;
  const report: BirthdayReport = { customers: 0, due: 0, issued: 0, failed: 0 };
  const settings = await loadBirthdaySettings(db);
  if (!settings.enabled) return report;
  const now = clock.now();
  const utcToday = now.toISOString().slice(0, 10);
  const state = await db.selectFrom('engagementJobState').select(['position', 'day']).where('name', '=', STATE).executeTakeFirst();
  let after = state?.day === utcToday && state.position ? state.position : '';
  const monthDays = monthDaysAround(utcToday, settings.daysBefore, settings.daysAfter + LATE_GRACE_DAYS);
  // Stopped (the server stopping) after a page: the saved position lets the next run go on from it.
  while (!signal?.aborted) {
    const page = await deps.customers.birthdays({ after, limit: PAGE, monthDays });
    if (page.length === 0) break;
    report.customers += page.length;
    const due = page
      .map((customer) => {
        const timezone = customer.timezone ?? settings.defaultTimezone;
        return { customer, timezone, offer: dueOffer(customer.birthDate, localTime(now, timezone).date, settings.daysBefore, settings.daysAfter) };
      })
      .filter((entry): entry is typeof entry & { offer: DueOffer } => entry.offer !== null);
    const issued = due.length === 0
      ? new Set<string>()
      : new Set(
          (await db.selectFrom('birthdayOffers').select(['customerId', 'year']).where('customerId', 'in', due.map((d) => d.customer.id)).where('mergedFrom', 'is', null).execute()).map(
            (row) => `${row.customerId}/${row.year}`,
          ),
        );
    for (const { customer, timezone, offer } of due) {
      if (issued.has(`${customer.id}/${offer.year}`)) continue;
      report.due++;
      try {
        if (await issueOffer(deps, settings, customer.id, timezone, offer)) report.issued++;
      } catch (error) {
        // One customer's failure (an erased customer, a deleted promotion) does not stop the others; the next run retries.
        if (!(error instanceof AppError)) throw error;
        report.failed++;
      }
    }
    after = page.at(-1)!.id;
    await saveState(deps, after, utcToday);
  }
  if (!signal?.aborted) await saveState(deps, null, utcToday);
  return report;
}

async function saveState({ db, clock }: BirthdayDeps, position: string | null, day: string): Promise<void> {
  await db
    .insertInto('engagementJobState')
    .values({ name: STATE, position, day, updatedAt: clock.now() })
    .onConflict((oc) => oc.column('name').doUpdateSet({ position, day, updatedAt: clock.now() }))
    .execute();
}

/**
 * Issues one offer in one transaction on the customer's current record: the points first (the
 * balance lock, taken before any row of ours, as a merge takes it), then the once-a-year row —
 * which, if another run made it meanwhile, rolls the points back — then the personal code, then
 * `customer.birthday` for the greeting. The code is valid from the window's first local midnight
 * to the midnight after its last day.
 */
async function issueOffer(deps: BirthdayDeps, settings: BirthdaySettings, customerId: string, timezone: string, offer: DueOffer): Promise<boolean> {
  const { clock, ids, points, promotions } = deps;
  const validFrom = startOfLocalDay(offer.from, timezone);
  const validTo = startOfLocalDay(addDays(offer.to, 1), timezone);
  const offerId = ids.next('bdo');
  const benefit = settings.benefit;
  try {
    return await points.transaction(customerId, async (ptx, id) => {
      const tx = ownTx(ptx);
      if (benefit.kind === 'points') {
        await points.award(ptx, { customerId: id, points: benefit.points, reference: offerId, reason: `Birthday bonus ${offer.year}`, actor: 'patron' });
      } else {
        // A code moves no points, but the offer and the code must not land on a record a merge is moving away.
        await points.lock(ptx, id);
      }
      const row = await tx
        .insertInto('birthdayOffers')
        .values({
          id: offerId,
          customerId: id,
          year: offer.year,
          birthday: offer.birthday,
          validFrom,
          validTo,
          kind: benefit.kind,
          points: benefit.kind === 'points' ? benefit.points : null,
          promotionId: benefit.kind === 'promo_code' ? benefit.promotionId : null,
          code: null,
          mergedFrom: null,
          issuedAt: clock.now(),
        })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) throw new AlreadyIssued();
      let code: string | null = null;
      if (benefit.kind === 'promo_code') {
        code = await promotions.codes.issuePersonal(ptx, { promotionId: benefit.promotionId, customerId: id, validFrom, validTo });
        await tx.updateTable('birthdayOffers').set({ code }).where('id', '=', offerId).execute();
      }
      await emitEvents(tx, clock, ids, [
        {
          type: 'customer.birthday',
          customerId: id,
          payload: {
            // No dates: they reveal the birth date and the outbox is not erased; the offer's row (nulled on erase) has them.
            customerId: id,
            offerId,
            year: offer.year,
            kind: benefit.kind,
            ...(benefit.kind === 'points' ? { points: benefit.points } : { promotionId: benefit.promotionId, code }),
          },
        },
      ]);
      return true;
    });
  } catch (error) {
    if (error instanceof AlreadyIssued) return false;
    throw error;
  }
}
