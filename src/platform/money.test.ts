import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { allocate, divide, lineTotal, mulDiv, MAX_LINE_TOTAL_MINOR, MAX_RECEIPT_LINES, proportionalPart, toQtyMilli } from './money.ts';

describe('money arithmetic', () => {
  it.each([
    [0.455, 34990, 15920], // 159.2045 → 159.20 (half-up at the kopeck)
    [1, 34990, 34990],
    [0.5, 1, 1], // 0.5 kopeck rounds up
    [0.499, 1, 0],
    [3, 19999, 59997],
    [1.25, 12345, 15431], // 154.3125 → 154.31
    [2.5, 99, 248], // 247.5 → 248
  ])('line %d × %d minor = %d minor', (qty, price, expected) => {
    expect(lineTotal(toQtyMilli(qty)!, price)).toBe(expected);
  });

  it('keeps every receipt total exact: a line past MAX_LINE_TOTAL_MINOR is refused with the limit named', () => {
    expect(MAX_LINE_TOTAL_MINOR * MAX_RECEIPT_LINES).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
    expect(lineTotal(1000, MAX_LINE_TOTAL_MINOR)).toBe(MAX_LINE_TOTAL_MINOR);
    for (const [qtyMilli, price] of [[1000, MAX_LINE_TOTAL_MINOR + 1], [1_000_000_000, 100_000_000_000], [91_000, 100_000_000_000]] as const) {
      let thrown: unknown;
      try {
        lineTotal(qtyMilli, price);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect(thrown).toMatchObject({ code: 'request.out_of_range', status: 400 });
      expect((thrown as AppError).detail).toContain(String(MAX_LINE_TOTAL_MINOR));
    }
  });

  it('refuses quantities with more than three decimals or not positive', () => {
    expect(toQtyMilli(0.4555)).toBeNull();
    expect(toQtyMilli(0)).toBeNull();
    expect(toQtyMilli(-1)).toBeNull();
    expect(toQtyMilli(0.001)).toBe(1);
  });

  it.each([
    [7, 2, 'floor', 3],
    [7, 2, 'half_up', 4],
    [5, 3, 'half_up', 2],
    [4, 3, 'half_up', 1],
    [0, 5, 'floor', 0],
  ] as const)('divide(%d, %d, %s) = %d', (n, d, rounding, expected) => {
    expect(divide(n, d, rounding)).toBe(expected);
  });

  it('stays exact past 2^53 in intermediate products', () => {
    expect(divide(10n ** 12n * 999_999n, 10_000, 'floor')).toBe(99_999_900_000_000);
  });

  it.each([
    [300, [60000, 30000, 10000], [180, 90, 30]],
    [10, [1, 1, 1], [4, 3, 3]],
    [1, [0, 5, 5], [0, 1, 0]],
    [5, [0, 0], [0, 0]],
    [7, [3, 3, 1], [3, 3, 1]],
  ])('allocate(%d, %j) = %j and adds up', (amount, weights, expected) => {
    const parts = allocate(amount, weights);
    expect(parts).toEqual(expected);
    if (weights.some((w) => w > 0)) expect(parts.reduce((a, b) => a + b, 0)).toBe(amount);
  });

  it('returns a whole exactly over any sequence of partial returns', () => {
    const whole = 101;
    const steps = [1, 2, 0, 3, 1];
    let done = 0;
    let returned = 0;
    for (const step of steps) {
      returned += proportionalPart(whole, done, step, 7);
      done += step;
    }
    expect(returned).toBe(whole);
  });
  /** Largest remainder, ties to the earlier part, all in BigInt. */
  const allocateInBigInt = (amount: number, weights: number[]) => {
    const total = weights.reduce((s, w) => s + BigInt(w), 0n);
    if (amount === 0 || total === 0n) return weights.map(() => 0);
    const exact = weights.map((w) => BigInt(amount) * BigInt(w));
    const parts = exact.map((e) => Number(e / total));
    let left = amount - parts.reduce((s, p) => s + p, 0);
    const order = exact.map((e, index) => ({ index, rest: e % total })).sort((a, b) => (a.rest === b.rest ? a.index - b.index : a.rest > b.rest ? -1 : 1));
    for (const { index } of order) if (left-- > 0) parts[index]! += 1;
    return parts;
  };

  // The double fast paths (divide, mulDiv, allocate) against the same arithmetic in BigInt, near 2^53 and beyond.
  it('computes in doubles exactly what BigInt computes, safe integers or not', () => {
    let seed = 7n;
    const next = (bits: bigint) => {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
      return seed % 2n ** bits;
    };
    const reference = (n: bigint, d: bigint, rounding: 'floor' | 'half_up') => Number(rounding === 'floor' || (n % d) * 2n < d ? n / d : n / d + 1n);
    for (let i = 0; i < 4_000; i++) {
      const a = Number(next(BigInt(1 + (i % 40))));
      const b = Number(next(BigInt(1 + ((i * 7) % 30))));
      const d = Number(next(BigInt(1 + ((i * 3) % 50)))) + 1;
      for (const rounding of ['floor', 'half_up'] as const) {
        const want = reference(BigInt(a) * BigInt(b), BigInt(d), rounding);
        expect(mulDiv(a, b, d, rounding), `${a} × ${b} / ${d} ${rounding}`).toBe(want);
        if (Number.isSafeInteger(a * b)) expect(divide(a * b, d, rounding)).toBe(want);
      }
      const weights = [a % 100_000, b, d, Number(next(20n))];
      const amount = Number(next(BigInt(1 + (i % 35))));
      expect(allocate(amount, weights), `allocate(${amount}, ${weights.join(', ')})`).toEqual(allocateInBigInt(amount, weights));
    }
  });
});
