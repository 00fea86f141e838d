import type { FieldProblem } from '../../platform/errors.ts';

/**
 * The QR code of a Russian fiscal receipt (the ФНС format printed on every till receipt since
 * 54-FZ): `t=20261130T1415&s=1490.00&fn=9960440300000000&i=12345&fp=3456789012&n=1`.
 *  t  the receipt's local date and time, YYYYMMDDTHHMM or YYYYMMDDTHHMMSS
 *  s  the total in roubles with a decimal point (to kopecks)
 *  fn the fiscal drive's number, 16 digits
 *  i  the fiscal document's number
 *  fp the fiscal sign, up to 10 digits
 *  n  the operation: 1 a sale (приход), 2 a sale's return, 3 an expense, 4 an expense's return
 * Parameters come in any order; the text may be URL-encoded or a whole URL whose query is it.
 * Each problem is reported in words naming its parameter; unknown parameters are ignored.
 */
export type FiscalQr = {
  /** The local date and time as the receipt prints it, normalised to YYYY-MM-DDTHH:MM:SS. */
  localTime: string;
  totalMinor: number;
  fn: string;
  i: number;
  fp: number;
  operation: 1;
};

export type QrParse = { ok: true; qr: FiscalQr } | { ok: false; problems: FieldProblem[] };

/** A receipt of more than this is not a customer's purchase (10 million roubles). */
export const MAX_TOTAL_MINOR = 1_000_000_000;
const MAX_UINT32 = 4_294_967_295;
const MAX_TEXT = 1000;

const operations: Record<string, string> = {
  '2': 'a return of a sale (возврат прихода)',
  '3': 'an expense (расход)',
  '4': 'a return of an expense (возврат расхода)',
};

const problem = (parameter: string, reason: string): FieldProblem => ({ field: `qr.${parameter}`, reason: `${parameter}: ${reason}` });
const shown = (value: string) => (value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}…` : JSON.stringify(value));

/** The query text of the QR: a whole URL's query, or the text itself. */
function queryOf(text: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const at = text.indexOf('?');
    return at < 0 ? '' : text.slice(at + 1).split('#')[0]!;
  }
  // A QR text encoded as a whole (t%3D…%26s%3D…): decoded once, so its '=' and '&' separate.
  if (!text.includes('=') && /%3d/i.test(text)) {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  }
  return text.startsWith('?') ? text.slice(1) : text;
}

type Parsed<T> = { value: T } | { problem: string };
const bad = (problem: string) => ({ problem });

function parseTime(value: string): Parsed<string> {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})?$/.exec(value);
  if (!m) return bad(`must be the receipt's date and time as YYYYMMDDTHHMM or YYYYMMDDTHHMMSS (20261130T1415), not ${shown(value)}`);
  const [, y, mo, d, h, mi, s = '00'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 2000 || month < 1 || month > 12 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return bad(`${y}-${mo}-${d} is not a date (a year from 2000, a month 01–12, a day the month has)`);
  }
  if (hour > 23 || minute > 59 || second > 59) return bad(`${h}:${mi}:${s} is not a time of day (hours 00–23, minutes and seconds 00–59)`);
  return { value: `${y}-${mo}-${d}T${h}:${mi}:${s}` };
}

function parseTotal(value: string): Parsed<number> {
  if (/^-/.test(value)) return bad('must not be negative: it is the amount paid');
  if (/^\d+,\d+$/.test(value)) return bad(`must use a decimal point, not a comma (${value.replace(',', '.')})`);
  const m = /^(\d+)(?:\.(\d*))?$/.exec(value);
  if (!m) return bad(`must be the total in roubles with a decimal point (1490.00), not ${shown(value)}`);
  const [, whole, fraction = ''] = m;
  if (fraction.length > 2) return bad(`has ${fraction.length} decimals; a total is in roubles to the kopeck (at most 2 decimals)`);
  const rouble = whole!.replace(/^0+(?=\d)/, '');
  if (rouble.length > 8) return bad(`${value} roubles is more than a receipt can be (at most ${MAX_TOTAL_MINOR / 100} roubles)`);
  const minor = Number(rouble) * 100 + Number(fraction.padEnd(2, '0'));
  if (minor === 0) return bad('must be more than 0: a receipt of nothing earns nothing');
  if (minor > MAX_TOTAL_MINOR) return bad(`${value} roubles is more than a receipt can be (at most ${MAX_TOTAL_MINOR / 100} roubles)`);
  return { value: minor };
}

