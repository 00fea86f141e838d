/**
 * Logs never hold an API key, a phone number or an e-mail address. The first line of defence is
 * what gets logged at all: requests by path only (no query string, no headers, no body), and
 * errors through `loggableError`, which leaves out the database's `detail` ("Key (value)=(+7912…)
 * already exists"). The second is `scrubPersonalData`, run over every finished log line, for
 * whatever a future log call lets through.
 */
const SECRETS = /patron_[A-Za-z0-9_-]{16,}/g;
const EMAILS = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
// E.164, as Patron stores phones; a bare run of digits is left alone (times, counts, ids).
const PHONES = /\+\d{7,15}/g;

export function scrubPersonalData(line: string): string {
  return line.replace(SECRETS, 'patron_[redacted]').replace(EMAILS, '[e-mail]').replace(PHONES, '[phone]');
}

/**
 * Paths that carry a bearer secret: a gift card's code (`/v1/gift-cards/<code>/…`, unless the
 * segment is the card's id `gcd_…` or `batches`) and a goods reward's code
 * (`/v1/reward-codes/<code>/redeem`). Logs and problem+json `instance` show such a path with the
 * segment masked to its last four characters, as the gift-cards module's `maskCode` does.
 */
const SECRET_SEGMENTS = [/^(\/v1\/gift-cards\/+)(?!gcd_[0-9a-f]{32}(?:\/|$)|batches(?:\/|$))([^/]+)/i, /^(\/v1\/reward-codes\/+)([^/]+)/i];

export function maskPathSecrets(path: string): string {
  for (const pattern of SECRET_SEGMENTS) {
    const masked = path.replace(pattern, (_all, head: string, secret: string) => `${head}************${secret.length > 8 ? secret.slice(-4) : ''}`);
    if (masked !== path) return masked;
  }
  return path;
}

type ErrorLike = Error & { code?: unknown; constraint?: unknown; table?: unknown; column?: unknown; routine?: unknown; cause?: unknown };

/**
 * What a log keeps of an error: its kind, message, stack and the database's codes, never the
 * values a driver attaches (`detail`, `where`, parameters) nor a parser's raw packet.
 */
export type LoggedError = { type: string; message: string; stack: string; [field: string]: unknown };

export function loggableError(error: unknown, depth = 0): LoggedError {
  if (!(error instanceof Error)) return { type: typeof error, message: scrubPersonalData(String(error)), stack: '' };
  const e = error as ErrorLike;
  const safe: LoggedError = { type: e.name, message: scrubPersonalData(e.message), stack: scrubPersonalData(e.stack ?? '') };
  for (const field of ['code', 'constraint', 'table', 'column', 'routine'] as const) {
    if (typeof e[field] === 'string') safe[field] = e[field];
  }
  if (e.cause !== undefined && depth < 3) safe.cause = loggableError(e.cause, depth + 1);
  return safe;
}
