import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, isIdKey, isIntegerKey, pageOf, type Page } from '../../platform/pagination.ts';
import { isCardId, maskCode, MAX_CODE_LENGTH, MIN_CODE_LENGTH, newCodes, normalizeCode, CODE_ALPHABET } from './gift-card-codes.ts';
import { insertCards, moveBalance, type Move } from './gift-card-ledger.ts';
import { claimKey } from './gift-card-requests.ts';
import type { Db, DbOrTx, Tx } from './gift-cards.db.ts';
import { giftCardError } from './gift-cards.errors.ts';
import type { Ids } from './gift-cards.ids.ts';
import type { GiftCardEntriesTable, GiftCardsTable, GiftCardStatus } from './gift-cards.tables.ts';

/**
 * Gift cards one by one: issue, look up, list, activate, block and unblock, adjust, and a card's
 * ledger. Money moves only through gift-card-ledger.ts; status changes that move no money
 * (block, unblock) are plain guarded UPDATEs here. Every change an operator makes is audited.
 */

export type GiftCardView = {
  id: string;
  /** In full only where the caller issued or typed it; masked otherwise (lists, by id). */
  code: string;
  status: GiftCardStatus;
  balanceMinor: number;
  currency: string;
  batchId: string | null;
  customerId: string | null;
  expiresAt: string | null;
  validDays: number | null;
  activatedAt: string | null;
  blockedAt: string | null;
  blockReason: string | null;
  createdAt: string;
  updatedAt: string;
};

/** How the caller named the card: by its code (it knows the secret, so it sees it) or by id (masked). */
export type CardRef = { by: 'code'; code: string } | { by: 'id'; id: string };

export function cardRef(value: string): CardRef {
  return isCardId(value) ? { by: 'id', id: value } : { by: 'code', code: normalizeCode(value) };
}

export const cardView = (row: Selectable<GiftCardsTable>, showCode: boolean): GiftCardView => ({
  id: row.id,
  code: showCode ? row.code : maskCode(row.code),
  status: row.status,
  balanceMinor: row.balanceMinor,
  currency: row.currency,
  batchId: row.batchId,
  customerId: row.customerId,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  validDays: row.validDays,
  activatedAt: row.activatedAt?.toISOString() ?? null,
  blockedAt: row.blockedAt?.toISOString() ?? null,
  blockReason: row.blockReason,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

const describe = (ref: CardRef) => (ref.by === 'id' ? ref.id : maskCode(ref.code));

async function findCard(db: DbOrTx, ref: CardRef, lock = false): Promise<Selectable<GiftCardsTable>> {
  let select = db.selectFrom('giftCards').selectAll();
  select = ref.by === 'id' ? select.where('id', '=', ref.id) : select.where('code', '=', ref.code);
  const row = await (lock ? select.forUpdate() : select).executeTakeFirst();
  if (!row) throw giftCardError('gift_card.not_found', `No gift card ${describe(ref)}; check the code as printed on the card`);
  return row;
}

export async function getCard(db: DbOrTx, ref: CardRef): Promise<GiftCardView> {
  return cardView(await findCard(db, ref), ref.by === 'code');
}

export type IssueInput = {
  amountMinor?: number;
  code?: string;
  customerId?: string;
  expiresAt?: string;
  validDays?: number;
  activate?: boolean;
};

const addDays = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000);

function checkCode(code: string): void {
  const allowed = new RegExp(`^[${CODE_ALPHABET}]{${MIN_CODE_LENGTH},${MAX_CODE_LENGTH}}$`);
  if (!allowed.test(code)) {
    throw giftCardError(
      'gift_card.invalid',
      `code: use ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH} characters of ${CODE_ALPHABET} (no 0, 1, I or O, so none is misread; spaces and dashes are dropped); leave code out to have one made`,
      [{ field: 'code', reason: `must be ${MIN_CODE_LENGTH} to ${MAX_CODE_LENGTH} characters of ${CODE_ALPHABET}` }],
    );
  }
}

function checkExpiry(now: Date, expiresAt: string | undefined): void {
  if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime()) {
    throw giftCardError('gift_card.invalid', `expiresAt: ${expiresAt} has passed (now ${now.toISOString()})`, [{ field: 'expiresAt', reason: 'must be in the future' }]);
  }
}

/**
 * One card: issued (sold and activated later), or active at once (`activate: true`). The answer
 * shows its code. With an Idempotency-Key a retry answers the card the first request made (as it
 * is now) and makes nothing.
 */
