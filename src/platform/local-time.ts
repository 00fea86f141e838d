/** An instant as a store's or a customer's clock shows it: weekday, time of day and date in their timezone. */
export type LocalTime = { weekday: number; minutes: number; date: string };

const HOUR_MS = 3_600_000;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The zone's offset from UTC at an instant, in milliseconds: its wall clock read by
 * formatToParts (to the second), less the instant. formatToParts costs tens of microseconds.
 */
function offsetAt(ms: number, timezone: string): number {
  let formatter = offsetFormatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      era: 'short',
    });
    offsetFormatters.set(timezone, formatter);
  }
  const parts: Record<string, string> = {};
  for (const part of formatter.formatToParts(ms)) parts[part.type] = part.value;
  const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
  const wall = new Date(0);
  wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return wall.getTime() - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * A zone's offset for one UTC hour, when it holds for the whole hour. The offset is read at the
 * hour's first and last millisecond: the same at both ends, no change of offset fell between
 * them (a zone changes its offset at most once in an hour — months apart in every zone there is),
 * so every instant of the hour has it. Different (the hour a clock goes forward or back, at a
 * local time that need not be a whole UTC hour: Lord Howe, Newfoundland), the hour has no
 * single offset and each instant of it is read on its own.
 */
type HourOffset = { hour: number; offset: number | null };
const hourOffsets = new Map<string, HourOffset>();

function offsetOf(ms: number, timezone: string): number {
  const hour = Math.floor(ms / HOUR_MS);
  let cached = hourOffsets.get(timezone);
  if (!cached || cached.hour !== hour) {
    const start = offsetAt(hour * HOUR_MS, timezone);
    cached = { hour, offset: start === offsetAt(hour * HOUR_MS + HOUR_MS - 1, timezone) ? start : null };
    // One hour per zone: a till asks at "now" and a replay walks receipts in time order, so the
    // last hour asked almost always answers the next ask.
    hourOffsets.set(timezone, cached);
  }
  return cached.offset ?? offsetAt(ms, timezone);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function formatLocalTime(ms: number, timezone: string): LocalTime {
  // The wall clock as if it were UTC: its UTC fields are the zone's local ones.
  const wall = new Date(ms + offsetOf(ms, timezone));
  const year = wall.getUTCFullYear();
  return {
    weekday: ((wall.getUTCDay() + 6) % 7) + 1,
    minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    date: `${year >= 0 && year < 10_000 ? String(year).padStart(4, '0') : String(year)}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}`,
  };
}

// A receipt asks several times (each timed rule, a promotion's hours, the birthday), always of
// the same instant: the last minute asked per zone answers them.
const lastMinute = new Map<string, { minute: number; local: LocalTime }>();

/** ISO weekday (1 = Monday), minutes since midnight and the date (YYYY-MM-DD) of an instant in a timezone. */
export function localTime(at: Date, timezone: string): LocalTime {
  const ms = at.getTime();
  const minute = Math.floor(ms / 60_000);
  const last = lastMinute.get(timezone);
  if (last && last.minute === minute) return last.local;
  const local = formatLocalTime(ms, timezone);
  lastMinute.set(timezone, { minute, local });
  return local;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether minutes since midnight fall in [from, to), wrapping past midnight when to < from; no bounds: always. */
export function withinTime(minutes: number, from: string | undefined, to: string | undefined): boolean {
  if (!from && !to) return true;
  const start = from ? minutesOf(from) : 0;
  const end = to ? minutesOf(to) : 24 * 60;
  return start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

