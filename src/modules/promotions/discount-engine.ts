import type { Benefit, LineTarget, PromotionDefinition } from './promotion-types.ts';

/**
 * The discount engine: pure arithmetic over a receipt's lines, in kopecks. Two steps:
 * `discountOf` prices one benefit on the lines as they stand; `choosePromotions` decides which
 * of the eligible promotions apply together (stacking) and in what order, and prices them one
 * after another, each on what the ones before left to pay. docs/promotions.md states the rules
 * and discount-engine.test.ts holds them to exact kopecks.
 */

/** A receipt line as the engine sees it. `netMinor` is what is left to pay on it so far. */
export type DiscountLine = {
  index: number;
  sku: string;
  categories: string[];
  brand: string | null;
  qtyMilli: number;
  priceMinor: number;
  netMinor: number;
  /** In a category that neither earns, burns nor takes discounts (tobacco). */
  excluded: boolean;
};

export type LineDiscount = { line: number; discountMinor: number };

/** An eligible promotion, with what is left of its budget (null: no budget). */
export type Candidate = { promotion: PromotionDefinition; budgetLeftMinor: number | null; budgetLeftPoints?: number | null; code?: string };

export type Chosen = { candidate: Candidate; lines: LineDiscount[]; discountMinor: number };
export type Passed = { candidate: Candidate; reason: 'below_minimum' | 'no_matching_items' | 'not_combinable' | 'budget_exhausted' };

export function matchesTarget(line: DiscountLine, target: LineTarget | undefined): boolean {
  if (line.excluded) return false;
  if (!target) return true;
  if (target.skus?.length && !target.skus.includes(line.sku)) return false;
  if (target.brands?.length && (!line.brand || !target.brands.includes(line.brand))) return false;
  if (target.categories?.length && !target.categories.some((category) => line.categories.includes(category))) return false;
  return true;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const total = (parts: LineDiscount[]) => sum(parts.map((part) => part.discountMinor));

/** n ÷ d rounded down, exact for non-negative safe integers (the remainder taken off first, so no rounding of the quotient). */
const intDiv = (n: number, d: number) => (n - (n % d)) / d;

/** round(a × b / c) half-up, exact for amounts beyond 2^53 / 10000. */
function mulDivRound(a: number, b: number, c: number): number {
  const exact = a * b;
  // Exact in floating point below 2^53 (every receipt but the largest): no BigInt needed.
  if (Number.isSafeInteger(exact * 2 + c)) return intDiv(exact * 2 + c, c * 2);
  return Number((BigInt(a) * BigInt(b) * 2n + BigInt(c)) / (BigInt(c) * 2n));
}

/**
 * `amount` shared out by `weights`: each share rounded down, the kopecks left over given to the
 * largest remainders (ties to the earlier line). Shares add up to `amount` exactly.
 */
export function spread(amount: number, weights: number[]): number[] {
  const sumOfWeights = weights.reduce((a, w) => a + w, 0);
  if (sumOfWeights > 0 && amount > 0 && Number.isSafeInteger(amount * sumOfWeights)) return spreadSmall(amount, weights, sumOfWeights);
  const whole = weights.reduce((a, w) => a + BigInt(w), 0n);
  if (whole === 0n || amount <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => BigInt(amount) * BigInt(w));
  const shares = exact.map((e) => e / whole);
  let left = amount - Number(shares.reduce((a, s) => a + s, 0n));
  const order = exact.map((e, i) => ({ i, rest: e % whole })).sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] ?? 0n) + 1n;
    left--;
  }
  return shares.map(Number);
}

/** `spread` where every product fits a double exactly (the common case), without BigInt. */
function spreadSmall(amount: number, weights: number[], whole: number): number[] {
  const shares = weights.map((w) => intDiv(amount * w, whole));
  let left = amount - shares.reduce((a, s) => a + s, 0);
  const order = weights.map((w, i) => ({ i, rest: (amount * w) % whole })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i] = shares[i]! + 1;
    left--;
  }
  return shares;
}

/** Whole units of a line, each worth what is left to pay on the line per unit (rounded down). */
type Unit = { line: number; value: number };
function unitsOf(lines: DiscountLine[], target: LineTarget | undefined): Unit[] {
  return lines
    .filter((line) => matchesTarget(line, target) && line.netMinor > 0)
    .flatMap((line) => {
      const count = Math.floor(line.qtyMilli / 1000);
      const value = Number((BigInt(line.netMinor) * 1000n) / BigInt(line.qtyMilli));
      return Array.from({ length: count }, () => ({ line: line.index, value }));
    });
}

