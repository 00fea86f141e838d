import type { UpliftExperiment } from './sources.ts';

/**
 * The program's ROI measured against control groups (docs/analytics.md, "ROI"):
 *
 *   incremental revenue = Σ over the experiments of (revenue per customer of the treated −
 *                         of the control) × the treated
 *   ROI                 = (incremental revenue − program cost) ÷ program cost
 *
 * with the program cost the period's cash cost (points redeemed × point value + discounts).
 * Only what a control group measured counts as incremental, and the whole program's cost is set
 * against it: a lower bound, never a figure flattered by revenue the program did not cause. The
 * interval adds the experiments' variances (as independent) and moves through the formula
 * (the cost is a fixed figure). The rewards the experiments themselves gave (points their
 * journeys awarded the treated) are priced apart, with the return on them alone.
 */
export type Roi = {
  incrementalRevenueMinor: number;
  /** 95 %, from the experiments' standard errors added in quadrature. */
  incrementalRevenueCi: { lowerMinor: number; upperMinor: number } | null;
  costMinor: number;
  costBasis: 'program-cash-cost';
  value: number;
  ci: { lower: number; upper: number } | null;
  attributedRewardsMinor: number;
  /** (incremental revenue − attributed rewards) ÷ attributed rewards; null when they gave none. */
  returnOnAttributedRewards: number | null;
  /** Whether every experiment's attribution window has ended (the figures may still grow). */
  complete: boolean;
  experiments: Array<{ kind: string; id: string; name: string; treated: number; control: number; incrementalRevenueMinor: number | null; ciMinor: { lower: number; upper: number } | null }>;
};

const Z95 = 1.959963984540054;
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function roiOf(experiments: readonly UpliftExperiment[], costMinor: number, pointValueMinor: number): { roi: Roi | null; roiReason: string | null } {
  if (experiments.length === 0) {
    return { roi: null, roiReason: 'No campaign or journey with a control group had its attribution start in the period, so no incremental revenue was measured' };
  }
  const measured = experiments.filter((e) => e.incrementalRevenueMinor !== null);
  if (measured.length === 0) {
    return { roi: null, roiReason: `The ${experiments.length} experiment(s) with a control group in the period have too few customers, or purchases too alike, to measure incremental revenue` };
  }
  if (costMinor <= 0) return { roi: null, roiReason: 'The program cost nothing in the period (no points redeemed, no discounts): there is no cost to return on' };
  const incremental = measured.reduce((sum, e) => sum + e.incrementalRevenueMinor!, 0);
  const withError = measured.every((e) => e.standardError !== null);
  const se = withError ? Math.sqrt(measured.reduce((sum, e) => sum + e.standardError! ** 2, 0)) : null;
  const ci = se === null ? null : { lowerMinor: Math.round(incremental - Z95 * se), upperMinor: Math.round(incremental + Z95 * se) };
  const attributed = measured.reduce((sum, e) => sum + e.rewardPoints, 0) * pointValueMinor;
  return {
    roi: {
      incrementalRevenueMinor: incremental,
      incrementalRevenueCi: ci,
      costMinor,
      costBasis: 'program-cash-cost',
      value: round4((incremental - costMinor) / costMinor),
      ci: ci && { lower: round4((ci.lowerMinor - costMinor) / costMinor), upper: round4((ci.upperMinor - costMinor) / costMinor) },
      attributedRewardsMinor: attributed,
      returnOnAttributedRewards: attributed > 0 ? round4((incremental - attributed) / attributed) : null,
      complete: experiments.every((e) => e.complete),
      experiments: experiments.map((e) => ({
        kind: e.kind, id: e.id, name: e.name, treated: e.treated, control: e.control, incrementalRevenueMinor: e.incrementalRevenueMinor,
        ciMinor: e.ci && { lower: Math.round(e.ci.lower), upper: Math.round(e.ci.upper) },
      })),
    },
    roiReason: null,
  };
}
