import { cupedTest, type CupedMoments } from './cuped.ts';
import type { Interval } from './distributions.ts';
import { bootstrapDiffInterval, welchTest, type MeanNullReason, type SampleMoments } from './means.ts';
import { twoProportionTest, type ProportionNullReason } from './proportions.ts';
import { sampleRatioCheck, type SrmCheck } from './srm.ts';
import { verdictSentence, type MoneyFormat, type VerdictFacts, type VerdictMetric } from './verdict-words.ts';

/**
 * One arm against another (a variant against the holdout, the campaign against the global
 * control, B against A), every figure counted per recipient: everyone assigned to the arm, so
 * the holdout, which is sent nothing, is compared on the same footing (intention to treat).
 * A winner is declared only on a significant difference in the primary metric, and never when
 * the split itself is broken (SRM).
 */

export type ArmFigures = {
  key: string;
  /** How the verdict names the arm ("B", "Control"); the key if absent. */
  label?: string;
  recipients: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
  /** Revenue per recipient in minor units, over all recipients (0 for those who bought nothing): n = recipients. */
  revenue: SampleMoments;
  /** The same revenue row by row, for the bootstrap interval; optional (it means loading the rows). */
  revenueValues?: readonly number[];
  /** Pre-period spend X and this revenue Y per recipient, for CUPED; used when both arms have it. */
  cuped?: CupedMoments;
};

export type CompareOptions = {
  alpha?: number;
  /** The metric that decides the winner. */
  primary?: VerdictMetric;
  /** The SRM check over all the experiment's arms (compareExperiment makes it). */
  srm?: SrmCheck | null;
  /** Seeds the bootstrap interval of revenue per recipient, when both arms have revenueValues. */
  bootstrap?: { resamples?: number; seed: number };
  money?: Partial<MoneyFormat>;
};

export type MetricNullReason = ProportionNullReason | MeanNullReason | 'control-not-messaged';

export type MetricComparison = {
  /** The control's rate or mean (revenue: CUPED-adjusted when CUPED ran; the arm summaries keep the plain ones). */
  control: number | null;
  variant: number | null;
  /** variant − control: a fraction for rates (0.008 = 0.8 points), minor units for revenue. */
  estimate: number | null;
  ci: Interval | null;
  /** variant ÷ control − 1, where the control is not 0. */
  relative: number | null;
  pValue: number | null;
  /** pValue < α. */
  significant: boolean;
  method: 'z-test' | 'welch' | 'cuped';
  reason: MetricNullReason | null;
};

/** bootstrapCi: the percentile interval on the plain rows (not CUPED-adjusted), when they were given; standardError: the estimate's. */
export type RevenueComparison = MetricComparison & { bootstrapCi: Interval | null; standardError: number | null };

export type ArmSummary = {
  key: string;
  label: string;
  recipients: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
  /** Each per recipient; null for an arm with none. */
  deliveryRate: number | null;
  openRate: number | null;
  clickRate: number | null;
  conversionRate: number | null;
  revenuePerRecipient: number | null;
};

export type VerdictOutcome = 'variant-wins' | 'control-wins' | 'no-difference' | 'not-enough-data' | 'sample-ratio-mismatch';

export type Comparison = {
  control: ArmSummary;
  variant: ArmSummary;
  alpha: number;
  metrics: {
    conversion: MetricComparison;
    revenuePerRecipient: RevenueComparison;
    /** Null-valued with 'control-not-messaged' when the control was sent nothing (a holdout). */
    deliveryRate: MetricComparison;
    openRate: MetricComparison;
    clickRate: MetricComparison;
  };
  /** (revenue per recipient of variant − of control) × variant recipients, minor units; CUPED's estimate when it ran (standardError: its, for adding experiments up). */
  incrementalRevenue: { estimate: number | null; ci: Interval | null; standardError: number | null; method: 'welch' | 'cuped' };
  srm: SrmCheck | null;
  verdict: { outcome: VerdictOutcome; winner: string | null; metric: VerdictMetric; en: string; ru: string };
};

const rate = (count: number, n: number): number | null => (n > 0 ? count / n : null);

