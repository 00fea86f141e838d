import { sql } from 'kysely';
import type { Tx } from './loyalty.db.ts';
import type { PointEntriesTable, PointLotsTable } from './loyalty.tables.ts';
import type { Ids } from './loyalty.ids.ts';
import type { ExpiryPolicy } from './config-types.ts';
import { loyaltyError } from './loyalty.errors.ts';

/**
 * The points ledger: the only writer of point_balances, point_lots, point_entries and
 * lot_consumptions. Every change runs under the customer's balance-row lock (lockBalance), and
 * each function changes the cached balance with one guarded `UPDATE … RETURNING` in the same
 * statement as its entries and lots. Nothing here keeps a copy of a balance: callers get the
 * row the database returned.
 *
 * Invariants (checked by tests after every scenario):
 *   Σ entries.available_delta = balance.available, Σ entries.pending_delta = balance.pending,
 *   Σ remaining of pending lots = pending, Σ remaining of active lots = max(available, 0).
 */
export type Balance = { customerId: string; available: number; pending: number };
/** A locked balance row; `mergedInto` is set when the customer was merged, and names the survivor. */
export type LockedBalance = Balance & { mergedInto: string | null };

/**
 * The customer was merged while the writer waited for its balance lock (it had identified the
 * customer just before the merge committed): the points belong to the survivor, so the writer
 * redoes its work there instead of stranding them on the merged record.
 */
export class MergedMeanwhile extends Error {
  constructor(readonly survivorId: string) {
    super(`the customer was merged into ${survivorId}`);
  }
}

export type EntryMeta = { receiptId?: string | null; refundId?: string | null; reason?: string | null; actor?: string | null };

export type NewLot = {
  customerId: string;
  source: PointLotsTable['source'];
  receiptId: string | null;
  points: number;
  earnedAt: Date;
  activatesAt: Date;
  expiresAt: Date | null;
};

const iso = (at: Date | null) => (at ? at.toISOString() : null);

/**
 * Locks the customer's balance row, creating it on first use, and returns it. One statement:
 * an upsert that always takes the row lock, so every change to one customer is serialised here.
 */
export async function lockBalance(tx: Tx, customerId: string, now: Date): Promise<LockedBalance> {
  const row = await sql<LockedBalance>`/*ps:ledger_lock*/
    insert into point_balances as b (customer_id, available, pending, lifetime_earned, lifetime_redeemed, lifetime_expired, updated_at)
    values (${customerId}, 0, 0, 0, 0, 0, ${now}::timestamptz)
    on conflict (customer_id) do update set customer_id = b.customer_id
    returning b.customer_id, b.available, b.pending, b.merged_into`.execute(tx);
  return row.rows[0]!;
}

