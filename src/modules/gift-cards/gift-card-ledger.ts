import { sql, type RawBuilder } from 'kysely';
import type { DbOrTx, Tx } from './gift-cards.db.ts';
import type { GiftCardEntryKind, GiftCardStatus } from './gift-cards.tables.ts';

/**
 * The one writer of gift-card money. Every change of a card's balance is one statement that
 * moves the cached balance with a guarded UPDATE (`… WHERE balance_minor >= $n RETURNING`) and
 * writes its ledger entry from what the UPDATE returned, so a card's entries always add up to its
 * balance, an overdraft is impossible (the guard, and the CHECK behind it), and a statement that
 * loses a race changes nothing and says so (no row). Nothing else writes `balance_minor` or
 * `gift_card_entries` (tests/…/gift-card-ledger.test.ts proves Σ entries = balance).
 */

export type CardSeed = {
  id: string;
  code: string;
  batchId: string | null;
  status: 'issued' | 'active';
  currency: string;
  balanceMinor: number;
  customerId: string | null;
  expiresAt: Date | null;
  validDays: number | null;
  activatedAt: Date | null;
};

export type EntryMeta = { actor: string | null; reason?: string | null; now: Date };

/**
 * New cards with their opening balance and its 'issue' entry, in one statement. A code already
 * taken is skipped (ON CONFLICT DO NOTHING): the caller learns which cards were made.
 */
export async function insertCards(tx: DbOrTx, cards: CardSeed[], meta: EntryMeta): Promise<string[]> {
  if (cards.length === 0) return [];
  const col = <K extends keyof CardSeed>(key: K) => cards.map((card) => card[key]);
  const made = await sql<{ id: string }>`/*ps:gift_cards_insert*/
    with made as (
      insert into gift_cards (id, code, batch_id, status, currency, balance_minor, customer_id, expires_at, valid_days, activated_at, created_at, updated_at)
      select id, code, batch_id, status, currency, balance, customer_id, expires_at, valid_days, activated_at, ${meta.now}::timestamptz, ${meta.now}::timestamptz
      from unnest(${col('id')}::text[], ${col('code')}::text[], ${col('batchId')}::text[], ${col('status')}::text[], ${col('currency')}::text[],
        ${col('balanceMinor')}::bigint[], ${col('customerId')}::text[], ${col('expiresAt')}::timestamptz[], ${col('validDays')}::int[], ${col('activatedAt')}::timestamptz[])
        as t(id, code, batch_id, status, currency, balance, customer_id, expires_at, valid_days, activated_at)
      on conflict (code) do nothing
      returning id, balance_minor
    ), entries as (
      insert into gift_card_entries (card_id, kind, amount_minor, balance_after_minor, reason, actor, created_at)
      select id, 'issue', balance_minor, balance_minor, ${meta.reason ?? null}::text, ${meta.actor}::text, ${meta.now}::timestamptz
      from made where balance_minor > 0
    )
    select id from made`.execute(tx);
  return made.rows.map((row) => row.id);
}

export type Move = {
  cardId: string;
  kind: Extract<GiftCardEntryKind, 'activate' | 'adjust'>;
  /** Signed: money onto the card positive. */
  deltaMinor: number;
  /** The statuses the card must be in for the move to apply. */
  from: GiftCardStatus[];
  /** Only while the card's expiry has not passed at `now` (money loaded onto a card past its time could never be spent). */
  unexpired?: boolean;
  /** Columns the same UPDATE sets (activation's status and dates). */
  set?: RawBuilder<unknown>;
  idempotencyKey?: string | null;
  requestHash?: string | null;
} & EntryMeta;

/**
 * One card's balance moved by `deltaMinor`, with its entry; null when the guard held (no such
 * card, another status, or not enough money): nothing was written, the caller says which.
 */
export async function moveBalance(tx: Tx, move: Move): Promise<{ balanceMinor: number; entryId: number } | null> {
  const extra = move.set ? sql`, ${move.set}` : sql``;
  const unexpired = move.unexpired ? sql`and (expires_at is null or expires_at > ${move.now}::timestamptz)` : sql``;
  const moved = await sql<{ balanceMinor: number; entryId: number }>`/*ps:gift_card_move*/
    with moved as (
      update gift_cards set balance_minor = balance_minor + ${move.deltaMinor}::bigint, updated_at = ${move.now}::timestamptz ${extra}
      where id = ${move.cardId}::text and status = any(${move.from}::text[]) and balance_minor + ${move.deltaMinor}::bigint >= 0
        ${unexpired}
      returning id, balance_minor
    ), entry as (
      insert into gift_card_entries (card_id, kind, amount_minor, balance_after_minor, reason, actor, idempotency_key, request_hash, created_at)
      select id, ${move.kind}::text, ${move.deltaMinor}::bigint, balance_minor, ${move.reason ?? null}::text,
        ${move.actor}::text, ${move.idempotencyKey ?? null}::text, ${move.requestHash ?? null}::text, ${move.now}::timestamptz
      from moved
      returning id
    )
    select moved.balance_minor, entry.id as entry_id from moved, entry`.execute(tx);
  return moved.rows[0] ?? null;
}

export type Debit = { cardId: string; amountMinor: number };
export type CodeDebit = { code: string; amountMinor: number };

/**
 * A receipt's gift-card payments: each card debited only while it is active, unexpired and holds
 * the amount, its 'redeem' entry and the payment record (what returns give back from) written by
 * the same statement. Answers the cards that paid (by code) with their balance after; a card missing from
 * the answer lost a race (spent, blocked, expired since the calculation): the caller refuses the
 * receipt and its transaction writes nothing.
 */