function summarize(arm: ArmFigures): ArmSummary {
  const n = arm.recipients;
  if (arm.revenue.n !== n) throw new RangeError(`Arm ${arm.key}: revenue.n (${arm.revenue.n}) must equal recipients (${n}): revenue is per recipient, 0 for non-buyers`);
  return {
    key: arm.key,
    label: arm.label ?? arm.key,
    recipients: n,
    delivered: arm.delivered,
    opened: arm.opened,
    clicked: arm.clicked,
    converted: arm.converted,
    deliveryRate: rate(arm.delivered, n),
    openRate: rate(arm.opened, n),
    clickRate: rate(arm.clicked, n),
    conversionRate: rate(arm.converted, n),
    revenuePerRecipient: rate(arm.revenue.sum, n),
  };
}

function rateComparison(control: ArmFigures, variant: ArmFigures, field: 'delivered' | 'opened' | 'clicked' | 'converted', alpha: number): MetricComparison {
  const test = twoProportionTest({ n: control.recipients, successes: control[field] }, { n: variant.recipients, successes: variant[field] }, { alpha });
  return {
    control: test.controlRate,
    variant: test.variantRate,
    estimate: test.difference,
    ci: test.differenceCi,
    relative: test.relative,
    pValue: test.pValue,
    significant: test.pValue !== null && test.pValue < alpha,
    method: 'z-test',
    reason: test.reason,
  };
}

/** A holdout is sent nothing: its delivery, opens and clicks are 0 by design, not a result. */
function engagementComparison(control: ArmFigures, variant: ArmFigures, field: 'delivered' | 'opened' | 'clicked', alpha: number): MetricComparison {
  if (control.delivered > 0) return rateComparison(control, variant, field, alpha);
  return {
    control: rate(control[field], control.recipients),
    variant: rate(variant[field], variant.recipients),
    estimate: null,
    ci: null,
    relative: null,
    pValue: null,
    significant: false,
    method: 'z-test',
    reason: 'control-not-messaged',
  };
}

function revenueComparison(control: ArmFigures, variant: ArmFigures, options: CompareOptions, alpha: number): RevenueComparison {
  const bootstrapCi =
    options.bootstrap && control.revenueValues && variant.revenueValues
      ? bootstrapDiffInterval(control.revenueValues, variant.revenueValues, { ...options.bootstrap, alpha })
      : null;
  const bootstrap = bootstrapCi && { lower: bootstrapCi.lower, upper: bootstrapCi.upper };
  const cuped = control.cuped && variant.cuped && control.recipients > 0 && variant.recipients > 0 ? cupedTest(control.cuped, variant.cuped, { alpha }) : null;
  const test = cuped ? cuped.test : welchTest(control.revenue, variant.revenue, { alpha });
  // With CUPED the arms' means shown are the adjusted ones, so that variant − control is the estimate.
  const controlMean = cuped ? cuped.control.adjustedMean : rate(control.revenue.sum, control.recipients);
  const variantMean = cuped ? cuped.variant.adjustedMean : rate(variant.revenue.sum, variant.recipients);
  return {
    control: controlMean,
    variant: variantMean,
    estimate: test.difference,
    ci: test.differenceCi,
    relative: controlMean && test.difference !== null ? test.difference / controlMean : null,
    pValue: test.pValue,
    significant: test.pValue !== null && test.pValue < alpha,
    method: cuped ? 'cuped' : 'welch',
    reason: test.reason,
    bootstrapCi: bootstrap,
    standardError: test.standardError,
  };
}

