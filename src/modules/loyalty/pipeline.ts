import type { DbOrTx, Tx } from './loyalty.db.ts';
import { lineTotal } from '../../platform/money.ts';
import { calculateReceipt, type EngineLine, type EngineResult } from './calculate.ts';
import type { EarningRule, ProgramSettings, Tier } from './config-types.ts';
import type { Tender } from './tenders.ts';

/**
 * The checkout pipeline: price → adjust → redeem → earn, over one context. calculate, confirm,
 * refunds, bulk historical receipts and (later) the what-if replay all run it, so a till, a
 * loader and an analyst see the same arithmetic.
 *
 * Loyalty owns these interfaces; other modules implement them (promotions: adjusters; segments:
 * the membership provider) and buildApp wires them, as the customer lifecycle hooks are wired.
 */
export type CheckoutCustomer = {
  id: string;
  birthDate: string | null;
  timezone: string | null;
  /** Available points as of the receipt's processing time. */
  balance: number;
  pending: number;
  expiringSoon: { points: number; at: string } | null;
  /** Whether an earlier receipt of the customer's was confirmed (new-customer offers ask). */
  hasReceipts: boolean;
};

export type CheckoutContext = {
  store: { id: string; timezone: string };
  channel: 'offline' | 'online';
  /** When the purchase happened (the store's zone decides weekday and hour conditions). */
  occurredAt: Date;
  customer: CheckoutCustomer | null;
  tier: Tier | null;
  /** Segments the customer is in, from the membership provider. */
  segments: ReadonlySet<string>;
  lines: EngineLine[];
  redeemRequested: number;
  promoCodes: string[];
  program: ProgramSettings;
  /** The earn step's rules. Adjusters must not depend on them: the what-if replay shares their answer between configurations that differ only here (`adjustLines`). */
  rules: EarningRule[];
  /** What each adjuster's `prepare` loaded, by adjuster name; `price` reads it. */
  extensions: Readonly<Record<string, unknown>>;
};

/** A line as an adjuster sees it: its number (0-based), totals and what is left to pay so far. */
export type PricedLine = EngineLine & { index: number; totalMinor: number; netMinor: number };

export type LineDiscount = { line: number; discountMinor: number };

/** A discount an adjuster applied: what it took off which line, and what `commit` must reserve. */
export type Adjustment = {
  adjuster: string;
  id: string;
  name: string;
  discountMinor: number;
  lines: LineDiscount[];
  /** Anything commit and reverse need (a code, a budget id); stored with the receipt. */
  data?: Record<string, unknown>;
  /**
   * A points benefit instead of (or besides) a discount: an earning rule the earn step adds for
   * this receipt (a promotion's "×2 points on coffee"). The pipeline fills `points` with what the
   * rule earned, line by line, so commit can reserve a points budget and reverse release a share.
   */
  earningRule?: EarningRule;
  /** At most this many points (a points budget's rest): a rule that would earn more does not apply. */
  pointsLimit?: number;
  points?: { total: number; lines: Array<{ line: number; points: number }> };
};

/** An adjustment not applied, with its reason code; `code` is the promo code it was asked by, if any. */
export type Rejection = { adjuster: string; id: string; reason: string; detail: string; code?: string };

export type AdjusterOutcome = { applied: Adjustment[]; rejected: Rejection[] };

/** What a cancel or refund returns of a receipt, line by line (lineNo is 1-based, as stored). */
export type AdjustmentReversal = {
  receiptId: string;
  refundId: string;
  customerId: string | null;
  cancel: boolean;
  /**
   * Every line of the receipt, quantities in thousandths: this return's (0 for a line it leaves),
   * what earlier returns took, what was bought — so an adjuster can tell when the whole receipt is back.
   */
  lines: Array<{ lineNo: number; qtyMilli: number; refundedBeforeMilli: number; boughtMilli: number }>;
  /** The adjuster's own adjustments on the receipt, as committed. */
  applied: Adjustment[];
};

/**
 * What an adjuster gives the what-if replay (what-if-replay.ts): `price` over stored receipts,
 * a batch at a time, with nothing reserved. Built for one scenario (the adjuster's own what-if
 * input, or the live set when none).
 */
export type AdjusterReplay = {
  /** Whether `price` looks at segment memberships: the replay reads them only then. */
  needsSegments: boolean;
  /** Whether `price` asks if the customer had an earlier receipt (`hasReceipts`): the replay reads it only then. */
  needsHistory: boolean;
  /** What `price` needs for each receipt of a batch (in order), loaded in one query at most. */
  prepare(db: DbOrTx, ctxs: readonly CheckoutContext[]): Promise<unknown[]>;
};

