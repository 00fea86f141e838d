import { describe, expect, it } from 'vitest';
import { assignVariant, hashUnit, inGlobalControl, type Arm } from './assignment.ts';
import { chiSquareUpperTail } from './distributions.ts';
import { sampleRatioCheck } from './srm.ts';

const ids = Array.from({ length: 100_000 }, (_, i) => `cus_${i.toString(36).padStart(6, '0')}`);
const holdoutAndTwo: Arm[] = [
  { key: 'control', weight: 1_000 },
  { key: 'A', weight: 4_500 },
  { key: 'B', weight: 4_500 },
];

function countBy(keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  return counts;
}

describe('assignVariant', () => {
  it('gives the same arm for the same customer and salt, every time', () => {
    const first = ids.slice(0, 1_000).map((id) => assignVariant(id, 'exp_1', holdoutAndTwo));
    const again = ids.slice(0, 1_000).map((id) => assignVariant(id, 'exp_1', holdoutAndTwo));
    expect(again).toEqual(first);
  });

  it('is pinned: a release that moved customers between arms would break running experiments', () => {
    // Worked out independently in Python: int.from_bytes(sha256(b'exp_1:cus_00000i')[:8]) >> 12.
    expect(['cus_000000', 'cus_000001', 'cus_000002', 'cus_000003'].map((id) => [hashUnit(id, 'exp_1'), assignVariant(id, 'exp_1', holdoutAndTwo)])).toEqual([
      [0.25149112694468667, 'A'],
      [0.5368668548379494, 'A'],
      [0.003153872212593889, 'control'],
      [0.5670759025997385, 'B'],
    ]);
  });

  it('takes the first 52 bits of SHA-256 of salt:customer', async () => {
    const { createHash } = await import('node:crypto');
    const hex = createHash('sha256').update('exp_1:cus_42').digest('hex').slice(0, 13);
    expect(hashUnit('cus_42', 'exp_1')).toBe(parseInt(hex, 16) / 2 ** 52);
  });

  it('splits 100,000 customers in the arms\' shares (10/45/45) within 0.5 points, and the SRM check agrees', () => {
    const counts = countBy(ids.map((id) => assignVariant(id, 'exp_shares', holdoutAndTwo)));
    for (const arm of holdoutAndTwo) expect(Math.abs((counts.get(arm.key) ?? 0) / ids.length - arm.weight / 10_000)).toBeLessThan(0.005);
    const srm = sampleRatioCheck(holdoutAndTwo.map((a) => ({ key: a.key, observed: counts.get(a.key) ?? 0, weight: a.weight })));
    expect(srm.flagged).toBe(false);
  });

  it('assigns two salts independently: the cross-tab is the product of its margins (χ² not flagged)', () => {
    const ab: Arm[] = [
      { key: 'A', weight: 5_000 },
      { key: 'B', weight: 5_000 },
    ];
    const table = new Map<string, number>();
    for (const id of ids) {
      const cell = `${assignVariant(id, 'exp_one', holdoutAndTwo)}|${assignVariant(id, 'exp_two', ab)}`;
      table.set(cell, (table.get(cell) ?? 0) + 1);
    }
    let chiSquare = 0;
    for (const r of holdoutAndTwo) {
      const rowTotal = ab.reduce((s, c) => s + (table.get(`${r.key}|${c.key}`) ?? 0), 0);
      for (const c of ab) {
        const colTotal = holdoutAndTwo.reduce((s, rr) => s + (table.get(`${rr.key}|${c.key}`) ?? 0), 0);
        const expected = (rowTotal * colTotal) / ids.length;
        chiSquare += ((table.get(`${r.key}|${c.key}`) ?? 0) - expected) ** 2 / expected;
      }
    }
    // (3 − 1)(2 − 1) = 2 degrees of freedom
    expect(chiSquareUpperTail(chiSquare, 2)).toBeGreaterThan(0.001);
  });

  it('moves no customer of earlier arms when an arm of weight 0 is appended', () => {
    const withNew: Arm[] = [...holdoutAndTwo.slice(0, 2), { key: 'B', weight: 4_500 }, { key: 'C', weight: 0 }];
    for (const id of ids.slice(0, 2_000)) expect(assignVariant(id, 'exp_1', withNew)).toBe(assignVariant(id, 'exp_1', holdoutAndTwo));
  });

  it.each([
    [[], 'at least one arm'],
    [[{ key: 'A', weight: 5_000 }], 'sum to 10000'],
    [[{ key: 'A', weight: 5_000.5 }, { key: 'B', weight: 4_999.5 }], 'non-negative integer'],
    [[{ key: 'A', weight: -1 }, { key: 'B', weight: 10_001 }], 'non-negative integer'],
  ])('refuses arms %j', (arms, message) => {
    expect(() => assignVariant('cus_1', 'exp', arms)).toThrow(message);
  });
});

describe('inGlobalControl', () => {
  it('holds out its share (5 %) of 100,000 within 0.3 points, independent of an experiment\'s split', () => {
    const held = ids.filter((id) => inGlobalControl(id, 'global_2026', 500));
    expect(Math.abs(held.length / ids.length - 0.05)).toBeLessThan(0.003);
    // Inside the global control, the experiment's split keeps its shares.
    const counts = countBy(held.map((id) => assignVariant(id, 'exp_shares', holdoutAndTwo)));
    const srm = sampleRatioCheck(holdoutAndTwo.map((a) => ({ key: a.key, observed: counts.get(a.key) ?? 0, weight: a.weight })));
    expect(srm.flagged).toBe(false);
  });

  it('holds out nobody at 0 and everybody at 10,000; refuses a share out of range', () => {
    expect(ids.slice(0, 500).some((id) => inGlobalControl(id, 'g', 0))).toBe(false);
    expect(ids.slice(0, 500).every((id) => inGlobalControl(id, 'g', 10_000))).toBe(true);
    expect(() => inGlobalControl('cus_1', 'g', 10_001)).toThrow(RangeError);
    expect(() => inGlobalControl('cus_1', 'g', 2.5)).toThrow(RangeError);
  });
});
