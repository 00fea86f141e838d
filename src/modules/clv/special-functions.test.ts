import { describe, expect, it } from 'vitest';
import { betaln, expectationBracket, gammaln, gaussLegendre, hyp2f1, logAddExp } from './special-functions.ts';

/** ₂F₁ by its power series, summed until the terms vanish: the reference inside |z| < 1. */
function series(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 1_000_000 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
  }
  return sum;
}

const close = (actual: number, expected: number, relative: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));

describe('ln Γ and ln B', () => {
  it.each([
    [1, 0],
    [2, 0],
    [0.5, Math.log(Math.sqrt(Math.PI))],
    [5, Math.log(24)],
    [10.5, 13.940625219403763],
    [1 / 3, Math.log(2.678938534707747)],
    [100, 359.1342053695754],
  ])('ln Γ(%d) = %d', (x, expected) => close(gammaln(x), expected, 1e-13));

  it.each([
    [1, 1, 0],
    [2, 3, Math.log(1 / 12)],
    [0.5, 0.5, Math.log(Math.PI)],
    [0.793, 2.426, gammaln(0.793) + gammaln(2.426) - gammaln(0.793 + 2.426)],
  ])('ln B(%d, %d) = %d', (a, b, expected) => close(betaln(a, b), expected, 1e-12));

  it('ln(eˣ + eʸ) stays finite where eˣ overflows', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    close(logAddExp(Math.log(2), Math.log(3)), Math.log(5), 1e-15);
  });
});

describe('₂F₁ from @stdlib where BG/NBD uses it', () => {
  it.each([
    // closed forms
    [1, 1, 2, 0.9, -Math.log(0.1) / 0.9],
    [0.5, 1, 1.5, 0.25, Math.atanh(0.5) / 0.5],
    [2, 3, 3, 0.7, Math.pow(0.3, -2)],
  ])('₂F₁(%d, %d; %d; %d) matches its closed form', (a, b, c, z, expected) => close(hyp2f1(a, b, c, z), expected, 1e-13));

  // (r + x, b + x; a + b + x − 1; z) with CDNOW's parameters, z up to 0.95 (t ≫ α + T), x up to 50.
  it.each([
    [0.243, 2.426, 2.219, 0.5],
    [2.243, 4.426, 4.219, 0.47],
    [10.243, 12.426, 12.219, 0.47],
    [20.243, 22.426, 22.219, 0.95],
    [50.243, 52.426, 52.219, 0.9],
    [0.243, 2.426, 2.219, 0.999],
    // the Euler-transformed arguments (a+b−1−r, a−1; a+b+x−1; z) expectationBracket passes
    [2.976, -0.207, 2.219, 0.946],
    [2.976, -0.207, 102.219, 0.99],
  ])('₂F₁(%d, %d; %d; %d) matches the power series', (a, b, c, z) => close(hyp2f1(a, b, c, z), series(a, b, c, z), 1e-12));
});

describe('expectationBracket: the paper’s bracket, transformed', () => {
  const untransformed = (r: number, a: number, b: number, x: number, z: number) => (1 - Math.pow(1 - z, r + x) * series(r + x, b + x, a + b + x - 1, z)) / (a - 1);

  it.each([
    [0.243, 0.793, 2.426, 0, 0.5],
    [0.243, 0.793, 2.426, 2, 0.47],
    [0.243, 0.793, 2.426, 14, 0.9],
    [0.5, 3.2, 1.1, 5, 0.3],
    [1.7, 0.2, 8, 30, 0.8],
  ])('r=%d a=%d b=%d x=%d z=%d: equals the untransformed form', (r, a, b, x, z) => {
    close(expectationBracket(a + b - 1 - r, a - 1, a + b + x - 1, z), untransformed(r, a, b, x, z), 1e-10);
  });

  it('does not overflow where the untransformed ₂F₁ does (x = 400, z = 0.9)', () => {
    expect(Number.isFinite(series(400.243, 402.426, 402.219, 0.9))).toBe(false);
    // a = 0.793, b = 2.426, r = 0.243: α′ = a+b−1−r, β = a−1, γ = a+b+x−1.
    const value = expectationBracket(1.976, -0.207, 402.219, 0.9);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
  });

  it('a = 1: the limit −ln(1−z) − Σ(α′)ₙ(1)ₙ₋₁/((γ)ₙ n!) zⁿ, continuous with a just off 1', () => {
    const at = (a: number) => expectationBracket(a + 2.4 - 1 - 0.3, a - 1, a + 2.4 + 3 - 1, 0.6);
    const limit = at(1);
    close(at(1 + 1e-5), limit, 1e-5);
    close(at(1 - 1e-5), limit, 1e-5);
    // At a = 1 the untransformed form is 0/0: its mean just either side of 1 is the limit.
    const h = 1e-4;
    const numeric = (untransformed(0.3, 1 + h, 2.4, 3, 0.6) + untransformed(0.3, 1 - h, 2.4, 3, 0.6)) / 2;
    close(limit, numeric, 1e-6);
  });

  it('z = 0 (no time ahead) gives 0', () => expect(expectationBracket(2, -0.2, 3, 0)).toBe(0));
});

describe('Gauss–Legendre', () => {
  it.each([8, 32, 64])('%d points integrate polynomials up to degree 2n − 1 exactly, and the weights sum to 2', (n) => {
    const { nodes, weights } = gaussLegendre(n);
    expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(2, 13);
    const degree = 2 * n - 2; // even: ∫ x^d over [−1, 1] = 2/(d+1)
    let integral = 0;
    nodes.forEach((x, i) => (integral += weights[i]! * x ** degree));
    expect(integral).toBeCloseTo(2 / (degree + 1), 10);
  });
});
