import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import type { StorePointsRow } from '../loyalty/index.ts';
import { partnerError } from './partners.errors.ts';
import type { PartnerView } from './partner-records.ts';

/**
 * A partner's settlement for a period: the points the common ledger issued and redeemed on
 * receipts of the partner's stores, and the money owed each way at the partner's rates.
 *
 * - The figures are the ledger's: loyalty's `pointsAtStores` sums point_entries on the receipts
 *   of the partner's stores, counted on the (UTC) day each entry was written. A refund in a later
 *   period counts in that period, so consecutive reports add up to the ledger's whole.
 * - The partner's stores and rates are the ones it has when the report is made (no rate
 *   history): the whole period is settled at them.
 * - Money: points × rate ÷ 100 (the rates are per 100 points), rounded half-up (half away from
 *   zero for a negative figure). The days' and the stores' money is cut by cumulative rounding —
 *   each part is the rounded running total less the one before — so the parts add up to the
 *   totals to the kopeck.
 */
export type Figures = {
  pointsEarned: number;
  pointsReversed: number;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsReturned: number;
  pointsRedeemedNet: number;
  partnerOwesMinor: number;
  operatorOwesMinor: number;
  netMinor: number;
};

export type SettlementReport = {
  partnerId: string;
  partnerName: string;
  currency: string;
  from: string;
  to: string;
  rates: { earnRateBp: number; issuedPer100PointsMinor: number; redeemedPer100PointsMinor: number };
  totals: Figures;
  days: Array<{ date: string } & Figures>;
  stores: Array<{ storeId: string } & Figures>;
};

const DAY_MS = 86_400_000;
const FIRST_DAY = '1900-01-01';
const LAST_DAY = '2999-12-31';

/** The period as instants: from the start of `from` to the end of `to` (UTC days, both counted). */
export function settlementPeriod(from: string, to: string): { start: Date; end: Date } {
  const start = new Date(`${from}T00:00:00Z`);
  const last = new Date(`${to}T00:00:00Z`);
  if (Number.isNaN(start.getTime()) || Number.isNaN(last.getTime())) {
    throw partnerError('settlement.invalid_period', `from and to must be days (YYYY-MM-DD); got from=${from}, to=${to}`);
  }
  // A year like 9999 is a typo, and the day after it would leave the four-digit years days are written in.
  if (from < FIRST_DAY || to > LAST_DAY) {
    throw partnerError('settlement.invalid_period', `from and to must be days from ${FIRST_DAY} to ${LAST_DAY}; got from=${from}, to=${to}`, [{ field: from < FIRST_DAY ? 'from' : 'to', reason: `must be from ${FIRST_DAY} to ${LAST_DAY}` }]);
  }
  if (last < start) {
    throw partnerError('settlement.invalid_period', `to (${to}) is before from (${from}); to is the last day counted`, [{ field: 'to', reason: `must be ${from} or later` }]);
  }
  return { start, end: new Date(last.getTime() + DAY_MS) };
}

/** points × per100 ÷ 100, rounded half away from zero; BigInt inside (a year's points × a rate can pass 2^53). */
function moneyOf(points: bigint, per100: number): bigint {
  const product = points * BigInt(per100);
  const magnitude = product < 0n ? -product : product;
  const rounded = (magnitude + 50n) / 100n;
  return product < 0n ? -rounded : rounded;
}

type Points = Pick<StorePointsRow, 'earned' | 'reversed' | 'redeemed' | 'returned'>;

/** Sums rows into groups, keeping the order keys first appear in (rows come sorted by day, then store). */
function group<K extends string>(rows: StorePointsRow[], keyOf: (row: StorePointsRow) => K): Array<[K, Points]> {
  const groups = new Map<K, Points>();
  for (const row of rows) {
    const sum = groups.get(keyOf(row)) ?? { earned: 0, reversed: 0, redeemed: 0, returned: 0 };
    sum.earned += row.earned;
    sum.reversed += row.reversed;
    sum.redeemed += row.redeemed;
    sum.returned += row.returned;
    groups.set(keyOf(row), sum);
  }
  return [...groups];
}

