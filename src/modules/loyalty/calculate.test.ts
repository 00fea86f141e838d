import { describe, expect, it } from 'vitest';
import { calculateReceipt, type EngineInput, type EngineLine } from './calculate.ts';
import { defaultProgramSettings, type EarningRule, type Tier } from './config-types.ts';

const base: EarningRule = { id: 'base', name: 'Base 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true };
const coffeeX3: EarningRule = { id: 'coffee-x3', name: 'Coffee ×3', kind: 'multiplier', factor: 3, conditions: { categories: ['coffee'] }, priority: 10, stacking: 'highest', active: true };

function line(sku: string, qty: number, price: number, categories: string[] = [], extra: Partial<EngineLine> = {}): EngineLine {
  return { sku, name: sku, categories, brand: null, qtyMilli: Math.round(qty * 1000), priceMinor: price, discountMinor: 0, ...extra };
}

function input(lines: EngineLine[], over: Partial<EngineInput> = {}): EngineInput {
  return {
    lines,
    settings: defaultProgramSettings,
    rules: [base],
    tier: null,
    context: { storeId: 's1', storeTimezone: 'Europe/Moscow', channel: 'offline', occurredAt: new Date('2026-03-04T10:00:00Z'), segments: new Set() },
    customer: { balance: 0, birthDate: null, timezone: null, expiringSoon: null },
    redeemRequested: 0,
    ...over,
  };
}

describe('earning', () => {
  it('5% base and ×3 on coffee over a 3-line receipt; tobacco earns and burns nothing', () => {
    // line totals: bread 2 × 59.90 = 119.80; coffee 1 × 499.00; cigarettes 1 × 250.00
    const result = calculateReceipt(
      input([line('bread', 2, 5990, ['bakery']), line('coffee-beans', 1, 49900, ['drinks', 'coffee']), line('cigs', 1, 25000, ['tobacco'])], {
        rules: [base, coffeeX3],
        customer: { balance: 1000, birthDate: null, timezone: null, expiringSoon: null },
        redeemRequested: 1000,
      }),
    );
    // eligible = 119.80 + 499.00 = 618.80; cap 30% = 185.64 → 185 points; redeemed over bread/coffee by amount:
    // points: bread 185 × 11980/61880 = 35.8 → 36 (largest remainder), coffee 149.2 → 149;
    // money (185.00): bread 35.8159 → 35.82, coffee 149.184 → 149.18
    const table = [
      // sku, total, redeemed points, paid, points earned
      ['bread', 11980, 36, 11980 - 3582, 4], // 5% of 83.98 = 4.199 → 4
      ['coffee-beans', 49900, 149, 49900 - 14918, 17 + 34], // 5% of 349.82 = 17.49 → 17; ×3 adds 2 × 17.49 = 34.98 → 34
      ['cigs', 25000, 0, 25000, 0],
    ] as const;
    expect(result.maxRedeemable).toBe(185);
    expect(result.pointsRedeemed).toBe(185);
    result.lines.forEach((l, i) => {
      const [sku, total, redeemed, payable, points] = table[i]!;
      expect({ sku: l.sku, total: l.total, redeemed: l.pointsRedeemed, payable: l.payable, points: l.pointsEarned }).toEqual({ sku, total, redeemed, payable, points });
    });
    expect(result.pointsToEarn).toBe(55);
    expect(result.payable).toBe(11980 + 49900 + 25000 - 18500);
    expect(result.applied).toEqual([
      { ruleId: 'base', kind: 'percent', name: 'Base 5%', points: 21, lines: [0, 1] },
      { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 34, lines: [1] },
    ]);
  });

  it('without redemption the coffee line earns 15% of its price', () => {
    const result = calculateReceipt(input([line('coffee', 1, 49900, ['coffee'])], { rules: [base, coffeeX3] }));
    expect(result.lines[0]!.pointsEarned).toBe(24 + 49); // 24.95 → 24, then 49.90 → 49
  });

  it('an anonymous receipt earns and redeems nothing but is still priced', () => {
    const result = calculateReceipt(input([line('a', 1, 10000)], { customer: null, redeemRequested: 50 }));
    expect(result).toMatchObject({ total: 10000, pointsToEarn: 0, pointsRedeemed: 0, maxRedeemable: 0, payable: 10000 });
  });

  it.each<[string, EarningRule[], number]>([
    ['highest of two percents wins', [base, { ...base, id: 'b10', rateBp: 1000 }], 100],
    ['sum adds to the highest', [base, { ...base, id: 'extra', rateBp: 200, stacking: 'sum' }], 70],
    ['exclusive alone applies', [base, { ...base, id: 'only', rateBp: 100, stacking: 'exclusive' }], 10],
    ['a rule outside its dates does not apply', [base, { ...base, id: 'later', rateBp: 2000, validFrom: '2026-04-01T00:00:00Z' }], 50],
    ['an inactive rule does not apply', [base, { ...base, id: 'off', rateBp: 2000, active: false }], 50],
    ['by brand', [base, { ...coffeeX3, id: 'brand', conditions: { brands: ['acme'] } }], 150],
    ['by sku, not matching', [base, { ...coffeeX3, id: 'sku', conditions: { skus: ['other'] } }], 50],
    ['per item', [base, { id: 'pi', name: 'pi', kind: 'per_item', points: 7, conditions: {}, priority: 0, stacking: 'sum', active: true }], 50 + 14],
    ['per receipt over a threshold', [base, { id: 'pr', name: 'pr', kind: 'per_receipt', points: 100, conditions: { minReceiptTotal: 100000 }, priority: 0, stacking: 'sum', active: true }], 150],
    ['per receipt under the threshold', [base, { id: 'pr', name: 'pr', kind: 'per_receipt', points: 100, conditions: { minReceiptTotal: 100001 }, priority: 0, stacking: 'sum', active: true }], 50],
    // 2026-03-04T10:00Z is Wednesday 13:00 in Moscow
    ['weekday in the store timezone', [base, { ...base, id: 'wed', rateBp: 1000, conditions: { weekdays: [3] } }], 100],
    ['other weekday', [base, { ...base, id: 'sat', rateBp: 1000, conditions: { weekdays: [6] } }], 50],
    ['happy hour 12:00-14:00 local', [base, { ...base, id: 'hh', rateBp: 1000, conditions: { timeFrom: '12:00', timeTo: '14:00' } }], 100],
    ['night hours wrap past midnight', [base, { ...base, id: 'night', rateBp: 1000, conditions: { timeFrom: '22:00', timeTo: '06:00' } }], 50],
    ['other store', [base, { ...base, id: 'st', rateBp: 1000, conditions: { stores: ['s2'] } }], 50],
    ['online only', [base, { ...base, id: 'on', rateBp: 1000, conditions: { channels: ['online'] } }], 50],
    ['segment rules wait for segments', [base, { ...base, id: 'seg', rateBp: 1000, conditions: { segments: ['vip'] } }], 50],
  ])('%s', (_name, rules, expected) => {
    const result = calculateReceipt(input([line('x', 2, 50000, ['coffee'], { brand: 'acme' })], { rules }));
    expect(result.pointsToEarn).toBe(expected);
  });

  it('tier benefits stack like rules: a higher rate replaces the base, a multiplier multiplies', () => {
    const gold: Tier = { id: 'gold', name: 'Gold', threshold: 0, earnRateBp: 700, privileges: [] };
    expect(calculateReceipt(input([line('x', 1, 100000)], { tier: gold })).pointsToEarn).toBe(70);
    const platinum: Tier = { id: 'plat', name: 'Platinum', threshold: 0, earnMultiplier: 2, maxRedeemShareBp: 5000, privileges: [] };
    const result = calculateReceipt(input([line('x', 1, 100000)], { tier: platinum, customer: { balance: 900, birthDate: null, timezone: null, expiringSoon: null } }));
    expect(result.pointsToEarn).toBe(100);
    expect(result.maxRedeemable).toBe(500);
  });
});

describe('redemption', () => {
  it('caps at 30%: asking 10,000 points on 1,000.00 redeems 300', () => {
    const result = calculateReceipt(input([line('tv', 1, 100000)], { customer: { balance: 50000, birthDate: null, timezone: null, expiringSoon: null }, redeemRequested: 10000 }));
    expect(result.maxRedeemable).toBe(300);
    expect(result.pointsRedeemed).toBe(300);
    expect(result.payable).toBe(70000);
    expect(result.messages).toContain('At most 300 points can pay for this receipt (30% of eligible goods)');
  });

  it('is limited by the balance and refuses less than the minimum', () => {
    const settings = { ...defaultProgramSettings, minRedeemPoints: 50 };
    const poor = calculateReceipt(input([line('tv', 1, 100000)], { settings, customer: { balance: 40, birthDate: null, timezone: null, expiringSoon: null }, redeemRequested: 40 }));
    expect(poor.maxRedeemable).toBe(40);
    expect(poor.pointsRedeemed).toBe(0);
    expect(poor.messages).toContain('The least that can be redeemed is 50 points');
  });

  it('earns on the redeemed part only when the program says so', () => {
    const customer = { balance: 300, birthDate: null, timezone: null, expiringSoon: null };
    const lines = [line('tv', 1, 100000)];
    expect(calculateReceipt(input(lines, { customer, redeemRequested: 300 })).pointsToEarn).toBe(35);
    const settings = { ...defaultProgramSettings, earnOnRedeemedPart: true };
    expect(calculateReceipt(input(lines, { customer, redeemRequested: 300, settings })).pointsToEarn).toBe(50);
  });
});

describe('rounding and messages', () => {
  it('a weighed line 0.455 × 349.90 is 159.20 and earns 7 points at 5% (7.96 rounded down)', () => {
    const result = calculateReceipt(input([line('cheese', 0.455, 34990, ['dairy'])]));
    expect(result.lines[0]).toMatchObject({ qty: 0.455, total: 15920, pointsEarned: 7 });
    const halfUp = calculateReceipt(input([line('cheese', 0.455, 34990)], { settings: { ...defaultProgramSettings, pointsRounding: 'half_up' } }));
    expect(halfUp.pointsToEarn).toBe(8);
  });

  it('tells the cashier about a birthday and points about to expire', () => {
    const result = calculateReceipt(
      input([line('a', 1, 1000)], { customer: { balance: 20, birthDate: '1990-03-04', timezone: 'Europe/Moscow', expiringSoon: { points: 20, at: '2026-03-07T10:00:00Z' } } }),
    );
    expect(result.messages).toEqual(['Birthday today', '20 points expire in 3 days']);
  });
});

describe('line plans kept between receipts', () => {
  // Rules whose receipt conditions (store, tier, total) and line conditions (category, brand) differ, so receipts of
  // one configuration match different subsets of it, and a plan kept for one subset must not serve another.
  const rules: EarningRule[] = [
    base,
    coffeeX3,
    { id: 's2-coffee', name: 'Coffee at s2 +7%', kind: 'percent', rateBp: 700, conditions: { stores: ['s2'], categories: ['coffee'] }, priority: 0, stacking: 'sum', active: true },
    { id: 'gold-x2', name: 'Gold ×2', kind: 'multiplier', factor: 2, conditions: { tiers: ['gold'] }, priority: 5, stacking: 'highest', active: true },
    { id: 'big-acme', name: 'Acme on big baskets', kind: 'per_item', points: 3, conditions: { brands: ['acme'], minReceiptTotal: 50_000 }, priority: 0, stacking: 'sum', active: true },
    { id: 'bakery-only', name: 'Bakery 12% only', kind: 'percent', rateBp: 1200, conditions: { categories: ['bakery'], stores: ['s1'] }, priority: 1, stacking: 'exclusive', active: true },
  ];
  // Gold's rate beats the base rate ('highest'), Silver's multiplier adds to every line: each tier's own rules show.
  const gold: Tier = { id: 'gold', name: 'Gold', threshold: 100, earnRateBp: 900, privileges: [] };
  const silver: Tier = { id: 'silver', name: 'Silver', threshold: 50, earnMultiplier: 1.5, privileges: [] };
  const receipts: EngineInput[] = [];
  for (const store of ['s1', 's2']) {
    for (const tier of [null, gold, silver]) {
      for (const big of [false, true]) {
        const lines = [
          line('latte', 1, big ? 400_000 : 40_000, ['drinks', 'coffee']),
          line('bun', 2, 15_000, ['bakery']),
          line('jam', 1, 20_000, ['grocery'], { brand: 'acme' }),
          line('beans', 1, 90_000, ['coffee'], { brand: 'acme' }),
        ];
        receipts.push(input(lines, { rules, tier, context: { ...input([]).context, storeId: store } }));
      }
    }
  }

  it('every receipt priced with the same rules and tiers answers as with a fresh copy of them', () => {
    // Twice round, so the second pass prices only with plans the first kept.
    for (let round = 0; round < 2; round++) {
      for (const receipt of receipts) {
        const fresh = structuredClone({ rules: receipt.rules, tier: receipt.tier });
        expect(calculateReceipt(receipt)).toEqual(calculateReceipt({ ...receipt, ...fresh }));
      }
    }
    // And the receipts differ, each tier's own rules among what applied: a kept plan that served every receipt alike would not pass the comparison above.
    const answers = receipts.map((receipt) => calculateReceipt(receipt));
    expect(new Set(answers.map((answer) => answer.pointsToEarn)).size).toBeGreaterThan(6);
    expect(new Set(answers.flatMap((answer) => answer.applied.map((a) => a.ruleId)))).toEqual(new Set(['base', 'coffee-x3', 's2-coffee', 'gold-x2', 'big-acme', 'bakery-only', 'tier:gold', 'tier:silver:multiplier']));
  });
});
