// The statistics of A/B/n tests and control groups: pure functions, no database. Campaign and
// journey reports aggregate their figures in SQL (counts and sums per arm) and hand them here.
export { assignVariant, BASIS_POINTS, hashUnit, inGlobalControl, type Arm } from './assignment.ts';
export { cupedTest, cupedTheta, type CupedArm, type CupedMoments, type CupedResult } from './cuped.ts';
export type { Interval } from './distributions.ts';
export {
  bootstrapDiffInterval,
  momentsOf,
  summaryOf,
  welchFromSummaries,
  welchTest,
  type BootstrapInterval,
  type BootstrapOptions,
  type MeanNullReason,
  type MeanSummary,
  type SampleMoments,
  type WelchTest,
} from './means.ts';
export { twoProportionTest, type ProportionCounts, type ProportionNullReason, type ProportionTest } from './proportions.ts';
export { sampleRatioCheck, SRM_THRESHOLD, type SrmArm, type SrmCheck, type SrmNullReason } from './srm.ts';
export {
  compareArms,
  compareExperiment,
  type ArmFigures,
  type ArmSummary,
  type CompareOptions,
  type Comparison,
  type ExperimentOptions,
  type ExperimentReport,
  type MetricComparison,
  type MetricNullReason,
  type RevenueComparison,
  type VerdictOutcome,
} from './verdict.ts';
export { formatP, type Language, type MoneyFormat, type VerdictMetric } from './verdict-words.ts';
