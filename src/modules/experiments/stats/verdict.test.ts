import { describe, expect, it } from 'vitest';
import { reference } from '../../../../tests/fixtures/experiments/reference.ts';
import { momentsOf } from './means.ts';
import { sampleRatioCheck } from './srm.ts';
import { compareArms, compareExperiment, type ArmFigures } from './verdict.ts';
import { formatP } from './verdict-words.ts';

/** An arm messaged in full: a quarter opened, a fifth of those clicked; revenue as given (or none). */
function arm(key: string, recipients: number, converted: number, revenue = { n: recipients, sum: 0, sumSquares: 0 }): ArmFigures {
  return { key, recipients, delivered: recipients, opened: Math.round(recipients / 4), clicked: Math.round(recipients / 20), converted, revenue };
}

const srm5248 = sampleRatioCheck([
  { key: 'A', observed: 52_000, weight: 5_000 },
  { key: 'B', observed: 48_000, weight: 5_000 },
]);

describe('the verdict in words', () => {
  it('names the variant the winner on a significant rise, in English and Russian', () => {
    const { verdict, metrics } = compareArms(arm('A', 10_000, 310), arm('B', 10_000, 390));
    expect(verdict).toMatchObject({ outcome: 'variant-wins', winner: 'B', metric: 'conversion' });
    expect(verdict.en).toBe('Variant B raised conversion from 3.1 % to 3.9 % (+0.8 points, 95 % CI +0.3 to +1.3; p = 0.002): B wins.');
    expect(verdict.ru).toBe('Вариант B повысил конверсию с 3,1 % до 3,9 % (+0,8 п. п., 95 % ДИ от +0,3 до +1,3; p = 0,002): B побеждает.');
    expect(metrics.conversion).toMatchObject({ significant: true, method: 'z-test' });
  });

  it('names the control the winner on a significant fall', () => {
    const { verdict } = compareArms({ ...arm('A', 10_000, 390), label: 'Control' }, arm('B', 10_000, 310));
    expect(verdict).toMatchObject({ outcome: 'control-wins', winner: 'A' });
    expect(verdict.en).toBe('Variant B lowered conversion from 3.9 % to 3.1 % (\u22120.8 points, 95 % CI \u22121.3 to \u22120.3; p = 0.002): Control wins.');
    expect(verdict.ru).toBe('Вариант B снизил конверсию с 3,9 % до 3,1 % (\u22120,8 п. п., 95 % ДИ от \u22121,3 до \u22120,3; p = 0,002): Control побеждает.');
  });

  it('declares nobody on a difference that is not significant', () => {
    const { verdict, metrics } = compareArms(arm('A', 10_000, 310), arm('B', 10_000, 325));
    expect(metrics.conversion.significant).toBe(false);
    expect(verdict).toMatchObject({ outcome: 'no-difference', winner: null });
    expect(verdict.en).toBe('No significant difference in conversion (p = 0.55); keep testing or stop: neither wins.');
    expect(verdict.ru).toBe('Значимой разницы в конверсии нет (p = 0,55); продолжайте тест или остановите его: победителя нет.');
  });

  it('lets a sample ratio mismatch override a win', () => {
    const { verdict, metrics } = compareArms(arm('A', 10_000, 310), arm('B', 10_000, 390), { srm: srm5248 });
    expect(metrics.conversion.significant).toBe(true);
    expect(verdict).toMatchObject({ outcome: 'sample-ratio-mismatch', winner: null });
    expect(verdict.en).toBe('Sample ratio mismatch (p < 0.001): the split is broken; do not trust this result.');
    expect(verdict.ru).toBe('Нарушено соотношение групп (p < 0,001): разбиение сломано; не доверяйте этому результату.');
  });

  it('says when there is not enough data', () => {
    const { verdict } = compareArms(arm('A', 0, 0), arm('B', 10_000, 390));
    expect(verdict).toMatchObject({ outcome: 'not-enough-data', winner: null, en: 'Not enough data to compare conversion yet: neither wins.' });
  });

  it('decides on revenue per recipient when asked, in major units with the currency', () => {
    const p = reference.planted;
    const { verdict } = compareArms(p.control, p.variant, { primary: 'revenuePerRecipient', money: { currency: 'RUB' } });
    expect(verdict.outcome).toBe('variant-wins');
    expect(verdict.en).toMatch(/^Variant B raised revenue per recipient from 1\.25 RUB to 1\.59 RUB \(\+0\.34 RUB, 95 % CI \+0\.22 to \+0\.46; p < 0\.001\): B wins\.$/);
    expect(verdict.ru).toMatch(/^Вариант B повысил выручку на получателя с 1,25 RUB до 1,59 RUB/);
  });

  it('writes the level of the interval from α', () => {
    const { verdict } = compareArms(arm('A', 10_000, 310), arm('B', 10_000, 390), { alpha: 0.1 });
    expect(verdict.en).toContain('90 % CI');
  });

  it.each([
    [0.41, 0.05, 'p = 0.41'],
    [0.008, 0.05, 'p = 0.008'],
    [0.0004, 0.05, 'p < 0.001'],
    [0.0496, 0.05, 'p = 0.0496'],
    [0.0504, 0.05, 'p = 0.050'],
  ])('shows p = %d (α = %d) as "%s"', (p, alpha, text) => expect(formatP(p, alpha, 'en')).toBe(text));
});

