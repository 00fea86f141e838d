/**
 * The crash driver's HTTP client. A write whose answer was lost (the server died, or was not up)
 * may or may not have landed, so it is sent again with the same idempotency key until the server
 * answers it; the first definite answer (2xx, or a 4xx refusal) is its outcome.
 */
export type Reply = { status: number; body: unknown; headers: Headers };

export type RequestOptions = {
  key?: string;
  json?: unknown;
  /** A raw body (CSV), sent with `contentType`. */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
};

export async function request(baseUrl: string, method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.text !== undefined) {
    headers['content-type'] = options.contentType ?? 'text/plain';
    body = options.text;
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  const raw = await response.text();
  let parsed: unknown = raw;
  try {
    parsed = raw === '' ? null : JSON.parse(raw);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export class Unanswered extends Error {}

/**
 * `lostAnswers`: attempts that reached the server but got no answer (the connection broke
 * under them), as opposed to refused connections while it was down; such a write may have landed.
 */
export type Answered = { reply: Reply; attempts: number; lostAnswers: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `send` until the server answers it definitely: a network error (the server was killed
 * or is starting), a 5xx or a 429 is retried after a short pause. Gives up after `deadlineMs`.
 */
export async function untilAnswered(send: () => Promise<Reply>, deadlineMs = 180_000): Promise<Answered> {
  const started = Date.now();
  let pause = 50;
  let last: string;
  let lostAnswers = 0;
  for (let attempts = 1; ; attempts++) {
    try {
      const reply = await send();
      if (reply.status < 500 && reply.status !== 429) return { reply, attempts, lostAnswers };
      last = `HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`;
    } catch (error) {
      last = describe(error);
      if (last !== 'ECONNREFUSED') lostAnswers++;
    }
    if (Date.now() - started > deadlineMs) throw new Unanswered(`no answer within ${deadlineMs} ms after ${attempts} attempts; last: ${last}`);
    await sleep(pause);
    pause = Math.min(500, Math.round(pause * 1.5));
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
