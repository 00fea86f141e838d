import { describe, expect, it } from 'vitest';
import { choosePointsPromotions, choosePromotions, discountOf, spread, type Candidate, type DiscountLine } from './discount-engine.ts';
import type { Benefit, PromotionDefinition } from './promotion-types.ts';

// A receipt: coffee 1,490.00 ×1, croissant 120.00 ×3, milk 89.90 ×2, cigarettes 250.00 ×1 (excluded), cheese 0.455 kg × 349.90.
const receipt: DiscountLine[] = [
  line(0, 'COF-1KG', ['grocery', 'coffee'], 'Roastery', 1000, 149000),
  line(1, 'CROISSANT', ['bakery'], null, 3000, 12000),
  line(2, 'MILK-1L', ['dairy'], 'Farm', 2000, 8990),
  line(3, 'CIG-20', ['tobacco'], null, 1000, 25000, true),
  line(4, 'CHEESE', ['dairy'], 'Farm', 455, 34990),
];

function line(index: number, sku: string, categories: string[], brand: string | null, qtyMilli: number, priceMinor: number, excluded = false): DiscountLine {
  const netMinor = Math.round((qtyMilli * priceMinor) / 1000);
  return { index, sku, categories, brand, qtyMilli, priceMinor, netMinor, excluded };
}

function promotion(id: string, benefit: Benefit, more: Partial<PromotionDefinition> = {}): PromotionDefinition {
  return {
    id,
    name: id,
    status: 'active',
    benefit,
    audience: { kind: 'everyone' },
    validity: {},
    stacking: { exclusive: false, priority: 0 },
    limits: {},
    requiresCode: false,
    ...more,
  };
}
const candidate = (p: PromotionDefinition, budgetLeftMinor: number | null = null): Candidate => ({ promotion: p, budgetLeftMinor });

describe('each benefit, in exact kopecks', () => {
  const cases: Array<[string, Benefit, Array<[number, number]>]> = [
    ['10% off everything (tobacco never)', { kind: 'percent_off', percentBp: 1000 }, [[0, 14900], [1, 3600], [2, 1798], [4, 1592]]],
    ['15% off dairy, rounded half-up per line', { kind: 'percent_off', percentBp: 1500, target: { categories: ['dairy'] } }, [[2, 2697], [4, 2388]]],
    ['50% off the brand Farm, at most 50.00 in all', { kind: 'percent_off', percentBp: 5000, target: { brands: ['Farm'] }, maxDiscountMinor: 5000 }, [[2, 2652], [4, 2348]]],
    ['300.00 off the receipt, shared by what each line costs', { kind: 'amount_off', amountMinor: 30000 }, [[0, 20420], [1, 4934], [2, 2464], [4, 2182]]],
    ['500.00 off bakery, no more than it costs', { kind: 'amount_off', amountMinor: 50000, target: { categories: ['bakery'] } }, [[1, 36000]]],
    ['3 croissants for the price of 2', { kind: 'n_for_m', buy: 3, pay: 2, target: { skus: ['CROISSANT'] } }, [[1, 12000]]],
    ['3 for 2 across bakery and dairy: the cheapest units are free (weighed cheese is no unit)', { kind: 'n_for_m', buy: 3, pay: 2, target: { categories: ['bakery', 'dairy'] } }, [[2, 8990]]],
    ['buy coffee, get a croissant free', { kind: 'buy_x_get_y', buy: { target: { categories: ['coffee'] }, qty: 1 }, get: { target: { skus: ['CROISSANT'] }, qty: 1, percentBp: 10_000 } }, [[1, 12000]]],
    ['buy 2 milk, get a croissant half price', { kind: 'buy_x_get_y', buy: { target: { skus: ['MILK-1L'] }, qty: 2 }, get: { target: { skus: ['CROISSANT'] }, qty: 1, percentBp: 5000 } }, [[1, 6000]]],
    ['buy 1 croissant get 1 free, from the same line', { kind: 'buy_x_get_y', buy: { target: { skus: ['CROISSANT'] }, qty: 1 }, get: { target: { skus: ['CROISSANT'] }, qty: 1, percentBp: 10_000 } }, [[1, 12000]]],
    ['coffee and a croissant for 1,500.00', { kind: 'bundle_price', items: [{ target: { categories: ['coffee'] }, qty: 1 }, { target: { skus: ['CROISSANT'] }, qty: 1 }], priceMinor: 150_000 }, [[0, 10180], [1, 820]]],
    ['two croissants for 200.00, as often as the receipt holds them', { kind: 'bundle_price', items: [{ target: { skus: ['CROISSANT'] }, qty: 2 }], priceMinor: 20000 }, [[1, 4000]]],
    ['a milk free (the gift line is on the receipt)', { kind: 'free_item', sku: 'MILK-1L', qty: 1 }, [[2, 8990]]],
    ['a gift that is not on the receipt gives nothing', { kind: 'free_item', sku: 'CHOCOLATE', qty: 1 }, []],
  ];
  it.each(cases)('%s', (_name, benefit, expected) => {
    expect(discountOf(benefit, receipt).map((part) => [part.line, part.discountMinor])).toEqual(expected);
  });

  it('never takes more than a line has left to pay', () => {
    const nearlyPaid = receipt.map((l) => (l.index === 1 ? { ...l, netMinor: 100 } : l));
    expect(discountOf({ kind: 'n_for_m', buy: 3, pay: 2, target: { skus: ['CROISSANT'] } }, nearlyPaid)).toEqual([{ line: 1, discountMinor: 33 }]);
  });
});