export async function issueCard(db: Db, clock: Clock, ids: Ids, actor: Actor, currency: string, input: IssueInput, key?: string): Promise<Outcome> {
  const now = clock.now();
  const code = input.code === undefined ? newCodes(1, '')[0]! : normalizeCode(input.code);
  checkCode(code);
  checkExpiry(now, input.expiresAt);
  const activate = input.activate === true;
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : activate && input.validDays ? addDays(now, input.validDays) : null;
  return db.transaction().execute(async (tx) => {
    const newId = ids.next('gcd');
    if (key) {
      const earlier = await claimKey(tx, 'issue', { key, hash: requestHash({ op: 'issue', ...input }) }, newId, now);
      if (earlier) return { card: cardView(await findCard(tx, { by: 'id', id: earlier }), true), replayed: true };
    }
    const [id] = await insertCards(
      tx,
      [
        {
          id: newId,
          code,
          batchId: null,
          status: activate ? 'active' : 'issued',
          currency,
          balanceMinor: input.amountMinor ?? 0,
          customerId: input.customerId ?? null,
          expiresAt,
          validDays: input.validDays ?? null,
          activatedAt: activate ? now : null,
        },
      ],
      { actor: actor.keyId, now },
    );
    if (!id) throw giftCardError('gift_card.taken', 'A gift card with this code exists already; choose another, or leave code out to have one made');
    await writeAudit(tx, clock, actor, { action: 'gift_card.issue', entityType: 'gift_card', entityId: id, details: { amountMinor: input.amountMinor ?? 0, active: activate } });
    return { card: cardView(await findCard(tx, { by: 'id', id }), true), replayed: false };
  });
}

export type CardQuery = { limit: number; cursor?: string; status?: GiftCardStatus; batchId?: string; customerId?: string };

/** Cards, newest first, codes masked: a list is for finding a card, not for reading its secret. */
export async function listCards(db: DbOrTx, query: CardQuery): Promise<Page<GiftCardView>> {
  const before = decodeCursor(query.cursor, isIdKey('gcd'));
  let select = db.selectFrom('giftCards').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.status) select = select.where('status', '=', query.status);
  if (query.batchId) select = select.where('batchId', '=', query.batchId);
  if (query.customerId) select = select.where('customerId', '=', query.customerId);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return { items: page.items.map((row) => cardView(row, false)), nextCursor: page.nextCursor };
}

export type EntryView = {
  id: number;
  kind: GiftCardEntriesTable['kind'];
  amountMinor: number;
  balanceAfterMinor: number;
  receiptId: string | null;
  refundId: string | null;
  reason: string | null;
  createdAt: string;
};

