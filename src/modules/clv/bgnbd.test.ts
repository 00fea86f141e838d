import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases, expectedPurchasesNew, probabilityAlive } from './bgnbd.ts';

describe('BG/NBD predictions away from CDNOW', () => {
  // Where both are valid (a ≈ 20–40, the Beta narrow enough and ₂F₁ still finite), the integral and the ₂F₁ form agree.
  it.each([
    [{ r: 1.2, alpha: 6, a: 25, b: 80 }, 13, 3, 40, 50],
    [{ r: 0.5, alpha: 3, a: 40, b: 300 }, 30, 0, 0, 10],
    [{ r: 2, alpha: 10, a: 30, b: 30 }, 20, 6, 18, 20],
  ])('%o t=%d x=%d tx=%d T=%d: the quadrature equals the ₂F₁ form', (params, t, x, tx, T) => {
    // The switch is at (a − 1)·(−ln(1 − z)) = 30: evaluate one t each side of it by scaling a slightly.
    const viaHyp = conditionalExpectedPurchases({ ...params }, t, x, tx, T);
    const z = t / (params.alpha + T + t);
    const forced = { ...params, a: Math.max(params.a, 31 / -Math.log1p(-z) + 1) };
    const viaHypForced = conditionalExpectedPurchases({ ...forced, a: forced.a }, t, x, tx, T);
    expect(Number.isFinite(viaHyp)).toBe(true);
    expect(Number.isFinite(viaHypForced)).toBe(true);
    // Continuity across the switch: a hair below and above it give nearly the same value.
    const edge = 30 / -Math.log1p(-z) + 1;
    const below = conditionalExpectedPurchases({ ...params, a: edge * (1 - 1e-9) }, t, x, tx, T);
    const above = conditionalExpectedPurchases({ ...params, a: edge * (1 + 1e-9) }, t, x, tx, T);
    expect(Math.abs(below - above) / below).toBeLessThan(1e-6);
  });

  it('a fit where nobody drops out (a, b in the millions) still predicts finite, sensible purchases', () => {
    const params = { r: 1.36, alpha: 6.5, a: 82_461, b: 3_215_512 };
    const expected = conditionalExpectedPurchases(params, 26, 3, 10, 20);
    // The same integral by Simpson's rule on a fine grid around the Beta's mass (mean 0.025, sd 9e-5).
    const { r, alpha, a, b } = params;
    const x = 3;
    const logDensity = (p: number) => (a - 1) * Math.log(p) + (b + x - 1) * Math.log1p(-p);
    const peak = logDensity(a / (a + b + x));
    let mass = 0;
    let sum = 0;
    const steps = 20_000;
    const [lo, hi] = [0.0235, 0.0265];
    for (let k = 0; k <= steps; k++) {
      const p = lo + ((hi - lo) * k) / steps;
      const w = (k === 0 || k === steps ? 1 : k % 2 === 1 ? 4 : 2) * Math.exp(logDensity(p) - peak);
      mass += w;
      sum += (w * (1 - Math.pow((alpha + 20) / (alpha + 20 + p * 26), r + x))) / p;
    }
    expect(expected / ((sum / mass) * probabilityAlive(params, 3, 10, 20))).toBeCloseTo(1, 8);
    // Nearly a Poisson process at (r+x)/(α+T) a week, less drop-out: below its 26 weeks' worth.
    expect(expected).toBeLessThan((26 * (1.36 + 3)) / (6.5 + 20));
    expect(Number.isFinite(expectedPurchasesNew(params, 52))).toBe(true);
    expect(probabilityAlive(params, 3, 10, 20)).toBeCloseTo(1 / (1 + (82_461 / 3_215_514) * Math.pow(26.5 / 16.5, 4.36)), 10);
  });
});