export async function debitForReceipt(
  tx: Tx,
  receipt: { receiptId: string; customerId: string | null; actor: string | null; now: Date },
  debits: CodeDebit[],
): Promise<Map<string, number>> {
  // By code, the key the till presents (and a sharded database routes by).
  const codes = debits.map((d) => d.code);
  // Two receipts paying with the same two cards lock them in one order, so they queue instead of deadlocking.
  if (debits.length > 1) await sql`/*ps:gift_cards_lock*/ select code from gift_cards where code = any(${codes}::text[]) order by code for update`.execute(tx);
  const taken = await sql<{ code: string; balanceMinor: number }>`/*ps:gift_cards_debit*/
    with want as (
      select * from unnest(${codes}::text[], ${debits.map((d) => d.amountMinor)}::bigint[], ${debits.map((_, i) => i)}::int[]) as w(code, amount, seq)
    ), taken as (
      update gift_cards g set balance_minor = g.balance_minor - w.amount, updated_at = ${receipt.now}::timestamptz
      from want w
      where g.code = w.code and g.code = any(${codes}::text[]) and g.status = 'active'
        and (g.expires_at is null or g.expires_at > ${receipt.now}::timestamptz) and g.balance_minor >= w.amount
      returning g.id, g.code, g.balance_minor, w.amount, w.seq
    ), entries as (
      insert into gift_card_entries (card_id, kind, amount_minor, balance_after_minor, receipt_id, actor, created_at)
      select id, 'redeem', -amount, balance_minor, ${receipt.receiptId}::text, ${receipt.actor}::text, ${receipt.now}::timestamptz from taken
    ), payments as (
      insert into gift_card_payments (receipt_id, card_id, seq, customer_id, amount_minor, created_at)
      select ${receipt.receiptId}::text, id, seq, ${receipt.customerId}::text, amount, ${receipt.now}::timestamptz from taken
    )
    select code, balance_minor from taken`.execute(tx);
  return new Map(taken.rows.map((row) => [row.code, row.balanceMinor]));
}

/**
 * A return's share credited back to the cards that paid: guarded on the payment record
 * (`returned_minor + $n <= amount_minor`), so a kopeck goes back at most once, and by the unique
 * (card, receipt, refund) entry, so one return credits a card once. Answers what each card got
 * and its balance after.
 */
export async function creditReturns(
  tx: Tx,
  ret: { receiptId: string; refundId: string; actor: string | null; now: Date },
  credits: Debit[],
): Promise<Array<{ cardId: string; code: string; amountMinor: number; balanceMinor: number }>> {
  const wanted = credits.filter((c) => c.amountMinor > 0);
  if (wanted.length === 0) return [];
  const ids = wanted.map((c) => c.cardId);
  const rows = await sql<{ id: string; code: string; amount: number; balanceMinor: number }>`/*ps:gift_cards_credit*/
    with rel as (
      select * from unnest(${ids}::text[], ${wanted.map((c) => c.amountMinor)}::bigint[]) as r(card_id, amount)
    ), returned as (
      update gift_card_payments p set returned_minor = p.returned_minor + r.amount
      from rel r
      where p.receipt_id = ${ret.receiptId}::text and p.card_id = r.card_id and p.returned_minor + r.amount <= p.amount_minor
      returning p.card_id, r.amount
    ), credited as (
      update gift_cards g set balance_minor = g.balance_minor + x.amount, updated_at = ${ret.now}::timestamptz
      from returned x where g.id = x.card_id and g.id = any(${ids}::text[])
      returning g.id, g.code, g.balance_minor, x.amount
    ), entries as (
      insert into gift_card_entries (card_id, kind, amount_minor, balance_after_minor, receipt_id, refund_id, actor, created_at)
      select id, 'refund', amount, balance_minor, ${ret.receiptId}::text, ${ret.refundId}::text, ${ret.actor}::text, ${ret.now}::timestamptz
      from credited
    )
    select id, code, amount, balance_minor from credited`.execute(tx);
  return rows.rows.map((row) => ({ cardId: row.id, code: row.code, amountMinor: row.amount, balanceMinor: row.balanceMinor }));
}

/**
 * Cards whose expiry has come: status expired, what was left taken off with an 'expire' entry
 * (the breakage). Also cards already expired that hold money again — a refund of a receipt they
 * paid gives them their share back (creditReturns) — so that share is taken off too, not stranded
 * on a card nothing can spend or adjust. At most `limit` a call; rows another run holds are
 * skipped, so two instances running the job at once expire each card once.
 */
export async function expireDue(tx: DbOrTx, now: Date, limit: number): Promise<{ cards: number; minor: number }> {
  const result = await sql<{ cards: number; minor: number }>`/*ps:gift_cards_expire*/
    with due as (
      select id, balance_minor from gift_cards
      where (status in ('issued', 'active', 'blocked') and expires_at <= ${now}::timestamptz)
        or (status = 'expired' and balance_minor > 0)
      order by expires_at limit ${limit} for update skip locked
    ), expired as (
      update gift_cards g set status = 'expired', balance_minor = 0, updated_at = ${now}::timestamptz
      from due where g.id = due.id
      returning g.id, due.balance_minor as taken
    ), entries as (
      insert into gift_card_entries (card_id, kind, amount_minor, balance_after_minor, reason, created_at)
      select id, 'expire', -taken, 0, 'expired', ${now}::timestamptz from expired where taken > 0
    )
    select count(*)::int as cards, coalesce(sum(taken), 0)::bigint as minor from expired`.execute(tx);
  return result.rows[0]!;
}
