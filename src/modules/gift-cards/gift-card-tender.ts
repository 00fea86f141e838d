import type { Clock } from '../../platform/clock.ts';
import type { CheckoutContext, Tender, TenderAsk, TenderPayment, TenderReturn, TenderReversal, TenderStore } from '../loyalty/index.ts';
import { maskCode, normalizeCode } from './gift-card-codes.ts';
import { creditReturns, debitForReceipt } from './gift-card-ledger.ts';
import { ownDbOrTx, ownTx } from './gift-cards.db.ts';
import { giftCardError } from './gift-cards.errors.ts';
import type { GiftCardStatus } from './gift-cards.tables.ts';

/**
 * Gift cards as the checkout's tender (loyalty's tenders.ts): they pay what is left after
 * discounts and points, in the order the till names them, each all of its `amount` or nothing.
 * calculate says per card whether it pays and why not; confirm debits every card in the
 * receipt's transaction with one guarded statement (a card spent, blocked or expired since the
 * calculation refuses the whole receipt: 409 gift_card.payment_refused); a cancel or refund
 * gives each card back its share of the money returned. No card pays at a coalition partner's
 * store (reason wrong_store): the card's money is the operator's, and the partner settlement
 * counts points only.
 */
export const TENDER = 'gift_cards';

type CardRow = { id: string; code: string; status: GiftCardStatus; currency: string; balanceMinor: number; expiresAt: Date | null };
/** `partner`: the receipt is at a coalition partner's store, where no card pays. */
type Prepared = { cards: CardRow[]; now: Date; partner?: TenderStore['partner'] };

const money = (minor: number) => `${(minor / 100).toFixed(2)}`;

const reasonWords: Record<string, (card: CardRow | undefined, ask: TenderAsk, left: number) => string> = {
  unknown: () => 'no such gift card; check the code as printed',
  not_active: (card) => (card?.status === 'blocked' ? 'the card is blocked' : 'the card is not activated yet (it is activated when sold)'),
  expired: () => 'the card has expired',
  wrong_currency: (card) => `the card holds ${card?.currency}, the receipt is in another currency`,
  insufficient_balance: (card, ask) => `the card holds ${money(card?.balanceMinor ?? 0)}, ${money(ask.amount)} was asked`,
  exceeds_total: (_card, ask, left) => `${money(ask.amount)} was asked, only ${money(left)} is left to pay`,
};

// The partner settlement carries points only: money spent at a partner's store would never reach the operator.
const wrongStore = (partner: { name: string }) => `gift cards are the operator's money and are not accepted at partner stores (this store is ${partner.name}'s); pay by other means`;

/** Pure: each ask in order, against what is left to pay after the asks before it. */
export function validatePayments(ctx: Pick<CheckoutContext, 'program'>, asks: TenderAsk[], prepared: Prepared, dueMinor: number): TenderPayment[] {
  const byCode = new Map(prepared.cards.map((card) => [card.code, card]));
  let left = dueMinor;
  return asks.map((ask) => {
    const code = normalizeCode(ask.code);
    // At a partner's store no card pays, and the answer says nothing of the card (not even whether it exists).
    if (prepared.partner) {
      return { code: maskCode(code), amount: ask.amount, applied: false, reason: 'wrong_store', detail: `Gift card ${maskCode(code)}: ${wrongStore(prepared.partner)}`, balance: null, ref: null };
    }
    const card = byCode.get(code);
    let reason: string | null = null;
    if (!card) reason = 'unknown';
    else if (card.status === 'expired' || (card.expiresAt !== null && card.expiresAt.getTime() <= prepared.now.getTime())) reason = 'expired';
    else if (card.status !== 'active') reason = 'not_active';
    else if (card.currency !== ctx.program.currency) reason = 'wrong_currency';
    else if (ask.amount > card.balanceMinor) reason = 'insufficient_balance';
    else if (ask.amount > left) reason = 'exceeds_total';
    const detail = reason ? `Gift card ${maskCode(code)}: ${reasonWords[reason]!(card, ask, left)}` : null;
    if (!reason) left -= ask.amount;
    return { code: maskCode(code), amount: ask.amount, applied: reason === null, reason, detail, balance: card ? card.balanceMinor : null, ref: card?.code ?? null };
  });
}

/**
 * A return's share for each card, in the order they paid: cumulatively `taken × returned so far /
 * paid`, rounded down, less what the card got back before — so the shares of all returns add up
 * to exactly what the card paid once the whole receipt is back, and never pass it. A cancel
 * gives back everything not yet returned.
 */
