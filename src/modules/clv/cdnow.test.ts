import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bgnbdObjective, conditionalExpectedPurchases, expectedPurchasesNew, fitBgnbd, probabilityOfPurchases } from './bgnbd.ts';
import { conditionalExpectedSpend, fitGammaGamma, populationMeanSpend } from './gamma-gamma.ts';
import { holdoutTracking } from './holdout.ts';
import { rfmData } from './rfm-data.ts';
import { parseTransactions } from './transaction-files.ts';
import { dayNumber, summarise } from './transactions.ts';

/**
 * The published results on Hardie's CDNOW data (shared/data/cdnow/SOURCE.md: Fader, Hardie & Lee
 * 2005 and 2005b, as lifetimes' tests reproduce them), from the shared files. The repository's
 * CI clones it with shared/ beside it.
 */
const repoRoot = path.resolve(import.meta.dirname, '../../..');
const dataDir = path.resolve(repoRoot, '../shared/data/cdnow');
const read = (name: string) => fs.readFileSync(path.join(dataDir, name), 'utf8');
const csvRows = (name: string) =>
  read(name)
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(',').map(Number));

const summary = csvRows('cdnow_customers_summary.csv').map(([id, x, tx, T]) => ({ id: id!, x: x!, tx: tx!, T: T! }));
const withSpend = csvRows('cdnow_customers_summary_with_transactions.csv').map(([id, x, tx, T, zbar]) => ({ id: id!, x: x!, tx: tx!, T: T!, zbar: zbar! }));
const bgnbd = fitBgnbd(rfmData(summary));
const gammaGamma = fitGammaGamma(rfmData(withSpend));
const paper = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

describe('BG/NBD on CDNOW (2,357 customers, 39 weeks)', () => {
  it('has 2,357 customers in the summary', () => expect(summary).toHaveLength(2357));

  // The fit, rounded to the published 3 decimals, is the published value (so |fit − published| ≤ 5e-4 before rounding).
  it.each([
    ['r', 0.243],
    ['alpha', 4.414],
    ['a', 0.793],
    ['b', 2.426],
  ] as const)('%s = %d', (name, published) => {
    expect(round(bgnbd.params[name], 3)).toBe(published);
  });

  it('log-likelihood −9582.4 (±0.1), a maximum: the published parameters score no higher', () => {
    expect(Math.abs(bgnbd.logLikelihood - -9582.4)).toBeLessThanOrEqual(0.1);
    expect(bgnbd.converged).toBe(true);
    expect(bgnbdObjective(rfmData(summary))(paper)).toBeLessThanOrEqual(bgnbd.logLikelihood);
  });

  it('customer 1 (x = 2, tₓ = 30.43, T = 38.86) expects 1.226 purchases in the next 39 weeks (±0.001)', () => {
    expect(summary[0]).toEqual({ id: 1, x: 2, tx: 30.43, T: 38.86 });
    expect(Math.abs(conditionalExpectedPurchases(bgnbd.params, 39, 2, 30.43, 38.86) - 1.226)).toBeLessThanOrEqual(0.001);
  });

  // Published: 0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576. The last is what a ₂F₁ series cut
  // after about 150 terms gives at z = 78/(α+78) = 0.946 (Hardie's spreadsheet); summed to
  // convergence (@stdlib and a direct series agree) it is 1.85797, so it is held to 5e-4 and to
  // the converged 1.8580 at 1e-4.
  it.each([
    [0.1429, 0.0078, 1e-4],
    [1, 0.0532, 1e-4],
    [3, 0.1506, 1e-4],
    [31.8571, 1.0405, 1e-4],
    [32, 1.0437, 1e-4],
    [78, 1.858, 1e-4],
    [78, 1.8576, 5e-4],
  ])('a new customer expects E[X(%d)] = %d', (t, published, tolerance) => {
    expect(Math.abs(expectedPurchasesNew(bgnbd.params, t) - published)).toBeLessThanOrEqual(tolerance);
  });

  it('P(no purchase in 39 weeks) of a new customer is 0.5737864 with the paper’s parameters', () => {
    expect(probabilityOfPurchases(paper, 39, 0)).toBeCloseTo(0.5737864, 7);
    // The distribution sums to 1 over n.
    let total = 0;
    for (let n = 0; n < 400; n++) total += probabilityOfPurchases(paper, 39, n);
    expect(total).toBeCloseTo(1, 6);
  });

  it('the top five customers by purchases expected next week: 1516, 157, 1981, 841, 509', () => {
    const ranked = summary.map((c) => ({ id: c.id, e: conditionalExpectedPurchases(bgnbd.params, 1, c.x, c.tx, c.T) })).sort((a, b) => b.e - a.e);
    expect(ranked.slice(0, 5).map((c) => [c.id, round(c.e, 4)])).toEqual([
      [1516, 0.7106],
      [157, 0.6624],
      [1981, 0.4865],
      [841, 0.4747],
      [509, 0.4249],
    ]);
  });
});

