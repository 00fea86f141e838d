import { fitBgnbd, type BgnbdFit } from './bgnbd.ts';
import { fitGammaGamma, type GammaGammaFit } from './gamma-gamma.ts';
import { totalWeight, type RfmData } from './rfm-data.ts';

/**
 * Both models fitted on one summary: BG/NBD on every customer's (x, tₓ, T), Gamma-Gamma on the
 * repeat customers' (x, z̄). Too little data is refused in words (the route answers 409) rather
 * than fitted into parameters that mean nothing.
 */
export type ModelsFit = { bgnbd: BgnbdFit; gammaGamma: GammaGammaFit; customers: number; repeatCustomers: number };

export class TooLittleData extends Error {}

export type FitOptions = {
  seed?: number;
  /** Repeat customers (x > 0 with spend) needed to fit; below it TooLittleData (default 2, the CLI's; the product asks for more). */
  minRepeatCustomers?: number;
  /** The spend model's rows when they differ from BG/NBD's (the product fits BG/NBD on grouped histories, the spend model per customer). */
  spend?: RfmData;
};

/** The checks before a fit (too few repeat customers, all spending the same): throws TooLittleData, else the counts. */
export function checkFitData(data: RfmData, options: FitOptions = {}): { customers: number; repeatCustomers: number } {
  const customers = totalWeight(data);
  const spendData = options.spend ?? data;
  let repeatCustomers = 0;
  let spread = false;
  let firstZ: number | null = null;
  for (let i = 0; i < spendData.x.length; i++) {
    if (spendData.x[i]! > 0 && spendData.zbar[i]! > 0) {
      repeatCustomers += spendData.weight[i]!;
      firstZ ??= spendData.zbar[i]!;
      if (spendData.zbar[i] !== firstZ) spread = true;
    }
  }
  const needed = Math.max(2, options.minRepeatCustomers ?? 2);
  if (repeatCustomers < needed) {
    throw new TooLittleData(
      `${repeatCustomers} of ${customers} customers bought again (on a later day) in the calibration period with a positive spend; the models need at least ${needed} (widen the calibration period or wait for more purchases)`,
    );
  }
  // Every repeat customer with the same mean spend: the spend model's likelihood has no maximum (γ runs off to the bound).
  if (!spread) throw new TooLittleData(`every repeat customer's mean spend is the same (${firstZ}); the spend model needs them to differ`);
  return { customers, repeatCustomers };
}

export function fitModels(data: RfmData, options: FitOptions = {}): ModelsFit {
  const counts = checkFitData(data, options);
  const seed = options.seed ?? 1;
  return { bgnbd: fitBgnbd(data, { seed }), gammaGamma: fitGammaGamma(options.spend ?? data, { seed }), ...counts };
}
