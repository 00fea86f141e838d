import { sql } from 'kysely';
import { docExamples, exampleDrawnValues, exampleIds } from '../../src/docs-examples.ts';
import { systemActor } from '../../src/platform/actor.ts';
import type { Role } from '../../src/platform/roles.ts';
import { watchWrites } from './fuzz-db.ts';
import { mutationsFor, sweepPlan, validRequest, type Mutation, type MutationContext } from './fuzz-mutations.ts';
import type { Rng } from './fuzz-random.ts';
import { injectOptions, payloadOf, promisesMoreThanSent, rememberRequest, sendRaw, urlOf, wireBytes, type Answer, type FuzzRequest } from './fuzz-request.ts';
import { createGenerator, ValuePool, type Doc, type FuzzOperation } from './fuzz-schema.ts';
import type { TestApp } from './test-app.ts';

/**
 * Sends fuzzed requests one after another to a test app and judges each answer: never a 5xx;
 * every error application/problem+json with a code, a title and a detail; a refused request (and
 * any GET) leaves every table as it was. Counts what it sent per operation and mutation, which the
 * coverage check reads.
 */
export type FindingKind = '5xx' | 'not problem+json' | 'partial write' | 'read wrote' | 'huge error body' | 'no answer' | 'job failed' | 'mutation threw' | 'slow answer' | 'two answers';

export type Finding = { kind: FindingKind; index: number; op: string; labels: string[]; status: number; detail: string; request: string };

export type OperationCoverage = { sent: number; reached: number; mutations: Set<string> };

export type FuzzStats = {
  seed: number;
  sent: number;
  viaSocket: number;
  byStatus: Record<string, number>;
  byCode: Record<string, number>;
  rejectedByClient: number;
  durationMs: number;
  /** Time spent reading the write log (the partial-write check), ms. */
  writeCheckMs: number;
  /** The slowest answers, for the report. */
  slowest: Array<{ ms: number; op: string; labels: string }>;
  msByOperation: Record<string, number>;
  /** Time by mutation (its name in the sweep, `first+second` in the random part), ms: answers, the background work they started, the write checks. */
  msByMutation: Record<string, number>;
  /** Answers by operation and code (or status where there is no code). */
  answersByOperation: Record<string, Record<string, number>>;
};

// Codes the HTTP edge gives before a handler runs: an answer with one did not reach the route's code.
// Answers given before a route's own code runs. auth.no_session is not one: the fuzzer sends no
// console cookie, so only a handler that needs a session (changing one's own password) answers it,
// after the body passed validation. Nor are a wrong password and a locked account: only the
// sign-in handler gives them, after reading a valid body (a generated e-mail and password rarely
// match, and five misses lock the account, so a sign-in's 200 cannot be counted on).
const EDGE_CODES = /^(request\.|auth\.(?!(no_session|invalid_credentials|account_locked)$)|route\.not_found$)/;
const SAFE_METHODS = new Set(['GET', 'HEAD']);
// An error names the rule or the limit; it never echoes a large value back.
const MAX_ERROR_BODY = 64 * 1024;
// A refusal is cheap (a schema, a lookup): one that takes this long blocks every request meanwhile.
// Work that was done (a backup of a large database, a batch of codes) may take longer.
const SLOW_REFUSAL_MS = 10_000;
// No answer by then is a hang (a backup of a large embedded database, the slowest answer seen, takes seconds).
const ANSWER_TIMEOUT_MS = 120_000;


export type FuzzerOptions = {
  t: TestApp;
  doc: Doc;
  operations: FuzzOperation[];
  rng: Rng;
  bodyLimit: number;
  /** The port the app listens on, for requests sent over a socket. */
  port: number;
  /** Valid numbers anywhere in their range (long runs); otherwise near their minimum (see createGenerator). */
  fullRange?: boolean;
  /** Requests to log one by one, by number (first, last): to look at what led to a finding. */
  trace?: [number, number];
  /** Operations whose valid request is costly (a backup): the sweep sends them one (sweepPlan). */
  expensive?: (op: FuzzOperation) => boolean;
  log?: (line: string) => void;
};

