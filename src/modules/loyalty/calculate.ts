import { allocate, divide, lineTotal, mulDiv } from '../../platform/money.ts';
import type { EarningRule, ProgramSettings, Tier } from './config-types.ts';
import { localTime } from '../../platform/local-time.ts';
import { hasLineConditions, matchesLine, matchesReceipt, type ReceiptContext } from './rule-conditions.ts';

/**
 * The points engine: pure, no I/O. Given a receipt, the program, the rules, the customer's tier
 * and balance, it says what each line earns and how many points may pay for what, and why.
 * `calculate` and `confirm` both call it, so the till sees exactly what will be committed.
 */
export type EngineLine = {
  sku: string;
  name: string | null;
  /** The category path, most general first; a rule's category matches any element. */
  categories: string[];
  brand: string | null;
  qtyMilli: number;
  priceMinor: number;
  discountMinor: number;
};

export type EngineInput = {
  lines: EngineLine[];
  settings: ProgramSettings;
  rules: EarningRule[];
  tier: Tier | null;
  context: Omit<ReceiptContext, 'receiptTotal' | 'tierId'>;
  customer: { balance: number; birthDate: string | null; timezone: string | null; expiringSoon: { points: number; at: string } | null } | null;
  redeemRequested: number;
  /** Rules whose points the result reports line by line (`tracked`): a promotion's points benefit. */
  trackRules?: readonly string[];
};

export type EngineLineResult = {
  sku: string;
  qty: number;
  price: number;
  total: number;
  discount: number;
  excluded: boolean;
  pointsEarned: number;
  pointsRedeemed: number;
  redeemedMinor: number;
  payable: number;
};

export type Applied = { ruleId: string; kind: EarningRule['kind']; name: string; points: number; lines: number[] };

export type EngineResult = {
  lines: EngineLineResult[];
  total: number;
  discount: number;
  pointsToEarn: number;
  maxRedeemable: number;
  pointsRedeemed: number;
  redeemedMinor: number;
  payable: number;
  applied: Applied[];
  messages: string[];
  /** Set when the ask (cut to the cap) exceeds the balance: checkout refuses the receipt. */
  shortfall: { asked: number; balance: number } | null;
  /** For each rule of `trackRules` that earned: points by line (0-based). */
  tracked?: Record<string, Record<number, number>>;
};

const BP = 10_000;

const tierRulesOf = new WeakMap<Tier, readonly EarningRule[]>();

/**
 * A tier's benefits take part in the stacking like any rule (they are named `tier:<id>`). Made
 * once per tier object (the configuration's tiers are cached in process, so every receipt of a
 * tier asks with the same one); the list is shared: read it, do not change it.
 */
export function tierRules(tier: Tier | null): readonly EarningRule[] {
  if (!tier) return [];
  let rules = tierRulesOf.get(tier);
  if (!rules) tierRulesOf.set(tier, (rules = makeTierRules(tier)));
  return rules;
}

function makeTierRules(tier: Tier): EarningRule[] {
  const rules: EarningRule[] = [];
  if (tier.earnRateBp !== undefined) {
    rules.push({ id: `tier:${tier.id}`, name: `${tier.name} rate`, kind: 'percent', rateBp: tier.earnRateBp, conditions: {}, priority: 0, stacking: 'highest', active: true });
  }
  if (tier.earnMultiplier !== undefined) {
    rules.push({ id: `tier:${tier.id}:multiplier`, name: `${tier.name} multiplier`, kind: 'multiplier', factor: tier.earnMultiplier, conditions: {}, priority: 0, stacking: 'highest', active: true });
  }
  return rules;
}

function better(a: EarningRule, b: EarningRule, value: (r: EarningRule) => number): EarningRule {
  if (value(a) !== value(b)) return value(a) > value(b) ? a : b;
  return a.priority >= b.priority ? a : b;
}

/** Of several rules of one kind on a line: the best 'highest' (or lone 'exclusive') one plus every 'sum' one. */
function stack(rules: EarningRule[], value: (r: EarningRule) => number): EarningRule[] {
  const highest = rules.filter((r) => r.stacking !== 'sum').reduce<EarningRule | null>((best, r) => (best ? better(best, r, value) : r), null);
  return [...(highest ? [highest] : []), ...rules.filter((r) => r.stacking === 'sum')];
}

