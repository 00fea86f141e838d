import { distinctValues, type RfmData } from './rfm-data.ts';
import { minimize, minimizeAsync, type MinimizeResult } from './nelder-mead.ts';
import { betaln, expectationBracket, gammaln, gaussLegendre, logAddExp } from './special-functions.ts';

/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"). While alive a
 * customer buys as a Poisson process with rate λ; after each purchase they drop out with
 * probability p. Across customers λ ~ Gamma(r, α) and p ~ Beta(a, b). From (x, tₓ, T) alone:
 *
 *   L(r, α, a, b | x, tₓ, T) = B(a, b+x)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+T)^{r+x})
 *                              + δ_{x>0} · B(a+1, b+x−1)/B(a, b) · Γ(r+x) αʳ / (Γ(r) (α+tₓ)^{r+x})
 *
 * (the paper's equation 6, here in its log-sum-exp form, equation A1's A₁…A₄).
 */
export type BgnbdParams = { r: number; alpha: number; a: number; b: number };

/** One customer's log-likelihood. */
export function bgnbdCustomerLogLikelihood({ r, alpha, a, b }: BgnbdParams, x: number, tx: number, T: number): number {
  const a1 = gammaln(r + x) - gammaln(r) + r * Math.log(alpha);
  const a2 = betaln(a, b + x) - betaln(a, b);
  const a3 = -(r + x) * Math.log(alpha + T);
  const a4 = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return a1 + a2 + logAddExp(a3, a4);
}

/**
 * The summed (weighted) log-likelihood as a function of the parameters, prepared once for the
 * data: ln Γ and logs are taken once per distinct x, tₓ and T, so an evaluation over a million
 * rows is a few arithmetic operations, one exp and one log per row.
 */
export function bgnbdObjective(data: RfmData): (p: BgnbdParams) => number {
  const xs = distinctValues(data.x);
  const txs = distinctValues(data.tx);
  const Ts = distinctValues(data.T);
  const n = data.x.length;
  const lnAlphaTx = new Float64Array(txs.unique.length);
  const lnAlphaT = new Float64Array(Ts.unique.length);
  const perX = new Float64Array(xs.unique.length);
  const lnDrop = new Float64Array(xs.unique.length);
  return ({ r, alpha, a, b }) => {
    for (let j = 0; j < txs.unique.length; j++) lnAlphaTx[j] = Math.log(alpha + txs.unique[j]!);
    for (let j = 0; j < Ts.unique.length; j++) lnAlphaT[j] = Math.log(alpha + Ts.unique[j]!);
    const lnBab = betaln(a, b);
    const common = r * Math.log(alpha) - gammaln(r) - lnBab;
    for (let j = 0; j < xs.unique.length; j++) {
      const x = xs.unique[j]!;
      perX[j] = gammaln(r + x) + betaln(a, b + x) + common;
      lnDrop[j] = x > 0 ? Math.log(a) - Math.log(b + x - 1) : -Infinity;
    }
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const xi = xs.index[i]!;
      const x = data.x[i]!;
      const a3 = -(r + x) * lnAlphaT[Ts.index[i]!]!;
      let term = a3;
      if (x > 0) {
        const a4 = lnDrop[xi]! - (r + x) * lnAlphaTx[txs.index[i]!]!;
        term = a3 > a4 ? a3 + Math.log1p(Math.exp(a4 - a3)) : a4 + Math.log1p(Math.exp(a3 - a4));
      }
      sum += data.weight[i]! * (perX[xi]! + term);
    }
    return sum;
  };
}

export type BgnbdFit = { params: BgnbdParams; logLikelihood: number; evaluations: number; converged: boolean };

/** log-parameters are kept in [−15, 15]: rates and shapes from 3e−7 to 3e6, wider than any purchase history needs. */
const LOG_BOUND = 15;

/** Maximum likelihood for r, α, a, b: Nelder–Mead on their logs, seeded starts. */
function bgnbdProblem(data: RfmData, options: { seed?: number }) {
  const objective = bgnbdObjective(data);
  const toParams = (v: number[]): BgnbdParams => ({ r: Math.exp(v[0]!), alpha: Math.exp(v[1]!), a: Math.exp(v[2]!), b: Math.exp(v[3]!) });
  // α is on the time axis: start it at the mean age T, the others at 1.
  let sumT = 0;
  let sumW = 0;
  for (let i = 0; i < data.T.length; i++) {
    sumT += data.weight[i]! * data.T[i]!;
    sumW += data.weight[i]!;
  }
  const x0 = [0, Math.log(Math.max(sumT / Math.max(sumW, 1), 1e-3)), 0, 0];
  return {
    f: (v: number[]) => -objective(toParams(v)),
    x0,
    options: { bounds: { lower: x0.map(() => -LOG_BOUND), upper: x0.map(() => LOG_BOUND) }, seed: options.seed ?? 1 },
    finish: (result: MinimizeResult): BgnbdFit => ({ params: toParams(result.x), logLikelihood: -result.f, evaluations: result.evaluations, converged: result.converged }),
  };
}