describe('the report on a fixture with a planted effect (4 % against 5 %, 40,000 an arm)', () => {
  const p = reference.planted;
  const report = compareArms(p.control, p.variant);

  it('names the variant the winner, with an uplift of 1 point inside its interval', () => {
    expect(report.verdict).toMatchObject({ outcome: 'variant-wins', winner: 'B' });
    const conversion = report.metrics.conversion;
    expect(conversion.estimate).toBeCloseTo(p.truth.difference, 12);
    expect(conversion.ci!.lower).toBeLessThan(p.truth.difference);
    expect(conversion.ci!.upper).toBeGreaterThan(p.truth.difference);
    expect(conversion.relative).toBeCloseTo(0.25, 12);
    expect(report.verdict.en).toBe('Variant B raised conversion from 4.0 % to 5.0 % (+1.0 points, 95 % CI +0.7 to +1.3; p < 0.001): B wins.');
  });

  it('puts the true revenue per recipient difference and incremental revenue inside their intervals', () => {
    const revenue = report.metrics.revenuePerRecipient;
    expect(revenue.ci!.lower).toBeLessThan(p.truth.revenuePerRecipientDifference);
    expect(revenue.ci!.upper).toBeGreaterThan(p.truth.revenuePerRecipientDifference);
    const incremental = report.incrementalRevenue;
    expect(incremental.estimate).toBeCloseTo(revenue.estimate! * p.variant.recipients, 6);
    expect(incremental.ci!.lower).toBeLessThan(p.truth.incrementalRevenue);
    expect(incremental.ci!.upper).toBeGreaterThan(p.truth.incrementalRevenue);
    expect(incremental.method).toBe('welch');
  });

  it('compares engagement between two messaged arms and finds no difference there', () => {
    for (const metric of ['deliveryRate', 'openRate', 'clickRate'] as const) {
      expect(report.metrics[metric].reason).toBeNull();
      expect(report.metrics[metric].pValue).toBeGreaterThan(0.05);
    }
  });
});

describe('against a holdout', () => {
  const holdout: ArmFigures = { key: 'holdout', label: 'Control', recipients: 4_000, delivered: 0, opened: 0, clicked: 0, converted: 120, revenue: { n: 4_000, sum: 0, sumSquares: 0 } };

  it('does not compare delivery, opens and clicks with an arm sent nothing', () => {
    const report = compareArms(holdout, arm('A', 36_000, 1_300));
    for (const metric of ['deliveryRate', 'openRate', 'clickRate'] as const) expect(report.metrics[metric]).toMatchObject({ estimate: null, pValue: null, significant: false, reason: 'control-not-messaged' });
    expect(report.control).toMatchObject({ deliveryRate: 0, conversionRate: 0.03 });
    expect(report.variant.conversionRate).toBeCloseTo(1_300 / 36_000, 15);
  });

  it('refuses revenue figures that are not per recipient', () => {
    expect(() => compareArms(holdout, { ...arm('A', 100, 3), revenue: { n: 3, sum: 900, sumSquares: 300_000 } })).toThrow(/per recipient/);
  });
});