describe('Gamma-Gamma on CDNOW (946 repeat customers)', () => {
  it('p = 6.25, q = 3.74, γ = 15.44 (each ±0.01)', () => {
    expect(gammaGamma.customers).toBe(946);
    expect(Math.abs(gammaGamma.params.p - 6.25)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(gammaGamma.params.q - 3.74)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(gammaGamma.params.v - 15.44)).toBeLessThanOrEqual(0.01);
  });

  it('expected average spend of customers 1–10 (±0.01), and p·γ/(q−1) = 35.17 for no repeat purchase', () => {
    const published = [24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17];
    const ours = withSpend.slice(0, 10).map((c) => conditionalExpectedSpend(gammaGamma.params, c.x, c.zbar));
    ours.forEach((value, i) => expect(Math.abs(value - published[i]!), `customer ${i + 1}: ${value}`).toBeLessThanOrEqual(0.01));
    expect(Math.abs(populationMeanSpend(gammaGamma.params) - 35.17)).toBeLessThanOrEqual(0.01);
  });
});

describe('from the transactions (CDNOW_sample.txt)', () => {
  const transactions = parseTransactions(read('CDNOW_sample.txt'), 'cdnow');
  const built = summarise(transactions, { calibrationEnd: dayNumber('1997-09-30')!, holdoutEnd: dayNumber('1998-06-30')!, unit: 'week', roundTo: 2 });

  it('the summary equals cdnow_customers_summary_with_transactions.csv, all 2,357 rows', () => {
    expect(transactions).toHaveLength(6919);
    const byId = new Map(built.map((c) => [Number(c.customer), c]));
    expect(byId.size).toBe(2357);
    // z̄ is kept exact in cents; the file rounds it half up to the cent.
    const differing = withSpend.filter((row) => {
      const c = byId.get(row.id);
      return !c || c.x !== row.x || c.tx !== row.tx || c.T !== row.T || Math.round(c.zbarMinor) / 100 !== row.zbar;
    });
    expect(differing).toEqual([]);
  });

  it('holdout: cumulative repeat purchases at week 78, 4,165.7 forecast against 4,339 actual (printed week by week)', () => {
    const check = holdoutTracking(bgnbd.params, built, { calibrationEnd: dayNumber('1997-09-30')!, holdoutEnd: dayNumber('1998-06-30')!, unit: 'week' });
    const lines = check.weeks.map((w) => `week ${String(w.week).padStart(2)}: forecast ${w.forecast.toFixed(1).padStart(7)}  actual ${String(w.actual).padStart(5)}`);
    process.stdout.write(`CDNOW holdout, cumulative repeat purchases (calibration ends after week ${check.calibrationWeeks}):\n${lines.join('\n')}\n`);
    expect(check.weeks).toHaveLength(78);
    expect(check.calibrationWeeks).toBe(39);
    expect(round(check.forecast, 1)).toBe(4165.7);
    expect(check.actual).toBe(4339);
    // 2,457 repeat purchases in the calibration period, 1,882 in the holdout (SOURCE.md).
    expect(built.reduce((s, c) => s + c.x, 0)).toBe(2457);
    expect(built.reduce((s, c) => s + c.holdoutPurchases, 0)).toBe(1882);
  });

  it('the master file (4 columns, a header) reads too: 69,659 transactions of 23,570 customers', () => {
    const master = parseTransactions(read('CDNOW_master.txt'), 'cdnow');
    expect(master).toHaveLength(69_659);
    expect(new Set(master.map((t) => t.customer)).size).toBe(23_570);
  });
});
