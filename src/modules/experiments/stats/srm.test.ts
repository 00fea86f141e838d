import { describe, expect, it } from 'vitest';
import { expectClose, reference } from '../../../../tests/fixtures/experiments/reference.ts';
import { sampleRatioCheck } from './srm.ts';

describe('sample-ratio-mismatch check against scipy.stats.chisquare', () => {
  it.each(reference.srm.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = sampleRatioCheck(c.arms);
    expectClose(result.chiSquare, c.expected.chiSquare, 'chiSquare');
    expectClose(result.pValue, c.expected.pValue, 'pValue');
    expect(result.df).toBe(c.expected.df);
    expect(result.flagged).toBe(c.expected.flagged);
  });
});

describe('sample-ratio-mismatch check', () => {
  it('flags 52,000 against 48,000 on a 50/50 split, and not 50,100 against 49,900', () => {
    expect(sampleRatioCheck([{ key: 'A', observed: 52_000, weight: 5_000 }, { key: 'B', observed: 48_000, weight: 5_000 }]).flagged).toBe(true);
    expect(sampleRatioCheck([{ key: 'A', observed: 50_100, weight: 5_000 }, { key: 'B', observed: 49_900, weight: 5_000 }]).flagged).toBe(false);
  });

  it('reports each arm\'s expected count and shares', () => {
    const result = sampleRatioCheck([{ key: 'control', observed: 900, weight: 1_000 }, { key: 'A', observed: 9_100, weight: 9_000 }]);
    expect(result.arms).toEqual([
      { key: 'control', observed: 900, expected: 1_000, observedShare: 0.09, expectedShare: 0.1 },
      { key: 'A', observed: 9_100, expected: 9_000, observedShare: 0.91, expectedShare: 0.9 },
    ]);
  });

  it('takes a customer in an arm of weight 0 as a mismatch by itself', () => {
    const result = sampleRatioCheck([{ key: 'A', observed: 500, weight: 1 }, { key: 'B', observed: 500, weight: 1 }, { key: 'off', observed: 1, weight: 0 }]);
    expect(result).toMatchObject({ flagged: true, pValue: 0, chiSquare: null });
    expect(sampleRatioCheck([{ key: 'A', observed: 500, weight: 1 }, { key: 'B', observed: 510, weight: 1 }, { key: 'off', observed: 0, weight: 0 }])).toMatchObject({ flagged: false, df: 1 });
  });

  it('has nothing to say with no recipients or a single arm', () => {
    expect(sampleRatioCheck([{ key: 'A', observed: 0, weight: 1 }, { key: 'B', observed: 0, weight: 1 }])).toMatchObject({ flagged: false, pValue: null, reason: 'no-recipients' });
    expect(sampleRatioCheck([{ key: 'A', observed: 10, weight: 1 }])).toMatchObject({ flagged: false, pValue: null, reason: 'single-arm' });
  });

  it('takes its threshold as an option', () => {
    const arms = [{ key: 'A', observed: 9_700, weight: 1_000 }, { key: 'B', observed: 45_150, weight: 4_500 }, { key: 'C', observed: 45_150, weight: 4_500 }];
    expect(sampleRatioCheck(arms).flagged).toBe(false);
    expect(sampleRatioCheck(arms, { threshold: 0.01 }).flagged).toBe(true);
  });

  it('refuses negative or fractional counts and weights that sum to nothing', () => {
    expect(() => sampleRatioCheck([{ key: 'A', observed: -1, weight: 1 }])).toThrow(RangeError);
    expect(() => sampleRatioCheck([{ key: 'A', observed: 1.5, weight: 1 }])).toThrow(RangeError);
    expect(() => sampleRatioCheck([{ key: 'A', observed: 1, weight: 0 }])).toThrow(RangeError);
  });
});