describe('revenue per recipient: CUPED and the bootstrap in the report', () => {
  it('uses CUPED when both arms bring pre-period sums, for the estimate and the incremental revenue', () => {
    const c = reference.cuped[1]!;
    const figures = (key: string, m: typeof c.control): ArmFigures => ({ ...arm(key, m.n, 0), revenue: { n: m.n, sum: m.sumY, sumSquares: m.sumYY }, cuped: m });
    const report = compareArms(figures('A', c.control), figures('B', c.variant), { primary: 'revenuePerRecipient' });
    const revenue = report.metrics.revenuePerRecipient;
    expect(revenue.method).toBe('cuped');
    expect(revenue.estimate).toBeCloseTo(c.expected.difference, 6);
    expect(revenue.control).toBeCloseTo(c.expected.control.adjustedMean, 6);
    expect(revenue.variant! - revenue.control!).toBeCloseTo(revenue.estimate!, 9);
    expect(report.variant.revenuePerRecipient).toBeCloseTo(c.expected.variant.mean, 9);
    expect(revenue.pValue).toBeCloseTo(c.expected.pValue, 6);
    expect(report.incrementalRevenue).toMatchObject({ method: 'cuped' });
    expect(report.incrementalRevenue.estimate).toBeCloseTo(c.expected.difference * c.variant.n, 3);
    expect(report.verdict.outcome).toBe('variant-wins');
  });

  it('adds the bootstrap interval when both arms bring their rows and a seed is given', () => {
    const b = reference.bootstrap[0]!;
    const figures = (key: string, rows: number[]): ArmFigures => ({ ...arm(key, rows.length, rows.filter((v) => v > 0).length), revenue: momentsOf(rows), revenueValues: rows });
    const report = compareArms(figures('A', b.controlValues), figures('B', b.variantValues), { bootstrap: { seed: 99, resamples: 1_000 } });
    const revenue = report.metrics.revenuePerRecipient;
    expect(revenue.bootstrapCi).not.toBeNull();
    expect(revenue.bootstrapCi!.lower).toBeLessThan(revenue.estimate!);
    expect(revenue.bootstrapCi!.upper).toBeGreaterThan(revenue.estimate!);
    expect(compareArms(figures('A', b.controlValues), figures('B', b.variantValues)).metrics.revenuePerRecipient.bootstrapCi).toBeNull();
  });
});

describe('compareExperiment: A/B/n with a holdout', () => {
  const weights = { holdout: 1_000, A: 4_500, B: 4_500 };

  it('compares every variant with the control and shares one SRM check', () => {
    const report = compareExperiment([arm('holdout', 10_050, 300), arm('A', 44_900, 1_580), arm('B', 45_050, 1_390)], { controlKey: 'holdout', weights });
    expect(report.srm.flagged).toBe(false);
    expect(report.comparisons.map((c) => [c.variant.key, c.verdict.outcome])).toEqual([
      ['A', 'variant-wins'],
      ['B', 'no-difference'],
    ]);
    expect(report.comparisons.every((c) => c.srm === report.srm)).toBe(true);
  });

  it('overrides every win when the split is broken', () => {
    const report = compareExperiment([arm('holdout', 9_000, 270), arm('A', 45_500, 1_600), arm('B', 45_500, 1_400)], { controlKey: 'holdout', weights });
    expect(report.srm.flagged).toBe(true);
    expect(report.comparisons.every((c) => c.verdict.outcome === 'sample-ratio-mismatch')).toBe(true);
  });

  it('divides α by the number of variants under Bonferroni', () => {
    const report = compareExperiment([arm('holdout', 10_000, 300), arm('A', 45_000, 1_700), arm('B', 45_000, 1_350)], { controlKey: 'holdout', weights, correction: 'bonferroni' });
    expect(report.alpha).toBeCloseTo(0.025, 15);
    expect(report.comparisons[0]!.verdict.outcome).toBe('variant-wins');
    expect(report.comparisons[0]!.verdict.en).toContain('97.5 % CI');
  });

  it('refuses an unknown control or an arm without a weight', () => {
    expect(() => compareExperiment([arm('A', 10, 1)], { controlKey: 'holdout', weights })).toThrow(/No arm holdout/);
    expect(() => compareExperiment([arm('holdout', 10, 1), arm('C', 10, 1)], { controlKey: 'holdout', weights })).toThrow(/No weight for arm C/);
  });
});