export type Adjuster = {
  /** Unique; stored with each adjustment so refunds find their adjuster. */
  name: string;
  /**
   * For the what-if replay: `scenario` is this adjuster's what-if input as its own module made it
   * (promotions: the definitions to price with); undefined, the live set. An adjuster without it
   * takes no part in a replay.
   */
  replay?(db: DbOrTx, scenario: unknown): Promise<AdjusterReplay>;
  /** Loads what `price` needs (codes, budgets) before the pure step; optional. */
  prepare?(db: DbOrTx, ctx: CheckoutContext): Promise<unknown>;
  /** Pure: per-line discounts with reasons, and what it rejected and why. */
  price(ctx: CheckoutContext, lines: readonly PricedLine[]): AdjusterOutcome;
  /**
   * At confirm, in its transaction: reserve what the applied adjustments consume with one
   * SQL-guarded statement (`UPDATE … SET used = used + $n WHERE used + $n <= limit RETURNING`);
   * throw an AppError when the guard fails, which rolls the whole receipt back.
   */
  commit(tx: Tx, ctx: CheckoutContext & { receiptId: string }, applied: Adjustment[]): Promise<void>;
  /** At cancel or refund, in its transaction: give back exactly what this return returns. */
  reverse(tx: Tx, reversal: AdjustmentReversal): Promise<void>;
};

export type MembershipProvider = {
  /** The segments the customer is in now; one query at most, it runs on every checkout. */
  segmentsOf(db: DbOrTx, customerId: string): Promise<ReadonlySet<string>>;
};

/** What a checkout module registers into: buildApp adds adjusters and sets the provider. */
export type CheckoutExtensions = {
  adjusters: Adjuster[];
  membership: MembershipProvider | null;
  /** Earning rates of stores run by someone else (coalition partners); see `earningAtStore`. */
  storeRates: StoreRateProvider | null;
  /** Stored value that pays what is left after discounts and points (gift cards; tenders.ts). */
  tenders: Tender[];
};

export function createCheckoutExtensions(): CheckoutExtensions {
  return { adjusters: [], membership: null, storeRates: null, tenders: [] };
}

/** A store's own earning rate: a coalition partner's (`id`, `name`), in basis points of the paid amount in point value. */
export type StoreRate = { id: string; name: string; earnRateBp: number };

export type StoreRateProvider = {
  /** The rate at a store, or null for the program's own stores; cached in process, it runs on every checkout. */
  rateAt(db: DbOrTx, storeId: string): Promise<StoreRate | null>;
};

/**
 * The earning rules at a store with a rate of its own (a partner's store): the partner's rate is
 * the base rate there (a percent rule `partner:<id>`), and it is the partner who pays for the
 * points, so the program's rules apply only where they name the store (conditions.stores: a
 * promotion the operator aimed at it) and tiers keep their redemption share but not their earning
 * rate or multiplier. Elsewhere the rules and the tier are the program's, unchanged.
 */
export function earningAtStore(rules: EarningRule[], tier: Tier | null, storeId: string, rate: StoreRate | null): { rules: EarningRule[]; tier: Tier | null } {
  if (!rate) return { rules, tier };
  const partnerRule: EarningRule = { id: `partner:${rate.id}`, name: `${rate.name} rate`, kind: 'percent', rateBp: rate.earnRateBp, conditions: {}, priority: 0, stacking: 'highest', active: true };
  const aimed = rules.filter((rule) => rule.conditions.stores?.includes(storeId));
  if (!tier) return { rules: [partnerRule, ...aimed], tier };
  const { earnRateBp: _rate, earnMultiplier: _multiplier, ...rest } = tier;
  return { rules: [partnerRule, ...aimed], tier: rest };
}

export type PipelineResult = EngineResult & { adjustments: AdjusterOutcome };

const noSegments: ReadonlySet<string> = new Set();

export async function segmentsOf(extensions: CheckoutExtensions, db: DbOrTx, customerId: string | null): Promise<ReadonlySet<string>> {
  if (!customerId || !extensions.membership) return noSegments;
  return extensions.membership.segmentsOf(db, customerId);
}

/** Runs each adjuster's `prepare`, in order; the results go into the context's extensions. */
export async function prepareAdjusters(extensions: CheckoutExtensions, db: DbOrTx, ctx: CheckoutContext): Promise<CheckoutContext> {
  const loaded: Record<string, unknown> = {};
  for (const adjuster of extensions.adjusters) {
    if (adjuster.prepare) loaded[adjuster.name] = await adjuster.prepare(db, ctx);
  }
  return { ...ctx, extensions: loaded };
}

