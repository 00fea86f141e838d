import { can, roles, type Permission } from '../platform/roles.ts';
import { failure, networkReason, usageError } from './cli-errors.ts';
import type { OptionValues } from './parse-command-line.ts';

/** A running Patron server the CLI talks to instead of opening the database (`--url`, `--key`). */
export type ServerTarget = { url: string; key: string };

const sentence = (text: string) => text.trim().replace(/([^.!?])$/, '$1.');

/**
 * Reads `--url`/`--key` (or PATRON_URL/PATRON_API_KEY); null when the command should open the
 * database itself. `doing` says what the key is for ("import", "back up").
 */
export function serverTarget(command: string, values: OptionValues, env: NodeJS.ProcessEnv, doing: string): ServerTarget | null {
  const url = (values.url as string | undefined) ?? (env.PATRON_URL || undefined);
  const key = (values.key as string | undefined) ?? (env.PATRON_API_KEY || undefined);
  if (values.key !== undefined && url === undefined) {
    throw usageError(`patron ${command}: --key goes with --url, the server to send it to (e.g. --url http://localhost:8080).`);
  }
  if (url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw usageError(`patron ${command}: --url must be the server's address, e.g. http://localhost:8080; got ${JSON.stringify(url)}.`);
  }
  if (!key) throw usageError(`patron ${command}: --url needs --key (or PATRON_API_KEY): an API key whose role may ${doing}.`);
  return { url: parsed.href.replace(/\/+$/, ''), key };
}

type Problem = { code?: string; detail?: string; title?: string };

async function problemOf(response: Response): Promise<Problem | null> {
  const type = response.headers.get('content-type') ?? '';
  if (!/json/.test(type)) return null;
  try {
    const body = (await response.json()) as Problem;
    return typeof body?.code === 'string' ? body : null;
  } catch {
    return null;
  }
}

/**
 * One request to the server. Whatever goes wrong (nobody listening, a refused key, a role that
 * may not, another site at that address) becomes one line saying so and what to do.
 */
export async function callServer(
  command: string,
  target: ServerTarget,
  path: string,
  init: RequestInit & { duplex?: 'half' },
  permission: Permission,
): Promise<Response> {
  const where = `patron ${command}`;
  let response: Response;
  try {
    response = await fetch(`${target.url}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${target.key}` } });
  } catch (error) {
    let innermost: unknown = error;
    while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
    const reason = networkReason(error) ?? (innermost instanceof Error ? innermost.message : String(error));
    throw failure(`${where}: cannot reach the Patron server at ${target.url} (${reason}): is it running? Check --url (or PATRON_URL).`, error);
  }
  if (response.ok) return response;
  const problem = await problemOf(response);
  if (!problem) {
    throw failure(`${where}: ${target.url} answered ${response.status} ${response.statusText} for ${path.split('?')[0]}, which no Patron server does: check that --url is the Patron server's address.`);
  }
  const detail = sentence(problem.detail ?? problem.title ?? problem.code ?? '');
  if (response.status === 401) {
    throw failure(`${where}: the server refused the API key: ${detail} Check --key (or PATRON_API_KEY); an owner can make one with POST /v1/api-keys.`);
  }
  if (response.status === 403) {
    const allowed = roles.filter((role) => can(role, permission));
    throw failure(`${where}: the server refused: ${detail} Use a key of the ${allowed.join(' or ')} role.`);
  }
  throw failure(`${where}: the server refused: ${detail}`);
}
