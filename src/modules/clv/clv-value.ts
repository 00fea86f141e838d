import { conditionalExpectedPurchases, probabilityAlive, type BgnbdParams } from './bgnbd.ts';
import { conditionalExpectedSpend, type GammaGammaParams } from './gamma-gamma.ts';
import { unitDays, type TimeUnit } from './transactions.ts';

/**
 * Customer lifetime value over a horizon, as the expected margin of the purchases to come,
 * discounted to today:
 *
 *   CLV = m · E[Z | x, z̄] · Σₖ₌₁ⁿ (E[Y(tₖ) | x, tₓ, T] − E[Y(tₖ₋₁) | x, tₓ, T]) / (1 + d)^{tₖ / year}
 *
 * where m is the margin (marginPercent / 100), E[Z] the Gamma-Gamma expected spend per purchase,
 * E[Y(t)] the BG/NBD expected purchases in the next t, d the yearly discount rate, and
 * 0 = t₀ < t₁ < … < tₙ = horizon splits the horizon into n steps of about a month (n = ⌈horizon
 * in days / 30.4375⌉). The purchases expected in a step are discounted as if made at its end
 * (a little conservative; lifetimes does the same month by month). Spend and purchase counts are
 * independent in the Gamma-Gamma model, so their expectations multiply.
 */
export type ClvSettings = {
  /** How far ahead, in `unit`s. */
  horizon: number;
  unit: TimeUnit;
  /** Yearly discount rate, 0.1 for 10%. */
  discountRatePerYear: number;
  /** Margin on a purchase's spend, in percent (100: CLV is the discounted revenue). */
  marginPercent: number;
};

const DAYS_PER_YEAR = 365.25;
const DAYS_PER_MONTH = DAYS_PER_YEAR / 12;

export type DiscountSchedule = { times: Float64Array; factors: Float64Array };

export function discountSchedule({ horizon, unit, discountRatePerYear }: ClvSettings): DiscountSchedule {
  const days = horizon * unitDays[unit];
  const steps = Math.max(1, Math.ceil(days / DAYS_PER_MONTH - 1e-9));
  const times = new Float64Array(steps);
  const factors = new Float64Array(steps);
  for (let k = 1; k <= steps; k++) {
    times[k - 1] = (horizon * k) / steps;
    factors[k - 1] = Math.pow(1 + discountRatePerYear, -((days * k) / steps) / DAYS_PER_YEAR);
  }
  return { times, factors };
}

export type CustomerPrediction = {
  /** Purchases expected over the horizon (undiscounted). */
  expectedPurchases: number;
  pAlive: number;
  /** Expected spend per purchase (in the money unit of z̄). */
  expectedSpend: number;
  /** Σₖ ΔE[Y]ₖ · discount factorₖ: the discounted purchase count CLV multiplies by spend and margin. */
  discountedPurchases: number;
  clv: number;
};

export type FittedModels = { bgnbd: BgnbdParams; gammaGamma: GammaGammaParams };

/** The BG/NBD part for one history: expected purchases over the horizon and their discounted sum. */
export function purchaseOutlook(params: BgnbdParams, schedule: DiscountSchedule, x: number, tx: number, T: number): { expected: number; discounted: number } {
  let previous = 0;
  let discounted = 0;
  for (let k = 0; k < schedule.times.length; k++) {
    const cumulative = conditionalExpectedPurchases(params, schedule.times[k]!, x, tx, T);
    discounted += (cumulative - previous) * schedule.factors[k]!;
    previous = cumulative;
  }
  return { expected: previous, discounted };
}

export function predictCustomer(models: FittedModels, settings: ClvSettings, schedule: DiscountSchedule, x: number, tx: number, T: number, zbar: number): CustomerPrediction {
  const outlook = purchaseOutlook(models.bgnbd, schedule, x, tx, T);
  const expectedSpend = conditionalExpectedSpend(models.gammaGamma, x, zbar);
  return {
    expectedPurchases: outlook.expected,
    pAlive: probabilityAlive(models.bgnbd, x, tx, T),
    expectedSpend,
    discountedPurchases: outlook.discounted,
    clv: (settings.marginPercent / 100) * expectedSpend * outlook.discounted,
  };
}

/**
 * Predictions for many customers at once (typed arrays in, typed arrays out). Customers with the
 * same (x, tₓ, T) share the BG/NBD part, which is where the time goes (a ₂F₁ per step), so it
 * is computed once per distinct history: at a million customers there are far fewer.
 */
export function predictAll(
  models: FittedModels,
  settings: ClvSettings,
  data: { x: Float64Array; tx: Float64Array; T: Float64Array; zbar: Float64Array },
): { expectedPurchases: Float64Array; pAlive: Float64Array; expectedSpend: Float64Array; clv: Float64Array } {
  const n = data.x.length;
  const schedule = discountSchedule(settings);
  const out = { expectedPurchases: new Float64Array(n), pAlive: new Float64Array(n), expectedSpend: new Float64Array(n), clv: new Float64Array(n) };
  const seen = new Map<string, { expected: number; discounted: number; pAlive: number }>();
  const margin = settings.marginPercent / 100;
  for (let i = 0; i < n; i++) {
    const x = data.x[i]!;
    const tx = data.tx[i]!;
    const T = data.T[i]!;
    const key = `${x}|${tx}|${T}`;
    let history = seen.get(key);
    if (!history) {
      history = { ...purchaseOutlook(models.bgnbd, schedule, x, tx, T), pAlive: probabilityAlive(models.bgnbd, x, tx, T) };
      seen.set(key, history);
    }
    const spend = conditionalExpectedSpend(models.gammaGamma, x, data.zbar[i]!);
    out.expectedPurchases[i] = history.expected;
    out.pAlive[i] = history.pAlive;
    out.expectedSpend[i] = spend;
    out.clv[i] = margin * spend * history.discounted;
  }
  return out;
}