/** A card's ledger, newest first: every change of its balance, with the balance after it. */
export async function cardEntries(db: DbOrTx, ref: CardRef, query: { limit: number; cursor?: string }): Promise<Page<EntryView>> {
  const card = await findCard(db, ref);
  const before = decodeCursor(query.cursor, isIntegerKey);
  let select = db.selectFrom('giftCardEntries').selectAll().where('cardId', '=', card.id).orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return {
    items: page.items.map((row) => ({
      id: row.id,
      kind: row.kind,
      amountMinor: row.amountMinor,
      balanceAfterMinor: row.balanceAfterMinor,
      receiptId: row.receiptId,
      refundId: row.refundId,
      reason: row.reason,
      createdAt: row.createdAt.toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}

/**
 * A keyed request already made on this card: the same body answers as a replay (the card as it
 * is now, nothing changed); another body under the same key is a 409.
 */
async function keyed(tx: Tx, cardId: string, key: string | undefined, hash: string): Promise<boolean> {
  if (!key) return false;
  const earlier = await tx.selectFrom('giftCardEntries').select('requestHash').where('cardId', '=', cardId).where('idempotencyKey', '=', key).executeTakeFirst();
  if (!earlier) return false;
  if (earlier.requestHash !== hash) throw giftCardError('gift_card.idempotency_conflict', 'This Idempotency-Key was used on this card for a different request; use a new key for a new request');
  return true;
}

const pastExpiry = (card: Selectable<GiftCardsTable>, now: Date) => card.expiresAt !== null && card.expiresAt.getTime() <= now.getTime();

const expiredError = (ref: CardRef, card: Selectable<GiftCardsTable>, consequence: string) =>
  giftCardError('gift_card.expired', `Gift card ${describe(ref)} expired at ${card.expiresAt!.toISOString()}; ${consequence}`);

export type Outcome = { card: GiftCardView; replayed: boolean };

export type ActivateInput = { amountMinor?: number };

type CardRow = Selectable<GiftCardsTable>;

/**
 * Activate and adjust: one balance move on a card, idempotent on its Idempotency-Key, in one
 * transaction — a replay answers the card as it is; the guarded move; when it does not apply,
 * the refusal in words (`refuse` sees the card as read); the audit entry; the card after.
 */
async function keyedMove(
  db: Db,
  clock: Clock,
  actor: Actor,
  ref: CardRef,
  key: string | undefined,
  op: {
    hash: string;
    move: (now: Date) => Omit<Move, 'cardId' | 'actor' | 'now' | 'idempotencyKey' | 'requestHash'>;
    refuse: (card: CardRow, now: Date) => never;
    audit: { action: string; details: Record<string, unknown> };
  },
): Promise<Outcome> {
  return db.transaction().execute(async (tx) => {
    const card = await findCard(tx, ref, true);
    if (await keyed(tx, card.id, key, op.hash)) return { card: cardView(card, ref.by === 'code'), replayed: true };
    const now = clock.now();
    const moved = await moveBalance(tx, { ...op.move(now), cardId: card.id, actor: actor.keyId, now, idempotencyKey: key ?? null, requestHash: key ? op.hash : null });
    if (!moved) op.refuse(card, now);
    await writeAudit(tx, clock, actor, { ...op.audit, entityType: 'gift_card', entityId: card.id });
    return { card: cardView(await findCard(tx, { by: 'id', id: card.id }), ref.by === 'code'), replayed: false };
  });
}

/**
 * Issued → active, loading `amountMinor` (what the customer paid at the till) in the same
 * statement; the validity in days, if the card has one, starts now.
 */
export async function activateCard(db: Db, clock: Clock, actor: Actor, ref: CardRef, input: ActivateInput, key?: string): Promise<Outcome> {
  return keyedMove(db, clock, actor, ref, key, {
    hash: requestHash({ op: 'activate', ...input }),
    move: (now) => ({
      kind: 'activate',
      deltaMinor: input.amountMinor ?? 0,
      from: ['issued'],
      unexpired: true,
      set: sql`status = 'active', activated_at = ${now}::timestamptz,
        expires_at = coalesce(expires_at, ${now}::timestamptz + make_interval(days => valid_days))`,
    }),
    refuse(card, now) {
      if (card.status === 'issued' && pastExpiry(card, now)) throw expiredError(ref, card, 'it cannot be activated: money loaded on it could never be spent; sell another card');
      const since = card.activatedAt ? ` since ${card.activatedAt.toISOString()}` : '';
      throw giftCardError('gift_card.wrong_status', `Gift card ${describe(ref)} is ${card.status}${since}; only an issued card can be activated`);
    },
    audit: { action: 'gift_card.activate', details: { amountMinor: input.amountMinor ?? 0 } },
  });
}

export type AdjustInput = { amountMinor: number; reason: string };

/** Money on or off a card by hand, with a reason (support's correction; a top-up): audited, idempotent on Idempotency-Key. */
export async function adjustCard(db: Db, clock: Clock, actor: Actor, ref: CardRef, input: AdjustInput, key?: string): Promise<Outcome> {
  return keyedMove(db, clock, actor, ref, key, {
    hash: requestHash({ op: 'adjust', ...input }),
    move: () => ({
      kind: 'adjust',
      deltaMinor: input.amountMinor,
      from: ['issued', 'active', 'blocked'],
      // Money put on a card past its time could never be spent; taking money off one is allowed.
      unexpired: input.amountMinor > 0,
      reason: input.reason,
    }),
    refuse(card, now) {
      if (card.status === 'expired') throw giftCardError('gift_card.wrong_status', `Gift card ${describe(ref)} has expired; its money cannot be changed`);
      if (input.amountMinor > 0 && pastExpiry(card, now)) throw expiredError(ref, card, 'no money can be put on it: it could never be spent');
      throw giftCardError(
        'gift_card.insufficient_balance',
        `Gift card ${describe(ref)} holds ${card.balanceMinor}; taking ${-input.amountMinor} would leave it below zero`,
        [{ field: 'amountMinor', reason: `must be at least -${card.balanceMinor}` }],
      );
    },
    audit: { action: 'gift_card.adjust', details: { amountMinor: input.amountMinor, reason: input.reason } },
  });
}

/** Blocked: it pays nothing until unblocked (a lost or stolen card); its money stays on it. */
export async function blockCard(db: Db, clock: Clock, actor: Actor, ref: CardRef, reason: string | undefined): Promise<GiftCardView> {
  return db.transaction().execute(async (tx) => {
    const card = await findCard(tx, ref);
    const now = clock.now();
    const row = await tx
      .updateTable('giftCards')
      .set({ status: 'blocked', blockedAt: now, blockReason: reason ?? null, updatedAt: now })
      .where('id', '=', card.id)
      .where('status', 'in', ['issued', 'active'])
      .returningAll()
      .executeTakeFirst();
    if (!row) throw giftCardError('gift_card.wrong_status', `Gift card ${describe(ref)} is ${card.status}; only an issued or active card can be blocked`);
    await writeAudit(tx, clock, actor, { action: 'gift_card.block', entityType: 'gift_card', entityId: card.id, details: { reason: reason ?? null } });
    return cardView(row, ref.by === 'code');
  });
}

/** Back to what it was before the block: active if it had been activated, issued otherwise. */
export async function unblockCard(db: Db, clock: Clock, actor: Actor, ref: CardRef, reason: string | undefined): Promise<GiftCardView> {
  return db.transaction().execute(async (tx) => {
    const card = await findCard(tx, ref);
    const now = clock.now();
    const row = await tx
      .updateTable('giftCards')
      .set({ status: sql`case when activated_at is null then 'issued' else 'active' end`, blockedAt: null, blockReason: null, updatedAt: now })
      .where('id', '=', card.id)
      .where('status', '=', 'blocked')
      .returningAll()
      .executeTakeFirst();
    if (!row) throw giftCardError('gift_card.wrong_status', `Gift card ${describe(ref)} is ${card.status}, not blocked`);
    await writeAudit(tx, clock, actor, { action: 'gift_card.unblock', entityType: 'gift_card', entityId: card.id, details: { reason: reason ?? null } });
    return cardView(row, ref.by === 'code');
  });
}
