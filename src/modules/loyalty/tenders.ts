import type { DbOrTx, Tx } from './loyalty.db.ts';
import type { CheckoutContext, CheckoutExtensions } from './pipeline.ts';

/**
 * Tenders: stored value that pays part of a receipt (gift cards), the pipeline's extension point
 * after price → adjust → redeem → earn. A tender pays what is left *after* discounts and points,
 * so it changes neither: the points a receipt earns are on what it costs, whatever pays for it
 * (a gift card is a payment, like cash; docs/gift-cards.md). Loyalty owns the interface; the
 * gift-cards module implements it and buildApp wires it, as it wires the promotions adjuster.
 *
 * - `prepare` reads what `validate` needs (the cards asked) in one statement;
 * - `validate` is pure: in order, which asks pay and why the others do not;
 * - `commit` runs at confirm in the receipt's transaction, before the receipt is stored: it
 *   debits every ask with one guarded statement and throws an AppError (409) when an ask cannot
 *   pay in full, which rolls the whole receipt back;
 * - `reverse` runs at cancel and refund in their transaction: it gives back this return's share.
 */

/** A payment the till asks for: the instrument's code and the amount, in minor units. */
export type TenderAsk = { code: string; amount: number };

/** What a tender says of one ask, as calculate and confirm answer it. */
export type TenderOutcome = {
  /** The code as the answer shows it (masked: a gift-card code is a secret). */
  code: string;
  amount: number;
  applied: boolean;
  reason: string | null;
  detail: string | null;
  /** The instrument's balance: calculate, before this receipt; confirm, after it; null when unknown. */
  balance: number | null;
};

/** An outcome with what commit needs (the card's id); `ref` never reaches an answer. */
export type TenderPayment = TenderOutcome & { ref: string | null };

/** What a cancel or refund returns of a receipt, in money: tenders give back their share of it. */
export type TenderReversal = {
  receiptId: string;
  refundId: string;
  customerId: string | null;
  cancel: boolean;
  /** What the receipt cost in money (its payable), what earlier returns gave back, and this return. */
  paidMinor: number;
  refundedBeforeMinor: number;
  amountMinor: number;
  actor: string | null;
};

/** What a return gave back to one instrument. */
export type TenderReturn = { code: string; amount: number; balance: number };

/**
 * Where the receipt is paid: `partner` is the coalition partner whose store it is (its rate,
 * `extensions.storeRates`), null at the program's own stores. A tender may refuse a partner's
 * store (gift cards: the operator's money, which the partner settlement does not carry).
 */
export type TenderStore = { partner: { id: string; name: string } | null };

export type Tender = {
  name: string;
  prepare(db: DbOrTx, ctx: CheckoutContext, asks: TenderAsk[], store: TenderStore): Promise<unknown>;
  validate(ctx: CheckoutContext, asks: TenderAsk[], prepared: unknown, dueMinor: number): TenderPayment[];
  commit(tx: Tx, ctx: CheckoutContext & { receiptId: string; actor: string | null }, payments: TenderPayment[]): Promise<TenderPayment[]>;
  reverse(tx: Tx, reversal: TenderReversal): Promise<TenderReturn[]>;
};

export type TenderResult = { payments: TenderPayment[]; leftToPay: number };

const notAccepted = (ask: TenderAsk): TenderPayment => ({
  code: ask.code.length > 4 ? `************${ask.code.slice(-4)}` : '****',
  amount: ask.amount,
  applied: false,
  reason: 'not_accepted',
  detail: 'Gift cards are not accepted: no tender is set up',
  balance: null,
  ref: null,
});

/** calculate and confirm: which gift cards pay how much of what is left after discounts and points. */
export async function priceTenders(extensions: CheckoutExtensions, db: DbOrTx, ctx: CheckoutContext, asks: TenderAsk[], dueMinor: number): Promise<TenderResult> {
  const tender = extensions.tenders?.[0];
  if (!tender) return { payments: asks.map(notAccepted), leftToPay: dueMinor };
  const rate = extensions.storeRates ? await extensions.storeRates.rateAt(db, ctx.store.id) : null;
  const prepared = await tender.prepare(db, ctx, asks, { partner: rate ? { id: rate.id, name: rate.name } : null });
  const payments = tender.validate(ctx, asks, prepared, dueMinor);
  return { payments, leftToPay: dueMinor - payments.reduce((sum, p) => sum + (p.applied ? p.amount : 0), 0) };
}

/** confirm: debits the payments in the receipt's transaction; the answer's balances are after it. */
export async function commitTenders(extensions: CheckoutExtensions, tx: Tx, ctx: CheckoutContext & { receiptId: string; actor: string | null }, result: TenderResult): Promise<TenderResult> {
  const tender = extensions.tenders?.[0];
  if (!tender) return result;
  return { ...result, payments: await tender.commit(tx, ctx, result.payments) };
}

/** cancel and refund: each tender gives back its share of this return. */
export async function reverseTenders(extensions: CheckoutExtensions, tx: Tx, reversal: TenderReversal): Promise<TenderReturn[]> {
  const returned: TenderReturn[] = [];
  for (const tender of extensions.tenders ?? []) returned.push(...(await tender.reverse(tx, reversal)));
  return returned;
}

/** The outcomes as the till sees them (what commit needed stays inside). */
export const tenderAnswer = (payments: TenderPayment[]): TenderOutcome[] => payments.map(({ ref: _ref, ...outcome }) => outcome);
