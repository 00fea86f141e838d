import type { ClvDecile, ClvResult } from './clv.tables.ts';

/**
 * What GET /v1/analytics/clv shows of a fit's predictions: customers in tenths by CLV (the top
 * tenth first) with each tenth's CLV range and total, mean P(alive) and mean expected purchases;
 * P(alive) in ten bins; the means and the total.
 */
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

export function distributionOf(predicted: { clvMinor: Float64Array; pAlive: Float64Array; expectedPurchases: Float64Array }): ClvResult['distribution'] {
  const n = predicted.clvMinor.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => predicted.clvMinor[b]! - predicted.clvMinor[a]! || a - b);
  const deciles: ClvDecile[] = [];
  let total = 0;
  let pAliveSum = 0;
  let purchasesSum = 0;
  for (let d = 0; d < 10; d++) {
    const from = Math.floor((n * d) / 10);
    const to = Math.floor((n * (d + 1)) / 10);
    if (to <= from) continue;
    let clv = 0;
    let pAlive = 0;
    let purchases = 0;
    for (let k = from; k < to; k++) {
      const i = order[k]!;
      clv += predicted.clvMinor[i]!;
      pAlive += predicted.pAlive[i]!;
      purchases += predicted.expectedPurchases[i]!;
    }
    total += clv;
    pAliveSum += pAlive;
    purchasesSum += purchases;
    const count = to - from;
    deciles.push({
      decile: d + 1,
      customers: count,
      clvMinorFrom: predicted.clvMinor[order[to - 1]!]!,
      clvMinorTo: predicted.clvMinor[order[from]!]!,
      clvMinorTotal: clv,
      pAliveMean: round(pAlive / count, 4),
      expectedPurchasesMean: round(purchases / count, 4),
    });
  }
  const bins = Array.from({ length: 10 }, (_v, b) => ({ from: b / 10, to: (b + 1) / 10, customers: 0 }));
  for (let i = 0; i < n; i++) bins[Math.min(9, Math.floor(predicted.pAlive[i]! * 10))]!.customers++;
  return {
    clvMinorTotal: total,
    clvMinorMean: n > 0 ? Math.round(total / n) : 0,
    expectedPurchasesMean: n > 0 ? round(purchasesSum / n, 4) : 0,
    pAliveMean: n > 0 ? round(pAliveSum / n, 4) : 0,
    deciles,
    pAlive: bins,
  };
}
