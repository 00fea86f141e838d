import { describe, expect, it } from 'vitest';
import { expectClose, expectIntervalClose, reference } from '../../../../tests/fixtures/experiments/reference.ts';
import { bootstrapDiffInterval, momentsOf, welchTest } from './means.ts';

describe("Welch's t-test from sufficient statistics against scipy.stats.ttest_ind(equal_var=False)", () => {
  it.each(reference.welch.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = welchTest(c.control, c.variant, { alpha: c.alpha });
    const e = c.expected;
    expectClose(result.controlMean, e.controlMean, 'controlMean');
    expectClose(result.variantMean, e.variantMean, 'variantMean');
    expectClose(result.difference, e.difference, 'difference');
    expectClose(result.t, e.t, 't');
    expectClose(result.df, e.df, 'df');
    expectClose(result.pValue, e.pValue, 'pValue');
    expectIntervalClose(result.differenceCi, e.differenceCi, 'differenceCi');
    expect(result.reason).toBeNull();
  });

  it('sums the rows into the same statistics (integer minor units: exact)', () => {
    const c = reference.bootstrap[0]!;
    const result = welchTest(momentsOf(c.controlValues), momentsOf(c.variantValues));
    expectClose(result.t, c.welch.t, 't');
    expectClose(result.df, c.welch.df, 'df');
    expectIntervalClose(result.differenceCi, c.welch.differenceCi, 'differenceCi');
  });

  it('answers nulls with a reason for arms too small or without variation', () => {
    const one = momentsOf([500]);
    const many = momentsOf([0, 0, 300, 0]);
    expect(welchTest(one, many)).toMatchObject({ controlMean: 500, variantMean: 75, difference: -425, t: null, pValue: null, differenceCi: null, reason: 'too-few-values' });
    expect(welchTest(momentsOf([]), many)).toMatchObject({ controlMean: null, difference: null, reason: 'too-few-values' });
    expect(welchTest(momentsOf([0, 0, 0]), momentsOf([0, 0]))).toMatchObject({ difference: 0, t: null, reason: 'no-variation' });
  });

  it('keeps going when one arm has no variation (all zeros) and the other has some', () => {
    const result = welchTest(momentsOf([0, 0, 0, 0, 0, 0]), momentsOf([0, 0, 0, 100, 0, 250]));
    expect(result.reason).toBeNull();
    // With one arm constant, Welch's df is the other arm's n − 1.
    expectClose(result.df, 5, 'df');
  });
});

describe('bootstrap interval for zero-heavy revenue', () => {
  const c = reference.bootstrap[0]!;

  it('is reproducible: the same rows and seed give the same interval; another seed another', () => {
    const first = bootstrapDiffInterval(c.controlValues, c.variantValues, { resamples: 2_000, seed: 7 });
    const again = bootstrapDiffInterval(c.controlValues, c.variantValues, { resamples: 2_000, seed: 7 });
    const other = bootstrapDiffInterval(c.controlValues, c.variantValues, { resamples: 2_000, seed: 8 });
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it("lands near scipy's Welch interval (each end within 15 % of its width) and holds the estimate", () => {
    const welch = c.welch.differenceCi;
    const width = welch.upper - welch.lower;
    const boot = bootstrapDiffInterval(c.controlValues, c.variantValues, { resamples: 4_000, seed: 2026 })!;
    expect(Math.abs(boot.lower - welch.lower)).toBeLessThan(0.15 * width);
    expect(Math.abs(boot.upper - welch.upper)).toBeLessThan(0.15 * width);
    expect(boot.lower).toBeLessThan(c.welch.difference);
    expect(boot.upper).toBeGreaterThan(c.welch.difference);
    expect(boot).toMatchObject({ resamples: 4_000, seed: 2026 });
    expect(boot.confidence).toBeCloseTo(0.95, 12);
  });

  it('narrows at a lower confidence, and is null for an empty arm', () => {
    const wide = bootstrapDiffInterval(c.controlValues, c.variantValues, { seed: 1, alpha: 0.05 })!;
    const narrow = bootstrapDiffInterval(c.controlValues, c.variantValues, { seed: 1, alpha: 0.2 })!;
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
    expect(bootstrapDiffInterval([], c.variantValues, { seed: 1 })).toBeNull();
    expect(() => bootstrapDiffInterval(c.controlValues, c.variantValues, { seed: 1, resamples: 0 })).toThrow(RangeError);
  });
});