export function fitBgnbd(data: RfmData, options: { seed?: number } = {}): BgnbdFit {
  const problem = bgnbdProblem(data, options);
  return problem.finish(minimize(problem.f, problem.x0, problem.options));
}

/** The same fit, pausing for the event loop (a server's fit over many customers). */
export async function fitBgnbdAsync(data: RfmData, options: { seed?: number } = {}): Promise<BgnbdFit> {
  const problem = bgnbdProblem(data, options);
  return problem.finish(await minimizeAsync(problem.f, problem.x0, problem.options));
}

/** P(alive | x, tₓ, T) = 1 / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+tₓ))^{r+x}). */
export function probabilityAlive({ r, alpha, a, b }: BgnbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const odds = Math.exp(Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx)));
  return 1 / (1 + odds);
}

/**
 * E[Y(t) | x, tₓ, T]: purchases expected in the next t of a customer with this history (the
 * paper's equation 10):
 *
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
 *   ÷ [1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+tₓ))^{r+x}]
 *
 * computed through expectationBracket (Euler's transformation; no overflow for large x).
 */
export function conditionalExpectedPurchases(params: BgnbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  // With a large a (a fit where hardly anyone drops out sends a and b far out together), the
  // ₂F₁ grows like (1 − z)^{1−a} and the power in front vanishes like its inverse: past e^{±30}
  // the product loses digits and soon is 0 · ∞. There the expectation is integrated instead.
  const ifAlive = (a - 1) * -Math.log1p(-z) > 30 ? expectedIfAliveByQuadrature(params, t, x, T) : (a + b + x - 1) * expectationBracket(a + b - 1 - r, a - 1, a + b + x - 1, z);
  return ifAlive * probabilityAlive(params, x, tx, T);
}

/**
 * E[Y(t) | alive, x, T] as the integral it comes from: given alive, λ ~ Gamma(r+x, α+T) and the
 * drop-out probability p ~ Beta(a, b+x), independent, and a customer with (λ, p) makes
 * (1 − e^{−λpt})/p purchases in t on average, so
 *   E = ∫₀¹ (1 − ((α+T)/(α+T+pt))^{r+x}) / p · Beta(p; a, b+x) dp.
 * Used only where a is large, so the Beta density is smooth and narrow: 64-point Gauss–Legendre
 * over its mean ± 12 standard deviations (clipped to (0, 1)), normalised by the same rule.
 */
function expectedIfAliveByQuadrature({ r, alpha, a, b }: BgnbdParams, t: number, x: number, T: number): number {
  const bx = b + x;
  const mean = a / (a + bx);
  const sd = Math.sqrt((mean * (1 - mean)) / (a + bx + 1));
  const lo = Math.max(0, mean - 12 * sd);
  const hi = Math.min(1, mean + 12 * sd);
  const { nodes, weights } = gaussLegendre(64);
  const half = (hi - lo) / 2;
  const logMode = (a - 1) * Math.log(mean) + (bx - 1) * Math.log1p(-mean);
  let mass = 0;
  let sum = 0;
  for (let k = 0; k < nodes.length; k++) {
    const p = lo + half * (nodes[k]! + 1);
    if (p <= 0 || p >= 1) continue;
    // The density up to its constant, scaled by its value at the mean so it neither under- nor overflows.
    const density = weights[k]! * Math.exp((a - 1) * Math.log(p) + (bx - 1) * Math.log1p(-p) - logMode);
    mass += density;
    sum += density * (-Math.expm1(-(r + x) * Math.log1p((p * t) / (alpha + T))) / p);
  }
  return sum / mass;
}

/** E[X(t)] for a customer who has just made a first purchase (the paper's equation 9: x = tₓ = T = 0 above). */
export function expectedPurchasesNew(params: BgnbdParams, t: number): number {
  return conditionalExpectedPurchases(params, t, 0, 0, 0);
}

/**
 * P(X(t) = n) for a new customer (the paper's equation 8):
 *   B(a, b+n)/B(a, b) · Γ(r+n)/(Γ(r) n!) · (α/(α+t))ʳ (t/(α+t))ⁿ
 *   + δ_{n>0} · B(a+1, b+n−1)/B(a, b) · [1 − (α/(α+t))ʳ Σ_{j<n} Γ(r+j)/(Γ(r) j!) (t/(α+t))ʲ]
 */
export function probabilityOfPurchases({ r, alpha, a, b }: BgnbdParams, t: number, n: number): number {
  const lnBab = betaln(a, b);
  const lnStay = Math.log(alpha / (alpha + t));
  const lnGo = Math.log(t / (alpha + t));
  const nbTerm = (j: number) => Math.exp(gammaln(r + j) - gammaln(r) - gammaln(j + 1) + r * lnStay + (j > 0 ? j * lnGo : 0));
  const first = Math.exp(betaln(a, b + n) - lnBab) * nbTerm(n);
  if (n === 0) return first;
  let partial = 0;
  for (let j = 0; j < n; j++) partial += nbTerm(j);
  return first + Math.exp(betaln(a + 1, b + n - 1) - lnBab) * (1 - partial);
}
