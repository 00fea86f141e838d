import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { SchemaCompilation } from './compile-on-first-use.ts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import secureJson from 'secure-json-parse';
import type { Actor } from './actor.ts';
import type { ApiKeys, Principal } from './api-keys.ts';
import type { StaffSession } from './staff/staff-users.ts';
import { AppError, platformError, type FieldProblem } from './errors.ts';
import { maskPathSecrets } from './log-safety.ts';
import type { RateLimiter } from './rate-limits.ts';
import { can, type Permission } from './roles.ts';
import { describeAjvErrors } from './validation-messages.ts';
import { findUnstorableText, isStorableText, jsonNestsDeeperThan, MAX_JSON_DEPTH } from './text.ts';

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- module augmentation needs an interface
  interface FastifyContextConfig {
    /** The permission a route needs; a route without one is public (health, docs). */
    permission?: Permission;
  }
}

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function makeAjv(coerceTypes: boolean): Ajv {
  // Unknown fields are an error (additionalProperties: false in the schemas), never silently dropped.
  // verbose: each error carries its schema and the value sent, so the message can name the rule's limit.
  const ajv = new Ajv({ allErrors: true, coerceTypes, removeAdditional: false, useDefaults: true, strict: false, verbose: true });
  addFormats(ajv);
  // RFC 3339 allows a leap second (23:59:60), which JavaScript's Date cannot hold: a date-time
  // must also be one a Date can be made of, or the service gets an Invalid Date (a 500 the fuzz
  // suite found on a reward's validTo).
  const rfc3339 = ajv.formats['date-time'];
  const matches = (typeof rfc3339 === 'object' && rfc3339 !== null && 'validate' in rfc3339 ? rfc3339.validate : rfc3339) as ((value: string) => boolean) | RegExp | undefined;
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (value: string) => (typeof matches === 'function' ? matches(value) : matches instanceof RegExp ? matches.test(value) : true) && !Number.isNaN(Date.parse(value)),
  });
  return ajv;
}

/** Bodies are validated as sent (no "1" for 1); query strings and paths are text and get coerced. */
export function installValidators(app: FastifyInstance, schemas: SchemaCompilation): void {
  const bodyAjv = makeAjv(false);
  const textAjv = makeAjv(true);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    schemas.validator(() => (httpPart === 'body' ? bodyAjv.compile(schema) : textAjv.compile(schema))),
  );
}

const principals = new WeakMap<FastifyRequest, Principal>();

export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error('route has no permission set but asked for the caller');
  return principal;
}

/** CSV when asked by format=csv or by an Accept header that prefers text/csv to JSON (reports with both forms). */
export function wantsCsv(request: FastifyRequest, format?: 'json' | 'csv'): boolean {
  if (format) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

/** A report's CSV form: the file name a download is saved as, and the text (or a stream of it). */
export type CsvDownload = { filename: string; body: string | Readable };

/**
 * A report's answer in the form the client asked for (`wantsCsv`): the CSV as a download, or
 * else the JSON. Only the form sent is made, so a CSV that costs a query is not made for JSON.
 */
export async function sendJsonOrCsv<T>(
  request: FastifyRequest,
  reply: FastifyReply,
  forms: { format?: 'json' | 'csv' | undefined; json: () => T | Promise<T>; csv: () => CsvDownload | Promise<CsvDownload> },
): Promise<T | FastifyReply> {
  if (!wantsCsv(request, forms.format)) return forms.json();
  const { filename, body } = await forms.csv();
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${filename}"`);
  return reply.send(body);
}

export function actorOf(request: FastifyRequest): Actor {
  const principal = principalOf(request);
  return { keyId: principal.keyId, name: principal.name, role: principal.role, requestId: request.id };
}

/** A 429: the caller waits `seconds` (Retry-After) before trying again. */
function tooMany(reply: FastifyReply, seconds: number, error: AppError): AppError {
  reply.header('retry-after', String(seconds));
  return error;
}

/**
 * Per-address request limit, before anything else is done for the request (routing aside), so
 * a flood costs one map lookup a request.
 */
export function installRateLimits(app: FastifyInstance, limiter: RateLimiter): void {
  app.addHook('onRequest', async (request, reply) => {
    const wait = limiter.hitIp(request.ip);
    if (wait !== null) {
      throw tooMany(reply, wait, platformError('request.rate_limited', `Too many requests from this address; retry in ${wait} s`));
    }
  });
}

/** The cookie that carries a console session's token (src/platform/staff/). */
export const CONSOLE_COOKIE = 'patron_console';

/** What the auth hook needs of console sessions: the session a cookie names, and its CSRF check. */
export type ConsoleSessions = {
  session(token: string): Promise<StaffSession | null>;
  csrfMatches(session: StaffSession, given: string | undefined): boolean;
};

// Reads change nothing, so they need no CSRF token; every other method does.
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a cookie set for this request must be Secure: always, unless the server is reached
 * over plain http on this machine (development, tests), where a Secure cookie would be dropped.
 */
export function cookieMustBeSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https' || !/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(request.host);
}

