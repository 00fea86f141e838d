import { sql } from 'kysely';
import type { Db } from './loyalty.db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from './loyalty.ids.ts';
import { emitEvents, type DomainEvent } from './loyalty.events.ts';
import { loadLoyaltyConfig } from './config-store.ts';
import { lockBalances, markExpiringLots, settleDue } from './ledger.ts';
import { reviewTierBatch } from './tiers.ts';

/**
 * Scheduled work on the ledger. Each job finds what is due by time alone (activates_at,
 * expires_at, a notified flag), so running it twice does nothing new and running it after
 * downtime catches up. Set-based: a batch of customers at a time, each batch one short
 * transaction of a few statements (lock the batch's balance rows, then settle or review them).
 * An aborted `signal` (the server stopping) ends a job after its batch; the next run goes on.
 */
export type JobReport = { customers: number; points: number };

const BATCH = 500;

async function dueCustomers(db: Db, query: ReturnType<typeof sql<{ customerId: string }>>): Promise<string[]> {
  return (await query.execute(db)).rows.map((row) => row.customerId);
}

/** Settles a batch: activation and expiry together, as every change to a customer does. */
async function settleBatch(db: Db, clock: Clock, ids: Ids, customers: string[], report: JobReport, count: 'activated' | 'expired'): Promise<void> {
  const now = clock.now();
  await db.transaction().execute(async (tx) => {
    await lockBalances(tx, customers, now);
    const settled = await settleDue(tx, customers, now);
    const events: DomainEvent[] = [];
    for (const s of settled) {
      if (s.activated > 0) events.push({ type: 'points.activated', customerId: s.customerId, payload: { customerId: s.customerId, points: s.activated } });
      if (s.expired > 0) events.push({ type: 'points.expired', customerId: s.customerId, payload: { customerId: s.customerId, points: s.expired } });
      report.points += s[count];
    }
    await emitEvents(tx, clock, ids, events);
  });
  report.customers += customers.length;
}

export async function activatePendingPoints(db: Db, clock: Clock, ids: Ids, signal?: AbortSignal): Promise<JobReport> {
  const report = { customers: 0, points: 0 };
  while (!signal?.aborted) {
    const now = clock.now();
    const customers = await dueCustomers(db, sql`select distinct customer_id from point_lots where activated_at is null and expired_at is null and activates_at <= ${now} limit ${BATCH}`);
    if (customers.length === 0) return report;
    await settleBatch(db, clock, ids, customers, report, 'activated');
  }
  return report;
}

export async function expirePoints(db: Db, clock: Clock, ids: Ids, signal?: AbortSignal): Promise<JobReport> {
  const report = { customers: 0, points: 0 };
  while (!signal?.aborted) {
    const now = clock.now();
    const customers = await dueCustomers(db, sql`select distinct customer_id from point_lots where expired_at is null and expires_at <= ${now} limit ${BATCH}`);
    if (customers.length === 0) return report;
    await settleBatch(db, clock, ids, customers, report, 'expired');
  }
  return report;
}

/** `points.expiring` once per lot, `expiringNoticeDays` ahead, for reminders: one statement a batch. */
export async function announceExpiringPoints(db: Db, clock: Clock, ids: Ids, signal?: AbortSignal): Promise<JobReport> {
  const report = { customers: 0, points: 0 };
  const days = (await loadLoyaltyConfig(db)).program.body.expiringNoticeDays;
  if (days <= 0) return report;
  while (!signal?.aborted) {
    const now = clock.now();
    const horizon = new Date(now.getTime() + days * 86_400_000);
    const found = await db.transaction().execute(async (tx) => {
      const rows = await markExpiringLots(tx, now, horizon, BATCH * 4);
      await emitEvents(
        tx,
        clock,
        ids,
        rows.map((r) => ({ type: 'points.expiring' as const, customerId: r.customerId, payload: { customerId: r.customerId, points: r.points, at: r.at.toISOString() } })),
      );
      return rows;
    });
    if (found.length === 0) return report;
    report.customers += found.length;
    report.points += found.reduce((sum, r) => sum + r.points, 0);
  }
  return report;
}

/**
 * The periodic tier review of every customer in the program (with a tier or a balance):
 * keyset-paged batches, each reviewed set-based under the batch's balance locks, so an upgrade
 * a concurrent confirm makes is either seen by the review or made after it — never undone.
 */
export async function reviewTiers(db: Db, clock: Clock, ids: Ids, signal?: AbortSignal): Promise<{ reviewed: number; up: number; down: number }> {
  const config = (await loadLoyaltyConfig(db)).tiers.body;
  const report = { reviewed: 0, up: 0, down: 0 };
  if (config.tiers.length < 2) return report;
  let after = '';
  while (!signal?.aborted) {
    const rows = (
      await sql<{ customerId: string }>`
        select customer_id from (select customer_id from customer_tiers union select customer_id from point_balances where merged_into is null) members
        where customer_id > ${after} order by customer_id limit ${BATCH}`.execute(db)
    ).rows;
    if (rows.length === 0) return report;
    const batch = rows.map((row) => row.customerId);
    const outcome = await db.transaction().execute(async (tx) => {
      await lockBalances(tx, batch, clock.now());
      return reviewTierBatch(tx, clock, ids, batch, config);
    });
    report.reviewed += batch.length;
    report.up += outcome.up;
    report.down += outcome.down;
    after = batch.at(-1)!;
  }
  return report;
}

export type JobName = 'activate-points' | 'expire-points' | 'announce-expiring-points' | 'review-tiers';

export const jobs: Record<JobName, (db: Db, clock: Clock, ids: Ids, signal?: AbortSignal) => Promise<object>> = {
  'activate-points': activatePendingPoints,
  'expire-points': expirePoints,
  'announce-expiring-points': announceExpiringPoints,
  'review-tiers': reviewTiers,
};