// Lines are copied member by member, not with spread and rest: a rest pattern that leaves members
// out takes V8's slow path, and a replay of a month of receipts prices a million lines.
function priced(lines: EngineLine[]): PricedLine[] {
  return lines.map((line, index) => {
    const totalMinor = lineTotal(line.qtyMilli, line.priceMinor);
    const { sku, name, categories, brand, qtyMilli, priceMinor, discountMinor } = line;
    return { sku, name, categories, brand, qtyMilli, priceMinor, discountMinor, index, totalMinor, netMinor: totalMinor - Math.min(discountMinor, totalMinor) };
  });
}

const engineLine = ({ sku, name, categories, brand, qtyMilli, priceMinor, discountMinor }: PricedLine): EngineLine => ({ sku, name, categories, brand, qtyMilli, priceMinor, discountMinor });

/**
 * Adjusters run one after another, each on what is left to pay after the ones before it.
 * A discount never takes a line below zero: an adjustment that asks for more is cut to what is
 * left on the line, and the cut is what gets committed and stored.
 */
function adjust(ctx: CheckoutContext, adjusters: Adjuster[]): { lines: EngineLine[]; outcome: AdjusterOutcome } {
  const outcome: AdjusterOutcome = { applied: [], rejected: [] };
  if (adjusters.length === 0) return { lines: ctx.lines, outcome };
  let lines = priced(ctx.lines);
  let changed = false;
  for (const adjuster of adjusters) {
    const result = adjuster.price(ctx, lines);
    outcome.rejected.push(...result.rejected.map((r) => ({ ...r, adjuster: adjuster.name })));
    for (const adjustment of result.applied) {
      const taken = new Map<number, number>();
      const cut: LineDiscount[] = [];
      for (const part of adjustment.lines) {
        const line = lines[part.line];
        if (!line || !Number.isSafeInteger(part.discountMinor) || part.discountMinor <= 0) continue;
        const left = line.netMinor - (taken.get(part.line) ?? 0);
        const discountMinor = Math.min(part.discountMinor, left);
        if (discountMinor <= 0) continue;
        taken.set(part.line, (taken.get(part.line) ?? 0) + discountMinor);
        cut.push({ line: part.line, discountMinor });
      }
      if (cut.length === 0) {
        // A points benefit takes nothing off; it goes on to the earn step.
        if (adjustment.earningRule) outcome.applied.push({ ...adjustment, adjuster: adjuster.name, lines: [], discountMinor: 0 });
        continue;
      }
      const discountMinor = cut.reduce((sum, part) => sum + part.discountMinor, 0);
      outcome.applied.push({ ...adjustment, adjuster: adjuster.name, lines: cut, discountMinor });
      changed = true;
      lines = lines.map((line) => {
        const extra = taken.get(line.index) ?? 0;
        return extra === 0 ? line : { ...line, discountMinor: line.discountMinor + extra, netMinor: line.netMinor - extra };
      });
    }
  }
  // Nothing taken off: the lines are the context's, as they came.
  return { lines: changed ? lines.map(engineLine) : ctx.lines, outcome };
}

/**
 * price → adjust → redeem → earn. Pure: everything it needs is in the context. `track` names
 * rules whose points the result reports line by line (`tracked`): the what-if replay splits
 * the base rate's points from the bonuses with it.
 */
export function runPipeline(ctx: CheckoutContext, adjusters: Adjuster[], track: readonly string[] = []): PipelineResult {
  return earnAfter(ctx, adjustLines(ctx, adjusters), track);
}

/** The adjust step's answer: the lines with what adjusters took off, and what they applied and rejected. */
export type Adjusted = { lines: EngineLine[]; outcome: AdjusterOutcome };

/**
 * The adjust step alone. Adjusters price before the earn step and do not look at its rules
 * (`ctx.rules`), so contexts that differ only in those get the same answer: the what-if replay
 * adjusts once for the live and the changed configuration when only earning rules change.
 */
export const adjustLines: (ctx: CheckoutContext, adjusters: Adjuster[]) => Adjusted = adjust;