/**
 * One place checks roles: the route's `config.permission`, against the caller's key, or else
 * against the staff user of a console session (the cookie; a change must also carry the
 * session's CSRF token in X-CSRF-Token). The console calls this same API: a person in it can do
 * exactly what a key of their role can. With a limiter, an address that sends too many wrong
 * keys is locked out for a while (429 auth.too_many_attempts, even with a right key, so the
 * answer says nothing about the key), and each key or staff user is held to its request rate.
 */
export function installAuth(app: FastifyInstance, apiKeys: ApiKeys, limiter?: RateLimiter, consoleSessions?: ConsoleSessions): void {
  app.addHook('onRequest', async (request, reply) => {
    const permission = request.routeOptions.config.permission;
    if (!permission) return;
    const header = request.headers.authorization;
    const consoleToken = header ? undefined : request.cookies?.[CONSOLE_COOKIE];
    if (!header && !consoleToken) throw platformError('auth.missing_key', 'Send the API key as "Authorization: Bearer <key>", or sign in to the console');
    const lockedFor = limiter?.lockedOut(request.ip) ?? null;
    if (lockedFor !== null) {
      throw tooMany(reply, lockedFor, platformError('auth.too_many_attempts', `Too many failed authentication attempts from this address; retry in ${lockedFor} s`));
    }
    let principal: Principal | null;
    if (header) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      principal = match?.[1] ? await apiKeys.authenticate(match[1]) : null;
      if (!principal) {
        limiter?.authFailed(request.ip);
        if (!match?.[1]) throw platformError('auth.invalid_key', 'The Authorization header must be "Bearer <key>"');
        throw platformError('auth.invalid_key', 'The API key is unknown or revoked');
      }
    } else {
      const session = consoleSessions && consoleToken ? await consoleSessions.session(consoleToken) : null;
      if (!session) throw platformError('auth.no_session', 'The console session has ended or was never started; sign in again');
      if (!SAFE_METHODS.has(request.method) && !consoleSessions!.csrfMatches(session, headerValue(request.headers['x-csrf-token']))) {
        throw platformError('auth.csrf', 'A change from the console must carry its session\'s X-CSRF-Token header; reload the page and try again');
      }
      principal = { keyId: session.user.id, name: session.user.name, role: session.user.role, partnerId: null };
    }
    const wait = limiter?.hitKey(principal.keyId) ?? null;
    if (wait !== null) {
      throw tooMany(reply, wait, platformError('request.rate_limited', `Too many requests with this API key; retry in ${wait} s`));
    }
    if (!can(principal.role, permission)) {
      throw platformError('auth.forbidden', `The ${principal.role} role may not do this (needs ${permission})`);
    }
    principals.set(request, principal);
  });
}

const headerValue = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export function installJsonParser(app: FastifyInstance): void {
  // Only JSON (and the routes that declare their own types) is accepted: text/plain is a 415.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(
    ['application/json', 'application/merge-patch+json'],
    { parseAs: 'string' },
    (_request, body, done) => {
      const text = body as string;
      if (text.trim() === '') return done(platformError('request.malformed_json', 'The body is empty; send a JSON document'));
      if (text.includes('\u0000')) {
        return done(platformError('request.invalid_character', 'Text may not hold the NUL character (U+0000)'));
      }
      if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
        return done(platformError('request.too_deeply_nested', `The JSON body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`));
      }
      let parsed: unknown;
      try {
        parsed = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
      } catch (error) {
        return done(platformError('request.malformed_json', `The body is not valid JSON: ${(error as Error).message}`));
      }
      const bad = findUnstorableText(parsed);
      if (bad) {
        return done(platformError('request.invalid_character', `${bad}: text may not hold the NUL character (U+0000) or a lone UTF-16 surrogate`, [{ field: bad, reason: 'holds a character that cannot be stored' }]));
      }
      done(null, parsed);
    },
  );
}

