import { tQuantile, tTwoSidedP, type Interval } from './distributions.ts';
import { seededRandom } from '../../../platform/seeded-random.ts';

/**
 * Revenue per recipient, variant against control: Welch's t-test (no equal-variance assumption,
 * Welch–Satterthwaite degrees of freedom) from sufficient statistics, so the caller can
 * aggregate in SQL (count, sum, sum of squares per arm) and never load the rows; and a
 * bootstrap interval from the rows themselves, for when they can be had.
 */

/** Sufficient statistics of one arm's values: count, Σv, Σv². Integer minor units keep the sums exact. */
export type SampleMoments = { n: number; sum: number; sumSquares: number };

/** Mean and sample variance (n − 1 in the denominator) of one arm. */
export type MeanSummary = { n: number; mean: number; variance: number };

/** An arm with fewer than 2 values has no variance; two arms with none have no test. */
export type MeanNullReason = 'too-few-values' | 'no-variation';

export type WelchTest = {
  controlMean: number | null;
  variantMean: number | null;
  /** variant mean − control mean. */
  difference: number | null;
  differenceCi: Interval | null;
  standardError: number | null;
  t: number | null;
  /** Welch–Satterthwaite: (s²꜀/n꜀ + s²ᵥ/nᵥ)² / ((s²꜀/n꜀)²/(n꜀−1) + (s²ᵥ/nᵥ)²/(nᵥ−1)). */
  df: number | null;
  pValue: number | null;
  confidence: number;
  reason: MeanNullReason | null;
};

export function momentsOf(values: readonly number[]): SampleMoments {
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) {
    sum += v;
    sumSquares += v * v;
  }
  return { n: values.length, sum, sumSquares };
}

/**
 * Mean and sample variance; the variance is clamped at 0 where rounding in Σv² − (Σv)²/n dips
 * below it. NaN where undefined (the mean of no values, the variance of fewer than 2):
 * welchFromSummaries answers those with null statistics and a reason, so no NaN reaches a report.
 */
export function summaryOf(moments: SampleMoments): MeanSummary {
  const { n, sum, sumSquares } = moments;
  if (n === 0) return { n, mean: NaN, variance: NaN };
  const mean = sum / n;
  const variance = n < 2 ? NaN : Math.max(0, (sumSquares - (sum * sum) / n) / (n - 1));
  return { n, mean, variance };
}

export function welchTest(control: SampleMoments, variant: SampleMoments, options: { alpha?: number } = {}): WelchTest {
  return welchFromSummaries(summaryOf(control), summaryOf(variant), options);
}

/** Welch's test on means and variances already made (CUPED hands it adjusted ones). */
export function welchFromSummaries(control: MeanSummary, variant: MeanSummary, options: { alpha?: number } = {}): WelchTest {
  const alpha = options.alpha ?? 0.05;
  const confidence = 1 - alpha;
  const controlMean = control.n > 0 ? control.mean : null;
  const variantMean = variant.n > 0 ? variant.mean : null;
  const nulls = { differenceCi: null, standardError: null, t: null, df: null, pValue: null, confidence };
  if (control.n < 2 || variant.n < 2) {
    const difference = controlMean === null || variantMean === null ? null : variantMean - controlMean;
    return { controlMean, variantMean, difference, ...nulls, reason: 'too-few-values' };
  }
  const difference = variant.mean - control.mean;
  const a = control.variance / control.n;
  const b = variant.variance / variant.n;
  const se2 = a + b;
  if (se2 === 0) return { controlMean, variantMean, difference, ...nulls, reason: 'no-variation' };
  const standardError = Math.sqrt(se2);
  const t = difference / standardError;
  const df = (se2 * se2) / ((a * a) / (control.n - 1) + (b * b) / (variant.n - 1));
  const half = tQuantile(1 - alpha / 2, df) * standardError;
  return {
    controlMean,
    variantMean,
    difference,
    differenceCi: { lower: difference - half, upper: difference + half },
    standardError,
    t,
    df,
    pValue: tTwoSidedP(t, df),
    confidence,
    reason: null,
  };
}

export type BootstrapOptions = { resamples?: number; seed: number; alpha?: number };

export type BootstrapInterval = Interval & { resamples: number; seed: number; confidence: number };

/**
 * The percentile bootstrap interval of (variant mean − control mean): each resample draws every
 * arm with replacement at its own size, and the interval is the α/2 and 1 − α/2 quantiles of the
 * resampled differences (linear interpolation between order statistics, numpy's default).
 *
 * The interval for revenue per recipient, which is mostly zeros with a long tail of buyers: it
 * leans with the skew where Welch's interval is symmetric by construction. Seeded (seededRandom),
 * so the same rows and seed give the same interval. Cost: resamples × (n꜀ + nᵥ) draws.
 * Null when an arm is empty.
 */
export function bootstrapDiffInterval(controlValues: readonly number[], variantValues: readonly number[], options: BootstrapOptions): BootstrapInterval | null {
  const resamples = options.resamples ?? 2000;
  const alpha = options.alpha ?? 0.05;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError('resamples must be a positive integer');
  if (controlValues.length === 0 || variantValues.length === 0) return null;
  const random = seededRandom(options.seed);
  // Typed copies: the draw loop is the whole cost, and reads from a Float64Array are the cheapest.
  const control = Float64Array.from(controlValues);
  const variant = Float64Array.from(variantValues);
  const resampledMean = (values: Float64Array): number => {
    const n = values.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)]!;
    return sum / n;
  };
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) diffs[r] = resampledMean(variant) - resampledMean(control);
  diffs.sort();
  return { lower: quantileSorted(diffs, alpha / 2), upper: quantileSorted(diffs, 1 - alpha / 2), resamples, seed: options.seed, confidence: 1 - alpha };
}

/** The q-quantile of sorted values by linear interpolation between order statistics (type 7). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}
