import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from '../../platform/ids.ts';
import { emitEvents } from '../../platform/outbox.ts';
import { loadLoyaltyConfig } from './config-store.ts';
import { activateDueLots, expireDueLots, lockBalance } from './ledger.ts';
import { reviewTier } from './tiers.ts';

/**
 * Scheduled work on the ledger. Each job finds what is due by time alone (activates_at,
 * expires_at, a notified flag), so running it twice does nothing new and running it after
 * downtime catches up. Each customer is handled in its own short transaction.
 */
export type JobReport = { customers: number; points: number };

const BATCH = 500;

async function dueCustomers(db: Db, query: ReturnType<typeof sql<{ customerId: string }>>): Promise<string[]> {
  return (await query.execute(db)).rows.map((row) => row.customerId);
}

export async function activatePendingPoints(db: Db, clock: Clock, ids: Ids): Promise<JobReport> {
  const report = { customers: 0, points: 0 };
  for (;;) {
    const now = clock.now();
    const customers = await dueCustomers(db, sql`select distinct customer_id from point_lots where activated_at is null and activates_at <= ${now} limit ${BATCH}`);
    if (customers.length === 0) return report;
    for (const customerId of customers) {
      await db.transaction().execute(async (tx) => {
        const balance = await lockBalance(tx, customerId, now);
        const points = await activateDueLots(tx, balance, now);
        if (points > 0) await emitEvents(tx, clock, ids, [{ type: 'points.activated', customerId, payload: { customerId, points } }]);
        report.points += points;
      });
      report.customers++;
    }
  }
}

export async function expirePoints(db: Db, clock: Clock, ids: Ids): Promise<JobReport> {
  const report = { customers: 0, points: 0 };
  for (;;) {
    const now = clock.now();
    const customers = await dueCustomers(db, sql`select distinct customer_id from point_lots where expired_at is null and expires_at <= ${now} limit ${BATCH}`);
    if (customers.length === 0) return report;
    for (const customerId of customers) {
      await db.transaction().execute(async (tx) => {
        const balance = await lockBalance(tx, customerId, now);
        const expired = await expireDueLots(tx, balance, now);
        const points = expired.reduce((sum, e) => sum + e.points, 0);
        if (points > 0) await emitEvents(tx, clock, ids, [{ type: 'points.expired', customerId, payload: { customerId, points } }]);
        report.points += points;
      });
      report.customers++;
    }
  }
}

/** `points.expiring` once per lot, `expiringNoticeDays` ahead, for reminders. */
export async function announceExpiringPoints(db: Db, clock: Clock, ids: Ids): Promise<JobReport> {
  const report = { customers: 0, points: 0 };
  const days = (await loadLoyaltyConfig(db)).program.body.expiringNoticeDays;
  if (days <= 0) return report;
  for (;;) {
    const now = clock.now();
    const horizon = new Date(now.getTime() + days * 86_400_000);
    const customers = await dueCustomers(
      db,
      sql`select distinct customer_id from point_lots where expiring_notified_at is null and expired_at is null
        and remaining > 0 and expires_at > ${now} and expires_at <= ${horizon} limit ${BATCH}`,
    );
    if (customers.length === 0) return report;
    for (const customerId of customers) {
      await db.transaction().execute(async (tx) => {
        await lockBalance(tx, customerId, now);
        const lots = await tx
          .updateTable('pointLots')
          .set({ expiringNotifiedAt: now })
          .where('customerId', '=', customerId)
          .where('expiringNotifiedAt', 'is', null)
          .where('expiredAt', 'is', null)
          .where('remaining', '>', 0)
          .where('expiresAt', '>', now)
          .where('expiresAt', '<=', horizon)
          .returning(['remaining', 'expiresAt'])
          .execute();
        const points = lots.reduce((sum, lot) => sum + lot.remaining, 0);
        const at = lots.map((lot) => lot.expiresAt!.getTime()).reduce((a, b) => Math.min(a, b), Infinity);
        if (points > 0) {
          await emitEvents(tx, clock, ids, [{ type: 'points.expiring', customerId, payload: { customerId, points, at: new Date(at).toISOString() } }]);
        }
        report.points += points;
      });
      report.customers++;
    }
  }
}

/**
 * The periodic tier review of every customer in the program (with a tier or a balance):
 * down one level (or to the earned tier) when they no longer qualify, up when an upgrade was
 * missed (receipts loaded in bulk, say). Keyset-paged, each customer in its own transaction.
 */
export async function reviewTiers(db: Db, clock: Clock, ids: Ids): Promise<{ reviewed: number; up: number; down: number }> {
  const config = (await loadLoyaltyConfig(db)).tiers.body;
  const report = { reviewed: 0, up: 0, down: 0 };
  if (config.tiers.length < 2) return report;
  let after = '';
  for (;;) {
    const rows = (
      await sql<{ customerId: string }>`
        select customer_id from (select customer_id from customer_tiers union select customer_id from point_balances) members
        where customer_id > ${after} order by customer_id limit ${BATCH}`.execute(db)
    ).rows;
    if (rows.length === 0) return report;
    for (const { customerId } of rows) {
      const outcome = await db.transaction().execute((tx) => reviewTier(tx, clock, ids, customerId, config));
      report.reviewed++;
      if (outcome === 'up') report.up++;
      if (outcome === 'down') report.down++;
    }
    after = rows.at(-1)!.customerId;
  }
}

export type JobName = 'activate-points' | 'expire-points' | 'announce-expiring-points' | 'review-tiers';

export const jobs: Record<JobName, (db: Db, clock: Clock, ids: Ids) => Promise<object>> = {
  'activate-points': activatePendingPoints,
  'expire-points': expirePoints,
  'announce-expiring-points': announceExpiringPoints,
  'review-tiers': reviewTiers,
};