/**
 * U+0000 gets into a URL's text only as `%00` (or as a raw byte, which the HTTP parser refuses), so
 * that is what is looked for. Decoding the whole URL first let a broken escape anywhere else hide it
 * (`?q=a%00b&tag=%C0%AF`: decoding failed, the raw text held no NUL, and `q` still decoded to one —
 * a 500 from PostgreSQL).
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.includes('%00') || !isStorableText(request.url)) {
      throw platformError('request.invalid_character', 'The URL may not contain the NUL character');
    }
  });
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  errors?: FieldProblem[];
  traceId?: string;
  /** Members an error adds for callers allowed to see them (AppError.withMembers), e.g. holderId. */
  [member: string]: unknown;
};

const STANDARD_MEMBERS = new Set(['type', 'title', 'status', 'code', 'detail', 'instance', 'errors', 'traceId']);

function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  reply.status(problem.status).type('application/problem+json');
  // The routes' Problem schema lists the standard members; an error's own (holderId) would be dropped by it.
  if (Object.keys(problem).some((member) => !STANDARD_MEMBERS.has(member))) reply.serializer((payload) => JSON.stringify(payload));
  return reply.send(problem);
}

const MAX_INSTANCE_LENGTH = 2048;
// An error names the rule and the value's start, wherever it is made: a module's detail that quotes
// what was sent (`id: the body names <a 1 MB id> while the path names …`) is cut here, for all of them.
const MAX_DETAIL_LENGTH = 8_000;
const MAX_REASON_LENGTH = 500;
const MAX_LISTED_FIELDS = 50;
const MAX_VALIDATION_ERRORS = 1000;

function problemFromAppError(error: AppError, request: FastifyRequest): Problem {
  // A gift card's or reward's code in the path is a bearer secret: the problem echoes it masked (it may be logged or shown).
  const path = maskPathSecrets(request.url.split('?')[0] ?? '');
  const principal = principals.get(request);
  const members = error.members && principal && can(principal.role, error.members.permission) ? error.members.values : {};
  return {
    ...members,
    type: `https://patron.dev/problems/${error.code}`,
    title: error.title,
    status: error.status,
    code: error.code,
    detail: shorten(error.detail, MAX_DETAIL_LENGTH),
    // The path as sent, unless it is longer than any real one (a problem never echoes 100 KB back).
    ...(path.length <= MAX_INSTANCE_LENGTH ? { instance: path } : {}),
    ...(error.fields ? { errors: error.fields.slice(0, MAX_LISTED_FIELDS).map((f) => ({ field: shorten(f.field), reason: shorten(f.reason, MAX_REASON_LENGTH) })) } : {}),
  };
}

export { describeAjvError } from './validation-messages.ts';

/** Text from the request (a field named by an unknown key, a URL) as an error quotes it: at most `max` characters. */
export function shorten(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** Maps Fastify's own errors (validation, parsing, limits) to our stable codes. */
function appErrorFromFastify(error: FastifyError, request: FastifyRequest): AppError | null {
  if (error.validation) {
    // A request can break its schema thousands of times (a list of 100,000 wrong items, 20,000
    // unknown query parameters): describing every error blocked the server for over a minute and
    // answered megabytes. The first ones say what to fix; the detail says there are more.
    const errors = error.validation as ErrorObject[];
    const described = describeAjvErrors(errors.slice(0, MAX_VALIDATION_ERRORS), error.validationContext);
    const listed = described.slice(0, MAX_LISTED_FIELDS).map((f) => ({ field: shorten(f.field), reason: f.reason }));
    const more = errors.length > MAX_VALIDATION_ERRORS || described.length > listed.length ? `; and more (the first ${listed.length} are listed)` : '';
    return platformError('request.invalid', listed.map((f) => `${f.field}: ${f.reason}`).join('; ') + more, listed);
  }
  const tooLarge = () =>
    platformError('request.body_too_large', `The body is larger than this route accepts: at most ${request.routeOptions.bodyLimit} bytes`);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return platformError('request.unsupported_media_type', 'Send the body as application/json (or text/csv where a route says so)');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return platformError('request.malformed_json', 'The body is empty; send a JSON document');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return platformError('request.malformed_json', 'The body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return platformError('request.invalid', 'The Content-Length header does not match the body');
    case 'FST_ERR_NOT_ACCEPTABLE':
      return platformError('request.not_acceptable', error.message);
  }
  if (error.statusCode === 413) return tooLarge();
  if (error.statusCode === 415) return platformError('request.unsupported_media_type', error.message);
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return platformError('request.invalid', error.message);
  }
  return null;
}

