import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import type { ReceiptFigures, ReplayedReceipt } from '../loyalty/index.ts';

/**
 * The what-if report: actual against what-if, in total, by store and by tier. Points are whole,
 * money in minor units. Derived figures, at the program's point value (pointValueMinor):
 * - liabilityChangeMinor = (pointsIssued − pointsRedeemed) × pointValueMinor: what the program
 *   owes more (or less) after these receipts;
 * - costMinor = redeemedMinor + discountMinor + liabilityChangeMinor: the money points paid, the
 *   promotions' discounts and the points still owed (so, discounts plus points issued at their value).
 * Returns count by quantity (loyalty/what-if-replay.ts): a line counts for the part not returned.
 */
export type Figures = ReceiptFigures & { pointsBonus: number; liabilityChangeMinor: number; costMinor: number };

type Pair = { receipts: number; actual: ReceiptFigures; whatIf: ReceiptFigures };

/** The running sums a run keeps in its row between batches. Tier key '' is no customer. */
export type Sums = { receipts: number; mismatched: number; total: Pair; stores: Record<string, Pair>; tiers: Record<string, Pair> };

export type ReportRow = { receipts: number; actual: Figures; whatIf: Figures; difference: Figures };

export type WhatIfReport = {
  currency: string;
  pointValueMinor: number;
  /** Receipts replayed: every receipt bought in the window (cancelled ones count nothing). */
  receipts: number;
  /** Receipts the live configuration no longer prices as they were stored (0 when nothing changed during the window). */
  mismatched: number;
  total: ReportRow;
  byStore: Array<ReportRow & { storeId: string }>;
  byTier: Array<ReportRow & { tierId: string | null }>;
};

const zero = (): ReceiptFigures => ({ pointsIssued: 0, pointsBase: 0, discountMinor: 0, pointsRedeemed: 0, redeemedMinor: 0, revenueMinor: 0 });
const emptyPair = (): Pair => ({ receipts: 0, actual: zero(), whatIf: zero() });

export const emptySums = (): Sums => ({ receipts: 0, mismatched: 0, total: emptyPair(), stores: {}, tiers: {} });

function add(into: ReceiptFigures, figures: ReceiptFigures): void {
  into.pointsIssued += figures.pointsIssued;
  into.pointsBase += figures.pointsBase;
  into.discountMinor += figures.discountMinor;
  into.pointsRedeemed += figures.pointsRedeemed;
  into.redeemedMinor += figures.redeemedMinor;
  into.revenueMinor += figures.revenueMinor;
}

function addTo(pair: Pair, receipt: ReplayedReceipt): void {
  pair.receipts += 1;
  add(pair.actual, receipt.actual);
  add(pair.whatIf, receipt.whatIf);
}

/** Adds a batch of replayed receipts to the sums (in place). */
export function addReceipts(sums: Sums, receipts: ReplayedReceipt[]): void {
  for (const receipt of receipts) {
    sums.receipts += 1;
    if (receipt.mismatch) sums.mismatched += 1;
    addTo(sums.total, receipt);
    addTo((sums.stores[receipt.storeId] ??= emptyPair()), receipt);
    addTo((sums.tiers[receipt.tierId ?? ''] ??= emptyPair()), receipt);
  }
}

function derived(figures: ReceiptFigures, pointValueMinor: number): Figures {
  const liabilityChangeMinor = (figures.pointsIssued - figures.pointsRedeemed) * pointValueMinor;
  return {
    ...figures,
    pointsBonus: figures.pointsIssued - figures.pointsBase,
    liabilityChangeMinor,
    costMinor: figures.redeemedMinor + figures.discountMinor + liabilityChangeMinor,
  };
}

const FIGURES = ['pointsIssued', 'pointsBase', 'pointsBonus', 'discountMinor', 'pointsRedeemed', 'redeemedMinor', 'liabilityChangeMinor', 'costMinor', 'revenueMinor'] as const;

function rowOf(pair: Pair, pointValueMinor: number): ReportRow {
  const actual = derived(pair.actual, pointValueMinor);
  const whatIf = derived(pair.whatIf, pointValueMinor);
  const difference = Object.fromEntries(FIGURES.map((key) => [key, whatIf[key] - actual[key]])) as Figures;
  return { receipts: pair.receipts, actual, whatIf, difference };
}

/** The report from the sums: stores by id, tiers up the ladder (`tierOrder`, entry first; others after, by id), no customer last. */
export function reportOf(sums: Sums, program: { currency: string; pointValueMinor: number }, tierOrder: string[]): WhatIfReport {
  const pv = program.pointValueMinor;
  const byKey = (a: [string, Pair], b: [string, Pair]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  const rank = (key: string) => (key === '' ? Number.MAX_SAFE_INTEGER : tierOrder.includes(key) ? tierOrder.indexOf(key) : tierOrder.length);
  const byTier = (a: [string, Pair], b: [string, Pair]) => rank(a[0]) - rank(b[0]) || byKey(a, b);
  return {
    currency: program.currency,
    pointValueMinor: pv,
    receipts: sums.receipts,
    mismatched: sums.mismatched,
    total: rowOf(sums.total, pv),
    byStore: Object.entries(sums.stores).sort(byKey).map(([storeId, pair]) => ({ storeId, ...rowOf(pair, pv) })),
    byTier: Object.entries(sums.tiers).sort(byTier).map(([tierId, pair]) => ({ tierId: tierId === '' ? null : tierId, ...rowOf(pair, pv) })),
  };
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The table as CSV: a row for the total, each store and each tier; each figure actual, what-if and difference. */
export function reportCsv(report: WhatIfReport): string {
  const header = ['dimension', 'key', 'receipts', ...FIGURES.flatMap((f) => [`actual_${snake(f)}`, `what_if_${snake(f)}`, `difference_${snake(f)}`])];
  const line = (dimension: string, key: string, row: ReportRow) => [
    dimension,
    neutraliseCell(key),
    String(row.receipts),
    ...FIGURES.flatMap((f) => [String(row.actual[f]), String(row.whatIf[f]), String(row.difference[f])]),
  ];
  return stringify([
    header,
    line('total', '', report.total),
    ...report.byStore.map((row) => line('store', row.storeId, row)),
    ...report.byTier.map((row) => line('tier', row.tierId ?? '(no customer)', row)),
  ]);
}
