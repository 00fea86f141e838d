import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../../db/database.ts';
import type { PointEntriesTable, PointLotsTable } from '../../db/schema.ts';
import type { Ids } from '../../platform/ids.ts';
import type { ExpiryPolicy } from './config-types.ts';
import { loyaltyError } from './loyalty.errors.ts';

/**
 * The points ledger. Every change locks the customer's balance row first, so all changes to one
 * customer's lots and balance are serialised; the balance row changes in the same statement
 * group as the entries, and sums of entries always equal it.
 *
 * Invariants (checked by tests after every scenario):
 *   Σ entries.available_delta = balance.available, Σ entries.pending_delta = balance.pending,
 *   Σ remaining of pending lots = pending, Σ remaining of active lots = max(available, 0).
 */
export type Balance = { customerId: string; available: number; pending: number };

export type EntryMeta = { receiptId?: string | null; refundId?: string | null; reason?: string | null; actor?: string | null };

export async function lockBalance(tx: Tx, customerId: string, now: Date): Promise<Balance> {
  await tx
    .insertInto('pointBalances')
    .values({ customerId, available: 0, pending: 0, lifetimeEarned: 0, lifetimeRedeemed: 0, lifetimeExpired: 0, updatedAt: now })
    .onConflict((oc) => oc.column('customerId').doNothing())
    .execute();
  return tx.selectFrom('pointBalances').select(['customerId', 'available', 'pending']).where('customerId', '=', customerId).forUpdate().executeTakeFirstOrThrow();
}

async function entry(
  tx: Tx,
  customerId: string,
  kind: PointEntriesTable['kind'],
  availableDelta: number,
  pendingDelta: number,
  lotId: string | null,
  meta: EntryMeta,
  now: Date,
): Promise<void> {
  await tx
    .insertInto('pointEntries')
    .values({
      customerId,
      kind,
      availableDelta,
      pendingDelta,
      lotId,
      receiptId: meta.receiptId ?? null,
      refundId: meta.refundId ?? null,
      reason: meta.reason ?? null,
      actor: meta.actor ?? null,
      occurredAt: now,
    })
    .execute();
}

/** When points expire for a lot earned at `earnedAt`. */
export function expiryFor(policy: ExpiryPolicy, earnedAt: Date): Date | null {
  if (policy.kind === 'never') return null;
  if (policy.kind === 'days') return new Date(earnedAt.getTime() + policy.days * 86_400_000);
  const months = { month: 1, quarter: 3, year: 12 }[policy.period];
  const startMonth = Math.floor(earnedAt.getUTCMonth() / months) * months;
  // The end of the period holding earnedAt, plus `periodsAfter` whole periods (UTC).
  return new Date(Date.UTC(earnedAt.getUTCFullYear(), startMonth + months * (1 + policy.periodsAfter), 1));
}

/**
 * Adds a lot. Active at once when it activates now or earlier; otherwise pending. While a
 * balance is negative (a refund took spent points), new active points first pay that back.
 */
export async function addLot(
  tx: Tx,
  ids: Ids,
  balance: Balance,
  lot: { source: PointLotsTable['source']; receiptId: string | null; points: number; earnedAt: Date; activatesAt: Date; expiresAt: Date | null },
  kind: 'earn' | 'return_redeemed' | 'adjust',
  meta: EntryMeta,
  now: Date,
): Promise<string> {
  const id = ids.next('lot');
  const active = lot.activatesAt.getTime() <= now.getTime();
  const debt = active ? Math.min(lot.points, Math.max(0, -balance.available)) : 0;
  await tx
    .insertInto('pointLots')
    .values({
      id,
      customerId: balance.customerId,
      source: lot.source,
      receiptId: lot.receiptId,
      points: lot.points,
      remaining: lot.points - debt,
      earnedAt: lot.earnedAt,
      activatesAt: lot.activatesAt,
      activatedAt: active ? now : null,
      expiresAt: lot.expiresAt,
    })
    .execute();
  const availableDelta = active ? lot.points : 0;
  const pendingDelta = active ? 0 : lot.points;
  await entry(tx, balance.customerId, kind, availableDelta, pendingDelta, id, meta, now);
  await tx
    .updateTable('pointBalances')
    .set((eb) => ({
      available: eb('available', '+', availableDelta),
      pending: eb('pending', '+', pendingDelta),
      lifetimeEarned: kind === 'return_redeemed' ? eb.ref('lifetimeEarned') : eb('lifetimeEarned', '+', lot.points),
      lifetimeRedeemed: kind === 'return_redeemed' ? eb('lifetimeRedeemed', '-', lot.points) : eb.ref('lifetimeRedeemed'),
      updatedAt: now,
    }))
    .where('customerId', '=', balance.customerId)
    .execute();
  balance.available += availableDelta;
  balance.pending += pendingDelta;
  return id;
}

