import { Pool } from 'undici';

/**
 * Load drivers for benchmarks against a running server: keep-alive HTTP on loopback, an
 * open loop (requests at fixed times, whatever the answers do) and a closed loop (N workers,
 * each sending its next request when the last one is answered). Every loop stops by itself,
 * after its time or its request count.
 */
export type Reply = { status: number; body: string };

export type HttpClient = {
  post(path: string, body: string, key: string): Promise<Reply>;
  put(path: string, body: string, key: string): Promise<Reply>;
  get(path: string, key?: string): Promise<Reply>;
  patch(path: string, body: string, key: string): Promise<Reply>;
  close(): void;
};

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A client for one server on 127.0.0.1 that keeps up to `connections` connections open between
 * requests (more requests wait for one). undici rather than node:http: on loopback it spends
 * about half the CPU a request (measured here: ~80 µs against ~150 µs), and the load generator
 * shares the machine's two CPUs with the server and PostgreSQL.
 */
export function httpClient(port: number, connections = 256): HttpClient {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
  const request = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body: string | null, key: string | undefined): Promise<Reply> => {
    const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
    if (body !== null) headers['content-type'] = 'application/json';
    const reply = await pool.request({ method, path, headers, body });
    return { status: reply.statusCode, body: await reply.body.text() };
  };
  return {
    post: (path, body, key) => request('POST', path, body, key),
    put: (path, body, key) => request('PUT', path, body, key),
    get: (path, key) => request('GET', path, null, key),
    patch: (path, body, key) => request('PATCH', path, body, key),
    close: () => void pool.destroy().catch(() => undefined),
  };
}

export type Latencies = { count: number; p50: number; p90: number; p99: number; max: number; mean: number };

export function latencies(samples: readonly number[]): Latencies {
  if (samples.length === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const sorted = Float64Array.from(samples).sort();
  // Nearest rank: the smallest sample at or above the share.
  const at = (share: number) => sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted[sorted.length - 1]!, mean: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

/** What one request came to: an HTTP status, or 0 and why when it failed without one. */
export type Outcome = { status: number; error?: string };

const noAnswer = (error: unknown): Outcome => ({ status: 0, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? 'error' });

export type OpenLoopResult = {
  scheduled: number;
  /** Answered with 2xx. */
  ok: number;
  /** Status → count of the other answers; a request with no answer counts under its error's code (ECONNRESET, a timeout …). */
  failed: Map<number | string, number>;
  /** Not sent: too many were already waiting for an answer. */
  skipped: number;
  /** From the time the request was due, so a stalled server shows in the figures (no coordinated omission). */
  latency: Latencies;
  /** From the time it was actually written to the socket. */
  service: Latencies;
  elapsedMs: number;
  achievedPerSecond: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends request i at start + i / rate, for `seconds`, without waiting for answers. Stops by
 * itself; waits at most `drainMs` for the last answers.
 */
export async function openLoop(options: {
  rate: number;
  seconds: number;
  send: (index: number) => Promise<Outcome>;
  maxInFlight?: number;
  drainMs?: number;
}): Promise<OpenLoopResult> {
  const total = Math.floor(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const maxInFlight = options.maxInFlight ?? 1_000;
  const late: number[] = [];
  const service: number[] = [];
  const failed = new Map<number | string, number>();
  let ok = 0;
  let skipped = 0;
  let inFlight = 0;
  let lastAnswer = 0;
  const start = performance.now() + 20;
  const fire = (index: number, due: number) => {
    if (inFlight >= maxInFlight) {
      skipped++;
      return;
    }
    inFlight++;
    const sent = performance.now();
    options
      .send(index)
      .catch(noAnswer)
      .then(({ status, error }) => {
        const now = performance.now();
        inFlight--;
        lastAnswer = now;
        if (status >= 200 && status < 300) {
          ok++;
          late.push(now - due);
          service.push(now - sent);
        } else {
          const key = error ?? status;
          failed.set(key, (failed.get(key) ?? 0) + 1);
        }
      });
  };
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && start + next * interval <= now) {
      fire(next, start + next * interval);
      next++;
    }
    await sleep(Math.max(0, Math.min(5, start + next * interval - performance.now())));
  }
  const deadline = performance.now() + (options.drainMs ?? 30_000);
  while (inFlight > 0 && performance.now() < deadline) await sleep(5);
  const elapsedMs = Math.max(lastAnswer, start + total * interval) - start;
  return { scheduled: total, ok, failed, skipped, latency: latencies(late), service: latencies(service), elapsedMs, achievedPerSecond: (ok * 1000) / elapsedMs };
}

export type ClosedLoopResult = {
  concurrency: number;
  ok: number;
  failed: Map<number | string, number>;
  latency: Latencies;
  elapsedMs: number;
  perSecond: number;
};

/**
 * `concurrency` workers send one request after another for `seconds` (or until
 * `maxRequests` were sent). Answers in the first `warmupSeconds` are not counted.
 */
export async function closedLoop(options: {
  concurrency: number;
  seconds: number;
  warmupSeconds?: number;
  maxRequests?: number;
  send: (worker: number, index: number) => Promise<Outcome>;
}): Promise<ClosedLoopResult> {
  const begin = performance.now();
  const measureFrom = begin + (options.warmupSeconds ?? 0) * 1000;
  const end = measureFrom + options.seconds * 1000;
  const maxRequests = options.maxRequests ?? Number.MAX_SAFE_INTEGER;
  const times: number[] = [];
  const failed = new Map<number | string, number>();
  let ok = 0;
  let sent = 0;
  let lastCounted = measureFrom;
  const worker = async (id: number) => {
    while (performance.now() < end && sent < maxRequests) {
      const index = sent++;
      const at = performance.now();
      const { status, error } = await options.send(id, index).catch(noAnswer);
      const now = performance.now();
      if (at < measureFrom) continue;
      lastCounted = Math.max(lastCounted, now);
      if (status >= 200 && status < 300) {
        ok++;
        times.push(now - at);
      } else {
        const key = error ?? status;
        failed.set(key, (failed.get(key) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  const elapsedMs = Math.max(1, lastCounted - measureFrom);
  return { concurrency: options.concurrency, ok, failed, latency: latencies(times), elapsedMs, perSecond: (ok * 1000) / elapsedMs };
}

export function describeFailures(failed: Map<number | string, number>): string {
  if (failed.size === 0) return 'none';
  return [...failed].map(([key, count]) => `${count} × ${typeof key === 'string' ? `no answer (${key})` : key === 0 ? 'no answer' : key}`).join(', ');
}

/**
 * What an open loop that did not get every request answered comes to, in a few words: the
 * percentiles then cover only the answered ones, so the achieved rate says more.
 */
export function overloaded(result: OpenLoopResult, rate: number): string {
  const parts = [`achieved ${Math.round(result.achievedPerSecond).toLocaleString('en-US')}/s of ${rate.toLocaleString('en-US')}/s`];
  if (result.skipped > 0) parts.push(`${result.skipped.toLocaleString('en-US')} not sent with 1,000 waiting`);
  if (result.failed.size > 0) parts.push(`failures ${describeFailures(result.failed)}`);
  return parts.join(', ');
}
