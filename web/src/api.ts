/**
 * The console's only way to the server: the public API, same origin, with the session cookie.
 * Every change carries the session's CSRF token; every error comes back as an ApiError holding
 * the problem+json's words, which pages show as they are.
 */
export type FieldProblem = { field: string; reason: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(detail || title);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
/** Called when any request finds the session gone, so the app can show the sign-in page. */
let onSignedOut: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

async function request<T>(method: string, path: string, body?: unknown, options: { query?: Query; contentType?: string; signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload: BodyInit | undefined;
  if (body instanceof Blob || typeof body === 'string') {
    payload = body;
    headers['content-type'] = options.contentType ?? 'text/csv';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = options.contentType ?? 'application/json';
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), { method, headers, body: payload, credentials: 'same-origin', signal: options.signal ?? null });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'No connection', 'The server did not answer. Check the connection and try again.');
  }
  if (response.status === 401) {
    const problem = await response.json().catch(() => ({}));
    if (problem.code === 'auth.no_session' || problem.code === 'auth.missing_key') onSignedOut?.();
    throw new ApiError(401, problem.code ?? 'auth', problem.title ?? 'Signed out', problem.detail ?? 'Sign in again.');
  }
  if (!response.ok) {
    const problem = await response.json().catch(() => null);
    if (problem && typeof problem.code === 'string') throw new ApiError(response.status, problem.code, problem.title ?? '', problem.detail ?? '', problem.errors ?? []);
    throw new ApiError(response.status, 'http', `HTTP ${response.status}`, `The server answered ${response.status}.`);
  }
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) return (await response.json()) as T;
  return (await response.text()) as unknown as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, undefined, { query, ...(signal ? { signal } : {}) }),
  post: <T>(path: string, body?: unknown, query?: Query, headers?: Record<string, string>) => request<T>('POST', path, body ?? {}, { query, ...(headers ? { headers } : {}) }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body, { contentType: 'application/merge-patch+json' }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, file: Blob, contentType: string, query?: Query, method: 'POST' | 'PUT' = 'POST') => request<T>(method, path, file, { contentType, query }),
};

/**
 * A key for one change the server should make once however often it is sent (Idempotency-Key):
 * a retry after a lost answer or a double click sends the same key. From getRandomValues, which
 * unlike randomUUID also works on a server reached over plain http by its address.
 */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** A list page as every list route answers it. */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** A long operation's progress as the job routes answer it (imports, batches, recomputes). */
export type Job = { id: string; status: string; progress?: number; position?: number | null; total?: number | null; failure?: string | null };