const cheapestFirst = (a: Unit, b: Unit) => a.value - b.value || a.line - b.line;
const dearestFirst = (a: Unit, b: Unit) => b.value - a.value || a.line - b.line;

/** Per-line discounts from units taken, each line's share rounded once. */
function byLine(parts: Array<{ line: number; discountMinor: number }>): LineDiscount[] {
  const lines = new Map<number, number>();
  for (const part of parts) lines.set(part.line, (lines.get(part.line) ?? 0) + part.discountMinor);
  return [...lines].filter(([, discountMinor]) => discountMinor > 0).sort(([a], [b]) => a - b).map(([line, discountMinor]) => ({ line, discountMinor }));
}

/** What one benefit takes off the lines as they stand (never more than a line has left). */
export function discountOf(benefit: Benefit, lines: DiscountLine[]): LineDiscount[] {
  switch (benefit.kind) {
    case 'percent_off': {
      const parts = lines
        .filter((line) => matchesTarget(line, benefit.target))
        .map((line) => ({ line: line.index, discountMinor: mulDivRound(line.netMinor, benefit.percentBp, 10_000) }));
      const all = total(parts);
      if (benefit.maxDiscountMinor === undefined || all <= benefit.maxDiscountMinor) return byLine(parts);
      const capped = spread(benefit.maxDiscountMinor, parts.map((part) => part.discountMinor));
      return byLine(parts.map((part, i) => ({ line: part.line, discountMinor: capped[i] ?? 0 })));
    }
    case 'amount_off': {
      const targets = lines.filter((line) => matchesTarget(line, benefit.target) && line.netMinor > 0);
      const amount = Math.min(benefit.amountMinor, sum(targets.map((line) => line.netMinor)));
      const shares = spread(amount, targets.map((line) => line.netMinor));
      return byLine(targets.map((line, i) => ({ line: line.index, discountMinor: shares[i] ?? 0 })));
    }
    case 'n_for_m': {
      const units = unitsOf(lines, benefit.target).sort(cheapestFirst);
      const free = Math.floor(units.length / benefit.buy) * (benefit.buy - benefit.pay);
      return byLine(units.slice(0, free).map((unit) => ({ line: unit.line, discountMinor: unit.value })));
    }
    case 'buy_x_get_y': {
      const taken = new Taken(lines);
      const buyPool = unitsOf(lines, benefit.buy.target).sort(dearestFirst);
      const getPool = unitsOf(lines, benefit.get.target).sort(cheapestFirst);
      const gifts: Unit[] = [];
      for (;;) {
        const attempt = taken.copy();
        const buys = attempt.take(buyPool, benefit.buy.qty);
        const gets = buys && attempt.take(getPool, benefit.get.qty);
        if (!gets) break;
        taken.adopt(attempt);
        gifts.push(...gets);
      }
      return byLine(gifts.map((unit) => ({ line: unit.line, discountMinor: unit.value })))
        .map((part) => ({ line: part.line, discountMinor: mulDivRound(part.discountMinor, benefit.get.percentBp, 10_000) }))
        .filter((part) => part.discountMinor > 0);
    }
    case 'bundle_price': {
      const taken = new Taken(lines);
      const pools = benefit.items.map((item) => unitsOf(lines, item.target).sort(dearestFirst));
      const parts: Array<{ line: number; discountMinor: number }> = [];
      for (;;) {
        const attempt = taken.copy();
        const bundle: Unit[] = [];
        for (const [i, item] of benefit.items.entries()) {
          const chosen = attempt.take(pools[i] ?? [], item.qty);
          if (!chosen) return byLine(parts);
          bundle.push(...chosen);
        }
        const value = sum(bundle.map((unit) => unit.value));
        if (value <= benefit.priceMinor) return byLine(parts);
        const shares = spread(value - benefit.priceMinor, bundle.map((unit) => unit.value));
        bundle.forEach((unit, i) => parts.push({ line: unit.line, discountMinor: shares[i] ?? 0 }));
        taken.adopt(attempt);
      }
    }
    case 'free_item': {
      const units = unitsOf(lines, { skus: [benefit.sku] }).sort(dearestFirst);
      return byLine(units.slice(0, benefit.qty).map((unit) => ({ line: unit.line, discountMinor: unit.value })));
    }
    case 'points_multiplier':
    case 'bonus_points':
      // Points, not money: the earn step prices them (see choosePointsPromotions).
      return [];
  }
}

/**
 * Units already given a role (bought, gifted, in a bundle), counted per line: two pools may hold
 * the same line's units, and a line's units are interchangeable.
 */
