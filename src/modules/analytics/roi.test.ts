import { describe, expect, it } from 'vitest';
import { roiOf } from './roi.ts';
import type { UpliftExperiment } from './sources.ts';

const experiment = (over: Partial<UpliftExperiment>): UpliftExperiment => ({
  kind: 'campaign', id: 'cmp_1', name: 'Spring', treated: 900, control: 100, incrementalRevenueMinor: 300_000, ci: { lower: 100_000, upper: 500_000 }, standardError: 100_000, rewardPoints: 0, complete: true, ...over,
});

describe('roiOf: ROI measured against control groups', () => {
  it.each([
    ['nothing measured', [], 100_000, { roi: null, roiReason: 'No campaign or journey with a control group had its attribution start in the period, so no incremental revenue was measured' }],
    ['too few to measure', [experiment({ incrementalRevenueMinor: null, standardError: null, ci: null })], 100_000, { roi: null, roiReason: 'The 1 experiment(s) with a control group in the period have too few customers, or purchases too alike, to measure incremental revenue' }],
    ['no cost', [experiment({})], 0, { roi: null, roiReason: 'The program cost nothing in the period (no points redeemed, no discounts): there is no cost to return on' }],
  ] as const)('%s: null, with the reason', (_name, experiments, cost, expected) => {
    expect(roiOf(experiments, cost, 100)).toEqual(expected);
  });

  it('adds the experiments up, their errors in quadrature, and sets the program cost against them', () => {
    const { roi } = roiOf([experiment({}), experiment({ kind: 'journey', id: 'jrn_1', incrementalRevenueMinor: 100_000, standardError: 100_000, rewardPoints: 500, complete: false })], 200_000, 100);
    const se = Math.sqrt(2) * 100_000;
    expect(roi).toMatchObject({
      incrementalRevenueMinor: 400_000,
      incrementalRevenueCi: { lowerMinor: Math.round(400_000 - 1.959963984540054 * se), upperMinor: Math.round(400_000 + 1.959963984540054 * se) },
      costMinor: 200_000,
      value: 1,
      attributedRewardsMinor: 50_000,
      returnOnAttributedRewards: 7,
      complete: false,
    });
    expect(roi!.ci!.lower).toBeCloseTo((400_000 - 1.959963984540054 * se - 200_000) / 200_000, 3);
  });
});
