import { describe, expect, it } from 'vitest';
import { expectClose, expectIntervalClose, reference } from '../../../../tests/fixtures/experiments/reference.ts';
import { twoProportionTest } from './proportions.ts';

describe('two-proportion z-test against scipy', () => {
  it.each(reference.proportions.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = twoProportionTest(c.control, c.variant, { alpha: c.alpha });
    const e = c.expected;
    expectClose(result.controlRate, e.controlRate, 'controlRate');
    expectClose(result.variantRate, e.variantRate, 'variantRate');
    expectClose(result.difference, e.difference, 'difference');
    expectIntervalClose(result.differenceCi, e.differenceCi, 'differenceCi');
    expectClose(result.z, e.z, 'z');
    expectClose(result.pValue, e.pValue, 'pValue');
    expect(result.confidence).toBeCloseTo(1 - c.alpha, 12);
    if (e.relative === null || e.relativeCi === null) {
      expect(result.relative).toBeNull();
      expect(result.relativeCi).toBeNull();
      expect(result.reason).toBe('zero-control-rate');
    } else {
      expectClose(result.relative, e.relative, 'relative');
      expectIntervalClose(result.relativeCi, e.relativeCi, 'relativeCi');
      expect(result.reason).toBeNull();
    }
  });
});

describe('two-proportion z-test at the edges: null statistics with a reason, never NaN', () => {
  it('an empty arm', () => {
    const result = twoProportionTest({ n: 0, successes: 0 }, { n: 100, successes: 4 });
    expect(result).toMatchObject({ controlRate: null, variantRate: 0.04, difference: null, differenceCi: null, z: null, pValue: null, reason: 'empty-arm' });
    expect(twoProportionTest({ n: 0, successes: 0 }, { n: 0, successes: 0 }).reason).toBe('empty-arm');
  });

  it('no conversions in either arm: the difference is 0, the test has no standard error', () => {
    const result = twoProportionTest({ n: 1_000, successes: 0 }, { n: 900, successes: 0 });
    expect(result).toMatchObject({ controlRate: 0, variantRate: 0, difference: 0, differenceCi: null, relative: null, z: null, pValue: null, reason: 'no-variation' });
  });

  it('everyone converting in both arms', () => {
    expect(twoProportionTest({ n: 50, successes: 50 }, { n: 60, successes: 60 }).reason).toBe('no-variation');
  });

  it('no output holds NaN', () => {
    const cases = [
      [{ n: 0, successes: 0 }, { n: 0, successes: 0 }],
      [{ n: 10, successes: 0 }, { n: 10, successes: 0 }],
      [{ n: 10, successes: 0 }, { n: 10, successes: 3 }],
      [{ n: 1, successes: 1 }, { n: 1, successes: 0 }],
    ] as const;
    // JSON.stringify writes NaN as null, so a replacer looks at every number first.
    const hasNaN = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN!' : v)).includes('NaN!');
    for (const [c, v] of cases) expect(hasNaN(twoProportionTest(c, v))).toBe(false);
  });

  it.each([
    [{ n: 10, successes: 11 }, { n: 10, successes: 1 }],
    [{ n: -1, successes: 0 }, { n: 10, successes: 1 }],
    [{ n: 10.5, successes: 1 }, { n: 10, successes: 1 }],
  ])('refuses impossible counts %j', (c, v) => expect(() => twoProportionTest(c, v)).toThrow(RangeError));
});
