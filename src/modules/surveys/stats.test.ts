import { describe, expect, it } from 'vitest';
import { surveyReference as ref } from '../../../tests/fixtures/surveys/reference.ts';
import { meanInterval, npsStats, shareMargin, wilsonInterval, Z95 } from './stats.ts';

/** Each function against values computed independently with numpy and scipy (tests/fixtures/surveys/make-fixtures.py), to 1e-6. */
const close = (actual: number | null | undefined, expected: number) => expect(Math.abs((actual ?? NaN) - expected)).toBeLessThan(1e-6);

describe('survey statistics against the scipy fixtures', () => {
  it('z is the normal 97.5 % quantile', () => close(Z95, ref.z));

  it.each(ref.nps.map((c) => [`${c.promoters}/${c.passives}/${c.detractors}`, c] as const))('NPS and its margin of error: %s', (_name, c) => {
    const s = npsStats(c.promoters, c.passives, c.detractors)!;
    close(s.nps, c.nps);
    close(s.marginOfError, c.marginOfError);
    close(s.interval.lower, c.nps - c.marginOfError);
    close(s.interval.upper, c.nps + c.marginOfError);
  });

  it('NPS of 50 promoters, 30 passives, 20 detractors is 30 ± 15.31 (by hand: sqrt(0.61/100) · 1.96 · 100)', () => {
    const s = npsStats(50, 30, 20)!;
    expect(s.nps).toBeCloseTo(30, 10);
    close(s.marginOfError, 100 * 1.959963984540054 * Math.sqrt(0.61 / 100));
    expect(npsStats(0, 0, 0)).toBeNull();
  });

  it.each(ref.wilson.map((c) => [`${c.successes} of ${c.n}`, c] as const))('Wilson interval and the share margin: %s', (_name, c) => {
    const w = wilsonInterval(c.successes, c.n)!;
    close(w.lower, c.lower);
    close(w.upper, c.upper);
    close(shareMargin(c.successes, c.n), c.margin);
  });

  it.each(ref.means.map((c) => [c.counts.join(','), c] as const))('mean with a t interval: counts %s', (_name, c) => {
    let n = 0;
    let sum = 0;
    let squares = 0;
    c.counts.forEach((count, i) => {
      const value = c.min + i;
      n += count;
      sum += count * value;
      squares += count * value * value;
    });
    const m = meanInterval(n, sum, squares);
    close(m.mean, c.mean);
    close(m.interval!.lower, c.lower);
    close(m.interval!.upper, c.upper);
  });

  it('gives no interval where there is no spread to measure', () => {
    expect(meanInterval(1, 4, 16)).toEqual({ mean: 4, interval: null });
    expect(meanInterval(0, 0, 0)).toEqual({ mean: null, interval: null });
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