// Errors from the database that mean "try again", not "you sent something wrong".
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '53300']);

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = error instanceof AppError ? error : appErrorFromFastify(error, request);
    if (appError) return sendProblem(reply, problemFromAppError(appError, request));
    const sqlState = (error as { code?: string }).code;
    // 22003/22008: a number or a time beyond what a column holds (a huge price, a total past
    // bigint, points past integer, year 0). Input too large to store is the caller's to fix;
    // the transaction was rolled back, so nothing is half-written.
    if (sqlState === '22003' || sqlState === '22008') {
      return sendProblem(reply, problemFromAppError(platformError('request.out_of_range', 'A number or time in the request is larger than Patron can store'), request));
    }
    if (sqlState && RETRYABLE_SQLSTATES.has(sqlState)) {
      request.log.warn({ sqlState }, 'retryable database error');
      reply.header('retry-after', '1');
      return sendProblem(reply, problemFromAppError(platformError('server.unavailable', 'The database is busy; retry the request'), request));
    }
    // Unknown: a generic 500 with a trace id; the cause goes to the log, not to the caller.
    const traceId = randomUUID();
    request.log.error({ err: error, traceId }, 'unhandled error');
    return sendProblem(reply, {
      ...problemFromAppError(platformError('server.internal', `Something went wrong on our side (trace ${traceId})`), request),
      traceId,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemFromAppError(platformError('route.not_found', `No route ${shorten(request.method, 20)} ${shorten(maskPathSecrets(request.url.split('?')[0] ?? ''), 300)}`), request),
    ),
  );
}

/**
 * Errors Node's HTTP parser meets before Fastify sees a request — a URL and headers over the
 * server's limit (16 KB), a request that never finishes arriving, a malformed request line —
 * answered as problem+json like every other error (Fastify's default answers application/json).
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const appError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? platformError('request.headers_too_large', 'The URL and headers together are larger than the server accepts (16 KB); send long values in the body')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? platformError('request.timeout', 'The request did not arrive in time')
        : platformError('request.invalid', 'The request is not valid HTTP');
  const body = JSON.stringify({
    type: `https://patron.dev/problems/${appError.code}`,
    title: appError.title,
    status: appError.status,
    code: appError.code,
    detail: appError.detail,
  } satisfies Problem);
  // Only when nothing was written on this connection yet (Node's own rule): an error in the body of a
  // request already answered (a broken chunk after a 400 for its URL) gave the client a second answer.
  if (socket.writable && !(socket as Duplex & { bytesWritten?: number }).bytesWritten) {
    socket.write(
      `HTTP/1.1 ${appError.status} ${STATUS_CODES[appError.status] ?? 'Error'}\r\n` +
        `Content-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

// /docs serves Swagger UI from its own files (no inline script); everything else is data.
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; " +
  "script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:";
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers on every answer: no content sniffing, no framing, no referrer; API answers (personal
 * data, exports) are never stored by a browser or a proxy cache (`Cache-Control: no-store`).
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
    const path = request.url.split('?')[0] ?? '';
    // A customer page sets its own policy (platform/pages/layout.ts): its inline style and script
    // by hash, and the sites that may frame a join form, which X-Frame-Options cannot name.
    const own = reply.getHeader('content-security-policy');
    if (typeof own !== 'string' || !/frame-ancestors (?!'none')/.test(own)) reply.header('x-frame-options', 'DENY');
    if (typeof own === 'string') {
      // kept as the page set it
    } else if (path === '/docs' || path.startsWith('/docs/')) {
      reply.header('content-security-policy', DOCS_CSP);
    } else {
      reply.header('content-security-policy', API_CSP);
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    }
    return payload;
  });
}
