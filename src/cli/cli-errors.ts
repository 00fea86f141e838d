import { ConfigError } from '../config.ts';
import { AppError } from '../platform/errors.ts';

/** Exit codes: 2 when the command line itself is wrong, 1 when a well-formed command failed. */
export type ExitCode = 1 | 2;

/**
 * An expected failure: `message` is the one line the user sees (what is wrong and what to do);
 * `cause` keeps the original error for `--debug`.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The command line is wrong: exit 2. */
export const usageError = (message: string, cause?: unknown) => new CliError(message, 2, { cause });
/** A well-formed command could not be done: exit 1. */
export const failure = (message: string, cause?: unknown) => new CliError(message, 1, { cause });

type NetError = Error & { code?: string; errno?: number; address?: string; port?: number; errors?: unknown[] };

const networkReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'the connection was reset',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_SOCKET: 'the connection was closed',
};

/** Why a connection failed, in words, when `error` (or what it wraps) is a network error. */
export function networkReason(error: unknown): string | null {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as NetError).code;
    if (code && networkReasons[code]) return networkReasons[code];
    // Node reports a refused dual-stack connect as an AggregateError of both attempts.
    const inner = (e as NetError).errors?.[0];
    e = inner ?? e.cause;
  }
  return null;
}

function postgresAddress(url: string | undefined): string {
  try {
    const parsed = new URL(url ?? '');
    return `${parsed.hostname}:${parsed.port || '5432'}`;
  } catch {
    return 'the server in DATABASE_URL';
  }
}

/**
 * Turns an error a command let through into one line for the user and an exit code. Errors
 * nobody expected say so and point at --debug; the stack is never printed without it.
 */
export function describeError(error: unknown, env: NodeJS.ProcessEnv = process.env): { message: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof ConfigError) return { message: `${error.message} (see "Configuration" in README.md)`, exitCode: 2 };
  if (error instanceof AppError) return { message: error.detail.replace(/\.?$/, '.'), exitCode: 1 };
  const sqlState = (error as { code?: string } | null)?.code;
  if (env.DATABASE_URL) {
    const where = postgresAddress(env.DATABASE_URL);
    const reason = networkReason(error);
    if (reason) {
      return { message: `cannot reach PostgreSQL at ${where} (${reason}): is it running? Check DATABASE_URL.`, exitCode: 1 };
    }
    if (sqlState === '28P01' || sqlState === '28000') {
      return { message: `PostgreSQL at ${where} refused the login (${(error as Error).message}): check the user and password in DATABASE_URL.`, exitCode: 1 };
    }
    if (sqlState === '3D000') {
      return { message: `${(error as Error).message} on ${where}: create it (createdb) or fix DATABASE_URL.`, exitCode: 1 };
    }
  }
  const text = error instanceof Error ? error.message : String(error);
  return { message: `unexpected error: ${text}. Run the command again with --debug to see where it happened.`, exitCode: 1 };
}

/** What --debug adds: the stack of the error and of each error it wraps. */
export function stackOf(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
    e = e instanceof Error ? e.cause : undefined;
    if (e !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