/** Locks many customers' balance rows (creating missing ones) in one order, so batches cannot deadlock. */
export async function lockBalances(tx: Tx, customerIds: string[], now: Date): Promise<void> {
  if (customerIds.length === 0) return;
  const sorted = [...new Set(customerIds)].sort();
  await sql`insert into point_balances as b (customer_id, available, pending, lifetime_earned, lifetime_redeemed, lifetime_expired, updated_at)
    select id, 0, 0, 0, 0, 0, ${now}::timestamptz from unnest(${sorted}::text[]) with ordinality as t(id, n) order by n
    on conflict (customer_id) do update set customer_id = b.customer_id`.execute(tx);
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

export type Settled = { customerId: string; activated: number; expired: number; available: number; pending: number };

/**
 * Activation and expiry are due by time, not by when a job last ran: every change to a customer
 * settles what is due first, so points are spendable on the exact day. Set-based: all due lots
 * of all the given customers in one statement. The callers hold the customers' balance locks
 * (taken in an earlier statement, so this statement's snapshot already sees their rows).
 *
 * A pending lot that activates while the balance is below zero (a refund took spent points)
 * first pays that debt, oldest lot first; a lot whose expiry has come expires what is left of
 * it, so a lot due for both activates (paying debt) and then expires, as if the jobs had run on
 * time. Returns the customers whose balance changed.
 */
export async function settleDue(tx: Tx, customerIds: string[], now: Date): Promise<Settled[]> {
  if (customerIds.length === 0) return [];
  const rows = await sql<Settled>`/*ps:ledger_settle*/
    with due as (
      select l.id, l.customer_id, l.remaining, l.activated_at is not null as was_active,
        l.activated_at is null and l.activates_at <= ${now}::timestamptz as activates,
        coalesce(l.expires_at <= ${now}::timestamptz, false) as expires,
        -- points of this customer's earlier activating lots: they pay a debt before this one does
        coalesce(sum(l.remaining) filter (where l.activated_at is null and l.activates_at <= ${now}::timestamptz)
          over (partition by l.customer_id order by l.earned_at, l.id rows between unbounded preceding and 1 preceding), 0) as before
      from point_lots l
      where l.customer_id = any(${customerIds}::text[]) and l.expired_at is null
        and ((l.activated_at is null and l.activates_at <= ${now}::timestamptz) or l.expires_at <= ${now}::timestamptz)
    ), outcome as (
      select d.*, case when d.activates then least(d.remaining, greatest(0, greatest(0, -b.available) - d.before)) else 0 end as repay
      from due d join point_balances b on b.customer_id = any(${customerIds}::text[]) and b.customer_id = d.customer_id
    ), lot_update as (
      update point_lots l set
        activated_at = case when o.activates then ${now}::timestamptz else l.activated_at end,
        remaining = case when o.expires then 0 else l.remaining - o.repay end,
        expired_at = case when o.expires then ${now}::timestamptz end
      -- the key named outright (not only through the join) so a partitioned or distributed table is pruned to these customers
      from outcome o where l.customer_id = any(${customerIds}::text[]) and l.customer_id = o.customer_id and l.id = o.id
    ), moves as (
      select customer_id, 'activate' as kind, remaining as a, -remaining as p, id, 1 as step from outcome where activates and remaining > 0
      union all
      select customer_id, 'expire', case when activates or was_active then repay - remaining else 0 end,
        case when activates or was_active then 0 else -remaining end, id, 2
      from outcome where expires and remaining - repay > 0
    ), entries as (
      insert into point_entries (customer_id, kind, available_delta, pending_delta, lot_id, occurred_at)
      select customer_id, kind, a, p, id, ${now}::timestamptz from moves order by customer_id, step, id
    ), sums as (
      select customer_id, sum(a)::int as a, sum(p)::int as p,
        coalesce(sum(a) filter (where kind = 'activate'), 0)::int as activated,
        coalesce(-sum(a + p) filter (where kind = 'expire'), 0)::int as expired
      from moves group by customer_id
    ), balances as (
      update point_balances b set available = b.available + s.a, pending = b.pending + s.p,
        lifetime_expired = b.lifetime_expired + s.expired, updated_at = ${now}::timestamptz
      from sums s where b.customer_id = any(${customerIds}::text[]) and b.customer_id = s.customer_id
      returning b.customer_id, b.available, b.pending, s.activated, s.expired
    )
    select customer_id, activated, expired, available, pending from balances`.execute(tx);
  return rows.rows;
}

/** Locks one customer's balance and settles what is due; returns the balance to decide with. */
export async function lockAndSettle(tx: Tx, customerId: string, now: Date): Promise<Balance> {
  const locked = await lockBalance(tx, customerId, now);
  const [settled] = await settleDue(tx, [customerId], now);
  return settled ? { customerId, available: settled.available, pending: settled.pending } : locked;
}

/**
 * Adds one lot and its entry, and moves the balance, in one statement. Active at once when it
 * activates now or earlier, otherwise pending. While the balance is below zero (a refund took
 * spent points), new active points first pay that back: the lot keeps only the rest.
 */
export async function addLot(
  tx: Tx,
  ids: Ids,
  lot: NewLot,
  kind: 'earn' | 'return_redeemed' | 'adjust' | 'award',
  meta: EntryMeta,
  now: Date,
): Promise<Balance> {
  const id = ids.next('lot');
  const active = lot.activatesAt.getTime() <= now.getTime();
  const availableDelta = active ? lot.points : 0;
  const pendingDelta = active ? 0 : lot.points;
  const earned = kind === 'return_redeemed' ? 0 : lot.points;
  const unredeemed = kind === 'return_redeemed' ? lot.points : 0;
  const row = await sql<Balance>`/*ps:ledger_add_lot*/
    with b as (select available from point_balances where customer_id = ${lot.customerId}::text),
    lot as (
      insert into point_lots (id, customer_id, source, receipt_id, points, remaining, earned_at, activates_at, activated_at, expires_at)
      select ${id}::text, ${lot.customerId}::text, ${lot.source}::text, ${lot.receiptId}::text, ${lot.points}::int,
        ${lot.points}::int - case when ${active}::boolean then least(${lot.points}::int, greatest(0, -b.available)) else 0 end,
        ${lot.earnedAt}::timestamptz, ${lot.activatesAt}::timestamptz,
        case when ${active}::boolean then ${now}::timestamptz end, ${iso(lot.expiresAt)}::timestamptz
      from b
    ), entry as (
      insert into point_entries (customer_id, kind, available_delta, pending_delta, lot_id, receipt_id, refund_id, reason, actor, occurred_at)
      values (${lot.customerId}::text, ${kind}::text, ${availableDelta}::int, ${pendingDelta}::int, ${id}::text, ${meta.receiptId ?? null}::text,
        ${meta.refundId ?? null}::text, ${meta.reason ?? null}::text, ${meta.actor ?? null}::text, ${now}::timestamptz)
    )
    update point_balances set available = available + ${availableDelta}::int, pending = pending + ${pendingDelta}::int,
      lifetime_earned = lifetime_earned + ${earned}::int, lifetime_redeemed = lifetime_redeemed - ${unredeemed}::int, updated_at = ${now}::timestamptz
    where customer_id = ${lot.customerId}::text
    returning customer_id, available, pending`.execute(tx);
  if (!row.rows[0]) throw new Error(`addLot: customer ${lot.customerId} has no balance row; lock it first`);
  return row.rows[0];
}

/**
 * Adds many pending lots (historical receipts) set-based: lots, 'earn' entries dated at the
 * purchase, and balances, in one statement; then settles, so lots whose pending period is
 * already over activate (paying any debt) and lots past their expiry expire, as for any change.
 */
export async function addPendingLots(tx: Tx, ids: Ids, lots: NewLot[], reason: string, now: Date): Promise<void> {
  if (lots.length === 0) return;
  const customers = [...new Set(lots.map((l) => l.customerId))];
  await lockBalances(tx, customers, now);
  const lotIds = lots.map(() => ids.next('lot'));
  await sql`
    with new_lots as (
      select * from unnest(${lotIds}::text[], ${lots.map((l) => l.customerId)}::text[], ${lots.map((l) => l.source)}::text[],
        ${lots.map((l) => l.receiptId)}::text[], ${lots.map((l) => l.points)}::int[], ${lots.map((l) => l.earnedAt.toISOString())}::timestamptz[],
        ${lots.map((l) => l.activatesAt.toISOString())}::timestamptz[], ${lots.map((l) => iso(l.expiresAt))}::timestamptz[])
        as t(id, customer_id, source, receipt_id, points, earned_at, activates_at, expires_at)
    ), inserted as (
      insert into point_lots (id, customer_id, source, receipt_id, points, remaining, earned_at, activates_at, expires_at)
      select id, customer_id, source, receipt_id, points, points, earned_at, activates_at, expires_at from new_lots
    ), entries as (
      insert into point_entries (customer_id, kind, available_delta, pending_delta, lot_id, receipt_id, reason, occurred_at)
      select customer_id, 'earn', 0, points, id, receipt_id, ${reason}::text, earned_at from new_lots
    )
    update point_balances b set pending = b.pending + s.points, lifetime_earned = b.lifetime_earned + s.points, updated_at = ${now}::timestamptz
    from (select customer_id, sum(points)::int as points from new_lots group by customer_id) s
    where b.customer_id = s.customer_id`.execute(tx);
  await settleDue(tx, customers, now);
}

/**
 * Takes points from active lots, oldest first, in one statement. The balance update carries the
 * guard `available >= n`: when it fails nothing else in the statement happens, and the caller
 * gets checkout.insufficient_points (or points.insufficient) instead of an overdraft.
 */
export async function spend(tx: Tx, customerId: string, points: number, kind: 'redeem' | 'adjust', meta: EntryMeta, now: Date): Promise<Balance> {
  const row = await sql<Balance>`/*ps:ledger_spend*/
    with balance as (
      update point_balances set available = available - ${points}::int,
        lifetime_redeemed = lifetime_redeemed + case when ${kind}::text = 'redeem' then ${points}::int else 0 end, updated_at = ${now}::timestamptz
      where customer_id = ${customerId}::text and available >= ${points}::int
      returning customer_id, available, pending
    ), lots as (
      select id, remaining, sum(remaining) over (order by earned_at, id) as upto
      from point_lots
      where customer_id = ${customerId}::text and activated_at is not null and expired_at is null and remaining > 0 and exists (select 1 from balance)
    ), taken as (
      select id, least(remaining, ${points}::int - (upto - remaining))::int as points from lots where upto - remaining < ${points}::int
    ), lot_update as (
      update point_lots l set remaining = l.remaining - t.points from taken t where l.customer_id = ${customerId}::text and l.id = t.id
    ), consumed as (
      insert into lot_consumptions (customer_id, lot_id, receipt_id, kind, points, occurred_at)
      select ${customerId}::text, id, ${meta.receiptId ?? null}::text, ${kind}::text, points, ${now}::timestamptz from taken
    ), entry as (
      insert into point_entries (customer_id, kind, available_delta, pending_delta, receipt_id, refund_id, reason, actor, occurred_at)
      select customer_id, ${kind}::text, -${points}::int, 0, ${meta.receiptId ?? null}::text, ${meta.refundId ?? null}::text,
        ${meta.reason ?? null}::text, ${meta.actor ?? null}::text, ${now}::timestamptz from balance
    )
    select customer_id, available, pending from balance`.execute(tx);
  const balance = row.rows[0];
  if (!balance) {
    const current = await tx.selectFrom('pointBalances').select('available').where('customerId', '=', customerId).executeTakeFirst();
    const have = current?.available ?? 0;
    throw loyaltyError(kind === 'redeem' ? 'checkout.insufficient_points' : 'points.insufficient', `The balance is ${have} points, less than ${points}`);
  }
  return balance;
}

/** Lowers active lots' remaining, oldest first, and records what was taken from which lot. */
async function consumeActiveLots(tx: Tx, customerId: string, points: number, receiptId: string, now: Date): Promise<number> {
  if (points <= 0) return 0;
  const row = await sql<{ taken: number }>`
    with lots as (
      select id, remaining, sum(remaining) over (order by earned_at, id) as upto
      from point_lots where customer_id = ${customerId}::text and activated_at is not null and expired_at is null and remaining > 0
    ), taken as (
      select id, least(remaining, ${points}::int - (upto - remaining))::int as points from lots where upto - remaining < ${points}::int
    ), lot_update as (
      update point_lots l set remaining = l.remaining - t.points from taken t where l.customer_id = ${customerId}::text and l.id = t.id
    ), consumed as (
      insert into lot_consumptions (customer_id, lot_id, receipt_id, kind, points, occurred_at)
      select ${customerId}::text, id, ${receiptId}::text, 'reverse_earn', points, ${now}::timestamptz from taken
    )
    select coalesce(sum(points), 0)::int as taken from taken`.execute(tx);
  return row.rows[0]?.taken ?? 0;
}

async function moveBalance(
  tx: Tx,
  customerId: string,
  kind: PointEntriesTable['kind'],
  delta: { available: number; pending: number; lifetimeEarned: number },
  meta: EntryMeta,
  now: Date,
): Promise<Balance> {
  const row = await sql<Balance>`
    with entry as (
      insert into point_entries (customer_id, kind, available_delta, pending_delta, receipt_id, refund_id, reason, actor, occurred_at)
      values (${customerId}::text, ${kind}::text, ${delta.available}::int, ${delta.pending}::int, ${meta.receiptId ?? null}::text,
        ${meta.refundId ?? null}::text, ${meta.reason ?? null}::text, ${meta.actor ?? null}::text, ${now}::timestamptz)
    )
    update point_balances set available = available + ${delta.available}::int, pending = pending + ${delta.pending}::int,
      lifetime_earned = lifetime_earned + ${delta.lifetimeEarned}::int, updated_at = ${now}::timestamptz
    where customer_id = ${customerId}::text returning customer_id, available, pending`.execute(tx);
  return row.rows[0]!;
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
): Promise<{ reversed: number; alreadyExpired: number; forgiven: number; balance: Balance }> {
  const { customerId } = balance;
  // The receipt's own lots, pending ones first, then the most recently activated.
  const own = await sql<{ active: boolean; taken: number }>`
    with lots as (
      select id, remaining, activated_at is not null as active,
        sum(remaining) over (order by activated_at desc nulls first, id) as upto
      from point_lots
      where customer_id = ${customerId}::text and receipt_id = ${receiptId}::text and source in ('receipt', 'bulk')
        and expired_at is null and remaining > 0
    ), taken as (
      select id, active, least(remaining, ${points}::int - (upto - remaining))::int as points from lots where upto - remaining < ${points}::int
    ), lot_update as (
      update point_lots l set remaining = l.remaining - t.points from taken t where l.customer_id = ${customerId}::text and l.id = t.id
    )
    select active, sum(points)::int as taken from taken group by active`.execute(tx);
  let availableDelta = -(own.rows.find((r) => r.active)?.taken ?? 0);
  const pendingDelta = -(own.rows.find((r) => !r.active)?.taken ?? 0);
  let left = points + availableDelta + pendingDelta;
  const absorbed = left > 0 ? await absorbExpired(tx, customerId, receiptId, left, now) : 0;
  left -= absorbed;
  if (left > 0) {
    const fromOthers = await consumeActiveLots(tx, customerId, Math.min(left, Math.max(0, balance.available + availableDelta)), receiptId, now);
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
  const after = reversed > 0 ? await moveBalance(tx, customerId, 'reverse_earn', { available: availableDelta, pending: pendingDelta, lifetimeEarned: -reversed }, meta, now) : balance;
  return { reversed, alreadyExpired: absorbed, forgiven, balance: after };
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
        where e.customer_id = ${customerId} and e.lot_id = l.id and e.kind = 'expire'), 0)::int as expired,
      coalesce((select sum(c.points) from lot_consumptions c
        where c.customer_id = ${customerId} and c.lot_id = l.id and c.kind = 'reverse_earn'), 0)::int as absorbed
    from point_lots l
    where l.customer_id = ${customerId} and l.receipt_id = ${receiptId} and l.source in ('receipt', 'bulk') and l.expired_at is not null
    order by l.earned_at, l.id`.execute(tx);
  let left = points;
  const takes: Array<{ lotId: string; points: number }> = [];
  for (const lot of lots.rows) {
    const take = Math.min(left, lot.expired - lot.absorbed);
    if (take <= 0) continue;
    takes.push({ lotId: lot.id, points: take });
    left -= take;
    if (left === 0) break;
  }
  if (takes.length > 0) {
    await tx.insertInto('lotConsumptions').values(takes.map((t) => ({ customerId, lotId: t.lotId, receiptId, kind: 'reverse_earn' as const, points: t.points, occurredAt: now }))).execute();
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
): Promise<Balance> {
  if (points <= 0) return balance;
  const customerId = balance.customerId;
  // Already-returned points are the return lots made for this receipt; take the consumed lots in order.
  const consumed = await tx
    .selectFrom('lotConsumptions as c')
    .innerJoin('pointLots as l', (join) => join.onRef('l.customerId', '=', 'c.customerId').onRef('l.id', '=', 'c.lotId'))
    .select(['c.points', 'l.expiresAt', 'l.earnedAt'])
    .where('c.receiptId', '=', receiptId)
    .where('c.customerId', '=', customerId)
    .where('c.kind', '=', 'redeem')
    .orderBy('l.earnedAt', 'desc')
    .execute();
  const alreadyReturned = await tx
    .selectFrom('pointLots')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('points'), eb.val(0)).as('n'))
    .where('customerId', '=', customerId)
    .where('receiptId', '=', receiptId)
    .where('source', '=', 'return')
    .executeTakeFirstOrThrow();
  // Return the most recently earned first: the oldest points, nearest to expiry, stay spent.
  let skip = Number(alreadyReturned.n);
  let left = points;
  let after = balance;
  for (const part of consumed) {
    if (left === 0) break;
    const available = part.points - Math.min(skip, part.points);
    skip = Math.max(0, skip - part.points);
    if (available <= 0) continue;
    const give = Math.min(available, left);
    const expiresAt = part.expiresAt ? new Date(part.expiresAt.getTime() + extraDays * 86_400_000) : null;
    after = await addLot(tx, ids, { customerId, source: 'return', receiptId, points: give, earnedAt: part.earnedAt, activatesAt: now, expiresAt }, 'return_redeemed', meta, now);
    left -= give;
  }
  if (left > 0) {
    // Consumption records predate the lots (e.g. imported history): return without an expiry link.
    after = await addLot(tx, ids, { customerId, source: 'return', receiptId, points: left, earnedAt: now, activatesAt: now, expiresAt: null }, 'return_redeemed', meta, now);
  }
  return after;
}


/**
 * A merge moves the duplicate's lots, entries, consumptions and balance to the survivor, in the
 * merge's transaction: both balance rows are locked first (in id order, so two merges cannot
 * deadlock), then the duplicate's balance is added to the survivor's and removed. The ledger
 * stays whole because entries move with their lots and the balances add up.
 */
export async function mergeLedgers(tx: Tx, fromId: string, intoId: string, now: Date): Promise<void> {
  await lockBalances(tx, [fromId, intoId], now);
  for (const table of ['point_lots', 'point_entries', 'lot_consumptions']) {
    await sql`update ${sql.table(table)} set customer_id = ${intoId} where customer_id = ${fromId}`.execute(tx);
  }
  // The merged record's row stays, emptied and naming the survivor (see MergedMeanwhile).
  await sql`
    with gone as (select * from point_balances where customer_id = ${fromId}::text),
    moved as (
      update point_balances b set available = b.available + gone.available, pending = b.pending + gone.pending,
        lifetime_earned = b.lifetime_earned + gone.lifetime_earned, lifetime_redeemed = b.lifetime_redeemed + gone.lifetime_redeemed,
        lifetime_expired = b.lifetime_expired + gone.lifetime_expired, updated_at = ${now}::timestamptz
      from gone where b.customer_id = ${intoId}::text
    )
    update point_balances set available = 0, pending = 0, lifetime_earned = 0, lifetime_redeemed = 0, lifetime_expired = 0,
      merged_into = ${intoId}, updated_at = ${now}::timestamptz
    where customer_id = ${fromId}::text`.execute(tx);
  // Rows that named the merged record as their survivor now name this one: chains stay one hop.
  await sql`update point_balances set merged_into = ${intoId} where merged_into = ${fromId}::text`.execute(tx);
}

/**
 * Marks lots expiring within the horizon as announced, a batch at a time, and sums them per
 * customer (points.expiring goes out once per lot). Skips lots a writer holds: they come next run.
 */
export async function markExpiringLots(tx: Tx, now: Date, horizon: Date, limit: number): Promise<Array<{ customerId: string; points: number; at: Date }>> {
  const rows = await sql<{ customerId: string; points: number; at: Date }>`
    with due as (
      select customer_id, id from point_lots
      where expiring_notified_at is null and expired_at is null and remaining > 0
        and expires_at > ${now}::timestamptz and expires_at <= ${horizon}::timestamptz
      order by customer_id limit ${limit}
      for update skip locked
    ), marked as (
      update point_lots l set expiring_notified_at = ${now}::timestamptz from due
      where l.customer_id = due.customer_id and l.id = due.id
      returning l.customer_id, l.remaining, l.expires_at
    )
    select customer_id, sum(remaining)::int as points, min(expires_at) as at from marked group by customer_id`.execute(tx);
  return rows.rows;
}

/** Erasure: the reasons an operator typed may name a person; the amounts stay, anonymous. */
export async function eraseLedgerReasons(tx: Tx, customerIds: string[]): Promise<void> {
  await tx.updateTable('pointEntries').set({ reason: null }).where('customerId', 'in', customerIds).execute();
}
