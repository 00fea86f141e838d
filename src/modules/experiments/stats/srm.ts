import { chiSquareUpperTail } from './distributions.ts';

/**
 * The sample-ratio-mismatch check: do the arms' recipient counts fit the weights they were
 * assigned with? χ² goodness of fit, Σ (observed − expected)² / expected, with (arms − 1) degrees
 * of freedom. A mismatch means assignment or delivery lost customers unevenly (a bot filter, a
 * crash in one arm, a send limit), and then no comparison between the arms can be trusted.
 * Flagged at p < 0.001, not 0.05: the check runs on every report, and large counts make tiny,
 * harmless imbalances significant at the usual level.
 */

export const SRM_THRESHOLD = 0.001;

/** An arm's observed count and its assigned weight (any positive scale: basis points, shares). */
export type SrmArm = { key: string; observed: number; weight: number };

export type SrmNullReason = 'no-recipients' | 'single-arm';

export type SrmCheck = {
  arms: { key: string; observed: number; expected: number; observedShare: number | null; expectedShare: number }[];
  chiSquare: number | null;
  df: number;
  pValue: number | null;
  flagged: boolean;
  /** flagged means pValue < threshold. */
  threshold: number;
  reason: SrmNullReason | null;
};

export function sampleRatioCheck(arms: readonly SrmArm[], options: { threshold?: number } = {}): SrmCheck {
  const threshold = options.threshold ?? SRM_THRESHOLD;
  for (const arm of arms) {
    if (!Number.isInteger(arm.observed) || arm.observed < 0) throw new RangeError(`Arm ${arm.key}: observed must be a non-negative integer`);
    if (!(arm.weight >= 0) || !Number.isFinite(arm.weight)) throw new RangeError(`Arm ${arm.key}: weight must be a non-negative number`);
  }
  const total = arms.reduce((s, a) => s + a.observed, 0);
  const totalWeight = arms.reduce((s, a) => s + a.weight, 0);
  if (!(totalWeight > 0)) throw new RangeError('At least one arm needs a positive weight');
  const rows = arms.map((a) => ({
    key: a.key,
    observed: a.observed,
    expected: (total * a.weight) / totalWeight,
    observedShare: total > 0 ? a.observed / total : null,
    expectedShare: a.weight / totalWeight,
  }));
  // Arms of weight 0 are not part of the split; a customer in one is a mismatch by itself.
  const weighted = rows.filter((r) => r.expectedShare > 0);
  const df = Math.max(0, weighted.length - 1);
  if (total === 0) return { arms: rows, chiSquare: null, df, pValue: null, flagged: false, threshold, reason: 'no-recipients' };
  if (rows.some((r) => r.expectedShare === 0 && r.observed > 0)) return { arms: rows, chiSquare: null, df, pValue: 0, flagged: true, threshold, reason: null };
  if (weighted.length < 2) return { arms: rows, chiSquare: null, df, pValue: null, flagged: false, threshold, reason: 'single-arm' };
  const chiSquare = weighted.reduce((s, r) => s + (r.observed - r.expected) ** 2 / r.expected, 0);
  const pValue = chiSquareUpperTail(chiSquare, df);
  return { arms: rows, chiSquare, df, pValue, flagged: pValue < threshold, threshold, reason: null };
}