/**
 * Takes points from active lots, oldest first. The balance update carries the guard
 * `available >= n`, so even a caller that skipped the lock could never overdraw.
 */
export async function spend(
  tx: Tx,
  balance: Balance,
  points: number,
  kind: 'redeem' | 'adjust',
  meta: EntryMeta,
  now: Date,
): Promise<void> {
  if (points <= 0) return;
  const updated = await tx
    .updateTable('pointBalances')
    .set((eb) => ({
      available: eb('available', '-', points),
      lifetimeRedeemed: kind === 'redeem' ? eb('lifetimeRedeemed', '+', points) : eb.ref('lifetimeRedeemed'),
      updatedAt: now,
    }))
    .where('customerId', '=', balance.customerId)
    .where('available', '>=', points)
    .returning('available')
    .executeTakeFirst();
  if (!updated) throw loyaltyError(kind === 'redeem' ? 'checkout.insufficient_points' : 'points.insufficient', `The balance is ${balance.available} points, less than ${points}`);
  balance.available = updated.available;
  await consumeActiveLots(tx, balance.customerId, points, kind, meta.receiptId ?? null, now);
  await entry(tx, balance.customerId, kind, -points, 0, null, meta, now);
}

/** Lowers active lots' remaining, oldest first, and records what was taken from which lot. */
async function consumeActiveLots(
  tx: Tx,
  customerId: string,
  points: number,
  kind: 'redeem' | 'reverse_earn' | 'adjust',
  receiptId: string | null,
  now: Date,
): Promise<number> {
  const lots = await tx
    .selectFrom('pointLots')
    .select(['id', 'remaining'])
    .where('customerId', '=', customerId)
    .where('activatedAt', 'is not', null)
    .where('expiredAt', 'is', null)
    .where('remaining', '>', 0)
    .orderBy('earnedAt')
    .orderBy('id')
    .execute();
  let left = points;
  const taken: Array<{ id: string; points: number }> = [];
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    taken.push({ id: lot.id, points: take });
    left -= take;
  }
  if (taken.length === 0) return 0;
  await sql`update point_lots l set remaining = l.remaining - t.points
    from unnest(${taken.map((t) => t.id)}::text[], ${taken.map((t) => t.points)}::int[]) as t(id, points)
    where l.customer_id = ${customerId} and l.id = t.id`.execute(tx);
  await tx
    .insertInto('lotConsumptions')
    .values(taken.map((t) => ({ customerId, lotId: t.id, receiptId, kind, points: t.points, occurredAt: now })))
    .execute();
  return points - left;
}

/**
 * Takes back points a receipt earned (a refund): first what is left of the receipt's own lots
 * (pending or active), then, for points already spent, other active points; what is still
 * missing pushes the balance below zero or is forgiven, as the program says.
 */
export async function reverseEarned(
  tx: Tx,
  balance: Balance,
  receiptId: string,
  points: number,
  shortfall: 'negative_balance' | 'forgive',
  meta: EntryMeta,
  now: Date,
): Promise<{ reversed: number; alreadyExpired: number; forgiven: number }> {
  let left = points;
  let availableDelta = 0;
  let pendingDelta = 0;
  const lots = await tx
    .selectFrom('pointLots')
    .select(['id', 'remaining', 'activatedAt'])
    .where('customerId', '=', balance.customerId)
    .where('receiptId', '=', receiptId)
    .where('source', 'in', ['receipt', 'bulk'])
    .where('expiredAt', 'is', null)
    .where('remaining', '>', 0)
    .orderBy('activatedAt', (ob) => ob.desc().nullsFirst())
    .execute();
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    await tx.updateTable('pointLots').set((eb) => ({ remaining: eb('remaining', '-', take) })).where('customerId', '=', balance.customerId).where('id', '=', lot.id).execute();
    if (lot.activatedAt) availableDelta -= take;
    else pendingDelta -= take;
    left -= take;
  }
  const absorbed = left > 0 ? await absorbExpired(tx, balance.customerId, receiptId, left, now) : 0;
  left -= absorbed;
  if (left > 0) {
    const fromOthers = await consumeActiveLots(tx, balance.customerId, Math.min(left, Math.max(0, balance.available + availableDelta)), 'reverse_earn', receiptId, now);
    availableDelta -= fromOthers;
    left -= fromOthers;
  }
  let forgiven = 0;
  if (left > 0) {
    if (shortfall === 'negative_balance') availableDelta -= left;
    else forgiven = left;
  }
  const reversed = -(availableDelta + pendingDelta);
  // Absorbed points stay in the lifetime totals as earned and expired: both happened.
  if (reversed > 0) {
    await entry(tx, balance.customerId, 'reverse_earn', availableDelta, pendingDelta, null, meta, now);
    await tx
      .updateTable('pointBalances')
      .set((eb) => ({
        available: eb('available', '+', availableDelta),
        pending: eb('pending', '+', pendingDelta),
        lifetimeEarned: eb('lifetimeEarned', '-', reversed),
        updatedAt: now,
      }))
      .where('customerId', '=', balance.customerId)
      .execute();
    balance.available += availableDelta;
    balance.pending += pendingDelta;
  }
  return { reversed, alreadyExpired: absorbed, forgiven };
}