export function returnShares(
  reversal: Pick<TenderReversal, 'cancel' | 'paidMinor' | 'refundedBeforeMinor' | 'amountMinor'>,
  payments: Array<{ cardId: string; amountMinor: number; returnedMinor: number }>,
): Array<{ cardId: string; amountMinor: number }> {
  const after = reversal.refundedBeforeMinor + reversal.amountMinor;
  const whole = reversal.cancel || after >= reversal.paidMinor;
  return payments.map((p) => {
    const due = whole ? p.amountMinor : Number((BigInt(p.amountMinor) * BigInt(after)) / BigInt(reversal.paidMinor));
    return { cardId: p.cardId, amountMinor: Math.max(0, Math.min(due, p.amountMinor) - p.returnedMinor) };
  });
}

export function giftCardTender(clock: Clock): Tender {
  return {
    name: TENDER,

    async prepare(loyaltyDb, _ctx, asks, store): Promise<Prepared> {
      const codes = asks.map((ask) => normalizeCode(ask.code));
      const seen = new Map<string, number>();
      codes.forEach((code, index) => {
        const first = seen.get(code);
        if (first !== undefined) {
          throw giftCardError('gift_card.duplicate_in_receipt', `giftCards.${index}: card ${maskCode(code)} is named already at giftCards.${first}; name each card once with the whole amount it pays`, [
            { field: `giftCards.${index}.code`, reason: 'names a card already named in this receipt' },
          ]);
        }
        seen.set(code, index);
      });
      if (store.partner) return { cards: [], now: clock.now(), partner: store.partner };
      const db = ownDbOrTx(loyaltyDb);
      const cards = await db.selectFrom('giftCards').select(['id', 'code', 'status', 'currency', 'balanceMinor', 'expiresAt']).where('code', 'in', codes).execute();
      return { cards, now: clock.now() };
    },

    validate: (ctx, asks, prepared, dueMinor) => validatePayments(ctx, asks, prepared as Prepared, dueMinor),

    async commit(loyaltyTx, ctx, payments) {
      const refused = payments.find((p) => !p.applied);
      if (refused) throw giftCardError('gift_card.payment_refused', `${refused.detail}; the receipt is not recorded`);
      const tx = ownTx(loyaltyTx as never);
      // `ref` is the card's code: it never leaves the server (tenderAnswer drops it).
      const debits = payments.map((p) => ({ code: p.ref!, amountMinor: p.amount }));
      const after = await debitForReceipt(tx, { receiptId: ctx.receiptId, customerId: ctx.customer?.id ?? null, actor: ctx.actor, now: clock.now() }, debits);
      const lost = payments.find((p) => !after.has(p.ref!));
      if (lost) {
        throw giftCardError(
          'gift_card.payment_refused',
          `Gift card ${lost.code} can no longer pay ${money(lost.amount)}: it was spent, blocked or expired since the calculation; calculate again: the receipt is not recorded`,
        );
      }
      return payments.map((p) => ({ ...p, balance: after.get(p.ref!)! }));
    },

    async reverse(loyaltyTx, reversal): Promise<TenderReturn[]> {
      const tx = ownTx(loyaltyTx as never);
      // By the customer too: on a sharded database the receipt's customer routes the read to one shard.
      const paid = await tx
        .selectFrom('giftCardPayments')
        .select(['cardId', 'amountMinor', 'returnedMinor'])
        .where('receiptId', '=', reversal.receiptId)
        .where('customerId', reversal.customerId === null ? 'is' : '=', reversal.customerId)
        .orderBy('seq')
        .execute();
      if (paid.length === 0) return [];
      const shares = returnShares(reversal, paid);
      const credited = await creditReturns(tx, { receiptId: reversal.receiptId, refundId: reversal.refundId, actor: reversal.actor, now: clock.now() }, shares);
      // Returns of one receipt queue on its row lock (refunds.ts), so every share fits what is left: a miss is a bug, not a race.
      if (credited.length < shares.filter((s) => s.amountMinor > 0).length) throw new Error(`gift-card return of receipt ${reversal.receiptId} exceeded what was taken`);
      const order = new Map(paid.map((p, i) => [p.cardId, i]));
      return credited
        .sort((a, b) => order.get(a.cardId)! - order.get(b.cardId)!)
        .map((c) => ({ code: maskCode(c.code), amount: c.amountMinor, balance: c.balanceMinor }));
    },
  };
}
