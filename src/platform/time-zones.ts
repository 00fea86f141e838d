const timezones = new Map<string, boolean>();

/** Any IANA name the runtime resolves, including links such as Asia/Kolkata and Europe/Kyiv. */
export function isTimezone(name: string): boolean {
  let known = timezones.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: name });
      // Offsets like "+03:00" also construct; only names are stored as timezones.
      known = /^[A-Za-z]/.test(name);
    } catch {
      known = false;
    }
    if (timezones.size < 10_000) timezones.set(name, known);
  }
  return known;
}