function parseNumber(value: string, what: string, minimum: number): Parsed<number> {
  if (!/^\d{1,10}$/.test(value)) return bad(`must be ${what}: up to 10 digits, not ${shown(value)}`);
  const n = Number(value);
  if (n < minimum || n > MAX_UINT32) return bad(`must be ${what} from ${minimum} to ${MAX_UINT32}, not ${value}`);
  return { value: n };
}

/** Parses and checks a fiscal receipt's QR text; every problem found, each naming its parameter. */
export function parseFiscalQr(input: string): QrParse {
  const text = input.trim();
  if (text.length === 0) return { ok: false, problems: [{ field: 'qr', reason: 'is empty: give the text of the receipt\'s QR code (t=…&s=…&fn=…&i=…&fp=…&n=…)' }] };
  if (text.length > MAX_TEXT) return { ok: false, problems: [{ field: 'qr', reason: `is ${text.length} characters long; a receipt's QR text is at most ${MAX_TEXT}` }] };
  const problems: FieldProblem[] = [];
  const values = new Map<string, string>();
  const undecodable = new Set<string>();
  for (const part of queryOf(text).split('&')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    const key = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    let value = at < 0 ? '' : part.slice(at + 1);
    try {
      value = decodeURIComponent(value.replace(/\+/g, ' ')).trim();
    } catch {
      problems.push(problem(key, `${shown(value)} is not valid URL encoding (a % must be followed by two hexadecimal digits)`));
      undecodable.add(key);
      continue;
    }
    if (!['t', 's', 'fn', 'i', 'fp', 'n'].includes(key)) continue;
    const before = values.get(key);
    if (before !== undefined && before !== value) problems.push(problem(key, `is given twice, as ${shown(before)} and ${shown(value)}`));
    values.set(key, value);
  }

  const take = <T>(key: string, what: string, parse: (value: string) => Parsed<T>): T | undefined => {
    const value = values.get(key);
    if (value === undefined && undecodable.has(key)) return undefined;
    if (value === undefined || value === '') {
      problems.push(problem(key, `is missing: the QR of a fiscal receipt gives ${what}`));
      return undefined;
    }
    const parsed = parse(value);
    if ('problem' in parsed) {
      problems.push(problem(key, parsed.problem));
      return undefined;
    }
    return parsed.value;
  };

  const localTime = take('t', "the receipt's date and time (t=20261130T1415)", parseTime);
  const totalMinor = take('s', 'the total in roubles (s=1490.00)', parseTotal);
  const fn = take('fn', "the fiscal drive's 16-digit number (fn=9960440300000000)", (v) => (/^\d{16}$/.test(v) ? { value: v } : bad(`must be the fiscal drive's number: 16 digits, not ${shown(v)}`)));
  const i = take('i', "the fiscal document's number (i=12345)", (v) => parseNumber(v, "the fiscal document's number", 1));
  const fp = take('fp', 'the fiscal sign (fp=3456789012)', (v) => parseNumber(v, 'the fiscal sign', 0));
  const n = take('n', 'the operation (n=1: a sale)', (v) => {
    if (v === '1') return { value: 1 as const };
    const named = operations[v];
    return bad(named ? `n=${v} is ${named}: only a sale (n=1) earns points` : `must be the operation: 1 (a sale) earns points; 2, 3 and 4 are returns and expenses; not ${shown(v)}`);
  });
  if (problems.length > 0 || localTime === undefined || totalMinor === undefined || fn === undefined || i === undefined || fp === undefined || n === undefined) {
    return { ok: false, problems };
  }
  return { ok: true, qr: { localTime, totalMinor, fn, i, fp, operation: n } };
}

/** The QR text in its canonical form (what a verification service is sent as `qrraw`). */
export function canonicalQr(qr: FiscalQr): string {
  const digits = qr.localTime.replace(/[-:]/g, '');
  const t = digits.endsWith('00') ? digits.slice(0, -2) : digits;
  const s = `${Math.floor(qr.totalMinor / 100)}.${String(qr.totalMinor % 100).padStart(2, '0')}`;
  return `t=${t}&s=${s}&fn=${qr.fn}&i=${qr.i}&fp=${qr.fp}&n=${qr.operation}`;
}

/**
 * The instant a local date and time is in a zone. The zone's offset is read at the guess and
 * once more at the corrected instant, so a time near a change of offset lands right; a local time
 * that does not exist (skipped when clocks go forward) is read with the offset before the change.
 */
export function zonedInstant(localTime: string, timezone: string): Date {
  const wall = Date.parse(`${localTime}Z`);
  const offsetAt = (ms: number) => {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
    }).formatToParts(ms);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(ms / 1000) * 1000;
  };
  const first = wall - offsetAt(wall);
  return new Date(wall - offsetAt(first));
}