describe('spread', () => {
  it('shares out exactly, the kopecks left over to the largest remainders, ties to the earlier line', () => {
    expect(spread(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(spread(10, [3, 3, 4])).toEqual([3, 3, 4]);
    expect(spread(0, [5, 5])).toEqual([0, 0]);
    expect(spread(7, [0, 0])).toEqual([0, 0]);
  });
});

describe('stacking', () => {
  const tenOff = promotion('ten-off', { kind: 'percent_off', percentBp: 1000 }, { stacking: { exclusive: false, priority: 1 } });
  const coffee20 = promotion('coffee-20', { kind: 'percent_off', percentBp: 2000, target: { categories: ['coffee'] } }, { stacking: { exclusive: false, priority: 5 } });
  const names = (r: ReturnType<typeof choosePromotions>) => ({
    applied: r.applied.map((c) => [c.candidate.promotion.id, c.discountMinor]),
    passed: r.passed.map((p) => [p.candidate.promotion.id, p.reason]),
  });

  it('combinable promotions apply in priority order, each on what the ones before left', () => {
    // coffee −20% first (priority 5): 29,800; then 10% of what is left: 149000−29800 → 11,920 + 3,600 + 1,798 + 1,592.
    expect(names(choosePromotions([candidate(tenOff), candidate(coffee20)], receipt))).toEqual({
      applied: [['coffee-20', 29800], ['ten-off', 18910]],
      passed: [],
    });
  });

  it('in one group only the one worth most to the customer applies', () => {
    const a = { ...tenOff, stacking: { exclusive: false, group: 'weekly', priority: 9 } };
    const b = { ...coffee20, stacking: { exclusive: false, group: 'weekly', priority: 1 } };
    expect(names(choosePromotions([candidate(a), candidate(b)], receipt))).toEqual({ applied: [['coffee-20', 29800]], passed: [['ten-off', 'not_combinable']] });
  });

  it('a tie in a group goes to the higher priority, then the smaller id', () => {
    const a = promotion('b-100', { kind: 'amount_off', amountMinor: 10000 }, { stacking: { exclusive: false, group: 'g', priority: 0 } });
    const b = promotion('a-100', { kind: 'amount_off', amountMinor: 10000 }, { stacking: { exclusive: false, group: 'g', priority: 0 } });
    const c = promotion('c-100', { kind: 'amount_off', amountMinor: 10000 }, { stacking: { exclusive: false, group: 'g', priority: 3 } });
    expect(names(choosePromotions([candidate(a), candidate(b)], receipt)).applied).toEqual([['a-100', 10000]]);
    expect(names(choosePromotions([candidate(a), candidate(b), candidate(c)], receipt)).applied).toEqual([['c-100', 10000]]);
  });

  it('an exclusive promotion applies alone when it is worth more than the combination, and loses when it is not', () => {
    const big = promotion('big', { kind: 'amount_off', amountMinor: 60000 }, { stacking: { exclusive: true, priority: 0 } });
    expect(names(choosePromotions([candidate(tenOff), candidate(coffee20), candidate(big)], receipt))).toEqual({
      applied: [['big', 60000]],
      passed: [['coffee-20', 'not_combinable'], ['ten-off', 'not_combinable']],
    });
    const small = promotion('small', { kind: 'amount_off', amountMinor: 1000 }, { stacking: { exclusive: true, priority: 99 } });
    expect(names(choosePromotions([candidate(tenOff), candidate(coffee20), candidate(small)], receipt))).toEqual({
      applied: [['coffee-20', 29800], ['ten-off', 18910]],
      passed: [['small', 'not_combinable']],
    });
  });

  it('"from 3,000.00 spend −10%": below the minimum it does not apply, and says so', () => {
    const from3000 = promotion('from-3000', { kind: 'percent_off', percentBp: 1000 }, { minSpendMinor: 300_000 });
    expect(names(choosePromotions([candidate(from3000)], receipt))).toEqual({ applied: [], passed: [['from-3000', 'below_minimum']] });
    const from1500 = { ...from3000, id: 'from-1500', minSpendMinor: 150_000 };
    expect(names(choosePromotions([candidate(from1500)], receipt)).applied).toEqual([['from-1500', 21890]]);
  });

  it('a budget cuts the discount to what is left of it; an empty one rejects', () => {
    expect(names(choosePromotions([candidate(tenOff, 5000)], receipt)).applied).toEqual([['ten-off', 5000]]);
    expect(names(choosePromotions([candidate(tenOff, 0)], receipt))).toEqual({ applied: [], passed: [['ten-off', 'budget_exhausted']] });
  });

  it('a promotion with nothing to take off says so', () => {
    const tea = promotion('tea', { kind: 'percent_off', percentBp: 1000, target: { categories: ['tea'] } });
    expect(names(choosePromotions([candidate(tea)], receipt))).toEqual({ applied: [], passed: [['tea', 'no_matching_items']] });
  });

  it('is deterministic: the candidates in any order give the same answer', () => {
    const all = [tenOff, coffee20, promotion('x', { kind: 'amount_off', amountMinor: 777 }, { stacking: { exclusive: false, group: 'g', priority: 2 } }), promotion('y', { kind: 'n_for_m', buy: 3, pay: 2 }, { stacking: { exclusive: false, group: 'g', priority: 2 } })];
    const first = names(choosePromotions(all.map((p) => candidate(p)), receipt));
    for (let i = 0; i < 5; i++) {
      const shuffled = [...all].sort(() => (i % 2 ? 1 : -1));
      expect(names(choosePromotions(shuffled.map((p) => candidate(p)), receipt))).toEqual(first);
    }
  });
});

describe('points promotions beside the discounts', () => {
  const double = promotion('p-double', { kind: 'points_multiplier', factor: 2, target: { categories: ['coffee'] } }, { stacking: { exclusive: false, priority: 1, group: 'points' } });
  const bonus = promotion('p-bonus', { kind: 'bonus_points', points: 100 }, { stacking: { exclusive: false, priority: 0, group: 'points' } });
  const tobacco = promotion('p-tobacco', { kind: 'bonus_points', points: 50, target: { categories: ['tobacco'] } });
  const rich = promotion('p-rich', { kind: 'bonus_points', points: 500 }, { minSpendMinor: 1_000_000 });
  const spent = promotion('p-spent', { kind: 'bonus_points', points: 10 }, { limits: { budgetPoints: 10 } });
  const chosen = (discounts: PromotionDefinition[], points: PromotionDefinition[], left: Record<string, number> = {}) => {
    const { applied } = choosePromotions(discounts.map((p) => candidate(p)), receipt);
    const result = choosePointsPromotions(points.map((p) => ({ ...candidate(p), budgetLeftPoints: left[p.id] ?? null })), receipt, applied);
    return { applied: result.applied.map((c) => c.promotion.id), passed: Object.fromEntries(result.passed.map((p) => [p.candidate.promotion.id, p.reason])) };
  };

  it('apply beside discounts; in a group the higher priority wins; excluded goods, minimum spend and a spent budget say why', () => {
    const tenOff = promotion('d-ten', { kind: 'percent_off', percentBp: 1000 });
    expect(chosen([tenOff], [double, bonus, tobacco, rich, spent], { 'p-spent': 0 })).toEqual({
      applied: ['p-double'],
      passed: { 'p-bonus': 'not_combinable', 'p-tobacco': 'no_matching_items', 'p-rich': 'below_minimum', 'p-spent': 'budget_exhausted' },
    });
  });

  it('an exclusive discount applies alone; a discount of the same group keeps the points out', () => {
    const alone = promotion('d-alone', { kind: 'percent_off', percentBp: 500 }, { stacking: { exclusive: true, priority: 0 } });
    expect(chosen([alone], [double]).passed).toEqual({ 'p-double': 'not_combinable' });
    const grouped = promotion('d-grouped', { kind: 'amount_off', amountMinor: 1000 }, { stacking: { exclusive: false, priority: 0, group: 'points' } });
    expect(chosen([grouped], [double, bonus])).toEqual({ applied: [], passed: { 'p-double': 'not_combinable', 'p-bonus': 'not_combinable' } });
  });

  it('take nothing off any line', () => {
    expect(discountOf(double.benefit, receipt)).toEqual([]);
    expect(discountOf(bonus.benefit, receipt)).toEqual([]);
  });
});