export async function createFuzzer({ t, doc, operations, rng, bodyLimit, port, fullRange = false, trace, expensive, log = () => {} }: FuzzerOptions) {
  const db = t.database.db;
  const writes = await watchWrites(t.database);
  const mark = async () => {
    const startedAt = performance.now();
    const at = await writes.mark();
    stats.writeCheckMs += performance.now() - startedAt;
    return at;
  };
  const pool = new ValuePool();
  const g = createGenerator(doc, pool, () => t.clock.now(), { fullRange });
  const keys = new Map<Role, string>();
  const realIds = new Map<string, string>();
  const modestOps = new Set<string>();
  const findings: Finding[] = [];
  const coverage = new Map<string, OperationCoverage>(operations.map((op) => [op.key, { sent: 0, reached: 0, mutations: new Set<string>() }]));
  const stats: FuzzStats = { seed: rng.seed, sent: 0, viaSocket: 0, byStatus: {}, byCode: {}, rejectedByClient: 0, durationMs: 0, writeCheckMs: 0, slowest: [], msByOperation: {}, msByMutation: {}, answersByOperation: {} };
  const started = performance.now();
  let current = await mark();

  async function keyOf(role: Role): Promise<string> {
    const known = keys.get(role);
    if (known) return known;
    const { secret } = await t.services.apiKeys.create({ name: `fuzz ${role}`, role, source: 'api' }, systemActor);
    keys.set(role, secret);
    current = await mark();
    return secret;
  }

  const toReal = <T>(value: T): T => {
    let text = JSON.stringify(value);
    if (text === undefined) return value;
    for (const [example, real] of realIds) text = text.replaceAll(example, real);
    return JSON.parse(text) as T;
  };
  const exampleIdSet = new Set<string>([...Object.values(exampleIds), ...Object.keys(exampleDrawnValues)]);
  /** Each example id stands for the id the server made in its place. */
  const learnIds = (expected: unknown, actual: unknown) => {
    if (typeof expected === 'string' && exampleIdSet.has(expected) && typeof actual === 'string' && !realIds.has(expected)) realIds.set(expected, actual);
    else if (Array.isArray(expected) && Array.isArray(actual)) expected.forEach((item, i) => learnIds(item, actual[i]));
    else if (expected && typeof expected === 'object' && actual && typeof actual === 'object') {
      for (const [key, value] of Object.entries(expected)) learnIds(value, (actual as Record<string, unknown>)[key]);
    }
  };

  const ctx: MutationContext = {
    rng,
    g,
    pool,
    bodyLimit,
    schemas: doc.components?.schemas ?? {},
    now: () => t.clock.now(),
    modest: (op) => modestOps.has(op.key),
    examples: (op) => {
      const key = op.method === 'HEAD' ? `GET ${op.path}` : op.key;
      return docExamples
        .filter((example) => example.route.split('?')[0] === key)
        .map((example) => ({
          params: toReal(example.params ?? {}),
          query: toReal({ ...(example.query ?? {}), ...Object.fromEntries(new URLSearchParams(example.route.split('?')[1] ?? '')) }),
          headers: toReal(example.headers ?? {}),
          ...(example.body !== undefined ? { body: toReal(example.body) } : {}),
        }));
    },
  };

  /** Runs the worked examples in order: a realistic state (a store, rules, customers, receipts) to fuzz against. */
  async function seedWithExamples(): Promise<number> {
    let ok = 0;
    for (const example of docExamples) {
      const [method, route] = example.route.split(' ') as [string, string];
      const params = toReal(example.params ?? {});
      const path = route.replace(/\{(\w+)\}/g, (_all, name: string) => encodeURIComponent(params[name] ?? ''));
      const query = new URLSearchParams(toReal(example.query ?? {})).toString();
      const response = await t.app.inject({
        method: method as 'GET',
        url: query ? `${path}?${query}` : path,
        headers: { ...(example.role ? { authorization: `Bearer ${await keyOf(example.role)}` } : {}), ...toReal(example.headers ?? {}) },
        ...(example.body !== undefined ? { payload: toReal(example.body) as object } : {}),
      });
      await backgroundIdle();
      if (response.statusCode < 300) {
        ok++;
        const body = safeJson(response.body);
        learnIds(example.response, body);
        pool.harvest(body);
        pool.harvest(toReal(example.body));
      }
    }
    current = await mark();
    return ok;
  }

  const describe = (request: FuzzRequest) => {
    const head = `${request.method} ${urlOf(request).slice(0, 300)}${request.socket ? ' (socket)' : ''} as ${request.principal}`;
    const headers = Object.entries(request.headers).map(([k, v]) => `${k}: ${String(v).slice(0, 80)}`).join('; ');
    const sent = request.body ? payloadOf(request.body) : null;
    const body = sent ? String(sent.payload).slice(0, 300) : '';
    const type = sent ? (sent.contentType ?? '(none)') : '';
    return [head, headers && `headers ${headers}`, type && `content-type ${type}`, body && `body ${body}`].filter(Boolean).join(' | ');
  };

  const find = (kind: FindingKind, request: FuzzRequest, status: number, detail: string) => {
    const finding: Finding = { kind, index: stats.sent, op: request.op.key, labels: request.labels, status, detail: detail.slice(0, 600), request: describe(request) };
    findings.push(finding);
    if (findings.length <= 50) log(`FINDING ${kind} #${finding.index} ${finding.op} [${finding.labels.join(' / ')}] → ${status}: ${finding.detail.slice(0, 200)}`);
  };

  async function authorizationOf(request: FuzzRequest): Promise<string | null> {
    if (request.principal === 'no key' || request.principal === 'bad key') return null;
    return `Bearer ${await keyOf(request.principal)}`;
  }

  /** Sends one request and judges the answer. */
  async function send(request: FuzzRequest, mutation: string): Promise<Answer | null> {
    // The key first: making one writes a row, which is not the request's doing.
    const authorization = await authorizationOf(request);
    const before = current;
    let answer: Answer;
    let injected: Promise<unknown> | undefined;
    const startedAt = performance.now();
    try {
      if (request.socket) {
        // A client that promised more body than it sent is done: it says so (half-closes) rather than leave the server waiting.
        const halfClose = request.socket.halfClose === true || promisesMoreThanSent(request);
        answer = await sendRaw(port, wireBytes(request, authorization), { halfClose, head: request.method === 'HEAD', timeoutMs: ANSWER_TIMEOUT_MS });
        stats.viaSocket++;
      } else {
        const inject = t.app.inject(injectOptions(request, authorization));
        injected = inject;
        const response = await withTimeout(inject, ANSWER_TIMEOUT_MS);
        answer = { status: response.statusCode, headers: response.headers as Answer['headers'], body: response.body };
      }
    } catch (error) {
      // light-my-request refuses some requests itself (a header value it cannot write): not sent.
      stats.rejectedByClient++;
      if (/no answer/.test(String(error))) {
        find('no answer', request, 0, String(error));
        // What it does when it ends is its own, not the next request's.
        await withTimeout(injected ?? Promise.resolve(), 10 * ANSWER_TIMEOUT_MS).catch(() => undefined);
      }
      await backgroundIdle();
      current = await mark();
      return null;
    }
    stats.sent++;
    if (stats.sent % 5000 === 0) log(`${stats.sent} requests, ${Math.round((performance.now() - started) / 1000)} s, ${findings.length} findings`);
    const ms = performance.now() - startedAt;
    if (trace && stats.sent >= trace[0] && stats.sent <= trace[1]) log(`#${stats.sent} ${answer.status} ${Math.round(ms)} ms [${request.labels.join(' / ')}] ${describe(request)}`);
    stats.msByOperation[request.op.key] = (stats.msByOperation[request.op.key] ?? 0) + ms;
    if (stats.slowest.length < 10 || ms > stats.slowest.at(-1)!.ms) {
      stats.slowest = [...stats.slowest, { ms: Math.round(ms), op: request.op.key, labels: request.labels.join(' / ').slice(0, 120) }].sort((a, b) => b.ms - a.ms).slice(0, 10);
    }
    const cover = coverage.get(request.op.key)!;
    cover.sent++;
    cover.mutations.add(mutation);
    stats.byStatus[answer.status] = (stats.byStatus[answer.status] ?? 0) + 1;
    const problem = answer.status >= 400 ? safeJson(answer.body) : null;
    const code = problem && typeof problem === 'object' && typeof (problem as { code?: unknown }).code === 'string' ? (problem as { code: string }).code : undefined;
    if (code) stats.byCode[code] = (stats.byCode[code] ?? 0) + 1;
    const answers = (stats.answersByOperation[request.op.key] ??= {});
    const answerKey = `${answer.status}${code ? ` ${code}` : ''}`;
    answers[answerKey] = (answers[answerKey] ?? 0) + 1;
    if (answer.extra) find('two answers', request, answer.status, `after the answer came: ${answer.extra.slice(0, 300)}`);
    if (answer.status === 0) find('no answer', request, 0, 'the connection closed without an HTTP answer');
    else if (answer.status >= 500) find('5xx', request, answer.status, answer.body);
    // Only where the document says so (a link not valid, answered to a person with a page) is an error not problem+json.
    const page = answer.status >= 400 && (request.op.errorPages?.[String(answer.status)]?.some((type) => String(answer.headers['content-type'] ?? '').startsWith(type)) ?? false);
    if (answer.status >= 400 && request.method !== 'HEAD') {
      const shape = page ? null : problemShape(answer, problem);
      if (shape) find('not problem+json', request, answer.status, `${shape}: ${String(answer.headers['content-type'])} ${answer.body.slice(0, 300)}`);
      if (answer.body.length > MAX_ERROR_BODY) find('huge error body', request, answer.status, `${answer.body.length} bytes: ${answer.body.slice(0, 200)}`);
    }
    const reached = request.method === 'HEAD' ? answer.status < 400 || answer.status === 404 || answer.status === 409 : answer.status > 0 && (answer.status < 400 || (code !== undefined && !EDGE_CODES.test(code)) || page);
    if (reached && !request.socket) cover.reached++;

    if (answer.status < 300) await backgroundIdle();
    const total = performance.now() - startedAt;
    if (answer.status >= 400 && total > SLOW_REFUSAL_MS) find('slow answer', request, answer.status, `${Math.round(total)} ms to refuse it`);
    // 202: work accepted for the background (an import, a batch of codes). From then on the route gets
    // modest numbers (counts near their minimum): one batch of a million codes per run is enough. Decided
    // by the answer, not by a clock, so a seed replays the same requests.
    if (answer.status === 202) modestOps.add(request.op.key);
    const after = await mark();
    // A job that failed wrote so (its status): where nothing was written there is none to look for.
    if (answer.status < 300 && after !== before) await checkJobs(request);
    // The whole cost of the request: its answer, the background work it started and the write check.
    stats.msByMutation[mutation] = (stats.msByMutation[mutation] ?? 0) + performance.now() - startedAt;
    if (after !== before && (answer.status >= 400 || answer.status === 0 || SAFE_METHODS.has(request.method))) {
      const written = await writes.writtenSince(before);
      find(answer.status >= 400 ? 'partial write' : 'read wrote', request, answer.status, `wrote ${written.join(', ')}; answer ${answer.body.slice(0, 200)}`);
    }
    current = after;

    if (answer.status === 401 && request.principal !== 'no key' && request.principal !== 'bad key') {
      // The run revoked the key it sends with (DELETE /v1/api-keys/{id} with an id from a listing): a new one.
      keys.delete(request.principal);
    }
    if (answer.status < 300 && answer.status > 0) {
      rememberRequest(pool, request);
      pool.harvest(safeJson(answer.body));
    }
    return answer;
  }

  /**
   * Work a request started in the background (an import, a batch of codes) finishes before the
   * next request, so no write of theirs is taken for the next request's. Every service that runs
   * such work says when it is idle (`idle()`); they are found, not listed.
   */
  const idlers: Array<() => Promise<void>> = [];
  const findIdlers = (value: unknown, depth: number) => {
    if (!value || typeof value !== 'object' || depth > 2) return;
    const idle = (value as { idle?: unknown }).idle;
    if (typeof idle === 'function') idlers.push(() => (idle as () => Promise<void>).call(value));
    for (const child of Object.values(value)) findIdlers(child, depth + 1);
  };
  findIdlers(t.services, 0);
  const backgroundIdle = async () => {
    for (const idle of idlers) await idle();
  };

  /**
   * Background jobs (imports, batches of codes) keep a `status` and a `failure`: a job that
   * failed is a finding — a 500 that no one sees. Tables with both columns are found, not listed.
   */
  const { rows: jobTables } = await sql<{ name: string }>`
    select table_name as name from information_schema.columns where table_schema = current_schema() and column_name in ('status', 'failure')
    group by table_name having count(*) = 2`.execute(db);
  const failedJobs = new Set<string>();
  async function checkJobs(request: FuzzRequest): Promise<void> {
    for (const { name } of jobTables) {
      const { rows } = await sql<{ id: string; failure: string | null }>`select id, failure from ${sql.table(name)} where status = 'failed'`.execute(db);
      for (const row of rows) {
        if (failedJobs.has(row.id)) continue;
        failedJobs.add(row.id);
        find('job failed', request, 202, `${name} ${row.id}: ${row.failure ?? '(no reason)'}`);
      }
    }
  }

  function apply(mutation: Mutation, op: FuzzOperation): FuzzRequest | null {
    try {
      return mutation.apply(validRequest(op, ctx), ctx);
    } catch (error) {
      find('mutation threw', { op, method: op.method, params: {}, query: '', headers: {}, principal: 'owner', labels: [mutation.name] }, 0, String((error as Error).stack ?? error));
      return null;
    }
  }

  /** What the sweep sends each operation (sweepPlan: drawn from the seed), for the coverage check. */
  const plan = sweepPlan(operations, rng, expensive);

  /**
   * Every operation × every mutation of its plan, once (bounded in count): the part the coverage
   * check reads. Mutation by mutation, so the valid requests of every route come first and the
   * state they make (customers, receipts, imports) is there for the rest.
   */
  async function sweep(): Promise<void> {
    const plans = operations.map((op) => ({ op, list: plan.get(op.key)! }));
    const rounds = Math.max(...plans.map((p) => p.list.length));
    for (let round = 0; round < rounds; round++) {
      for (const { op, list } of plans) {
        const mutation = list[round];
        if (!mutation) continue;
        const request = apply(mutation, op);
        if (request) await send(request, mutation.name);
      }
    }
  }

  /**
   * Random operations and mutations (sometimes two at once, sometimes another role) until `count`
   * requests or `seconds` pass. Every choice comes from the seed (none from a clock), so a seed
   * replays the same requests.
   */
  async function explore(count: number, seconds: number): Promise<void> {
    const deadline = performance.now() + seconds * 1000;
    for (let i = 0; i < count && performance.now() < deadline; i++) {
      const op = rng.pick(operations);
      const list = mutationsFor(op);
      const first = rng.chance(0.15) ? list.find((m) => m.name === 'valid')! : rng.pick(list);
      let request = apply(first, op);
      if (!request) continue;
      let label = first.name;
      if (rng.chance(0.2)) {
        const second = rng.pick(list);
        try {
          request = second.apply(request, ctx);
          label = `${first.name}+${second.name}`;
        } catch {
          // A second mutation that does not fit the first one's output: the first alone.
        }
      }
      if (rng.chance(0.1) && request.principal === 'owner') request = { ...request, principal: rng.pick(['marketer', 'analyst', 'support', 'pos', 'partner'] as const) };
      // Time moves on now and then: points activate and expire, tiers are reviewed on other days.
      if (rng.chance(0.003)) t.clock.advance(rng.int(1, 20) * 86_400_000);
      await send(request, label);
    }
  }

  return {
    writes,
    seedWithExamples,
    sweep,
    explore,
    findings,
    coverage,
    plan,
    stats: () => ({ ...stats, durationMs: Math.round(performance.now() - started) }),
    poolSize: () => pool.names(),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What is wrong with an error answer's shape, or null: problem+json with a type, title, status, code and detail. */
function problemShape(answer: Answer, problem: unknown): string | null {
  if (!/^application\/problem\+json/.test(String(answer.headers['content-type'] ?? ''))) return 'not application/problem+json';
  if (!problem || typeof problem !== 'object') return 'not a JSON object';
  const p = problem as Record<string, unknown>;
  for (const member of ['type', 'title', 'code', 'detail'] as const) {
    if (typeof p[member] !== 'string' || (p[member] as string).length === 0) return `no ${member}`;
  }
  if (p.status !== answer.status) return `status ${String(p.status)} in the body, ${answer.status} on the answer`;
  return null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    }),
  ]);
}