// What localeCompare without arguments compares by (ECMA-402: a collator for the default locale),
// made once: localeCompare makes or looks one up on every call.
const byLocale = new Intl.Collator();

const factorCenti = (rule: EarningRule) => Math.round((rule.factor ?? 1) * 100);

type LinePlan = { percents: EarningRule[]; multipliers: EarningRule[]; perItem: EarningRule[] };

/** The rules that earn on a line, from those that match it: an exclusive one alone, else each kind stacked. */
function linePlan(matching: EarningRule[]): LinePlan {
  let lineRules = matching;
  const exclusive = lineRules.filter((r) => r.stacking === 'exclusive');
  if (exclusive.length > 0) lineRules = [exclusive.reduce((best, r) => (r.priority > best.priority ? r : best))];
  return {
    percents: stack(lineRules.filter((r) => r.kind === 'percent'), (r) => r.rateBp ?? 0),
    multipliers: stack(lineRules.filter((r) => r.kind === 'multiplier'), factorCenti),
    perItem: lineRules.filter((r) => r.kind === 'per_item'),
  };
}

/**
 * A receipt's rules — the configuration's list, then its tier's — and the line plans made from
 * them, kept for as long as the list and the tier objects live (the configuration is cached in
 * process, so every receipt of a tier at a store asks with the same two). A plan is keyed by which
 * of the list's rules match a line, as bits (null past 30 rules: plans are then made a receipt at a
 * time). Made once, a plan serves every receipt after: a replay prices millions of lines, and
 * making the plans again for each receipt was a fifth of what its engine allocated.
 */
type RuleSet = { all: readonly EarningRule[]; plans: Map<number, LinePlan> | null };
const ruleSets = new WeakMap<readonly EarningRule[], { none?: RuleSet; byTier: WeakMap<Tier, RuleSet> }>();
/** Plans kept a rule set at most: lines match few combinations of rules, but a list of thirty could in principle make 2^30. */
const MAX_PLANS = 4_096;

function ruleSetOf(rules: readonly EarningRule[], tier: Tier | null): RuleSet {
  let byList = ruleSets.get(rules);
  if (!byList) ruleSets.set(rules, (byList = { byTier: new WeakMap() }));
  let set = tier ? byList.byTier.get(tier) : byList.none;
  if (!set) {
    const all = [...rules, ...tierRules(tier)];
    set = { all, plans: all.length <= 30 ? new Map() : null };
    if (tier) byList.byTier.set(tier, set);
    else byList.none = set;
  }
  return set;
}

/** The applied rules by id, as localeCompare orders them: an insertion sort, since a receipt has a few and Array.prototype.sort allocates a work array for each call. */
function byRuleId(applied: Applied[]): Applied[] {
  for (let i = 1; i < applied.length; i++) {
    const entry = applied[i]!;
    let j = i - 1;
    for (; j >= 0 && byLocale.compare(applied[j]!.ruleId, entry.ruleId) > 0; j--) applied[j + 1] = applied[j]!;
    applied[j + 1] = entry;
  }
  return applied;
}

// The program's settings are cached in process: its excluded categories as a set, made once per settings object.
const excludedSets = new WeakMap<ProgramSettings, ReadonlySet<string>>();
function excludedOf(settings: ProgramSettings): ReadonlySet<string> {
  let set = excludedSets.get(settings);
  if (!set) excludedSets.set(settings, (set = new Set(settings.excludedCategories)));
  return set;
}

/** Where a rule's points are written down: by rule (`applied`), and line by line for the rules tracked. */
type Credits = { applied: Map<string, Applied>; tracking: ReadonlySet<string>; tracked: Record<string, Record<number, number>> };

// A function of the module, not a closure made on each receipt: the sources run through tsx, whose
// esbuild keeps functions' names, so each closure made costs a defineProperty as well.
function creditTo(credits: Credits, rule: EarningRule, lineIndex: number, points: number): void {
  if (points <= 0) return;
  if (credits.tracking.has(rule.id) && lineIndex >= 0) {
    const byLine = (credits.tracked[rule.id] ??= {});
    byLine[lineIndex] = (byLine[lineIndex] ?? 0) + points;
  }
  const entry = credits.applied.get(rule.id) ?? { ruleId: rule.id, kind: rule.kind, name: rule.name, points: 0, lines: [] };
  entry.points += points;
  if (lineIndex >= 0 && !entry.lines.includes(lineIndex)) entry.lines.push(lineIndex);
  credits.applied.set(rule.id, entry);
}

