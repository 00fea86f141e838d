import chiSquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import normalCdfStdlib from '@stdlib/stats-base-dists-normal-cdf';
import normalQuantileStdlib from '@stdlib/stats-base-dists-normal-quantile';
import tCdfStdlib from '@stdlib/stats-base-dists-t-cdf';
import tQuantileStdlib from '@stdlib/stats-base-dists-t-quantile';

/**
 * The distributions the tests need, from @stdlib (matched against scipy in the fixtures), so no
 * hand-written series decides a p-value. Two-sided p-values take the lower tail at −|statistic|
 * and double it: the lower tail keeps its precision where 1 − cdf would round to 0.
 */

export type Interval = { lower: number; upper: number };

/** Standard normal: P(Z ≤ z). */
export const normalCdf = (z: number): number => normalCdfStdlib(z, 0, 1);

/** Standard normal: the z with P(Z ≤ z) = p. */
export const normalQuantile = (p: number): number => normalQuantileStdlib(p, 0, 1);

/** Two-sided p-value of a standard normal statistic. */
export const normalTwoSidedP = (z: number): number => Math.min(1, 2 * normalCdf(-Math.abs(z)));

/** Two-sided p-value of a Student t statistic with df degrees of freedom (df need not be whole). */
export const tTwoSidedP = (t: number, df: number): number => Math.min(1, 2 * tCdfStdlib(-Math.abs(t), df));

/** Student t: the t with P(T ≤ t) = p. */
export const tQuantile = (p: number, df: number): number => tQuantileStdlib(p, df);

/**
 * Upper tail of χ² with k degrees of freedom. 1 − cdf: exact to about 1e-16 in absolute terms,
 * which is what a threshold like 0.001 needs (far below it the value may read 0).
 */
export const chiSquareUpperTail = (x: number, k: number): number => Math.max(0, 1 - chiSquareCdf(x, k));
