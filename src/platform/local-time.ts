/** An instant as a store's or a customer's clock shows it: weekday, time of day and date in their timezone. */
const formatters = new Map<string, Intl.DateTimeFormat>();
export type LocalTime = { weekday: number; minutes: number; date: string };
// formatToParts costs tens of microseconds and a receipt asks several times (each timed rule,
// the birthday); receipts arrive at "now", so the last minute asked per zone almost always hits.
const lastMinute = new Map<string, { minute: number; local: LocalTime }>();

/** ISO weekday (1 = Monday) and minutes since midnight of an instant in a timezone. */
export function localTime(at: Date, timezone: string): LocalTime {
  const minute = Math.floor(at.getTime() / 60_000);
  const last = lastMinute.get(timezone);
  if (last && last.minute === minute) return last.local;
  const local = formatLocalTime(at, timezone);
  lastMinute.set(timezone, { minute, local });
  return local;
}

function formatLocalTime(at: Date, timezone: string): LocalTime {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? '') + 1;
  return {
    weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
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

