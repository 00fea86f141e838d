/**
 * Transactions → the per-customer summary the models take, by the rules of the CDNOW benchmark
 * (shared/data/cdnow/SOURCE.md), for files read by the CLI and for the validation tests. The
 * product builds the same summary in SQL from loyalty's purchase facts (summary-query.ts).
 *
 * - purchases on the same day are one purchase (their spends summed);
 * - the calibration period ends with `calibrationEnd` (that day included);
 * - x = purchase days in the calibration period − 1; tₓ and T = days from the first purchase to
 *   the last one / to calibrationEnd, divided by the unit (7 for weeks);
 * - z̄ = the mean spend of the x repeat purchase days (the first left out), 0 when x = 0.
 * tₓ and T are not rounded unless `roundTo` says so: the published CDNOW summary rounds them to 2
 * decimals, so reproducing it (and the paper's figures, fitted on it) takes `roundTo: 2`.
 */
export type Transaction = { customer: string; day: number; spendMinor: number };
export type TimeUnit = 'week' | 'day';
export const unitDays: Record<TimeUnit, number> = { week: 7, day: 1 };

export type CustomerSummary = {
  customer: string;
  x: number;
  tx: number;
  T: number;
  /** Mean repeat spend, in minor units (not rounded). */
  zbarMinor: number;
  /** The first purchase's day (days since 1970-01-01). */
  firstDay: number;
  /** Purchase days after the calibration period, up to holdoutEnd when given (the holdout check). */
  holdoutPurchases: number;
  /** The days of every repeat purchase (after the first), in the calibration period and after it up to holdoutEnd: the holdout's week-by-week curve. */
  repeatDays: number[];
};

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' or 'YYYYMMDD' → days since 1970-01-01 (UTC); null when it is not a real date. */
export function dayNumber(text: string): number | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCFullYear() !== Number(m[1]) || back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) return null;
  return ms / DAY_MS;
}

export const dayText = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

const roundTo = (value: number, places: number | undefined) => (places === undefined ? value : Math.round(value * 10 ** places) / 10 ** places);

export type SummaryOptions = { calibrationEnd: number; unit: TimeUnit; roundTo?: number; holdoutEnd?: number };

/** Customers whose first purchase is after calibrationEnd are not in the summary (they were not customers yet). */
export function summarise(transactions: Iterable<Transaction>, options: SummaryOptions): CustomerSummary[] {
  // customer → day → spend, same-day purchases summed.
  const byCustomer = new Map<string, Map<number, number>>();
  for (const t of transactions) {
    let days = byCustomer.get(t.customer);
    if (!days) byCustomer.set(t.customer, (days = new Map()));
    days.set(t.day, (days.get(t.day) ?? 0) + t.spendMinor);
  }
  const unit = unitDays[options.unit];
  const summaries: CustomerSummary[] = [];
  for (const [customer, spendByDay] of byCustomer) {
    const days = [...spendByDay.keys()].sort((a, b) => a - b);
    const first = days[0]!;
    if (first > options.calibrationEnd) continue;
    const inCalibration = days.filter((d) => d <= options.calibrationEnd);
    const after = days.filter((d) => d > options.calibrationEnd && (options.holdoutEnd === undefined || d <= options.holdoutEnd));
    const x = inCalibration.length - 1;
    let repeatSpend = 0;
    for (const d of inCalibration.slice(1)) repeatSpend += spendByDay.get(d)!;
    summaries.push({
      customer,
      x,
      tx: roundTo((inCalibration.at(-1)! - first) / unit, options.roundTo),
      T: roundTo((options.calibrationEnd - first) / unit, options.roundTo),
      zbarMinor: x > 0 ? repeatSpend / x : 0,
      firstDay: first,
      holdoutPurchases: after.length,
      repeatDays: [...inCalibration.slice(1), ...after],
    });
  }
  return summaries;
}