/**
 * Points of the receipt's own lots that expired are already gone from the balance, so a refund
 * counts them as taken back instead of taking them again from the customer's other points.
 * What each lot has absorbed so far is recorded as its 'reverse_earn' consumption.
 */
async function absorbExpired(tx: Tx, customerId: string, receiptId: string, points: number, now: Date): Promise<number> {
  const lots = await sql<{ id: string; expired: number; absorbed: number }>`
    select l.id,
      coalesce((select -sum(e.available_delta + e.pending_delta) from point_entries e
        where e.customer_id = l.customer_id and e.lot_id = l.id and e.kind = 'expire'), 0)::int as expired,
      coalesce((select sum(c.points) from lot_consumptions c
        where c.customer_id = l.customer_id and c.lot_id = l.id and c.kind = 'reverse_earn'), 0)::int as absorbed
    from point_lots l
    where l.customer_id = ${customerId} and l.receipt_id = ${receiptId} and l.source in ('receipt', 'bulk') and l.expired_at is not null
    order by l.earned_at, l.id`.execute(tx);
  let left = points;
  for (const lot of lots.rows) {
    const take = Math.min(left, lot.expired - lot.absorbed);
    if (take <= 0) continue;
    await tx.insertInto('lotConsumptions').values({ customerId, lotId: lot.id, receiptId, kind: 'reverse_earn', points: take, occurredAt: now }).execute();
    left -= take;
    if (left === 0) break;
  }
  return points - left;
}

/**
 * Gives back points a receipt redeemed (a refund), as new active lots that keep the expiry of
 * the lots they came from (plus `extraDays`).
 */
export async function returnRedeemed(
  tx: Tx,
  ids: Ids,
  balance: Balance,
  receiptId: string,
  points: number,
  extraDays: number,
  meta: EntryMeta,
  now: Date,
): Promise<void> {
  if (points <= 0) return;
  // Already-returned points are the return lots made for this receipt; take the consumed lots in order.
  const consumed = await tx
    .selectFrom('lotConsumptions as c')
    .innerJoin('pointLots as l', (join) => join.onRef('l.customerId', '=', 'c.customerId').onRef('l.id', '=', 'c.lotId'))
    .select(['c.points', 'l.expiresAt', 'l.earnedAt'])
    .where('c.receiptId', '=', receiptId)
    .where('c.customerId', '=', balance.customerId)
    .where('c.kind', '=', 'redeem')
    .orderBy('l.earnedAt', 'desc')
    .execute();
  const alreadyReturned = await tx
    .selectFrom('pointLots')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('points'), eb.val(0)).as('n'))
    .where('customerId', '=', balance.customerId)
    .where('receiptId', '=', receiptId)
    .where('source', '=', 'return')
    .executeTakeFirstOrThrow();
  // Return the most recently earned first: the oldest points, nearest to expiry, stay spent.
  let skip = Number(alreadyReturned.n);
  let left = points;
  for (const part of consumed) {
    if (left === 0) break;
    const available = part.points - Math.min(skip, part.points);
    skip = Math.max(0, skip - part.points);
    if (available <= 0) continue;
    const give = Math.min(available, left);
    const expiresAt = part.expiresAt ? new Date(part.expiresAt.getTime() + extraDays * 86_400_000) : null;
    await addLot(tx, ids, balance, { source: 'return', receiptId, points: give, earnedAt: part.earnedAt, activatesAt: now, expiresAt }, 'return_redeemed', meta, now);
    left -= give;
  }
  if (left > 0) {
    // Consumption records predate the lots (e.g. imported history): return without an expiry link.
    await addLot(tx, ids, balance, { source: 'return', receiptId, points: left, earnedAt: now, activatesAt: now, expiresAt: null }, 'return_redeemed', meta, now);
  }
}