export function calculateReceipt(input: EngineInput): EngineResult {
  const { settings, customer } = input;
  const pv = settings.pointValueMinor;
  const messages: string[] = [];
  const excludedSet = excludedOf(settings);

  const base = input.lines.map((line) => {
    const total = lineTotal(line.qtyMilli, line.priceMinor);
    const discount = Math.min(line.discountMinor, total);
    return { line, total, discount, net: total - discount, excluded: line.categories.some((c) => excludedSet.has(c)) };
  });
  const total = base.reduce((sum, l) => sum + l.total, 0);
  const netTotal = base.reduce((sum, l) => sum + l.net, 0);
  const eligibleWeights = base.map((l) => (l.excluded ? 0 : l.net));
  const eligibleNet = eligibleWeights.reduce((sum, w) => sum + w, 0);

  // Redemption: capped by the share of eligible goods, by the balance, and by the minimum.
  const shareBp = input.tier?.maxRedeemShareBp ?? settings.maxRedeemShareBp;
  const capPoints = divide(mulDiv(eligibleNet, shareBp, BP, 'floor'), pv, 'floor');
  // The redemption rule, the same in calculate and confirm (docs/loyalty.md, "Redeeming"):
  // an ask above the receipt's cap is cut to the cap and says so; an ask (after that cut) above
  // the balance is refused, never silently reduced, since the balance may have changed since
  // the till last asked; an ask below the minimum redeems nothing and says so.
  const balance = Math.max(0, customer?.balance ?? 0);
  const maxRedeemable = customer ? Math.min(balance, capPoints) : 0;
  const asked = customer ? Math.min(Math.max(0, input.redeemRequested), capPoints) : 0;
  const shortfall = asked > balance ? { asked, balance } : null;
  let pointsRedeemed = Math.min(asked, maxRedeemable);
  if (input.redeemRequested > 0 && customer) {
    if (input.redeemRequested > capPoints) {
      messages.push(`At most ${capPoints} points can pay for this receipt (${shareBp / 100}% of eligible goods)`);
    }
    if (pointsRedeemed > 0 && pointsRedeemed < settings.minRedeemPoints) {
      messages.push(`The least that can be redeemed is ${settings.minRedeemPoints} points`);
      pointsRedeemed = 0;
    }
  }
  const redeemedMinor = pointsRedeemed * pv;
  const pointsPerLine = allocate(pointsRedeemed, eligibleWeights);
  const moneyPerLine = allocate(redeemedMinor, eligibleWeights);

  // Earning.
  const tierId = input.tier?.id ?? null;
  const context: ReceiptContext = { ...input.context, tierId, receiptTotal: netTotal };
  const ruleSet = ruleSetOf(input.rules, input.tier);
  const { all } = ruleSet;
  // The rules that match the receipt, and (while plans are kept) which of the set's they are, as bits.
  const rules: EarningRule[] = [];
  let receiptBits = 0;
  for (let i = 0; i < all.length; i++) {
    if (!matchesReceipt(all[i]!, context)) continue;
    rules.push(all[i]!);
    receiptBits |= 1 << i;
  }
  const applied = new Map<string, Applied>();
  const tracking = new Set(input.trackRules ?? []);
  const tracked: Record<string, Record<number, number>> = {};
  const credits: Credits = { applied, tracking, tracked };
  // Past 30 rules: this receipt's plans, by the list of a line's matching rules.
  const plans = ruleSet.plans ? null : new Map<string, LinePlan>();
  const earned = base.map((l, index) => {
    if (l.excluded || !customer) return 0;
    const paid = settings.earnOnRedeemedPart ? l.net : l.net - moneyPerLine[index]!;
    // Which of the receipt's rules match the line decides its plan; lines that match the same ones
    // share it. The line is its own facts, and the list of its rules is made only for a plan not
    // made yet: a replay prices millions of lines, and most lines share a plan with a line before.
    let plan: LinePlan | undefined;
    if (ruleSet.plans) {
      let key = 0;
      for (let i = 0; i < all.length; i++) {
        const rule = all[i]!;
        if ((receiptBits & (1 << i)) === 0 || rule.kind === 'per_receipt' || !matchesLine(rule, l.line)) continue;
        key |= 1 << i;
      }
      plan = ruleSet.plans.get(key);
      if (!plan) {
        if (ruleSet.plans.size >= MAX_PLANS) ruleSet.plans.clear();
        ruleSet.plans.set(key, (plan = linePlan(all.filter((_rule, i) => (key & (1 << i)) !== 0))));
      }
    } else {
      let key = '';
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i]!;
        if (rule.kind !== 'per_receipt' && matchesLine(rule, l.line)) key += `,${i}`;
      }
      plan = plans!.get(key);
      if (!plan) plans!.set(key, (plan = linePlan(rules.filter((rule) => rule.kind !== 'per_receipt' && matchesLine(rule, l.line)))));
    }
    const { percents, multipliers, perItem } = plan;
    let points = 0;
    let rateBp = 0;
    for (const rule of percents) {
      const p = mulDiv(paid, rule.rateBp ?? 0, BP * pv, settings.pointsRounding);
      creditTo(credits, rule, index, p);
      points += p;
      rateBp += rule.rateBp ?? 0;
    }
    for (const rule of multipliers) {
      const extraCenti = factorCenti(rule) - 100;
      if (extraCenti <= 0 || rateBp === 0) continue;
      const factor = rateBp * extraCenti;
      const p = Number.isSafeInteger(factor)
        ? mulDiv(paid, factor, BP * pv * 100, settings.pointsRounding)
        : divide(BigInt(paid) * BigInt(rateBp) * BigInt(extraCenti), BP * pv * 100, settings.pointsRounding);
      creditTo(credits, rule, index, p);
      points += p;
    }
    for (const rule of perItem) {
      const p = (rule.points ?? 0) * Math.floor(l.line.qtyMilli / 1000);
      creditTo(credits, rule, index, p);
      points += p;
    }
    return points;
  });

  // Per-receipt bonuses go to the lines that qualified, in proportion, so refunds can take them back.
  if (customer) {
    let receiptRules = rules.filter((r) => r.kind === 'per_receipt');
    const exclusive = receiptRules.filter((r) => r.stacking === 'exclusive');
    if (exclusive.length > 0) receiptRules = [exclusive.reduce((best, r) => (r.priority > best.priority ? r : best))];
    for (const rule of receiptRules) {
      const weights = base.map((l) =>
        !l.excluded && (!hasLineConditions(rule) || matchesLine(rule, { sku: l.line.sku, categories: l.line.categories, brand: l.line.brand })) ? l.net : 0,
      );
      const matched = weights.reduce((sum, w) => sum + w, 0);
      if (matched === 0 || matched < (rule.conditions.minReceiptTotal ?? 0)) continue;
      const shares = allocate(rule.points ?? 0, weights);
      shares.forEach((share, index) => {
        earned[index]! += share;
        creditTo(credits, rule, index, share);
      });
    }
  }

  if (customer) {
    // The local date costs a formatToParts when the minute is new (a replay of past receipts, every time): only a birthday asks for it.
    if (customer.birthDate && customer.birthDate.slice(5) === localTime(input.context.occurredAt, customer.timezone ?? input.context.storeTimezone).date.slice(5)) {
      messages.push('Birthday today');
    }
    if (customer.expiringSoon && customer.expiringSoon.points > 0) {
      const days = Math.max(0, Math.ceil((new Date(customer.expiringSoon.at).getTime() - input.context.occurredAt.getTime()) / 86_400_000));
      messages.push(`${customer.expiringSoon.points} points expire in ${days} day${days === 1 ? '' : 's'}`);
    }
  }

  const lines = base.map((l, index) => ({
    sku: l.line.sku,
    qty: l.line.qtyMilli / 1000,
    price: l.line.priceMinor,
    total: l.total,
    discount: l.discount,
    excluded: l.excluded,
    pointsEarned: earned[index]!,
    pointsRedeemed: pointsPerLine[index]!,
    redeemedMinor: moneyPerLine[index]!,
    payable: l.net - moneyPerLine[index]!,
  }));
  const result: EngineResult = {
    lines,
    total,
    discount: total - netTotal,
    pointsToEarn: earned.reduce((sum, p) => sum + p, 0),
    maxRedeemable,
    pointsRedeemed,
    redeemedMinor,
    payable: netTotal - redeemedMinor,
    applied: byRuleId([...applied.values()]),
    messages,
    shortfall,
  };
  if (tracking.size > 0) result.tracked = tracked;
  return result;
}
