import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../platform/seeded-random.ts';
import { compareArms, type ArmFigures, type Comparison } from './verdict.ts';

/**
 * The engine on simulated experiments, seeded so every run sees the same ones. A/A: both arms
 * drawn alike, so a test at α = 0.05 should call 5 % of them significant; planted: a known
 * effect, which the 95 % interval should cover about 95 % of the time.
 */

type Random = () => number;

/** Standard normal by Box–Muller. */
const normal = (random: Random): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** An arm of n recipients converting at `rate`, each buyer's order lognormal (median 2,500 minor units). */
function simulateArm(random: Random, key: string, n: number, rate: number): ArmFigures {
  let converted = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    if (random() >= rate) continue;
    converted++;
    const order = Math.round(2_500 * Math.exp(0.7 * normal(random)));
    sum += order;
    sumSquares += order * order;
  }
  return { key, recipients: n, delivered: n, opened: 0, clicked: 0, converted, revenue: { n, sum, sumSquares } };
}

describe('A/A: 2,000 experiments of 2 × 2,000 users converting at 5 %', () => {
  let reports: Comparison[] = [];
  beforeAll(() => {
    const random = seededRandom(20_261_130);
    reports = Array.from({ length: 2_000 }, () => compareArms(simulateArm(random, 'A', 2_000, 0.05), simulateArm(random, 'B', 2_000, 0.05)));
  });
  const share = (flag: (r: Comparison) => boolean) => reports.filter(flag).length / reports.length;

  it('flags 5 % ± 1.5 % on conversion at α = 0.05 (the z-test)', () => {
    const flagged = share((r) => r.metrics.conversion.pValue! < 0.05);
    expect(flagged).toBeGreaterThanOrEqual(0.035);
    expect(flagged).toBeLessThanOrEqual(0.065);
    // and a winner is named exactly when the difference is significant
    expect(share((r) => r.verdict.winner !== null)).toBe(flagged);
  });

  it('flags 5 % ± 1.5 % on revenue per recipient at α = 0.05 (Welch, on zero-heavy revenue)', () => {
    const flagged = share((r) => r.metrics.revenuePerRecipient.pValue! < 0.05);
    expect(flagged).toBeGreaterThanOrEqual(0.035);
    expect(flagged).toBeLessThanOrEqual(0.065);
  });
});

describe('planted: 400 experiments of 2 × 20,000 users, 4 % against 5 %', () => {
  let reports: Comparison[] = [];
  beforeAll(() => {
    const random = seededRandom(405);
    reports = Array.from({ length: 400 }, () => compareArms(simulateArm(random, 'A', 20_000, 0.04), simulateArm(random, 'B', 20_000, 0.05)));
  });

  it('covers the true 1 point with its 95 % interval in 95 % ± 3 % of them, centred on it', () => {
    const covered = reports.filter((r) => r.metrics.conversion.ci!.lower <= 0.01 && 0.01 <= r.metrics.conversion.ci!.upper).length / reports.length;
    expect(covered).toBeGreaterThanOrEqual(0.92);
    expect(covered).toBeLessThanOrEqual(0.98);
    const meanEstimate = reports.reduce((s, r) => s + r.metrics.conversion.estimate!, 0) / reports.length;
    expect(Math.abs(meanEstimate - 0.01)).toBeLessThan(0.0003);
  });

  it('names the variant the winner in nearly all of them (power ≈ 0.999 at this size)', () => {
    expect(reports.filter((r) => r.verdict.winner === 'B').length).toBeGreaterThanOrEqual(396);
    expect(reports.some((r) => r.verdict.outcome === 'control-wins')).toBe(false);
  });
});
