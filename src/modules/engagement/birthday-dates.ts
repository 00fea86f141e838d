/**
 * Calendar arithmetic for birthday offers, on 'YYYY-MM-DD' dates (pure; table-tested).
 *
 * A birthday is celebrated on the same month and day each year; one on 29 February is
 * celebrated on 28 February in years that have no 29 February (the last day of February the
 * customer was born in). An offer's window runs from `daysBefore` days before the celebrated day
 * to `daysAfter` days after it, both ends included, in the customer's own calendar.
 */
export type DueOffer = { year: number; birthday: string; from: string; to: string; late: boolean };

/**
 * Days after the window's end an offer not issued yet is still issued (late): the daily job runs
 * every PATRON_TIER_REVIEW_HOURS, not at each customer's midnight, so a short window (a single
 * day) can fall between two runs, across a DST change or a longer interval.
 */
export const LATE_GRACE_DAYS = 7;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const toDate = (ms: number) => {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
};
const msOf = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));

export const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export function addDays(date: string, days: number): string {
  return toDate(msOf(date) + days * 86_400_000);
}

/** The day a birth date is celebrated in `year`. */
export function birthdayIn(birthDate: string, year: number): string {
  const monthDay = birthDate.slice(5);
  if (monthDay === '02-29' && !isLeapYear(year)) return `${pad(year, 4)}-02-28`;
  return `${pad(year, 4)}-${monthDay}`;
}

/**
 * The offer whose window holds `today` (the customer's local date), or null: at most one, the
 * window (at most 121 days) and its grace being shorter than a year. Within LATE_GRACE_DAYS after
 * the window it is the late offer: valid from today for as many days as the window had.
 */
export function dueOffer(birthDate: string, today: string, daysBefore: number, daysAfter: number, graceDays = LATE_GRACE_DAYS): DueOffer | null {
  const year = Number(today.slice(0, 4));
  for (const y of [year - 1, year, year + 1]) {
    const birthday = birthdayIn(birthDate, y);
    const from = addDays(birthday, -daysBefore);
    const to = addDays(birthday, daysAfter);
    if (from <= today && today <= to) return { year: y, birthday, from, to, late: false };
    if (to < today && today <= addDays(to, graceDays)) return { year: y, birthday, from: today, to: addDays(today, daysBefore + daysAfter), late: true };
  }
  return null;
}

/**
 * Month-days ('MM-DD') a birthday due somewhere on Earth on `utcToday` can fall on: local dates
 * are at most a day off UTC's, so the window widened by a day each side. A 29 February birth
 * date is celebrated on 28 February in common years, so it is asked for with that day.
 */
export function monthDaysAround(utcToday: string, daysBefore: number, daysAfter: number): string[] {
  const days = new Set<string>();
  for (let offset = -daysAfter - 1; offset <= daysBefore + 1; offset++) days.add(addDays(utcToday, offset).slice(5));
  if (days.has('02-28')) days.add('02-29');
  return [...days].sort();
}

/** The instant a local date starts in a timezone (its local midnight, or the first instant after it on a day that skips midnight). */
export function startOfLocalDay(date: string, timezone: string): Date {
  const target = msOf(date);
  // Local time = UTC + offset; the offset at the guess is the zone's that day but for a change
  // at midnight, which a second pass corrects.
  let guess = target;
  for (let pass = 0; pass < 3; pass++) {
    const offset = offsetAt(guess, timezone);
    const next = target - offset;
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(ms: number, timezone: string): number {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - Math.floor(ms / 1000) * 1000;
}
