import normalQuantileStdlib from '@stdlib/stats-base-dists-normal-quantile';
import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';

/**
 * The survey reports' statistics, as plain functions of counts (checked against independently
 * computed values in stats.test.ts). Every interval is 95 %, two-sided.
 */
export type Interval = { lower: number; upper: number };

/** z with P(Z ≤ z) = 0.975: 1.959963984540054. */
export const Z95 = normalQuantileStdlib(0.975, 0, 1);

export type NpsStats = { n: number; promoterShare: number; passiveShare: number; detractorShare: number; nps: number; marginOfError: number; interval: Interval };

/**
 * NPS = %promoters − %detractors. Each respondent scores +1 (promoter), 0 (passive) or −1
 * (detractor); NPS/100 is the mean of those, whose variance is pP + pD − (pP − pD)², so the
 * standard error is sqrt((pP + pD − (pP − pD)²)/n) and the margin z·SE, in NPS points.
 */
export function npsStats(promoters: number, passives: number, detractors: number): NpsStats | null {
  const n = promoters + passives + detractors;
  if (n === 0) return null;
  const pP = promoters / n;
  const pD = detractors / n;
  const nps = 100 * (pP - pD);
  const marginOfError = 100 * Z95 * Math.sqrt(Math.max(0, pP + pD - (pP - pD) ** 2) / n);
  return { n, promoterShare: pP, passiveShare: passives / n, detractorShare: pD, nps, marginOfError, interval: { lower: nps - marginOfError, upper: nps + marginOfError } };
}

/** Wilson score interval of a share: better than p ± z·sqrt(p(1 − p)/n) near 0 and 1 and for small n. */
export function wilsonInterval(successes: number, n: number): Interval | null {
  if (n === 0) return null;
  const p = successes / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** The normal-approximation margin of a share: z·sqrt(p(1 − p)/n). */
export function shareMargin(successes: number, n: number): number | null {
  if (n === 0) return null;
  const p = successes / n;
  return Z95 * Math.sqrt((p * (1 - p)) / n);
}

/**
 * Mean with a Student t interval from the count, sum and sum of squares: mean ± t(0.975, n − 1)·s/√n
 * with s the sample standard deviation. No interval below two values.
 */
export function meanInterval(n: number, sum: number, sumOfSquares: number): { mean: number | null; interval: Interval | null } {
  if (n === 0) return { mean: null, interval: null };
  const mean = sum / n;
  if (n < 2) return { mean, interval: null };
  const variance = Math.max(0, (sumOfSquares - n * mean * mean) / (n - 1));
  const half = tQuantileStdlib(0.975, n - 1) * Math.sqrt(variance / n);
  return { mean, interval: { lower: mean - half, upper: mean + half } };
}

/** meanInterval of a list of values. */
export function meanIntervalOf(values: number[]): { mean: number | null; interval: Interval | null } {
  return meanInterval(values.length, values.reduce((a, b) => a + b, 0), values.reduce((a, b) => a + b * b, 0));
}