/** Activates a customer's lots whose pending period is over. */
export async function activateDueLots(tx: Tx, balance: Balance, now: Date): Promise<number> {
  const lots = await tx
    .selectFrom('pointLots')
    .select(['id', 'remaining'])
    .where('customerId', '=', balance.customerId)
    .where('activatedAt', 'is', null)
    .where('activatesAt', '<=', now)
    .orderBy('earnedAt')
    .execute();
  let total = 0;
  for (const lot of lots) {
    const debt = Math.min(lot.remaining, Math.max(0, -(balance.available + total)));
    await tx
      .updateTable('pointLots')
      .set({ activatedAt: now, remaining: lot.remaining - debt })
      .where('customerId', '=', balance.customerId)
      .where('id', '=', lot.id)
      .execute();
    if (lot.remaining > 0) await entry(tx, balance.customerId, 'activate', lot.remaining, -lot.remaining, lot.id, {}, now);
    total += lot.remaining;
  }
  if (total > 0) {
    await tx
      .updateTable('pointBalances')
      .set((eb) => ({ available: eb('available', '+', total), pending: eb('pending', '-', total), updatedAt: now }))
      .where('customerId', '=', balance.customerId)
      .execute();
    balance.available += total;
    balance.pending -= total;
  }
  return total;
}

/** Expires what is left of a customer's lots whose expiry has come. */
export async function expireDueLots(tx: Tx, balance: Balance, now: Date): Promise<Array<{ lotId: string; points: number; expiresAt: Date }>> {
  const lots = await tx
    .selectFrom('pointLots')
    .select(['id', 'remaining', 'activatedAt', 'expiresAt'])
    .where('customerId', '=', balance.customerId)
    .where('expiredAt', 'is', null)
    .where('expiresAt', '<=', now)
    .execute();
  const expired: Array<{ lotId: string; points: number; expiresAt: Date }> = [];
  let availableDelta = 0;
  let pendingDelta = 0;
  for (const lot of lots) {
    await tx.updateTable('pointLots').set({ remaining: 0, expiredAt: now }).where('customerId', '=', balance.customerId).where('id', '=', lot.id).execute();
    if (lot.remaining === 0) continue;
    const a = lot.activatedAt ? -lot.remaining : 0;
    const p = lot.activatedAt ? 0 : -lot.remaining;
    await entry(tx, balance.customerId, 'expire', a, p, lot.id, {}, now);
    availableDelta += a;
    pendingDelta += p;
    expired.push({ lotId: lot.id, points: lot.remaining, expiresAt: lot.expiresAt! });
  }
  const total = -(availableDelta + pendingDelta);
  if (total > 0) {
    await tx
      .updateTable('pointBalances')
      .set((eb) => ({
        available: eb('available', '+', availableDelta),
        pending: eb('pending', '+', pendingDelta),
        lifetimeExpired: eb('lifetimeExpired', '+', total),
        updatedAt: now,
      }))
      .where('customerId', '=', balance.customerId)
      .execute();
    balance.available += availableDelta;
    balance.pending += pendingDelta;
  }
  return expired;
}

/**
 * Activation and expiry are due by time, not by when the job last ran: every change to a
 * customer first settles what is due, so points are spendable on the exact day.
 */
export async function settleDue(tx: Tx, balance: Balance, now: Date): Promise<void> {
  await activateDueLots(tx, balance, now);
  await expireDueLots(tx, balance, now);
}

/** The balance as of `now` without writing: pending lots that are due count as available, expired ones not. */
export async function balanceAsOf(db: DbOrTx, customerId: string, now: Date): Promise<{ available: number; pending: number }> {
  const row = await sql<{ available: number | null; pending: number | null; due: number | null; lapsed: number | null }>`
    select b.available, b.pending,
      (select sum(remaining) from point_lots where customer_id = ${customerId} and activated_at is null and activates_at <= ${now}
         and (expires_at is null or expires_at > ${now}))::int as due,
      (select sum(remaining) from point_lots where customer_id = ${customerId} and activated_at is not null and expired_at is null
         and expires_at <= ${now})::int as lapsed
    from point_balances b where b.customer_id = ${customerId}`.execute(db);
  const first = row.rows[0];
  if (!first) return { available: 0, pending: 0 };
  const due = Number(first.due ?? 0);
  return { available: Number(first.available ?? 0) + due - Number(first.lapsed ?? 0), pending: Number(first.pending ?? 0) - due };
}