// The earn step and its helpers are functions of the module, not closures made on each call: the
// sources run through tsx, whose esbuild keeps functions' names, so each closure made costs a
// defineProperty as well (a replay prices a million receipts twice).
function earnWith(ctx: CheckoutContext, lines: EngineLine[], track: readonly string[], extraRules: EarningRule[]): EngineResult {
  return calculateReceipt({
    lines,
    settings: ctx.program,
    rules: extraRules.length === 0 ? ctx.rules : [...ctx.rules, ...extraRules],
    tier: ctx.tier,
    context: { storeId: ctx.store.id, storeTimezone: ctx.store.timezone, channel: ctx.channel, occurredAt: ctx.occurredAt, segments: ctx.segments },
    customer: ctx.customer
      ? { balance: ctx.customer.balance, birthDate: ctx.customer.birthDate, timezone: ctx.customer.timezone, expiringSoon: ctx.customer.expiringSoon }
      : null,
    redeemRequested: ctx.redeemRequested,
    ...(extraRules.length === 0 && track.length === 0 ? {} : { trackRules: [...extraRules.map((rule) => rule.id), ...track] }),
  });
}

function rulesOf(applied: Adjustment[]): EarningRule[] {
  return applied.flatMap((a) => (a.earningRule ? [a.earningRule] : []));
}

/**
 * redeem → earn on what the adjust step left (`adjustLines` on a context that differs from `ctx`
 * at most in its rules). Reads `adjusted` and does not change it, so one adjust step can feed several.
 */
export function earnAfter(ctx: CheckoutContext, adjusted: Adjusted, track: readonly string[] = []): PipelineResult {
  const { lines, outcome } = adjusted;
  if (rulesOf(outcome.applied).length === 0) {
    // The engine's answer is this call's own: it takes the adjustments as it is, rather than
    // copied member by member (a replay prices a million receipts twice). Without extra rules it
    // reports `tracked` exactly when `track` names a rule, as the result promises.
    const result: PipelineResult = Object.assign(earnWith(ctx, lines, track, []), { adjustments: outcome });
    if (track.length > 0) result.tracked ??= {};
    return result;
  }
  let result = earnWith(ctx, lines, track, rulesOf(outcome.applied));
  let adjustments = withEarnedPoints(outcome, result.tracked ?? {}, ctx.customer !== null);
  // A points benefit that would earn more than its budget has left does not apply; the receipt is priced again without it.
  const over = adjustments.applied.filter((a) => a.pointsLimit !== undefined && (a.points?.total ?? 0) > a.pointsLimit);
  if (over.length > 0) {
    const kept = { applied: outcome.applied.filter((a) => !over.some((o) => o.id === a.id && o.adjuster === a.adjuster)), rejected: outcome.rejected };
    result = earnWith(ctx, lines, track, rulesOf(kept.applied));
    adjustments = withEarnedPoints(kept, result.tracked ?? {}, ctx.customer !== null);
    adjustments.rejected.push(
      ...over.map((a) => ({ adjuster: a.adjuster, id: a.id, reason: 'budget_exhausted', detail: `${a.name}: its points budget has ${a.pointsLimit} points left, fewer than this receipt would earn`, ...codeOf(a) })),
    );
  }
  const { tracked, ...rest } = result;
  return { ...rest, ...(track.length > 0 ? { tracked: tracked ?? {} } : {}), adjustments };
}

const codeOf = (a: Adjustment) => (typeof a.data?.code === 'string' ? { code: a.data.code } : {});

/**
 * What each points benefit earned, line by line (the engine credits its rule per line). One that
 * earned nothing (no customer, or only excluded goods) did not apply: it reserves nothing.
 */
function withEarnedPoints(outcome: AdjusterOutcome, tracked: Record<string, Record<number, number>>, identified: boolean): AdjusterOutcome {
  const applied: Adjustment[] = [];
  const rejected = [...outcome.rejected];
  for (const adjustment of outcome.applied) {
    const rule = adjustment.earningRule;
    if (!rule) {
      applied.push(adjustment);
      continue;
    }
    const lines = Object.entries(tracked[rule.id] ?? {}).map(([line, points]) => ({ line: Number(line), points }));
    const total = lines.reduce((sum, line) => sum + line.points, 0);
    if (total > 0 || adjustment.discountMinor > 0) applied.push({ ...adjustment, points: { total, lines } });
    else if (!identified) rejected.push({ adjuster: adjustment.adjuster, id: adjustment.id, reason: 'needs_customer', detail: `${adjustment.name}: points need an identified customer`, ...codeOf(adjustment) });
    else rejected.push({ adjuster: adjustment.adjuster, id: adjustment.id, reason: 'no_points', detail: `${adjustment.name}: earns nothing on this receipt`, ...codeOf(adjustment) });
  }
  return { applied, rejected };
}
