import { fitModels, type ModelsFit } from './fit-models.ts';
import { holdoutTracking, type HoldoutCheck } from './holdout.ts';
import { predictAll, type ClvSettings } from './clv-value.ts';
import { rfmData } from './rfm-data.ts';
import { parseTransactions, type TransactionFormat } from './transaction-files.ts';
import { dayText, summarise, type TimeUnit } from './transactions.ts';

/**
 * `patron clv fit`: a transactions file → both models fitted, the holdout check when the file
 * goes past the calibration period, and optionally every customer's prediction. Amounts are in
 * the file's currency units (dollars for CDNOW), as the published figures are: the fit takes z̄
 * in those units, so γ (`v`) is 15.44 on CDNOW, not 1,544 cents.
 */
export type FileFitOptions = {
  format: TransactionFormat;
  calibrationEnd: number;
  unit: TimeUnit;
  /** Decimals tₓ and T are rounded to (2 reproduces the published CDNOW summary); none by default. */
  roundTo?: number;
  holdoutEnd?: number;
  predict?: Omit<ClvSettings, 'unit'>;
  seed?: number;
};

export type FileFitResult = {
  bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number };
  gammaGamma: { p: number; q: number; v: number; logLikelihood: number };
  customers: number;
  repeatCustomers: number;
  transactions: number;
  calibrationEnd: string;
  unit: TimeUnit;
  holdout?: { end: string; forecast: number; actual: number; weeks: HoldoutCheck['weeks'] };
  predictions?: Array<{ customer: string; x: number; tx: number; T: number; expectedPurchases: number; pAlive: number; expectedSpend: number; clv: number }>;
};

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

export function fitFile(text: string, options: FileFitOptions): FileFitResult {
  const transactions = parseTransactions(text, options.format);
  const lastDay = transactions.reduce((max, t) => Math.max(max, t.day), -Infinity);
  const holdoutEnd = options.holdoutEnd ?? lastDay;
  const customers = summarise(transactions, { calibrationEnd: options.calibrationEnd, unit: options.unit, holdoutEnd, ...(options.roundTo === undefined ? {} : { roundTo: options.roundTo }) });
  const data = rfmData(customers.map((c) => ({ x: c.x, tx: c.tx, T: c.T, zbar: c.zbarMinor / 100 })));
  const fit: ModelsFit = fitModels(data, { seed: options.seed ?? 1 });
  const result: FileFitResult = {
    bgnbd: { ...fit.bgnbd.params, logLikelihood: fit.bgnbd.logLikelihood },
    gammaGamma: { ...fit.gammaGamma.params, logLikelihood: fit.gammaGamma.logLikelihood },
    customers: fit.customers,
    repeatCustomers: fit.repeatCustomers,
    transactions: transactions.length,
    calibrationEnd: dayText(options.calibrationEnd),
    unit: options.unit,
  };
  if (holdoutEnd > options.calibrationEnd) {
    const check = holdoutTracking(fit.bgnbd.params, customers, { calibrationEnd: options.calibrationEnd, holdoutEnd, unit: options.unit });
    result.holdout = { end: dayText(holdoutEnd), forecast: round(check.forecast, 1), actual: check.actual, weeks: check.weeks.map((w) => ({ ...w, forecast: round(w.forecast, 1) })) };
  }
  if (options.predict) {
    const predicted = predictAll({ bgnbd: fit.bgnbd.params, gammaGamma: fit.gammaGamma.params }, { ...options.predict, unit: options.unit }, data);
    result.predictions = customers.map((c, i) => ({
      customer: c.customer,
      x: c.x,
      tx: round(c.tx, 4),
      T: round(c.T, 4),
      expectedPurchases: round(predicted.expectedPurchases[i]!, 4),
      pAlive: round(predicted.pAlive[i]!, 4),
      expectedSpend: round(predicted.expectedSpend[i]!, 2),
      clv: round(predicted.clv[i]!, 2),
    }));
  }
  return result;
}
