/**
 * The filters Patron adds to Liquid, as plain functions of their input and the render's
 * surroundings (locale, time zone, currency, now); engine.ts registers them. Each throws a
 * FilterError in plain words when given what it cannot show; an absent value (null, undefined)
 * shows as nothing, as Liquid shows an absent variable.
 */
import { localTime } from '../../../platform/local-time.ts';
import { isTimezone } from '../../../platform/time-zones.ts';

/** What the filters need to know about the render: resolved once per render by the engine. */
export type FilterEnv = {
  locale: string;
  timeZone: string;
  currency: string;
  now: Date;
  /** The customer's own signed link to a survey (survey_url); absent where no customer's message is rendered. */
  surveyUrl?: (surveyId: string) => string;
};

export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

const DAY_MS = 86_400_000;

/** Formatters are costly to build (tens of microseconds) and a campaign asks the same few thousands of times. */
function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let hit = cache.get(key);
  if (hit === undefined) {
    hit = make();
    if (cache.size >= 500) cache.clear();
    cache.set(key, hit);
  }
  return hit;
}

const locales = new Map<string, string | null>();

/**
 * The first candidate that is a locale the runtime has data for ('ru', 'en-GB'; 'ru_RU' is read
 * as 'ru-RU'), else `fallback`. A customer's locale comes from imports and forms, so anything may
 * be there; a bad one must not stop the message.
 */
export function resolveLocale(candidates: Array<string | null | undefined>, fallback = 'en'): string {
  for (const candidate of candidates) {
    if (!candidate) continue;
    const found = cached(locales, candidate, () => {
      try {
        const [canonical] = Intl.getCanonicalLocales(candidate.replace(/_/g, '-'));
        return canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0 ? canonical : null;
      } catch {
        return null;
      }
    });
    if (found) return found;
  }
  return fallback;
}

/** The first candidate that is an IANA time zone, else `fallback`. */
export function resolveTimeZone(candidates: Array<string | null | undefined>, fallback = 'UTC'): string {
  return candidates.find((candidate): candidate is string => !!candidate && isTimezone(candidate)) ?? fallback;
}

const shown = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : String(value));

function integerOf(value: unknown, filter: string, what: string): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,30}$/.test(value.trim())) return BigInt(value.trim());
  throw new FilterError(`${filter} expects ${what}; got ${shown(value)}`);
}

const currencyDigits = new Map<string, number>();
const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * An amount in minor units shown with its currency in the locale: 150050 RUB in ru is
 * "1 500,50 ₽" (the spaces are U+00A0, as Intl gives them), 150000 is "1 500 ₽" (no ",00").
 * The amount goes to Intl as a decimal string built from the integer, so no float rounds it.
 */
export function formatMoney(amountMinor: unknown, currency: string, locale: string): string {
  const amount = integerOf(amountMinor, 'money', 'an amount in minor units, a whole number such as 150050 for 1 500,50');
  if (amount === null) return '';
  const code = String(currency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new FilterError(`money: ${shown(currency)} is not a currency code such as RUB or USD`);
  const digits = cached(currencyDigits, code, () => new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2);
  const magnitude = (amount < 0n ? -amount : amount).toString().padStart(digits + 1, '0');
  const whole = digits === 0 ? magnitude : `${magnitude.slice(0, -digits)}.${magnitude.slice(-digits)}`;
  const format = cached(moneyFormats, `${locale}|${code}`, () =>
    // narrowSymbol: "₽1,500" in en rather than "RUB 1,500.00".
    new Intl.NumberFormat(locale, { style: 'currency', currency: code, currencyDisplay: 'narrowSymbol', trailingZeroDisplay: 'stripIfInteger' }),
  );
  return format.format(`${amount < 0n ? '-' : ''}${whole}` as Intl.StringNumericLiteral);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function formatNumber(value: number, locale: string): string {
  return cached(numberFormats, locale, () => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 })).format(value);
}

/** Points with the locale's grouping: 1500 is "1 500" in ru (U+00A0 between), "1,500" in en. */
export function formatPoints(points: unknown, locale: string): string {
  const amount = integerOf(points, 'points', 'a whole number of points');
  if (amount === null) return '';
  return cached(numberFormats, `${locale}|points`, () => new Intl.NumberFormat(locale, { maximumFractionDigits: 0 })).format(amount);
}

/**
 * The word for a count, by the plural rules of the language the forms are written in: three
 * forms are Russian (one, few, many: 'балл', 'балла', 'баллов'), two are English (one, other).
 * The forms decide, not the customer's locale, because the words are the template's language.
 * A fraction takes the Russian "few" form (1,5 балла), as the rules of the language have it.
 */