function decide(
  control: ArmSummary,
  variant: ArmSummary,
  metric: VerdictMetric,
  m: MetricComparison,
  srm: SrmCheck | null,
  alpha: number,
  money: MoneyFormat,
): { outcome: VerdictOutcome; winner: string | null; facts: VerdictFacts } {
  if (srm?.flagged) return { outcome: 'sample-ratio-mismatch', winner: null, facts: { kind: 'srm', pValue: srm.pValue, threshold: srm.threshold } };
  if (m.pValue === null || m.estimate === null || m.control === null || m.variant === null) return { outcome: 'not-enough-data', winner: null, facts: { kind: 'not-enough-data', metric } };
  // Significance is the p-value's; the z-test's interval uses the unpooled error, so at the edge
  // (p just under α) it can touch 0 while the test says significant: the words then show both.
  if (!m.significant || m.ci === null || m.estimate === 0) return { outcome: 'no-difference', winner: null, facts: { kind: 'no-difference', metric, pValue: m.pValue, alpha } };
  const variantWins = m.estimate > 0;
  const winner = variantWins ? variant : control;
  return {
    outcome: variantWins ? 'variant-wins' : 'control-wins',
    winner: winner.key,
    facts: { kind: 'difference', metric, variantLabel: variant.label, winnerLabel: winner.label, control: m.control, variant: m.variant, estimate: m.estimate, ci: m.ci, pValue: m.pValue, alpha, money },
  };
}

export function compareArms(control: ArmFigures, variant: ArmFigures, options: CompareOptions = {}): Comparison {
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError('alpha must be between 0 and 1');
  const primary = options.primary ?? 'conversion';
  const money: MoneyFormat = { minorPerMajor: options.money?.minorPerMajor ?? 100, currency: options.money?.currency ?? null };
  const c = summarize(control);
  const v = summarize(variant);
  const srm = options.srm ?? null;
  const metrics = {
    conversion: rateComparison(control, variant, 'converted', alpha),
    revenuePerRecipient: revenueComparison(control, variant, options, alpha),
    deliveryRate: engagementComparison(control, variant, 'delivered', alpha),
    openRate: engagementComparison(control, variant, 'opened', alpha),
    clickRate: engagementComparison(control, variant, 'clicked', alpha),
  };
  const revenue = metrics.revenuePerRecipient;
  const incrementalRevenue = {
    estimate: revenue.estimate === null ? null : revenue.estimate * variant.recipients,
    ci: revenue.ci && { lower: revenue.ci.lower * variant.recipients, upper: revenue.ci.upper * variant.recipients },
    standardError: revenue.standardError === null ? null : revenue.standardError * variant.recipients,
    method: revenue.method === 'cuped' ? ('cuped' as const) : ('welch' as const),
  };
  const decision = decide(c, v, primary, metrics[primary], srm, alpha, money);
  return {
    control: c,
    variant: v,
    alpha,
    metrics,
    incrementalRevenue,
    srm,
    verdict: { outcome: decision.outcome, winner: decision.winner, metric: primary, en: verdictSentence(decision.facts, 'en'), ru: verdictSentence(decision.facts, 'ru') },
  };
}

export type ExperimentOptions = Omit<CompareOptions, 'srm'> & {
  /** The arm the others are compared with (the holdout, or A). */
  controlKey: string;
  /** The weights the arms were assigned with (basis points), for the SRM check. */
  weights: Record<string, number>;
  /**
   * 'bonferroni' divides α by the number of variants, so that an A/B/n test with many arms does
   * not find a winner by having many chances; 'none' (the default) tests each pair at α.
   */
  correction?: 'none' | 'bonferroni';
};

export type ExperimentReport = { srm: SrmCheck; alpha: number; comparisons: Comparison[] };

/** Every variant against the control, with the SRM check over all the arms shared by each comparison. */
export function compareExperiment(arms: readonly ArmFigures[], options: ExperimentOptions): ExperimentReport {
  const control = arms.find((a) => a.key === options.controlKey);
  if (!control) throw new RangeError(`No arm ${options.controlKey} to compare with`);
  const srm = sampleRatioCheck(
    arms.map((a) => {
      const weight = options.weights[a.key];
      if (weight === undefined) throw new RangeError(`No weight for arm ${a.key}`);
      return { key: a.key, observed: a.recipients, weight };
    }),
  );
  const variants = arms.filter((a) => a !== control);
  const alpha = (options.alpha ?? 0.05) / (options.correction === 'bonferroni' ? Math.max(1, variants.length) : 1);
  return { srm, alpha, comparisons: variants.map((v) => compareArms(control, v, { ...options, alpha, srm })) };
}
