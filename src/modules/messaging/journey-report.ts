import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { ExperimentReport, Interval, SrmCheck, VerdictOutcome } from '../experiments/index.ts';
import { armFigures, experimentOf, measureArms, type PurchaseReceipts } from './arm-report.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';

/**
 * A journey's report: its entrants in a period of entry, each arm measured from each entry over
 * the attribution window (a customer who entered twice counts once, their windows joined), and
 * the journey's arm against the control that walked it without being sent anything — the
 * campaign report's machinery (arm-report.ts), so the two read the same way.
 */
export const JOURNEY_ARMS = ['control', 'journey'] as const;
export const DEFAULT_ATTRIBUTION_DAYS = 7;
const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type JourneyReportAsk = { from?: string; to?: string; attributionDays?: number };

type JourneyRow = { id: string; status: string; controlShareBp: number; createdAt: Date };

type Metric = { control: number | null; journey: number | null; difference: number | null; ci: Interval | null; relative: number | null; pValue: number | null; significant: boolean };

export type JourneyReport = {
  journeyId: string;
  status: string;
  window: { from: string; to: string; attributionDays: number; complete: boolean };
  currency: string;
  arms: Array<{ key: string; entries: number; entrants: number; messaged: number; delivered: number; opened: number; clicked: number; converted: number; revenueMinor: number; revenuePerEntrantMinor: number | null }>;
  uplift: {
    conversion: Metric;
    revenuePerEntrant: Metric & { method: 'welch' | 'cuped' };
    incrementalRevenue: { estimateMinor: number | null; ci: Interval | null };
    srm: SrmCheck;
    verdict: { outcome: VerdictOutcome; en: string; ru: string };
  } | null;
  /** Why there is no uplift (no control group, no entrants). */
  reason: string | null;
  experiment: ExperimentReport | null;
};

/** The entries of a period, [from, to), as the instants the ask names: whole UTC days, `to` included. */
export function journeyWindow(ask: JourneyReportAsk, journey: { createdAt: Date }, now: Date): { from: Date; to: Date; days: number } {
  const day = (field: 'from' | 'to') => {
    const text = ask[field]!;
    const at = Date.parse(`${text}T00:00:00Z`);
    if (!DATE.test(text) || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text) throw messagingError('messaging.invalid_report_query', `${field}: ${JSON.stringify(text.slice(0, 40))} is not a date; use YYYY-MM-DD`, [{ field, reason: 'must be a date YYYY-MM-DD' }]);
    return at;
  };
  const from = ask.from ? new Date(day('from')) : journey.createdAt;
  // Left out: every entry so far, one made this very millisecond included.
  const to = ask.to ? new Date(day('to') + DAY_MS) : new Date(now.getTime() + 1);
  if (to.getTime() <= from.getTime()) throw messagingError('messaging.invalid_report_query', 'to: the period must end after it starts', [{ field: 'to', reason: 'must not be before from' }]);
  return { from, to, days: ask.attributionDays ?? DEFAULT_ATTRIBUTION_DAYS };
}

/** What the journey's arms did after the entries of [from, to) (the report, and economics' incremental revenue). */
export async function measureJourney(deps: { db: Db; receipts: PurchaseReceipts }, journey: JourneyRow, window: { from: Date; to: Date; days: number }, options: { bootstrap: boolean }) {
  const { from, to, days } = window;
  const entries = sql`select id, customer_id, arm, entered_at from journey_entries where journey_id = ${journey.id} and entered_at >= ${from} and entered_at < ${to}`;
  const measured = await measureArms(deps.db, deps.receipts, {
    windows: sql`select customer_id, arm, entered_at as starts_at, entered_at + make_interval(days => ${days}) as ends_at from (${entries}) en`,
    // A journey's message carries its entry in its key (journey:<entry>:<step>): the period's entries' messages.
    messages: sql`select m.id, m.customer_id, m.status from messages m where m.source = 'journey' and m.source_id = ${journey.id}
      and split_part(m.dedupe_key, ':', 2) in (select id from (${entries}) en)`,
    span: { from, to: new Date(to.getTime() + days * DAY_MS) },
    preDays: days,
  }, options);
  const arms = [{ key: 'control', weight: journey.controlShareBp }, { key: 'journey', weight: 10_000 - journey.controlShareBp }];
  const figures = armFigures(arms, measured, (key) => (key === 'control' ? 'Control' : 'Journey'));
  return { arms, figures, rows: measured.rows };
}

const metric = (m: { control: number | null; variant: number | null; estimate: number | null; ci: Interval | null; relative: number | null; pValue: number | null; significant: boolean }): Metric => ({
  control: m.control, journey: m.variant, difference: m.estimate, ci: m.ci, relative: m.relative, pValue: m.pValue, significant: m.significant,
});

export async function journeyReport(
  deps: { db: Db; clock: Clock; receipts: PurchaseReceipts; currency: () => Promise<string> },
  journey: JourneyRow,
  ask: JourneyReportAsk,
): Promise<JourneyReport> {
  const now = deps.clock.now();
  const window = journeyWindow(ask, journey, now);
  const [currency, measured] = await Promise.all([deps.currency(), measureJourney(deps, journey, window, { bootstrap: true })]);
  const { arms, figures, rows } = measured;
  const experiment = journey.controlShareBp > 0 ? experimentOf(arms, figures, 'control', currency) : null;
  const comparison = experiment?.comparisons[0];
  const entrants = figures.reduce((sum, f) => sum + f.recipients, 0);
  // Complete once the last entry's window has ended (and the period is over: no one may still enter it).
  const lastAt = Math.max(0, ...rows.map((r) => (r.lastAt ? new Date(r.lastAt).getTime() : 0)));
  const complete = now.getTime() >= Math.max(lastAt + window.days * DAY_MS, Math.min(window.to.getTime(), now.getTime()));
  const reason = journey.controlShareBp === 0 ? 'The journey has no control group (controlShareBp 0): there is nothing to measure its uplift against' : entrants === 0 ? 'No one entered the journey in the period' : null;
  return {
    journeyId: journey.id,
    status: journey.status,
    window: { from: window.from.toISOString(), to: window.to.toISOString(), attributionDays: window.days, complete },
    currency,
    arms: figures.map((f) => {
      const row = rows.find((r) => r.arm === f.key);
      return {
        key: f.key, entries: row?.exposures ?? 0, entrants: f.recipients, messaged: f.delivered, delivered: row?.delivered ?? 0, opened: f.opened, clicked: f.clicked, converted: f.converted,
        revenueMinor: Math.round(f.revenue.sum), revenuePerEntrantMinor: f.recipients > 0 ? Math.round(f.revenue.sum / f.recipients) : null,
      };
    }),
    uplift: comparison && reason === null
      ? {
          conversion: metric(comparison.metrics.conversion),
          revenuePerEntrant: { ...metric(comparison.metrics.revenuePerRecipient), method: comparison.metrics.revenuePerRecipient.method === 'cuped' ? 'cuped' : 'welch' },
          incrementalRevenue: { estimateMinor: comparison.incrementalRevenue.estimate === null ? null : Math.round(comparison.incrementalRevenue.estimate), ci: comparison.incrementalRevenue.ci },
          srm: experiment!.srm,
          verdict: { outcome: comparison.verdict.outcome, en: comparison.verdict.en, ru: comparison.verdict.ru },
        }
      : null,
    reason,
    experiment: reason === null ? experiment : null,
  };
}