export function pluralWord(count: unknown, forms: unknown[]): string | null {
  const n = numberOf(count, 'plural');
  if (n === null) return null;
  const words = forms.map((form) => String(form ?? ''));
  if (words.length === 3) {
    const category = pluralRules('ru').select(n);
    return category === 'one' ? words[0]! : category === 'many' ? words[2]! : words[1]!;
  }
  if (words.length === 2) return pluralRules('en').select(n) === 'one' ? words[0]! : words[1]!;
  throw new FilterError(`plural takes 3 forms in Russian ('балл', 'балла', 'баллов') or 2 in English ('point', 'points'); got ${words.length}`);
}

/** The count and its word: `5 | plural: 'балл', 'балла', 'баллов'` is "5 баллов"; the count grouped as the locale groups. */
export function pluralize(count: unknown, forms: unknown[], locale: string): string {
  const word = pluralWord(count, forms);
  if (word === null) return '';
  return `${formatNumber(numberOf(count, 'plural')!, locale)} ${word}`;
}

const rules = new Map<string, Intl.PluralRules>();
const pluralRules = (language: string) => cached(rules, language, () => new Intl.PluralRules(language));

function numberOf(value: unknown, filter: string): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new FilterError(`${filter} expects a number; got ${shown(value)}`);
  return n;
}

/** A calendar date (birthDate, an expiry date: never shifted by a zone) or an instant. */
type Moment = { kind: 'date'; year: number; month: number; day: number } | { kind: 'instant'; ms: number };

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function momentOf(value: unknown, now: Date, filter: string): Moment | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new FilterError(`${filter}: the date is not valid`);
    return { kind: 'instant', ms: value.getTime() };
  }
  if (value === 'now' || value === 'today') return { kind: 'instant', ms: now.getTime() };
  if (typeof value === 'string') {
    const date = DATE_ONLY.exec(value);
    if (date) {
      const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
      const check = new Date(Date.UTC(year, month - 1, day));
      if (check.getUTCMonth() === month - 1 && check.getUTCDate() === day) return { kind: 'date', year, month, day };
    } else if (TIMESTAMP.test(value)) {
      // A timestamp without an offset is read as UTC, never as the server's zone.
      const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`);
      if (!Number.isNaN(ms)) return { kind: 'instant', ms };
    }
  }
  throw new FilterError(`${filter} expects a date (YYYY-MM-DD) or an ISO timestamp; got ${shown(value)}`);
}

export const DATE_FORMATS = ['short', 'long', 'day_month', 'time', 'datetime'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

const dateStyles: Record<DateFormat, Intl.DateTimeFormatOptions> = {
  short: { dateStyle: 'short' },
  long: { dateStyle: 'long' },
  day_month: { day: 'numeric', month: 'long' },
  time: { timeStyle: 'short' },
  datetime: { dateStyle: 'long', timeStyle: 'short' },
};

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * A date or an instant in the customer's locale; an instant in their time zone (18:30 in Moscow
 * is 01:30 the next day in Vladivostok). A calendar date is shown as it is, in any zone; it has
 * no time, so 'time' and 'datetime' refuse it.
 */
export function formatLocalDate(value: unknown, format: unknown, env: Pick<FilterEnv, 'locale' | 'timeZone' | 'now'>): string {
  const style = (format ?? 'long') as DateFormat;
  if (!DATE_FORMATS.includes(style)) throw new FilterError(`local_date: the format is one of ${DATE_FORMATS.join(', ')}; got ${shown(format)}`);
  const moment = momentOf(value, env.now, 'local_date');
  if (moment === null) return '';
  if (moment.kind === 'date' && (style === 'time' || style === 'datetime')) {
    throw new FilterError(`local_date: ${shown(value)} is a date without a time; use short, long or day_month`);
  }
  const zone = moment.kind === 'date' ? 'UTC' : env.timeZone;
  const ms = moment.kind === 'date' ? Date.UTC(moment.year, moment.month - 1, moment.day) : moment.ms;
  return cached(dateFormats, `${env.locale}|${zone}|${style}`, () => new Intl.DateTimeFormat(env.locale, { ...dateStyles[style], timeZone: zone })).format(ms);
}

/**
 * Whole days from today to the date, both as the calendar reads in the customer's zone: 0 for
 * today, 1 for tomorrow, negative once past. An instant counts by its date in that zone.
 */
export function daysUntil(value: unknown, env: Pick<FilterEnv, 'timeZone' | 'now'>): number | null {
  const moment = momentOf(value, env.now, 'days_until');
  if (moment === null) return null;
  const target = moment.kind === 'date' ? Date.UTC(moment.year, moment.month - 1, moment.day) : dayOf(localTime(new Date(moment.ms), env.timeZone).date);
  return Math.round((target - dayOf(localTime(env.now, env.timeZone).date)) / DAY_MS);
}

function dayOf(isoDate: string): number {
  const [year, month, day] = isoDate.split('-').map(Number);
  return Date.UTC(year!, month! - 1, day!);
}
