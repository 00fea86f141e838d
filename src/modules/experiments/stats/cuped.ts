import { welchFromSummaries, type MeanSummary, type WelchTest } from './means.ts';

/**
 * CUPED (Deng, Xu, Kohavi & Walker 2013): revenue in the test period Y, adjusted by what the
 * same customer spent before it, X. Pre-period spend cannot be moved by the treatment, yet
 * explains much of who spends now, so taking it out narrows the interval without biasing it.
 *
 *   θ      = cov(X, Y) / var(X), over all arms' customers together (the pooled sample, one θ
 *            for every arm: an arm's own θ would let the treatment leak into the adjustment)
 *   Y′     = Y − θ·(X − X̄), X̄ the mean over all arms
 *   mean′ᵢ = Ȳᵢ − θ·(X̄ᵢ − X̄)
 *   var′ᵢ  = var(Yᵢ) − 2θ·cov(Xᵢ, Yᵢ) + θ²·var(Xᵢ)   (sample moments within the arm, n − 1)
 *
 * and then Welch's test on (nᵢ, mean′ᵢ, var′ᵢ). θ is taken as known, as the paper does; its own
 * error is of order 1/n. All from sums, so the caller aggregates in SQL.
 */

/** One arm's sums of pre-period X and test-period Y per customer (customers with no spend count as 0). */
export type CupedMoments = { n: number; sumX: number; sumY: number; sumXX: number; sumYY: number; sumXY: number };

export type CupedArm = MeanSummary & { adjustedMean: number; adjustedVariance: number };

export type CupedResult = {
  /** 0 when X does not vary (say, every customer is new): then the adjustment changes nothing. */
  theta: number;
  control: CupedArm;
  variant: CupedArm;
  /** 1 − (adjusted variance of the difference ÷ unadjusted): the share of noise CUPED removed. */
  varianceReduction: number | null;
  /** Welch's test on the adjusted figures. */
  test: WelchTest;
};

const centred = (sumAB: number, sumA: number, sumB: number, n: number): number => sumAB - (sumA * sumB) / n;

function adjustArm(m: CupedMoments, theta: number, meanXAll: number): CupedArm {
  const { n } = m;
  const mean = m.sumY / n;
  const variance = n < 2 ? NaN : Math.max(0, centred(m.sumYY, m.sumY, m.sumY, n) / (n - 1));
  const varX = n < 2 ? NaN : centred(m.sumXX, m.sumX, m.sumX, n) / (n - 1);
  const cov = n < 2 ? NaN : centred(m.sumXY, m.sumX, m.sumY, n) / (n - 1);
  const adjustedMean = mean - theta * (m.sumX / n - meanXAll);
  const adjustedVariance = n < 2 ? NaN : Math.max(0, variance - 2 * theta * cov + theta * theta * varX);
  return { n, mean, variance, adjustedMean, adjustedVariance };
}

/** θ over the union of the arms. */
export function cupedTheta(arms: readonly CupedMoments[]): number {
  let n = 0, sumX = 0, sumY = 0, sumXX = 0, sumXY = 0;
  for (const m of arms) {
    n += m.n;
    sumX += m.sumX;
    sumY += m.sumY;
    sumXX += m.sumXX;
    sumXY += m.sumXY;
  }
  if (n < 2) return 0;
  const sxx = centred(sumXX, sumX, sumX, n);
  // Rounding can leave a constant X with a variance of ~1e-12 of its square: treat as none.
  if (!(sxx > 1e-12 * sumXX)) return 0;
  return centred(sumXY, sumX, sumY, n) / sxx;
}

export function cupedTest(control: CupedMoments, variant: CupedMoments, options: { alpha?: number } = {}): CupedResult {
  if (control.n === 0 || variant.n === 0) throw new RangeError('CUPED needs customers in both arms');
  const theta = cupedTheta([control, variant]);
  const meanXAll = (control.sumX + variant.sumX) / (control.n + variant.n);
  const c = adjustArm(control, theta, meanXAll);
  const v = adjustArm(variant, theta, meanXAll);
  const before = c.variance / c.n + v.variance / v.n;
  const after = c.adjustedVariance / c.n + v.adjustedVariance / v.n;
  const test = welchFromSummaries({ n: c.n, mean: c.adjustedMean, variance: c.adjustedVariance }, { n: v.n, mean: v.adjustedMean, variance: v.adjustedVariance }, options);
  return { theta, control: c, variant: v, varianceReduction: before > 0 && Number.isFinite(before) ? 1 - after / before : null, test };
}