class Taken {
  private readonly counts: Map<number, number>;
  constructor(
    private readonly lines: DiscountLine[],
    counts?: Map<number, number>,
  ) {
    this.counts = new Map(counts);
  }

  copy(): Taken {
    return new Taken(this.lines, this.counts);
  }

  adopt(other: Taken): void {
    this.counts.clear();
    for (const [line, count] of other.counts) this.counts.set(line, count);
  }

  /** `qty` units from `pool`, in its order, from lines with units left; null when there are not enough. */
  take(pool: Unit[], qty: number): Unit[] | null {
    const chosen: Unit[] = [];
    for (const unit of pool) {
      if (chosen.length === qty) break;
      const count = this.counts.get(unit.line) ?? 0;
      const line = this.lines.find((l) => l.index === unit.line);
      if (!line || count >= Math.floor(line.qtyMilli / 1000)) continue;
      this.counts.set(unit.line, count + 1);
      chosen.push(unit);
    }
    return chosen.length === qty ? chosen : null;
  }
}

/** What the promotion's minimum is measured on: its target lines, or the whole receipt. */
function spendOf(promotion: PromotionDefinition, lines: DiscountLine[]): number {
  // Benefits with one target (percent, amount, N for M, points) count their target lines; the others the whole receipt.
  const target = 'target' in promotion.benefit ? promotion.benefit.target : undefined;
  return sum(lines.filter((line) => matchesTarget(line, target)).map((line) => line.netMinor));
}

/** The benefit priced on `lines`, cut to the budget left (a budget's last kopecks go to whoever comes last). */
function priced(candidate: Candidate, lines: DiscountLine[]): LineDiscount[] {
  const parts = discountOf(candidate.promotion.benefit, lines);
  const all = total(parts);
  if (candidate.budgetLeftMinor === null || all <= candidate.budgetLeftMinor) return parts;
  const shares = spread(candidate.budgetLeftMinor, parts.map((part) => part.discountMinor));
  return parts.map((part, i) => ({ line: part.line, discountMinor: shares[i] ?? 0 })).filter((part) => part.discountMinor > 0);
}

function afterDiscounts(lines: DiscountLine[], parts: LineDiscount[]): DiscountLine[] {
  const taken = new Map(parts.map((part) => [part.line, part.discountMinor]));
  return lines.map((line) => ({ ...line, netMinor: line.netMinor - Math.min(taken.get(line.index) ?? 0, line.netMinor) }));
}

/** Higher priority first, then the smaller id: the one order everything here is decided in. */
const byPriority = (a: Candidate, b: Candidate) =>
  b.promotion.stacking.priority - a.promotion.stacking.priority || (a.promotion.id < b.promotion.id ? -1 : a.promotion.id > b.promotion.id ? 1 : 0);

/** Combinable promotions applied in priority order, each on what the ones before left. */
function applyInOrder(candidates: Candidate[], lines: DiscountLine[]): { chosen: Chosen[]; emptied: Candidate[] } {
  const chosen: Chosen[] = [];
  const emptied: Candidate[] = [];
  let running = lines;
  for (const candidate of [...candidates].sort(byPriority)) {
    const parts = priced(candidate, running);
    const discountMinor = total(parts);
    if (discountMinor === 0) {
      emptied.push(candidate);
      continue;
    }
    chosen.push({ candidate, lines: parts, discountMinor });
    running = afterDiscounts(running, parts);
  }
  return { chosen, emptied };
}

/**
 * Which promotions apply, and what each takes off which line. The rules (docs/promotions.md):
 * 1. A promotion whose minimum spend the receipt does not reach, or that finds nothing to take
 *    off, does not apply (`below_minimum`, `no_matching_items`).
 * 2. Of the promotions in one group, only the one that alone gives the most applies; a tie goes
 *    to the higher priority, then the smaller id; the others are `not_combinable`.
 * 3. The combinable promotions (the group winners and those in no group) apply together, in
 *    priority order, each on what the ones before left to pay.
 * 4. An exclusive promotion applies alone. The receipt gets whichever is worth most to the
 *    customer: the combination of step 3, or one exclusive promotion; a tie goes to the option
 *    whose first promotion has the higher priority, then the smaller id.
 * Everything else is `not_combinable`.
 */
