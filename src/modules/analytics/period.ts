import { localTime } from '../../platform/local-time.ts';
import { analyticsError } from './analytics.errors.ts';

/**
 * A report's period: whole days `from` … `to` (both included) as a clock in `timezone` shows
 * them, so "March" in Moscow starts at 21:00 UTC on the last day of February. Reports read it as
 * the half-open instants [start, end).
 */
export type Period = { from: string; to: string; timezone: string; start: Date; end: Date; days: number };

const DAY = 86_400_000;
/** Ten years of days: long enough for any history a retailer asks about, short enough to refuse a typo's 9999. */
export const MAX_PERIOD_DAYS = 3660;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;
const FIRST_DAY = '1900-01-01';
const LAST_DAY = '2999-12-31';

function parseDate(value: string, field: string): number {
  const match = datePattern.exec(value);
  const at = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== value) {
    throw analyticsError('analytics.invalid_period', `${field}: must be a date as YYYY-MM-DD, e.g. 2026-03-01; got ${JSON.stringify(value)}`, [{ field, reason: 'must be a date as YYYY-MM-DD' }]);
  }
  // A year like 9999 is a typo, and the day after it would leave the four-digit years the reports' dates are written in.
  if (value < FIRST_DAY || value > LAST_DAY) {
    throw analyticsError('analytics.invalid_period', `${field}: must be a date from ${FIRST_DAY} to ${LAST_DAY}; got ${value}`, [{ field, reason: `must be from ${FIRST_DAY} to ${LAST_DAY}` }]);
  }
  return at;
}

export function checkTimezone(timezone: string, field = 'timezone'): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return timezone;
  } catch {
    throw analyticsError('analytics.invalid_period', `${field}: must be an IANA time zone such as UTC or Europe/Moscow; got ${JSON.stringify(timezone)}`, [{ field, reason: 'must be an IANA time zone' }]);
  }
}

/** The instant a calendar day (UTC milliseconds of its date) starts in the zone. */
export function startOfDay(dateUtcMs: number, timezone: string): Date {
  // Guess the offset at the day's UTC midnight, then correct once: a zone's offset changes
  // at most once around a day's start, and never by more than a day.
  let at = dateUtcMs;
  for (let i = 0; i < 2; i++) {
    const local = localTime(new Date(at), timezone);
    const shownMs = Date.parse(`${local.date}T00:00:00Z`) + local.minutes * 60_000;
    at += dateUtcMs - shownMs;
  }
  return new Date(at);
}

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function periodOf(fromMs: number, toMs: number, timezone: string): Period {
  return { from: isoDate(fromMs), to: isoDate(toMs), timezone, start: startOfDay(fromMs, timezone), end: startOfDay(toMs + DAY, timezone), days: Math.round((toMs - fromMs) / DAY) + 1 };
}

/**
 * The period asked for: `to` defaults to today in the zone, `from` to 29 days before `to` (30
 * days in all). Refuses a `from` after `to` and a span over ten years, in words.
 */
export function parsePeriod(query: { from?: string; to?: string; timezone?: string }, now: Date): Period {
  const timezone = checkTimezone(query.timezone ?? 'UTC');
  const toMs = query.to ? parseDate(query.to, 'to') : Date.parse(`${localTime(now, timezone).date}T00:00:00Z`);
  const fromMs = query.from ? parseDate(query.from, 'from') : toMs - 29 * DAY;
  if (fromMs > toMs) {
    throw analyticsError('analytics.invalid_period', `from (${isoDate(fromMs)}) must not be after to (${isoDate(toMs)})`, [{ field: 'from', reason: 'must not be after to' }]);
  }
  if ((toMs - fromMs) / DAY + 1 > MAX_PERIOD_DAYS) {
    throw analyticsError('analytics.invalid_period', `The period from ${isoDate(fromMs)} to ${isoDate(toMs)} is longer than ${MAX_PERIOD_DAYS} days; ask for a shorter one`, [{ field: 'from', reason: `the period may span at most ${MAX_PERIOD_DAYS} days` }]);
  }
  return periodOf(fromMs, toMs, timezone);
}

/** The period of the same length just before this one (what "previous period" compares with). */
export function previousPeriod(period: Period): Period {
  const fromMs = Date.parse(`${period.from}T00:00:00Z`);
  return periodOf(fromMs - period.days * DAY, fromMs - DAY, period.timezone);
}

/** The same dates a year earlier (29 February becomes 28 February). */
export function yearEarlier(period: Period): Period {
  const back = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const lastDay = new Date(Date.UTC(y - 1, m, 0)).getUTCDate();
    return Date.UTC(y - 1, m - 1, Math.min(d, lastDay));
  };
  return periodOf(back(period.from), back(period.to), period.timezone);
}

/** What a report states of its period. */
export const periodView = (p: Period) => ({ from: p.from, to: p.to, timezone: p.timezone, start: p.start.toISOString(), end: p.end.toISOString() });
