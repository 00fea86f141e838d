import { sql } from 'kysely';
import type { DbOrTx } from './loyalty.db.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from './loyalty.ids.ts';
import { emitEvents } from './loyalty.events.ts';
import type { TierConfig } from './config-types.ts';

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
  return tierIndexOf(config, row?.tierId ?? null);
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

export function tierIndexOf(config: TierConfig, tierId: string | null): number {
  // No row, or a tier removed from the configuration: the entry tier until the next review.
  return Math.max(0, tierId === null ? 0 : config.tiers.findIndex((t) => t.id === tierId));
}

type TierChange = { customerId: string; from: number; to: number; reason: 'qualified' | 'review' };

/** Writes tier changes and their tier.changed events, set-based; callers hold the balance locks. */
async function writeTierChanges(db: DbOrTx, clock: Clock, ids: Ids, config: TierConfig, changes: TierChange[]): Promise<void> {
  if (changes.length === 0) return;
  const now = clock.now();
  await sql`insert into customer_tiers (customer_id, tier_id, since, reviewed_at)
    select customer_id, tier_id, ${now}::timestamptz, ${now}::timestamptz
    from unnest(${changes.map((c) => c.customerId)}::text[], ${changes.map((c) => config.tiers[c.to]!.id)}::text[]) as t(customer_id, tier_id)
    on conflict (customer_id) do update set tier_id = excluded.tier_id, since = excluded.since, reviewed_at = excluded.reviewed_at`.execute(db);
  await emitEvents(
    db,
    clock,
    ids,
    changes.map((c) => ({
      type: 'tier.changed' as const,
      customerId: c.customerId,
      payload: { customerId: c.customerId, from: config.tiers[c.from]!.id, to: config.tiers[c.to]!.id, direction: c.to > c.from ? 'up' : 'down', reason: c.reason },
    })),
  );
}

/**
 * At a confirm, under the customer's balance lock: move up if the customer now qualifies for a
 * higher tier. `current` and `qualifying` were read under that lock, and `qualifying` already
 * counts this receipt.
 */
export async function upgradeAtConfirm(db: DbOrTx, clock: Clock, ids: Ids, customerId: string, config: TierConfig, current: number, qualifying: number): Promise<boolean> {
  if (config.tiers.length < 2) return false;
  const earned = earnedTierIndex(config, qualifying);
  if (earned <= current) return false;
  await writeTierChanges(db, clock, ids, config, [{ customerId, from: current, to: earned, reason: 'qualified' }]);
  return true;
}

/**
 * The periodic review of a batch of customers, set-based: down one level (or to the earned
 * tier) when they no longer qualify, up when an upgrade was missed (receipts loaded in bulk).
 * The caller holds the batch's balance locks (taken in an earlier statement), and a confirm's
 * upgrade happens under the same lock, so this statement's reading includes every receipt that
 * committed before it and a concurrent upgrade cannot be undone by a stale reading.
 */
export async function reviewTierBatch(db: DbOrTx, clock: Clock, ids: Ids, customerIds: string[], config: TierConfig): Promise<{ up: number; down: number }> {
  const now = clock.now();
  const from = windowStart(config, now);
  const rows = await sql<{ customerId: string; tierId: string | null; value: number }>`
    select m.customer_id, t.tier_id,
      case ${config.metric}::text
        when 'spend' then (select coalesce(sum(paid_minor - refunded_minor), 0) from receipts r
          where r.customer_id = m.customer_id and r.status = 'confirmed' and r.occurred_at >= ${from}::timestamptz and r.occurred_at <= ${now}::timestamptz)
        else (select coalesce(sum(available_delta + pending_delta), 0) from point_entries e
          where e.customer_id = m.customer_id and e.kind in ('earn', 'reverse_earn') and e.occurred_at >= ${from}::timestamptz and e.occurred_at <= ${now}::timestamptz)
      end::bigint as value
    from unnest(${customerIds}::text[]) as m(customer_id) left join customer_tiers t on t.customer_id = m.customer_id`.execute(db);
  const changes: TierChange[] = [];
  const unchanged: string[] = [];
  for (const row of rows.rows) {
    const current = tierIndexOf(config, row.tierId);
    const earned = earnedTierIndex(config, Number(row.value));
    if (earned === current) {
      if (row.tierId !== null) unchanged.push(row.customerId);
      continue;
    }
    const to = earned > current ? earned : config.downgrade === 'one_level' ? current - 1 : earned;
    changes.push({ customerId: row.customerId, from: current, to, reason: earned > current ? 'qualified' : 'review' });
  }
  if (unchanged.length > 0) {
    await sql`update customer_tiers set reviewed_at = ${now}::timestamptz where customer_id = any(${unchanged}::text[])`.execute(db);
  }
  await writeTierChanges(db, clock, ids, config, changes);
  return { up: changes.filter((c) => c.to > c.from).length, down: changes.filter((c) => c.to < c.from).length };
}
