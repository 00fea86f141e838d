import betalnStdlib from '@stdlib/math-base-special-betaln';
import gammalnStdlib from '@stdlib/math-base-special-gammaln';
import hyp2f1Stdlib from '@stdlib/math-base-special-hyp2f1';

/**
 * The special functions the CLV models need, from @stdlib (checked against closed forms and a
 * direct power series in special-functions.test.ts), and the one combination BG/NBD's
 * conditional expectation needs, written so that it neither overflows nor cancels.
 */

/** ln Γ(x) for x > 0. */
export const gammaln = (x: number): number => gammalnStdlib(x);

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0. */
export const betaln = (a: number, b: number): number => betalnStdlib(a, b);

/** The Gauss hypergeometric function ₂F₁(a, b; c; z) (@stdlib; accurate for |z| < 1 in the checks). */
export const hyp2f1 = (a: number, b: number, c: number, z: number): number => hyp2f1Stdlib(a, b, c, z);

/** ₂F₁ by its power series, summed until a term no longer changes the sum (|z| < 1); NaN if it has not by a million terms. */
export function powerSeries(a: number, b: number, c: number, z: number): number {
  let term = 1;
  let sum = 1;
  for (let n = 0; n < 1_000_000; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) return sum;
    if (!Number.isFinite(sum)) break;
  }
  return NaN;
}

/** ln(eˣ + eʸ) without overflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  return x > y ? x + Math.log1p(Math.exp(y - x)) : y + Math.log1p(Math.exp(x - y));
}

/**
 * Φ = [1 − (1 − z)^β · ₂F₁(α', β; γ; z)] / β, the bracket of BG/NBD's conditional expectation
 * (see bgnbd.ts), for 0 ≤ z < 1.
 *
 * The paper's form is [1 − ((α+T)/(α+T+t))^{r+x} · ₂F₁(r+x, b+x; a+b+x−1; z)] / (a − 1). Its
 * ₂F₁ grows like (1 − z)^{−(r+x+1−a)}, which overflows a double for a customer with a few hundred
 * purchases, only for the power in front to cancel it again. Euler's transformation
 * ₂F₁(A, B; C; z) = (1 − z)^{C−A−B} ₂F₁(C−A, C−B; C; z) folds the two into
 * (1 − z)^{a−1} · ₂F₁(a+b−1−r, a−1; a+b+x−1; z): bounded, and the series converges faster the more
 * purchases (C grows with x). So the caller passes α' = a+b−1−r, β = a−1, γ = a+b+x−1.
 *
 * Dividing by β = a − 1 cancels as a → 1 (both the bracket and β go to 0). Near there the limit is
 * taken instead: with (β)ₙ = β·(β+1)ₙ₋₁, Φ → −ln(1 − z) − Σₙ≥₁ (α')ₙ (1)ₙ₋₁ / ((γ)ₙ n!) zⁿ, whose
 * error is O(β).
 */
export function expectationBracket(alphaP: number, beta: number, gamma: number, z: number): number {
  if (z <= 0) return 0;
  const logOneMinusZ = Math.log1p(-z);
  if (Math.abs(beta) > 1e-7) {
    let f = hyp2f1(alphaP, beta, gamma, z);
    // @stdlib answers NaN for some arguments far from CDNOW's (α′ hugely negative when a fit sends
    // r far out); there the power series, summed directly, converges fast (its ratio is small).
    if (!Number.isFinite(f)) f = powerSeries(alphaP, beta, gamma, z);
    return -Math.expm1(beta * logOneMinusZ) / beta - (Math.exp(beta * logOneMinusZ) * (f - 1)) / beta;
  }
  // β ≈ 0: the series Σ (α')ₙ (1)ₙ₋₁ / ((γ)ₙ n!) zⁿ = Σ tₙ with tₙ = tₙ₋₁ · (α'+n−1)(n−1) / ((γ+n−1) n) · z, t₁ = α' z / γ.
  let term = (alphaP * z) / gamma;
  let sum = term;
  for (let n = 2; n < 100_000 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= ((alphaP + n - 1) * (n - 1) * z) / ((gamma + n - 1) * n);
    sum += term;
  }
  return -logOneMinusZ - sum;
}

/** Gauss–Legendre nodes and weights on [−1, 1] (Newton on Pₙ from the Chebyshev guesses), made once per n. */
const legendre = new Map<number, { nodes: Float64Array; weights: Float64Array }>();
export function gaussLegendre(n: number): { nodes: Float64Array; weights: Float64Array } {
  const known = legendre.get(n);
  if (known) return known;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p0 = 1;
      let p1 = x;
      for (let k = 2; k <= n; k++) [p0, p1] = [p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k];
      derivative = (n * (x * p1 - p0)) / (x * x - 1);
      const step = p1 / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = weights[n - 1 - i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  const made = { nodes, weights };
  legendre.set(n, made);
  return made;
}
