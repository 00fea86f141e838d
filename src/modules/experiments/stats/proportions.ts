import { normalQuantile, normalTwoSidedP, type Interval } from './distributions.ts';

/**
 * The two-proportion z-test for a rate per recipient (conversion, clicks …), variant against
 * control. The p-value uses the pooled standard error (under the null both arms share one rate);
 * the interval of the difference uses the unpooled one (it describes the difference as it is,
 * not as the null would have it). These are the textbook choices, and the fixtures hold them to
 * scipy's normal distribution.
 */

export type ProportionCounts = { n: number; successes: number };

/**
 * Why some statistics are null rather than NaN: an arm with no recipients (nothing to say), no
 * variation (no successes in either arm, or all successes: the test has no standard error),
 * or a control rate of 0 (the difference is fine, the relative uplift is not defined).
 */
export type ProportionNullReason = 'empty-arm' | 'no-variation' | 'zero-control-rate';

export type ProportionTest = {
  controlRate: number | null;
  variantRate: number | null;
  /** variant rate − control rate, as a fraction (0.008 is 0.8 points). */
  difference: number | null;
  differenceCi: Interval | null;
  /** variant rate ÷ control rate − 1. */
  relative: number | null;
  /** Delta method: Var(p̂ᵥ/p̂꜀) ≈ Var(p̂ᵥ)/p̂꜀² + p̂ᵥ²·Var(p̂꜀)/p̂꜀⁴. */
  relativeCi: Interval | null;
  z: number | null;
  pValue: number | null;
  /** The level of the intervals, 1 − α. */
  confidence: number;
  reason: ProportionNullReason | null;
};

function checkCounts(label: string, counts: ProportionCounts): void {
  const { n, successes } = counts;
  if (!Number.isInteger(n) || !Number.isInteger(successes) || n < 0 || successes < 0 || successes > n) {
    throw new RangeError(`${label}: successes and n must be integers with 0 ≤ successes ≤ n (got ${successes} of ${n})`);
  }
}

export function twoProportionTest(control: ProportionCounts, variant: ProportionCounts, options: { alpha?: number } = {}): ProportionTest {
  checkCounts('control', control);
  checkCounts('variant', variant);
  const alpha = options.alpha ?? 0.05;
  const confidence = 1 - alpha;
  const empty = { differenceCi: null, relative: null, relativeCi: null, z: null, pValue: null, confidence };
  if (control.n === 0 || variant.n === 0) {
    return { controlRate: control.n === 0 ? null : control.successes / control.n, variantRate: variant.n === 0 ? null : variant.successes / variant.n, difference: null, ...empty, reason: 'empty-arm' };
  }
  const pc = control.successes / control.n;
  const pv = variant.successes / variant.n;
  const difference = pv - pc;
  const pooled = (control.successes + variant.successes) / (control.n + variant.n);
  if (pooled === 0 || pooled === 1) return { controlRate: pc, variantRate: pv, difference, ...empty, reason: 'no-variation' };

  const zCrit = normalQuantile(1 - alpha / 2);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / control.n + 1 / variant.n));
  const z = difference / pooledSe;
  const varC = (pc * (1 - pc)) / control.n;
  const varV = (pv * (1 - pv)) / variant.n;
  const se = Math.sqrt(varC + varV);
  const differenceCi = { lower: difference - zCrit * se, upper: difference + zCrit * se };

  let relative: number | null = null;
  let relativeCi: Interval | null = null;
  if (pc > 0) {
    relative = pv / pc - 1;
    const relativeSe = Math.sqrt(varV / (pc * pc) + (pv * pv * varC) / pc ** 4);
    relativeCi = { lower: relative - zCrit * relativeSe, upper: relative + zCrit * relativeSe };
  }
  return {
    controlRate: pc,
    variantRate: pv,
    difference,
    differenceCi,
    relative,
    relativeCi,
    z,
    pValue: normalTwoSidedP(z),
    confidence,
    reason: pc > 0 ? null : 'zero-control-rate',
  };
}
