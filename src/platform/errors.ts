import type { Permission } from './roles.ts';

/**
 * Errors a caller can act on. Each module declares its codes in one table with the HTTP
 * status and a title, and makes errors only through that table, so a code without a status
 * does not compile. The HTTP layer turns an AppError into application/problem+json.
 */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 406 | 408 | 409 | 413 | 415 | 422 | 429 | 431 | 500 | 503;
export type ErrorSpec = { status: ErrorStatus; title: string };
export type ErrorTable = Record<string, ErrorSpec>;

export type FieldProblem = { field: string; reason: string };

/**
 * Members a problem body carries beyond the standard ones (`holderId` of a taken identifier),
 * shown only to a caller whose role has `permission`: a till learns that a phone is taken, not
 * whose it is.
 */
export type ProblemMembers = { values: Record<string, string>; permission: Permission };

export class AppError extends Error {
  members?: ProblemMembers;

  constructor(
    readonly code: string,
    readonly status: ErrorStatus,
    readonly title: string,
    readonly detail: string,
    readonly fields?: FieldProblem[],
  ) {
    super(detail);
    this.name = 'AppError';
  }

  /** Adds members for the callers allowed to see them (see ProblemMembers). */
  withMembers(values: Record<string, string>, permission: Permission): this {
    this.members = { values, permission };
    return this;
  }
}

export type ErrorFactory<T extends ErrorTable> = (code: keyof T & string, detail: string, fields?: FieldProblem[]) => AppError;

export function defineErrors<const T extends ErrorTable>(table: T): { table: T; error: ErrorFactory<T> } {
  return {
    table,
    error: (code, detail, fields) => {
      const spec = table[code] as ErrorSpec;
      return new AppError(code, spec.status, spec.title, detail, fields);
    },
  };
}

/** Errors of the HTTP edge and the platform itself. */
export const platformErrors = defineErrors({
  'request.invalid': { status: 400, title: 'The request is not valid' },
  'request.malformed_json': { status: 400, title: 'The body is not valid JSON' },
  'request.invalid_character': { status: 400, title: 'The request holds a character that cannot be stored' },
  'request.out_of_range': { status: 400, title: 'A value is out of range' },
  'request.too_deeply_nested': { status: 400, title: 'The JSON body is nested too deeply' },
  'request.invalid_cursor': { status: 400, title: 'The cursor is not one this list gave' },
  'request.timeout': { status: 408, title: 'The request took too long to arrive' },
  'request.headers_too_large': { status: 431, title: 'The URL or the headers are too large' },
  'request.rate_limited': { status: 429, title: 'Too many requests' },
  'request.body_too_large': { status: 413, title: 'The body is too large' },
  'request.unsupported_media_type': { status: 415, title: 'The content type is not supported' },
  'request.not_acceptable': { status: 406, title: 'The requested representation is not available' },
  'route.not_found': { status: 404, title: 'No such route' },
  'auth.missing_key': { status: 401, title: 'An API key is required' },
  'auth.invalid_key': { status: 401, title: 'The API key is not valid' },
  'auth.forbidden': { status: 403, title: 'The API key\'s role may not do this' },
  'auth.too_many_attempts': { status: 429, title: 'Too many failed authentication attempts' },
  'auth.store_out_of_scope': { status: 403, title: 'The API key may not act at this store' },
  'auth.partner_suspended': { status: 403, title: 'The API key\'s partner is suspended' },
  'auth.no_session': { status: 401, title: 'Not signed in to the console' },
  'auth.invalid_credentials': { status: 401, title: 'The e-mail or password is wrong' },
  'auth.account_locked': { status: 429, title: 'The account is locked for a while' },
  'auth.csrf': { status: 403, title: "The console's request lacks its CSRF token" },
  'apikey.not_found': { status: 404, title: 'API key not found' },
  'staff.not_found': { status: 404, title: 'Staff user not found' },
  'staff.email_taken': { status: 409, title: 'A staff user with this e-mail exists' },
  'staff.weak_password': { status: 400, title: 'The password is too weak' },
  'staff.wrong_password': { status: 400, title: 'The current password is wrong' },
  'staff.last_owner': { status: 409, title: 'The last owner cannot be removed' },
  'apikey.last_owner': { status: 409, title: 'The last owner key cannot be revoked' },
  'backup.unavailable': { status: 409, title: 'This database is not backed up through Patron' },
  'job.running': { status: 409, title: 'The job is running already' },
  'import.not_found': { status: 404, title: 'Import not found' },
  'import.empty': { status: 400, title: 'The file is empty' },
  'import.bad_header': { status: 400, title: 'The file\'s header is not usable' },
  'server.unavailable': { status: 503, title: 'The service is temporarily unavailable' },
  'server.internal': { status: 500, title: 'Internal error' },
});
export const platformError = platformErrors.error;

/** What a lookup found, or null where its not-found error (404) says there is nothing; any other failure goes on up. */
export async function foundOrNull<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  }
}

/** Whether a lookup found what it looked for: its not-found error (404) answers false; any other failure goes on up. */
export async function found(lookup: Promise<unknown>): Promise<boolean> {
  return (await foundOrNull(lookup.then(() => true))) !== null;
}
