import { describe, expect, it } from 'vitest';
import { expectClose, expectIntervalClose, reference } from '../../../../tests/fixtures/experiments/reference.ts';
import { cupedTest, cupedTheta, type CupedMoments } from './cuped.ts';
import { welchTest } from './means.ts';

describe('CUPED from sums against numpy (θ, adjusted means and variances) and scipy (Welch on the adjusted rows)', () => {
  it.each(reference.cuped.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = cupedTest(c.control, c.variant, { alpha: c.alpha });
    const e = c.expected;
    expectClose(result.theta, e.theta, 'theta');
    for (const arm of ['control', 'variant'] as const) {
      expectClose(result[arm].mean, e[arm].mean, `${arm}.mean`);
      expectClose(result[arm].variance, e[arm].variance, `${arm}.variance`);
      expectClose(result[arm].adjustedMean, e[arm].adjustedMean, `${arm}.adjustedMean`);
      expectClose(result[arm].adjustedVariance, e[arm].adjustedVariance, `${arm}.adjustedVariance`);
    }
    expectClose(result.test.difference, e.difference, 'difference');
    expectClose(result.test.t, e.t, 't');
    expectClose(result.test.df, e.df, 'df');
    expectClose(result.test.pValue, e.pValue, 'pValue');
    expectIntervalClose(result.test.differenceCi, e.differenceCi, 'differenceCi');
  });

  it('narrows the interval against plain Welch on the same revenue', () => {
    for (const c of reference.cuped) {
      const plain = welchTest(toMoments(c.control), toMoments(c.variant), { alpha: c.alpha });
      const adjusted = cupedTest(c.control, c.variant, { alpha: c.alpha });
      expect(adjusted.varianceReduction).toBeGreaterThan(0.1);
      expect(adjusted.test.standardError!).toBeLessThan(plain.standardError!);
    }
  });
});

describe('CUPED without a pre-period', () => {
  it('takes θ = 0 when no customer spent before, and then equals plain Welch', () => {
    const noPre = (sumY: number, sumYY: number, n: number): CupedMoments => ({ n, sumX: 0, sumY, sumXX: 0, sumYY, sumXY: 0 });
    const control = noPre(12_000, 9_000_000, 400);
    const variant = noPre(15_000, 11_000_000, 410);
    expect(cupedTheta([control, variant])).toBe(0);
    const result = cupedTest(control, variant);
    const plain = welchTest(toMoments(control), toMoments(variant));
    expect(result.test).toEqual(plain);
    expect(result.varianceReduction).toBe(0);
  });

  it('refuses an empty arm', () => {
    const empty: CupedMoments = { n: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };
    expect(() => cupedTest(empty, empty)).toThrow(RangeError);
  });
});

function toMoments(m: CupedMoments) {
  return { n: m.n, sum: m.sumY, sumSquares: m.sumYY };
}
