import { sql } from 'kysely';
import type { Db } from './analytics.db.ts';
import { reportQuery } from './report-query.ts';
import type { AlertGrouping, AlertKind, AlertParams } from './analytics.tables.ts';
import type { AnalyticsSources } from './sources.ts';

/**
 * Anomaly rules over daily key figures, and the statistics that decide whether a day is
 * anomalous. Two kinds:
 * - `drop`: the day's value is below (1 − threshold) × the median of the `days` days before it
 *   (the recognition rate of a store falls 20 % below its 4-week median);
 * - `weekday_band`: the day's value is outside median ± max(k × 1.4826 × MAD, 10 % of the median)
 *   of the same weekday over the `weeks` weeks before (revenue outside its weekday band). The
 *   floor keeps a perfectly steady history from alerting on a one-kopeck change.
 * A day is judged only with at least `minHistory` days of history with a value; the median and
 * MAD are robust, so one holiday in the history does not move the line much.
 */
export const alertKpis = ['revenueMinor', 'receipts', 'averageCheckMinor', 'recognitionRate', 'identifiedReceipts', 'tillReceipts', 'customers'] as const;
export type AlertKpi = (typeof alertKpis)[number];

export const alertDefaults = {
  drop: { threshold: 0.2, days: 28, minHistory: 7 },
  weekday_band: { k: 3, weeks: 8, minHistory: 4 },
} as const;

export type DayValue = { day: string; value: number };
export type Verdict = {
  fired: boolean;
  value: number;
  median: number;
  low: number;
  high: number | null;
  history: DayValue[];
  reason: string | null;
};

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Judges a day's value against its history by the rule's kind (the history is already the right days). */
export function judge(kind: AlertKind, params: Required<AlertParams>, value: number, history: DayValue[]): Verdict | null {
  if (history.length < params.minHistory) return null;
  const m = median(history.map((h) => h.value));
  if (kind === 'drop') {
    const low = m * (1 - params.threshold);
    const fired = m > 0 && value < low;
    return { fired, value, median: round(m), low: round(low), high: null, history, reason: fired ? `${round((1 - value / m) * 100)} % below the median` : null };
  }
  const mad = median(history.map((h) => Math.abs(h.value - m)));
  const width = Math.max(params.k * 1.4826 * mad, 0.1 * Math.abs(m));
  const low = m - width;
  const high = m + width;
  const fired = value < low || value > high;
  return { fired, value, median: round(m), low: round(low), high: round(high), history, reason: fired ? (value < low ? 'below the weekday band' : 'above the weekday band') : null };
}

/** The group a daily value is of, as a text array (the same key every grouping). */
function dayGroup(g: AlertGrouping): ReturnType<typeof sql> {
  switch (g) {
    case 'none': return sql`array[]::text[]`;
    case 'store': return sql`array[t.store_id]`;
    case 'register': return sql`array[t.store_id, t.register_id]`;
    case 'channel': return sql`array[t.channel]`;
  }
}

export type DailyRow = { group: string[]; day: string; receipts: number; revenue: number; identified: number; till: number; tillIdentified: number; customers: number };

/** Each group's figures for each local day of [from, to) (instants), one statement. */
export async function dailyFigures(db: Db, sources: AnalyticsSources, g: AlertGrouping, from: Date, to: Date, timezone: string): Promise<DailyRow[]> {
  const rows = await reportQuery(db, sql<{ g: string[]; day: string; receipts: string; revenue: string; identified: string; till: string; tillIdentified: string; customers: string }>`
    select ${dayGroup(g)} as g, to_char(t.occurred_at at time zone ${timezone}, 'YYYY-MM-DD') as day, count(*) as receipts, sum(t.net_minor) as revenue,
      count(t.customer_id) as identified, count(*) filter (where t.channel = 'offline') as till,
      count(t.customer_id) filter (where t.channel = 'offline') as till_identified, count(distinct t.customer_id) as customers
    from (${sources.till.receipts({ from, to })}) t
    group by 1, 2 order by 1, 2`);
  return rows.map((row) => ({
    group: row.g, day: row.day, receipts: Number(row.receipts), revenue: Number(row.revenue), identified: Number(row.identified),
    till: Number(row.till), tillIdentified: Number(row.tillIdentified), customers: Number(row.customers),
  }));
}

/** A day's value of the key figure; null where it has none (no till receipt: no recognition rate). A day with no row is zero receipts. */
export function valueOf(kpi: AlertKpi, row: DailyRow | undefined): number | null {
  const r = row ?? { receipts: 0, revenue: 0, identified: 0, till: 0, tillIdentified: 0, customers: 0 };
  switch (kpi) {
    case 'revenueMinor': return r.revenue;
    case 'receipts': return r.receipts;
    case 'averageCheckMinor': return r.receipts > 0 ? Math.round(r.revenue / r.receipts) : null;
    case 'recognitionRate': return r.till > 0 ? round(r.tillIdentified / r.till) : null;
    case 'identifiedReceipts': return r.identified;
    case 'tillReceipts': return r.till;
    case 'customers': return r.customers;
  }
}

/** The group as the alert names it: {} in total, {store}, {store, register} or {channel}. */
export function groupKeyOf(g: AlertGrouping, key: string[]): Record<string, string | null> {
  switch (g) {
    case 'none': return {};
    case 'store': return { store: key[0] ?? '' };
    case 'register': return { store: key[0] ?? '', register: key[1] === '' ? null : (key[1] ?? null) };
    case 'channel': return { channel: key[0] ?? '' };
  }
}