/** Each part's figures, its money cut from the running totals so the parts add up to the whole. */
function cumulativeFigures(parts: Points[], rates: SettlementReport['rates']): Figures[] {
  let issued = 0n;
  let redeemed = 0n;
  let owedBefore = 0n;
  let dueBefore = 0n;
  return parts.map((part) => {
    issued += BigInt(part.earned - part.reversed);
    redeemed += BigInt(part.redeemed - part.returned);
    const owed = moneyOf(issued, rates.issuedPer100PointsMinor);
    const due = moneyOf(redeemed, rates.redeemedPer100PointsMinor);
    const partnerOwesMinor = Number(owed - owedBefore);
    const operatorOwesMinor = Number(due - dueBefore);
    owedBefore = owed;
    dueBefore = due;
    return {
      pointsEarned: part.earned,
      pointsReversed: part.reversed,
      pointsIssued: part.earned - part.reversed,
      pointsRedeemed: part.redeemed,
      pointsReturned: part.returned,
      pointsRedeemedNet: part.redeemed - part.returned,
      partnerOwesMinor,
      operatorOwesMinor,
      netMinor: partnerOwesMinor - operatorOwesMinor,
    };
  });
}

export function buildSettlement(partner: PartnerView, currency: string, from: string, to: string, rows: StorePointsRow[]): SettlementReport {
  const rates = { earnRateBp: partner.earnRateBp, issuedPer100PointsMinor: partner.issuedPer100PointsMinor, redeemedPer100PointsMinor: partner.redeemedPer100PointsMinor };
  const days = group(rows, (row) => row.day);
  const stores = group(rows, (row) => row.storeId).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const [totals] = cumulativeFigures([group(rows, () => 'all')[0]?.[1] ?? { earned: 0, reversed: 0, redeemed: 0, returned: 0 }], rates);
  const dayFigures = cumulativeFigures(days.map(([, points]) => points), rates);
  const storeFigures = cumulativeFigures(stores.map(([, points]) => points), rates);
  return {
    partnerId: partner.id,
    partnerName: partner.name,
    currency,
    from,
    to,
    rates,
    totals: totals!,
    days: days.map(([date], i) => ({ date, ...dayFigures[i]! })),
    stores: stores.map(([storeId], i) => ({ storeId, ...storeFigures[i]! })),
  };
}

const csvColumns = [
  ['pointsEarned', 'points_earned'],
  ['pointsReversed', 'points_reversed'],
  ['pointsIssued', 'points_issued'],
  ['pointsRedeemed', 'points_redeemed'],
  ['pointsReturned', 'points_returned'],
  ['pointsRedeemedNet', 'points_redeemed_net'],
  ['partnerOwesMinor', 'partner_owes_minor'],
  ['operatorOwesMinor', 'operator_owes_minor'],
  ['netMinor', 'net_minor'],
] as const satisfies ReadonlyArray<readonly [keyof Figures, string]>;

/**
 * The report as CSV: one row a day with points moved (store `*`: the day's stores together),
 * one row a store (date `*`), and a last row `total`, each with the JSON's figures. Amounts in
 * minor units; the rates and period are in the file name and the JSON.
 */
export function settlementCsv(report: SettlementReport): string {
  const row = (date: string, storeId: string, figures: Figures) => [date, storeId, ...csvColumns.map(([key]) => String(figures[key]))].map(neutraliseCell);
  return stringify([
    ['row', 'date', 'store_id', ...csvColumns.map(([, column]) => column)],
    ...report.days.map((day) => ['day', ...row(day.date, '*', day)]),
    ...report.stores.map((store) => ['store', ...row('*', store.storeId, store)]),
    ['total', ...row(`${report.from}..${report.to}`, '*', report.totals)],
  ]);
}
