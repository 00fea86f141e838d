import { sql } from 'kysely';
import type { ExpiryMonth, PointsFlows } from '../loyalty/index.ts';
import type { Db } from './analytics.db.ts';
import { reportQuery } from './report-query.ts';
import { roiOf, type Roi } from './roi.ts';
import type { Period } from './period.ts';
import type { AnalyticsSources, UpliftSource } from './sources.ts';

/**
 * The economics of the bonus system over a period: the points' flows from the ledger, priced at
 * the program's point value (its current setting), beside the money the receipts of the period
 * brought and the discounts they got.
 *
 * - liability = points outstanding × point value (pending points included: they will be spendable);
 * - breakage rate = expired ÷ (issued + awarded) in the period; the historical rate is the share of
 *   the points whose lots' expiry date has passed that expired unused, and the expected breakage of
 *   what is outstanding now applies it to the outstanding points that can expire;
 * - program cost (cash view) = points redeemed (net of those given back) × point value + discounts;
 *   the accrual view prices the points given in the period (net of reversals) at the point value,
 *   less the historical breakage, plus discounts;
 * - cost share = cost ÷ revenue (paid net of refunds);
 * - ROI, measured against control groups (roi.ts): what the campaigns and journeys whose
 *   attribution starts in the period added to revenue against their control groups, less the
 *   program's cash cost, over that cost; null, with the reason, when nothing was measured.
 */
export type EconomicsReport = {
  currency: string;
  pointValueMinor: number;
  points: PointsFlows & { netRedeemed: number; outstandingAtStart: number; outstandingAtEnd: number };
  liability: { atStartMinor: number; atEndMinor: number; changeMinor: number };
  /** Outstanding now by the month it expires, priced; as of now whatever the period (lots keep only their current state). */
  liabilityByExpiryMonth: { asOf: string; months: Array<ExpiryMonth & { valueMinor: number }> };
  breakage: { rate: number | null; historicalRate: number | null; settledPoints: number; settledExpired: number; outstandingExpiring: number; expectedPoints: number | null; expectedMinor: number | null };
  revenue: { revenueMinor: number; grossMinor: number; receipts: number; discountMinor: number; redeemedAtTillMinor: number };
  cost: { redeemedValueMinor: number; discountMinor: number; cashMinor: number; accruedPointsMinor: number | null; accrualMinor: number | null; shareOfRevenue: number | null; accrualShareOfRevenue: number | null };
  roi: Roi | null;
  /** Why roi is null, in plain words; null when it is given. */
  roiReason: string | null;
  series?: Array<PointsFlows & { period: string; valueIssuedMinor: number; valueRedeemedMinor: number }>;
  /** The flows and revenue of the hours before this instant came from the hourly rollups, the rest from raw rows; null: all from raw rows. */
  rolledUpTo: string | null;
};

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1e4) / 1e4 : null);

export async function economicsReport(db: Db, sources: AnalyticsSources, period: Period, now: Date, seriesBy?: 'day' | 'week' | 'month', uplift: readonly UpliftSource[] = []): Promise<EconomicsReport> {
  const { points, till, rollups } = sources;
  // The hours before closedUntil come from the rollups (the same sums), the rest from raw rows.
  const closedUntil = await rollups.forReport();
  const rolled = rollups.facts.covers(closedUntil, period.start, period.end) ? closedUntil : null;
  const [experiments, program, flows, byExpiry, history, money, series] = await Promise.all([
    Promise.all(uplift.map((source) => source({ from: period.start, to: period.end }))).then((lists) => lists.flat()),
    points.program(),
    points.economics(period.start, period.end, rolled),
    points.byExpiryMonth(now),
    points.breakage(now),
    reportQuery(db, rolled
      ? sql<{ revenue: string; gross: string; receipts: string; discount: string; redeemed: string }>`
        select coalesce(t.revenue_minor, 0) as revenue, coalesce(t.gross_minor, 0) as gross, coalesce(t.receipts, 0) as receipts,
          coalesce(t.discount_minor, 0) as discount, coalesce(t.redeemed_minor, 0) as redeemed
        from (${rollups.facts.receiptTotals({ from: period.start, to: period.end, closedUntil: rolled })}) t`
      : sql<{ revenue: string; gross: string; receipts: string; discount: string; redeemed: string }>`
        select coalesce(sum(t.net_minor), 0) as revenue, coalesce(sum(t.total_minor), 0) as gross, count(*) as receipts,
          coalesce(sum(t.discount_minor), 0) as discount, coalesce(sum(t.redeemed_minor), 0) as redeemed
        from (${till.receipts({ from: period.start, to: period.end })}) t`),
    seriesBy ? points.flowsBy(period.start, period.end, seriesBy, period.timezone) : Promise.resolve(undefined),
  ]);
  const value = program.pointValueMinor;
  const m = money[0]!;
  const revenueMinor = Number(m.revenue);
  const discountMinor = Number(m.discount);
  const netRedeemed = flows.redeemedAtTill + flows.redeemedOnRewards - flows.returned;
  const historicalRate = history.settledPoints > 0 ? history.settledExpired / history.settledPoints : null;
  // Outstanding points that carry an expiry date: every month's but the lots that never expire.
  const outstandingExpiring = byExpiry.reduce((sum, month) => (month.month === 'never' ? sum : sum + month.points), 0);
  const expectedPoints = historicalRate === null ? null : Math.round(outstandingExpiring * historicalRate);
  const redeemedValueMinor = netRedeemed * value;
  const cashMinor = redeemedValueMinor + discountMinor;
  const given = flows.issued + flows.awarded - flows.reversed;
  const accruedPointsMinor = historicalRate === null ? null : Math.round(given * value * (1 - historicalRate));
  const accrualMinor = accruedPointsMinor === null ? null : accruedPointsMinor + discountMinor;
  const report: EconomicsReport = {
    currency: program.currency,
    pointValueMinor: value,
    points: { ...flows, netRedeemed },
    liability: { atStartMinor: flows.outstandingAtStart * value, atEndMinor: flows.outstandingAtEnd * value, changeMinor: (flows.outstandingAtEnd - flows.outstandingAtStart) * value },
    liabilityByExpiryMonth: { asOf: now.toISOString(), months: byExpiry.map((month) => ({ ...month, valueMinor: month.points * value })) },
    breakage: {
      rate: ratio(flows.expired, flows.issued + flows.awarded),
      historicalRate: historicalRate === null ? null : Math.round(historicalRate * 1e4) / 1e4,
      settledPoints: history.settledPoints,
      settledExpired: history.settledExpired,
      outstandingExpiring,
      expectedPoints,
      expectedMinor: expectedPoints === null ? null : expectedPoints * value,
    },
    revenue: { revenueMinor, grossMinor: Number(m.gross), receipts: Number(m.receipts), discountMinor, redeemedAtTillMinor: Number(m.redeemed) },
    cost: {
      redeemedValueMinor,
      discountMinor,
      cashMinor,
      accruedPointsMinor,
      accrualMinor,
      shareOfRevenue: ratio(cashMinor, revenueMinor),
      accrualShareOfRevenue: accrualMinor === null ? null : ratio(accrualMinor, revenueMinor),
    },
    ...roiOf(experiments, cashMinor, value),
    rolledUpTo: rolled ? rolled.toISOString() : null,
  };
  if (series) {
    report.series = series.map((row) => ({
      ...row,
      valueIssuedMinor: (row.issued + row.awarded - row.reversed) * value,
      valueRedeemedMinor: (row.redeemedAtTill + row.redeemedOnRewards - row.returned) * value,
    }));
  }
  return report;
}