export function choosePromotions(candidates: Candidate[], lines: DiscountLine[]): { applied: Chosen[]; passed: Passed[] } {
  const passed: Passed[] = [];
  const alone = new Map<Candidate, number>();
  for (const candidate of candidates) {
    const { promotion } = candidate;
    if (promotion.minSpendMinor !== undefined && spendOf(promotion, lines) < promotion.minSpendMinor) {
      passed.push({ candidate, reason: 'below_minimum' });
      continue;
    }
    if (candidate.budgetLeftMinor !== null && candidate.budgetLeftMinor <= 0) {
      passed.push({ candidate, reason: 'budget_exhausted' });
      continue;
    }
    const discount = total(priced(candidate, lines));
    if (discount === 0) passed.push({ candidate, reason: 'no_matching_items' });
    else alone.set(candidate, discount);
  }
  const inPlay = [...alone.keys()];
  const best = (a: Candidate, b: Candidate) => (alone.get(b) ?? 0) - (alone.get(a) ?? 0) || byPriority(a, b);

  const groups = new Map<string, Candidate[]>();
  const combinable: Candidate[] = [];
  for (const candidate of inPlay.filter((c) => !c.promotion.stacking.exclusive)) {
    const group = candidate.promotion.stacking.group;
    if (group === undefined) combinable.push(candidate);
    else groups.set(group, [...(groups.get(group) ?? []), candidate]);
  }
  for (const members of groups.values()) {
    const [winner, ...losers] = [...members].sort(best);
    combinable.push(winner!);
    passed.push(...losers.map((candidate) => ({ candidate, reason: 'not_combinable' as const })));
  }

  type Option = { chosen: Chosen[]; emptied: Candidate[]; worth: number; first: Candidate };
  const options: Option[] = [];
  if (combinable.length > 0) {
    const plan = applyInOrder(combinable, lines);
    if (plan.chosen.length > 0) options.push({ ...plan, worth: sum(plan.chosen.map((c) => c.discountMinor)), first: plan.chosen[0]!.candidate });
  }
  for (const candidate of inPlay.filter((c) => c.promotion.stacking.exclusive)) {
    const parts = priced(candidate, lines);
    options.push({ chosen: [{ candidate, lines: parts, discountMinor: total(parts) }], emptied: [], worth: total(parts), first: candidate });
  }
  options.sort((a, b) => b.worth - a.worth || byPriority(a.first, b.first));
  const winner = options[0];
  const applied = winner?.chosen ?? [];
  const inWinner = new Set(applied.map((c) => c.candidate));
  for (const candidate of [...combinable, ...inPlay.filter((c) => c.promotion.stacking.exclusive)]) {
    if (!inWinner.has(candidate)) passed.push({ candidate, reason: 'not_combinable' });
  }
  return { applied, passed: passed.sort((a, b) => byPriority(a.candidate, b.candidate)) };
}

/**
 * Which points promotions apply, after the discounts were chosen (docs/promotions.md, "Points
 * benefits"). They take nothing off, so they do not compete with discounts for the receipt:
 * each applies alongside them unless an exclusive discount applied (it applies alone), a
 * discount of its group applied, or a points promotion of its group ranks higher (priority,
 * then the smaller id: points of different kinds cannot be weighed against each other before
 * the earn step). One needs a target line that earns (not excluded, something left to pay) and
 * its minimum spend; its points budget must have something left.
 */
export function choosePointsPromotions(candidates: Candidate[], lines: DiscountLine[], discounts: Chosen[]): { applied: Candidate[]; passed: Passed[] } {
  const passed: Passed[] = [];
  const exclusiveApplied = discounts.some((chosen) => chosen.candidate.promotion.stacking.exclusive);
  const groupsTaken = new Set(discounts.flatMap((chosen) => chosen.candidate.promotion.stacking.group ?? []));
  const inPlay: Candidate[] = [];
  for (const candidate of [...candidates].sort(byPriority)) {
    const { promotion } = candidate;
    const target = 'target' in promotion.benefit ? promotion.benefit.target : undefined;
    if (promotion.minSpendMinor !== undefined && spendOf(promotion, lines) < promotion.minSpendMinor) passed.push({ candidate, reason: 'below_minimum' });
    else if (candidate.budgetLeftPoints != null && candidate.budgetLeftPoints <= 0) passed.push({ candidate, reason: 'budget_exhausted' });
    else if (!lines.some((line) => line.netMinor > 0 && matchesTarget(line, target))) passed.push({ candidate, reason: 'no_matching_items' });
    else if (exclusiveApplied) passed.push({ candidate, reason: 'not_combinable' });
    else {
      const group = promotion.stacking.group;
      if (group !== undefined && groupsTaken.has(group)) passed.push({ candidate, reason: 'not_combinable' });
      else {
        if (group !== undefined) groupsTaken.add(group);
        inPlay.push(candidate);
      }
    }
  }
  return { applied: inPlay, passed };
}
