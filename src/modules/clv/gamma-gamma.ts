import { distinctValues, type RfmData } from './rfm-data.ts';
import { minimize, minimizeAsync, type MinimizeResult } from './nelder-mead.ts';
import { gammaln } from './special-functions.ts';

/**
 * Gamma-Gamma spend model (Fader, Hardie & Lee 2005b, "RFM and CLV: using iso-value curves"; the
 * note "The Gamma-Gamma model of monetary value"). A customer's purchases have amounts
 * zᵢ ~ Gamma(p, ν), their ν ~ Gamma(q, γ) across customers, independent of how often they buy.
 * The mean z̄ of x purchases then has density
 *
 *   f(z̄ | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q z̄^{px−1} x^{px} / (γ + x z̄)^{px+q}
 *
 * fitted on the customers with repeat purchases (x > 0, z̄ = mean repeat spend). `v` is γ.
 */
export type GammaGammaParams = { p: number; q: number; v: number };

export function gammaGammaCustomerLogLikelihood({ p, q, v }: GammaGammaParams, x: number, zbar: number): number {
  return gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * Math.log(v) + (p * x - 1) * Math.log(zbar) + p * x * Math.log(x) - (p * x + q) * Math.log(v + x * zbar);
}

/** Rows the spend model is fitted on: repeat customers with a positive mean spend. */
export function repeatRows(data: RfmData): number[] {
  const rows: number[] = [];
  for (let i = 0; i < data.x.length; i++) if (data.x[i]! > 0 && data.zbar[i]! > 0) rows.push(i);
  return rows;
}

/**
 * The summed log-likelihood over the repeat customers, prepared once: the terms linear in p and
 * q (Σ x ln z̄, Σ ln z̄, Σ x ln x) are summed up front, ln Γ taken once per distinct x, so an
 * evaluation costs one log per row.
 */
export function gammaGammaObjective(data: RfmData): (params: GammaGammaParams) => number {
  const rows = repeatRows(data);
  const n = rows.length;
  const x = new Float64Array(n);
  const zbar = new Float64Array(n);
  const w = new Float64Array(n);
  let sumW = 0;
  let sumWLnZ = 0;
  let sumWXLnZ = 0;
  let sumWXLnX = 0;
  rows.forEach((row, i) => {
    x[i] = data.x[row]!;
    zbar[i] = data.zbar[row]!;
    w[i] = data.weight[row]!;
    sumW += w[i]!;
    sumWLnZ += w[i]! * Math.log(zbar[i]!);
    sumWXLnZ += w[i]! * x[i]! * Math.log(zbar[i]!);
    sumWXLnX += w[i]! * x[i]! * Math.log(x[i]!);
  });
  const xs = distinctValues(x);
  const weightPerX = new Float64Array(xs.unique.length);
  for (let i = 0; i < n; i++) weightPerX[xs.index[i]!]! += w[i]!;
  return ({ p, q, v }) => {
    let sum = sumW * (q * Math.log(v) - gammaln(q)) + p * sumWXLnZ - sumWLnZ + p * sumWXLnX;
    for (let j = 0; j < xs.unique.length; j++) {
      const px = p * xs.unique[j]!;
      sum += weightPerX[j]! * (gammaln(px + q) - gammaln(px));
    }
    for (let i = 0; i < n; i++) sum -= w[i]! * (p * x[i]! + q) * Math.log(v + x[i]! * zbar[i]!);
    return sum;
  };
}

export type GammaGammaFit = { params: GammaGammaParams; logLikelihood: number; customers: number; evaluations: number; converged: boolean };

/**
 * Maximum likelihood for p, q, γ on log p, log(q − 1), log γ: q stays above 1, where the
 * population's mean spend p·γ/(q−1) exists (every prediction for a customer without repeat
 * purchases needs it). γ is in the money unit of z̄, so it starts at the mean z̄.
 */
function gammaGammaProblem(data: RfmData, options: { seed?: number }) {
  const objective = gammaGammaObjective(data);
  const rows = repeatRows(data);
  let customers = 0;
  let sumZ = 0;
  for (const row of rows) {
    customers += data.weight[row]!;
    sumZ += data.weight[row]! * data.zbar[row]!;
  }
  const toParams = (u: number[]): GammaGammaParams => ({ p: Math.exp(u[0]!), q: 1 + Math.exp(u[1]!), v: Math.exp(u[2]!) });
  return {
    f: (u: number[]) => -objective(toParams(u)),
    x0: [0, 0, Math.log(Math.max(sumZ / Math.max(customers, 1), 1e-6))],
    options: { bounds: { lower: [-15, -15, -30], upper: [15, 15, 40] }, seed: options.seed ?? 1 },
    finish: (result: MinimizeResult): GammaGammaFit => ({ params: toParams(result.x), logLikelihood: -result.f, customers, evaluations: result.evaluations, converged: result.converged }),
  };
}

export function fitGammaGamma(data: RfmData, options: { seed?: number } = {}): GammaGammaFit {
  const problem = gammaGammaProblem(data, options);
  return problem.finish(minimize(problem.f, problem.x0, problem.options));
}

/** The same fit, pausing for the event loop (a server's fit over many customers). */
export async function fitGammaGammaAsync(data: RfmData, options: { seed?: number } = {}): Promise<GammaGammaFit> {
  const problem = gammaGammaProblem(data, options);
  return problem.finish(await minimizeAsync(problem.f, problem.x0, problem.options));
}

/**
 * E[Z | p, q, γ; x, z̄] = (p(γ + x z̄)) / (px + q − 1): a weighted mean of the population's mean
 * pγ/(q−1) and the customer's own z̄, the customer's weighing more the more they bought. With
 * x = 0 it is the population's mean.
 */
export function conditionalExpectedSpend({ p, q, v }: GammaGammaParams, x: number, zbar: number): number {
  return (p * (v + x * zbar)) / (p * x + q - 1);
}

export const populationMeanSpend = ({ p, q, v }: GammaGammaParams): number => (p * v) / (q - 1);
