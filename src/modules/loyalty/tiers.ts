import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from '../../platform/ids.ts';
import { emitEvents } from '../../platform/outbox.ts';
import type { Tier, TierConfig } from './config-types.ts';

/**
 * Tiers qualify by spend or by points earned over a window — never by balance, which a
 * customer could raise by not spending. An upgrade happens at the confirm that qualifies and
 * applies from the next receipt; a downgrade waits for the periodic review.
 */
export type TierProgress = {
  id: string;
  name: string;
  privileges: string[];
  progress: { metric: TierConfig['metric']; value: number; windowStart: string; next: { id: string; name: string; threshold: number; remaining: number } | null };
};

export function windowStart(config: TierConfig, now: Date): Date {
  if (config.window.kind === 'rolling') return new Date(now.getTime() - config.window.days * 86_400_000);
  const months = { month: 1, quarter: 3, year: 12 }[config.window.period];
  return new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / months) * months, 1));
}

/** Spend (paid minus refunded, minor units) or net points earned in the window. */
export async function qualifyingValue(db: DbOrTx, customerId: string, config: TierConfig, now: Date): Promise<number> {
  const from = windowStart(config, now);
  if (config.metric === 'spend') {
    const row = await sql<{ value: number | null }>`
      select sum(paid_minor - refunded_minor)::bigint as value from receipts
      where customer_id = ${customerId} and status = 'confirmed' and occurred_at >= ${from} and occurred_at <= ${now}`.execute(db);
    return Number(row.rows[0]?.value ?? 0);
  }
  const row = await sql<{ value: number | null }>`
    select sum(available_delta + pending_delta)::bigint as value from point_entries
    where customer_id = ${customerId} and kind in ('earn', 'reverse_earn') and occurred_at >= ${from} and occurred_at <= ${now}`.execute(db);
  return Number(row.rows[0]?.value ?? 0);
}

export function earnedTierIndex(config: TierConfig, value: number): number {
  let index = 0;
  config.tiers.forEach((tier, i) => {
    if (value >= tier.threshold) index = i;
  });
  return index;
}

export async function currentTierIndex(db: DbOrTx, customerId: string, config: TierConfig): Promise<number> {
  const row = await db.selectFrom('customerTiers').select('tierId').where('customerId', '=', customerId).executeTakeFirst();
  const index = row ? config.tiers.findIndex((t) => t.id === row.tierId) : 0;
  // A tier removed from the configuration falls back to the entry tier until the next review.
  return Math.max(0, index);
}

export async function currentTier(db: DbOrTx, customerId: string, config: TierConfig): Promise<Tier> {
  return config.tiers[await currentTierIndex(db, customerId, config)]!;
}

export async function tierProgress(db: DbOrTx, customerId: string, config: TierConfig, now: Date): Promise<TierProgress> {
  const index = await currentTierIndex(db, customerId, config);
  const tier = config.tiers[index]!;
  const value = await qualifyingValue(db, customerId, config, now);
  const next = config.tiers[index + 1];
  return {
    id: tier.id,
    name: tier.name,
    privileges: tier.privileges,
    progress: {
      metric: config.metric,
      value,
      windowStart: windowStart(config, now).toISOString(),
      next: next ? { id: next.id, name: next.name, threshold: next.threshold, remaining: Math.max(0, next.threshold - value) } : null,
    },
  };
}

async function setTier(db: DbOrTx, clock: Clock, ids: Ids, customerId: string, config: TierConfig, from: number, to: number, reason: string): Promise<void> {
  const now = clock.now();
  await db
    .insertInto('customerTiers')
    .values({ customerId, tierId: config.tiers[to]!.id, since: now, reviewedAt: now })
    .onConflict((oc) => oc.column('customerId').doUpdateSet({ tierId: config.tiers[to]!.id, since: now, reviewedAt: now }))
    .execute();
  await emitEvents(db, clock, ids, [
    { type: 'tier.changed', customerId, payload: { customerId, from: config.tiers[from]!.id, to: config.tiers[to]!.id, reason } },
  ]);
}

/** At a confirm: move up if the customer now qualifies for a higher tier. */
export async function upgradeIfQualified(db: DbOrTx, clock: Clock, ids: Ids, customerId: string, config: TierConfig): Promise<boolean> {
  if (config.tiers.length < 2) return false;
  const current = await currentTierIndex(db, customerId, config);
  const earned = earnedTierIndex(config, await qualifyingValue(db, customerId, config, clock.now()));
  if (earned <= current) return false;
  await setTier(db, clock, ids, customerId, config, current, earned, 'qualified');
  return true;
}

/** The periodic review: down one level (or to the earned tier), or up if an upgrade was missed. */
export async function reviewTier(db: DbOrTx, clock: Clock, ids: Ids, customerId: string, config: TierConfig): Promise<'up' | 'down' | 'same'> {
  const current = await currentTierIndex(db, customerId, config);
  const earned = earnedTierIndex(config, await qualifyingValue(db, customerId, config, clock.now()));
  if (earned === current) {
    await db.updateTable('customerTiers').set({ reviewedAt: clock.now() }).where('customerId', '=', customerId).execute();
    return 'same';
  }
  const target = earned > current ? earned : config.downgrade === 'one_level' ? current - 1 : earned;
  await setTier(db, clock, ids, customerId, config, current, target, earned > current ? 'qualified' : 'review');
  return earned > current ? 'up' : 'down';
}
