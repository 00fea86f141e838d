import fs from 'node:fs';
import { sql } from 'kysely';
import { docExamples } from '../src/docs-examples.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFuzzer, type Finding, type FindingKind, type OperationCoverage } from './helpers/fuzz-runner.ts';
import { BEFORE_ROUTE_SHARE, mutations, mutationsFor, sweepPlan, textBodyTypes, type Mutation } from './helpers/fuzz-mutations.ts';
import { createRng, fuzzSeed } from './helpers/fuzz-random.ts';
import { sendRaw, uploadRows } from './helpers/fuzz-request.ts';
import { fuzzOperations, type Doc, type FuzzOperation } from './helpers/fuzz-schema.ts';
import { onPostgres } from './helpers/test-db.ts';
import { registeredRoutes } from './helpers/routes.ts';
import { createTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * Fuzzing from the OpenAPI document (issue 7, item 8). Every route × method the document lists
 * or the router serves gets valid requests generated from its schema (and its worked example),
 * then each mutation of tests/helpers/fuzz-mutations.ts that applies to it — wrong types, 1 MB
 * strings, deep nesting, lone surrogates and NUL, huge, negative and fractional numbers,
 * duplicate keys, wrong content types and encodings, path parameters with `../` and `%00`, long
 * and repeated query strings, other roles and no key, raw HTTP over a socket — then random ones.
 * Each answer: no 5xx; every error application/problem+json with a code (but where the document
 * answers a person with a page: a tracking link that is not valid); a refused request
 * (and every GET) leaves every table as it was.
 *
 * CI runs the sweep and a short random part. The sweep sends every operation every mutation
 * that reaches its own code (path, query and body of a route that reads them, other roles), once.
 * A mutation that, for an operation, is answered before the route by code every route shares —
 * Node's HTTP parser (raw HTTP, the 16 KB head), the key check (no key or a wrong one, where a
 * key is needed), the query parser of a route that reads no query, the body parser of a route
 * that takes no body, headers no route reads — goes to a sample of such operations, an eighth
 * of each method's, drawn from the seed (so a new one each run; sweepPlan). EXPENSIVE operations
 * get one valid request and every refusal. The random part draws from everything. Longer:
 *   PATRON_FUZZ_RUNS=50000 npm run test:fuzz          (random requests after the sweep)
 *   PATRON_FUZZ_SEED=1234 … to replay a run; PATRON_FUZZ_SECONDS caps the random part;
 *   PATRON_FUZZ_REPORT=fuzz.json writes the figures; PATRON_FUZZ_ONLY=<regex> fuzzes matching routes only;
 *   PATRON_FUZZ_FULL_RANGE=0|1 (on in long runs) sends valid numbers from their whole range;
 *   PATRON_FUZZ_TRACE=<first>-<last> logs those requests one by one.
 */
const env = process.env;
const seed = fuzzSeed(env);
const runs = Number(env.PATRON_FUZZ_RUNS ?? 1000);
const seconds = Number(env.PATRON_FUZZ_SECONDS ?? (env.PATRON_FUZZ_RUNS ? 24 * 3600 : 15));
const only = env.PATRON_FUZZ_ONLY ? new RegExp(env.PATRON_FUZZ_ONLY) : null;
// Long runs send valid numbers from their whole range (a batch of a million codes); CI keeps them small and cheap.
const fullRange = (env.PATRON_FUZZ_FULL_RANGE ?? (env.PATRON_FUZZ_RUNS ? '1' : '0')) === '1';
// PATRON_FUZZ_TRACE=48100-48131 logs those requests one by one (with the seed of a run, what led to its finding).
const trace = /^(\d+)-(\d+)$/.exec(env.PATRON_FUZZ_TRACE ?? '')?.slice(1).map(Number) as [number, number] | undefined;
const BODY_LIMIT = 1024 * 1024;

/**
 * Served routes the fuzzer leaves alone, each with its reason. Swagger UI's own files
 * (@fastify/swagger-ui): static assets of a third-party package with no Patron input or data
 * behind them; src/platform/hardening.test.ts checks the headers they are served with.
 */
const EXCLUDED: Array<{ pattern: RegExp; reason: string }> = [
  { pattern: /^(GET|HEAD) \/docs(\/.*)?$/, reason: "Swagger UI's static files (@fastify/swagger-ui), no Patron input behind them" },
  { pattern: /^(GET|HEAD) \/(console(\/.*)?)?$/, reason: "the console's built files (web/dist) and the redirect to them, no Patron input behind them; tests/console/ drives the console itself in Chromium" },
  { pattern: /^(GET|HEAD) \/pages\/qr-reader\.js$/, reason: "the account page's QR reader, jsQR's published file (node_modules/jsqr), no Patron input or data behind it; src/modules/touchpoints/fiscal-scan.browser.test.ts checks its headers and runs it in Chromium" },
];
const excluded = (key: string) => EXCLUDED.some(({ pattern }) => pattern.test(key));

/**
 * Operations whose valid request is costly, each with its reason: the sweep sends them one valid
 * request and every refusal, and leaves them out of the samples of what is answered before the
 * route (sweepPlan), which they would mostly take as valid and run again. The random part still
 * sends them anything.
 */
const EXPENSIVE: Array<{ pattern: RegExp; reason: string }> = [
  { pattern: /^POST \/v1\/admin\/backup$/, reason: 'a dump of the whole database (1.5–3 s each; ~20 of them were a third of the sweep)' },
  { pattern: /^POST \/v1\/recommendations\/runs$/, reason: 'a rebuild of every customer\'s recommendations' },
  { pattern: /^POST \/v1\/promo-codes\/batches$/, reason: 'a batch of codes made and hashed in the background' },
];
const expensive = (op: FuzzOperation) => EXPENSIVE.some(({ pattern }) => pattern.test(op.key));

let t: TestApp;
let doc: Doc;
let served: Array<{ method: string; path: string }>;
let operations: FuzzOperation[];
let fuzzer: Awaited<ReturnType<typeof createFuzzer>>;
let seeded = 0;
let port = 0;

const log = (line: string) => process.stdout.write(`[fuzz ${onPostgres ? 'postgres' : 'pglite'}] ${line}\n`);

beforeAll(async () => {
  t = await createTestApp({ bodyLimitBytes: BODY_LIMIT });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Doc;
  served = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
  const uploads = t.services.registry.importTypes().map((type) => ({ kind: type.kind, url: type.upload.url, contentTypes: type.upload.contentTypes }));
  operations = fuzzOperations(doc, served, uploads, excluded).filter((op) => !only || only.test(op.key));
  log(`seed ${seed} (PATRON_FUZZ_SEED=${seed} replays it); ${operations.length} operations; random part: ${runs} requests or ${seconds} s; numbers ${fullRange ? 'from their whole range' : 'near their minimum'}`);
  fuzzer = await createFuzzer({ t, doc, operations, rng: createRng(seed), bodyLimit: BODY_LIMIT, port, fullRange, trace, expensive, log });
  seeded = await fuzzer.seedWithExamples();
  await fuzzer.sweep();
  const swept = fuzzer.stats().sent;
  await fuzzer.explore(runs, seconds);
  const stats = fuzzer.stats();
  const summary = {
    database: onPostgres ? 'postgres' : 'pglite',
    seed,
    operations: operations.length,
    examplesSeeded: seeded,
    requests: stats.sent,
    sweep: swept,
    random: stats.sent - swept,
    overSocket: stats.viaSocket,
    refusedByTheClientLibrary: stats.rejectedByClient,
    byStatus: stats.byStatus,
    fiveXx: Object.entries(stats.byStatus).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0),
    findings: countBy(fuzzer.findings),
    durationSeconds: Math.round(stats.durationMs / 100) / 10,
    writeCheckSeconds: Math.round(stats.writeCheckMs / 100) / 10,
    slowest: stats.slowest,
    slowestOperations: Object.fromEntries(Object.entries(stats.msByOperation).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([op, ms]) => [op, Math.round(ms)])),
    msByMutation: Object.fromEntries(Object.entries(stats.msByMutation).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([m, ms]) => [m, Math.round(ms)])),
    topCodes: Object.fromEntries(Object.entries(stats.byCode).sort((a, b) => b[1] - a[1]).slice(0, 25)),
  };
  log(JSON.stringify(summary));
  if (env.PATRON_FUZZ_REPORT) {
    fs.writeFileSync(env.PATRON_FUZZ_REPORT, JSON.stringify({ ...summary, answersByOperation: stats.answersByOperation, findingsList: fuzzer.findings }, null, 2));
  }
  // The sweep takes 1–3 minutes alone; on a CI machine running another test file beside it, several times that.
}, (Math.min(seconds, 6 * 3600) + 1500) * 1000);

afterAll(async () => t?.close());

function countBy(findings: Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const finding of findings) counts[finding.kind] = (counts[finding.kind] ?? 0) + 1;
  return counts;
}

/** Findings of some kinds, one line each with what to replay: the seed, the request's index, the request. */
function report(...kinds: FindingKind[]): string[] {
  const found = fuzzer.findings.filter((f) => kinds.includes(f.kind));
  // One per operation and kind of input is enough to read; the count says how many there were.
  const seen = new Set<string>();
  return found
    .filter((f) => {
      const key = `${f.kind} ${f.op} ${f.labels.slice(0, 2).join(' ')} ${f.status}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .slice(0, 30)
    .map((f) => `[seed ${seed} #${f.index}] ${f.kind} ${f.op} (${f.labels.join(' / ')}) → ${f.status}: ${f.detail}\n    ${f.request}`);
}

describe(`fuzzing every route from the OpenAPI document (seed ${seed})`, () => {
  it('answers no request with a 5xx, and every request with an answer', () => {
    expect(report('5xx', 'no answer', 'job failed', 'mutation threw', 'slow answer')).toEqual([]);
  });

  it('answers every error as application/problem+json with a type, title, status, code and detail, and never echoes a large value', () => {
    expect(report('not problem+json', 'huge error body', 'two answers')).toEqual([]);
  });

  it('changes nothing on a refused request, nor on a read', () => {
    expect(report('partial write', 'read wrote')).toEqual([]);
  });

  it('fuzzes every route the router serves and every operation of the document (the /docs files aside, with a reason)', () => {
    if (only) return;
    // Fuzzed: sent at least one request (not merely listed).
    const fuzzed = new Set([...fuzzer.coverage].filter(([, cover]) => cover.sent > 0).map(([op]) => op));
    const key = (method: string, path: string) => `${method} ${path.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}')}`;
    const servedKeys = served.map((r) => key(r.method, r.path));
    expect(servedKeys.filter((k) => !excluded(k) && !fuzzed.has(k)), 'served routes the fuzzer does not cover').toEqual([]);
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(documented.filter((k) => !fuzzed.has(k)), 'documented operations the fuzzer does not cover').toEqual([]);
    // Exclusions name served routes only (a stale one would hide nothing, but says something untrue).
    for (const { pattern, reason } of EXCLUDED) expect(servedKeys.some((k) => pattern.test(k)), `exclusion ${pattern} (${reason}) matches no route`).toBe(true);
    for (const { pattern, reason } of EXPENSIVE) expect(operations.some((op) => pattern.test(op.key)), `expensive ${pattern} (${reason}) matches no operation`).toBe(true);
    expect(operations.length).toBeGreaterThan(40);
  });

  it('sends every operation every mutation that reaches its own code, and each answered before the route to its sample; gets each past validation at least once', () => {
    if (only) return;
    const gaps = coverageGaps(operations, fuzzer.coverage, (op) => fuzzer.plan.get(op.key)!);
    expect(gaps, JSON.stringify(gaps)).toEqual([]);
  });

  it('(the check itself) plans every mutation that reaches the route for every operation, and each answered before it for a sample of every method that changes with the seed', () => {
    const plan = sweepPlan(operations, createRng(seed));
    for (const op of operations) {
      const planned = plan.get(op.key)!;
      expect(mutationsFor(op).filter((m) => !m.beforeRoute?.(op) && !planned.includes(m)).map((m) => m.name), op.key).toEqual([]);
    }
    const sampleOf = (p: Map<string, Mutation[]>, mutation: Mutation) => operations.filter((op) => p.get(op.key)!.includes(mutation) && mutation.beforeRoute!(op)).map((op) => op.key);
    const other = sweepPlan(operations, createRng(seed + 1));
    let differs = false;
    for (const mutation of mutations.filter((m) => m.beforeRoute)) {
      const candidates = operations.filter((op) => mutationsFor(op).includes(mutation) && mutation.beforeRoute!(op));
      const sample = sampleOf(plan, mutation);
      expect(sample.length, mutation.name).toBeGreaterThanOrEqual(Math.ceil(candidates.length * BEFORE_ROUTE_SHARE));
      expect(new Set(sample.map((key) => key.split(' ')[0])), mutation.name).toEqual(new Set(candidates.map((op) => op.method)));
      if (sampleOf(other, mutation).join() !== sample.join()) differs = true;
    }
    expect(differs, 'another seed, another sample').toBe(true);
    // An expensive operation: one valid request and every refusal that reaches its code, no sample.
    const withExpensive = sweepPlan(operations, createRng(seed), expensive);
    for (const op of operations.filter(expensive)) {
      const expected = mutationsFor(op).filter((m) => !m.beforeRoute?.(op) && m.name !== 'example');
      expect(withExpensive.get(op.key)!.map((m) => m.name), op.key).toEqual(expected.map((m) => m.name));
    }
  });

  it('(the check itself) sees a committed write, and neither a rolled-back one, an update of no row nor a key being stamped as used', async () => {
    const db = t.database.db;
    const before = await fuzzer.writes.mark();
    const probe = sql`insert into system_settings (key, value, updated_at) values ('fuzz-probe', '1', now())`;
    await db.transaction().execute(async (tx) => {
      await probe.execute(tx);
      throw new Error('roll back');
    }).catch(() => undefined);
    await sql`update stores set name = name where false`.execute(db);
    await sql`update api_keys set last_used_at = now()`.execute(db);
    expect(await fuzzer.writes.mark()).toBe(before);
    await probe.execute(db);
    await sql`update api_keys set name = name`.execute(db);
    await sql`delete from system_settings where key = 'fuzz-probe'`.execute(db);
    expect(await fuzzer.writes.writtenSince(before)).toEqual([expect.stringMatching(/^api_keys UPDATE/), 'system_settings DELETE', 'system_settings INSERT']);
  });

  it('(the check itself) replays: one seed, the same draws', () => {
    const draws = (s: number) => {
      const rng = createRng(s);
      return Array.from({ length: 200 }, () => rng.int(0, 1_000_000));
    };
    expect(draws(seed)).toEqual(draws(seed));
    expect(draws(seed)).not.toEqual(draws(seed + 1));
  });

  it('(the check itself) names a route no request reached, a body type without a generator and an upload without rows', () => {
    const op = (key: string, extra: Partial<FuzzOperation> = {}): FuzzOperation => ({
      key, method: key.split(' ')[0]!, path: key.split(' ')[1]!, documented: true, params: [], otherBodyTypes: [], needsKey: true, readsAccept: false, ...extra,
    });
    const ops = [op('GET /v1/new-thing'), op('PUT /v1/xml-thing', { otherBodyTypes: ['application/xml'] }), op('POST /v1/imports/widgets', { upload: { kind: 'widgets', contentTypes: ['text/csv'] } })];
    const gaps = coverageGaps(ops, new Map(), mutationsFor);
    expect(gaps).toEqual([
      expect.stringMatching(/^GET \/v1\/new-thing: never sent valid, /),
      expect.stringMatching(/^GET \/v1\/new-thing: no generated request got past validation/),
      expect.stringMatching(/^PUT \/v1\/xml-thing: never sent /),
      expect.stringMatching(/^PUT \/v1\/xml-thing: no generated request/),
      'PUT /v1/xml-thing: no body generator for application/xml',
      expect.stringMatching(/^POST \/v1\/imports\/widgets: never sent /),
      expect.stringMatching(/^POST \/v1\/imports\/widgets: no generated request/),
      'POST /v1/imports/widgets: no file generator for uploads of widgets (tests/helpers/fuzz-request.ts uploadRows)',
    ]);
  });
});

/** What the run left out: per operation, mutations of its plan never sent, no request past validation, bodies it cannot make. */
function coverageGaps(ops: FuzzOperation[], coverage: Map<string, OperationCoverage>, planned: (op: FuzzOperation) => Mutation[]): string[] {
  const gaps: string[] = [];
  for (const op of ops) {
    const cover = coverage.get(op.key) ?? { sent: 0, reached: 0, mutations: new Set<string>() };
    const missing = planned(op).map((m) => m.name).filter((name) => !cover.mutations.has(name));
    if (missing.length > 0) gaps.push(`${op.key}: never sent ${missing.join(', ')}`);
    if (cover.reached === 0) gaps.push(`${op.key}: no generated request got past validation (${cover.sent} sent): the generator does not understand its schema`);
    const unknownTypes = op.otherBodyTypes.filter((type) => !op.upload && !['text/csv', 'application/csv', 'application/x-www-form-urlencoded', ...textBodyTypes].includes(type));
    if (unknownTypes.length > 0) gaps.push(`${op.key}: no body generator for ${unknownTypes.join(', ')}`);
    if (op.upload && !uploadRows[op.upload.kind]) gaps.push(`${op.key}: no file generator for uploads of ${op.upload.kind} (tests/helpers/fuzz-request.ts uploadRows)`);
  }
  return gaps;
}

/** Inputs the fuzzer found that broke a rule, kept as plain tests so the fix stays whatever the seed. */
describe('inputs the fuzzer found', () => {
  const expectSmallProblem = (response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) => {
    expect(response.statusCode, response.body.slice(0, 300)).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.length, 'an error names the rule; it does not echo the request').toBeLessThan(16 * 1024);
    const problem = JSON.parse(response.body) as { code: string; detail: string; errors?: unknown[] };
    expect(problem.code).toBe(code);
    return problem;
  };

  it('a list of 100,000 wrong items is a short 400 at once (it took 74 s and answered 10 MB)', async () => {
    const started = performance.now();
    const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { tags: Array.from({ length: 100_000 }, () => 1) } });
    const problem = expectSmallProblem(response, 400, 'request.invalid');
    expect(problem.detail).toMatch(/^tags: must hold at most 100 items; tags\.0: must be text; .*; and more \(the first 50 are listed\)$/);
    expect(problem.errors).toHaveLength(50);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('20,000 unknown query parameters are a short 400 (it answered 3.5 MB)', async () => {
    const response = await t.call({ method: 'GET', url: `/v1/customers?${Array.from({ length: 20_000 }, (_, i) => `p${i}=1`).join('&')}` });
    expect(expectSmallProblem(response, 400, 'request.invalid').detail).toMatch(/^querystring:p0: is not a known field/);
  });

  it('an unknown key of 100,000 characters is named by its start', async () => {
    const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { ['k'.repeat(100_000)]: 1 } });
    expect(expectSmallProblem(response, 400, 'request.invalid').detail).toContain('… (100000 characters)');
  });

  it('a path parameter of 100,000 characters is a 400 that quotes 300 of them', async () => {
    const response = await t.call({ method: 'GET', url: `/v1/customers/cus_${'a'.repeat(100_000)}` });
    expect(expectSmallProblem(response, 400, 'request.invalid').detail).toMatch(/^The URL is not valid: .{300}… \(\d+ characters\)$/);
  });

  it('an unknown path of 100,000 characters is a short 404 (it echoed the path twice: 200 KB)', async () => {
    const response = await t.call({ method: 'GET', url: `/v1/${'a'.repeat(100_000)}` });
    const problem = expectSmallProblem(response, 404, 'route.not_found') as { detail: string; instance?: string };
    expect(problem.detail).toMatch(/^No route GET \/v1\/a{296}… \(100004 characters\)$/);
    expect(problem.instance).toBeUndefined();
  });

  it("a module's detail quoting a 500,000-character id is cut where problems are made (it answered 1 MB)", async () => {
    const example = docExamples.find((e) => e.route === 'POST /v1/promotions')!;
    const created = await t.call({ method: 'POST', url: '/v1/promotions', payload: example.body as object });
    expect(created.statusCode, created.body).toBe(201);
    const promotion = created.json() as Record<string, unknown>;
    const response = await t.call({ method: 'PUT', url: `/v1/promotions/${String(promotion.id)}`, payload: { ...promotion, id: 'x'.repeat(500_000) } });
    expect(expectSmallProblem(response, 400, 'promotion.invalid').detail).toMatch(/^id: the body names x{7000,}… \(\d+ characters\)$/);
  });

  it('U+0000 in one query parameter and a broken escape in another is a 400 (the NUL reached PostgreSQL: a 500)', async () => {
    for (const url of ['/v1/customers?q=a%00b&tag=%C0%AF', '/v1/customers?tag=%C0%AF&q=a%00b']) {
      const response = await t.call({ method: 'GET', url });
      expect(expectSmallProblem(response, 400, 'request.invalid_character').detail).toMatch(/NUL/);
    }
  });

  it('a request answered for its URL whose chunked body then breaks gets one answer, not two', async () => {
    const secret = await t.key('owner');
    const raw =
      `POST /v1/jobs/review-tiers%E0%A4%A/run HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${secret}\r\n` +
      'content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n';
    const answer = await sendRaw(port, Buffer.from(raw, 'latin1'));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).code).toBe('request.invalid');
    expect(answer.extra).toBeUndefined();
  });

  it('an NDJSON receipt with 40,000 wrong items is one line error of 50 problems at once (it took 17 s, found beside the list above)', async () => {
    const line = JSON.stringify({ storeId: 'msk-01', posReceiptId: 'MANY-1', occurredAt: '2026-02-01T10:00:00Z', lines: Array.from({ length: 40_000 }, () => 1) });
    const started = performance.now();
    const response = await t.call({ method: 'POST', url: '/v1/receipts/bulk', payload: `${line}\n`, headers: { 'content-type': 'application/x-ndjson' } });
    expect(response.statusCode, response.body).toBe(202);
    await t.services.imports.idle();
    const job = (await t.call({ method: 'GET', url: `/v1/imports/${response.json().id}` })).json() as { status: string; rowsFailed: number; errorsTotal: number };
    expect(job).toMatchObject({ status: 'completed', rowsFailed: 1, errorsTotal: 50 });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('an NDJSON receipt with U+0000 in a key is an error of its line, not a failed import (the line error could not be stored)', async () => {
    const line = JSON.stringify({ storeId: 'msk-01', posReceiptId: 'NUL-KEY-1', occurredAt: '2026-02-01T10:00:00Z', lines: [{ sku: 'x', qty: 1, price: 100 }], ['a\u0000b']: 1 });
    const response = await t.call({ method: 'POST', url: '/v1/receipts/bulk', payload: `${line}\n`, headers: { 'content-type': 'application/x-ndjson' } });
    expect(response.statusCode, response.body).toBe(202);
    await t.services.imports.idle();
    const job = (await t.call({ method: 'GET', url: `/v1/imports/${response.json().id}` })).json() as { status: string; errors: Array<{ field: string }> };
    expect(job.status).toBe('completed');
    expect(job.errors.map((e) => e.field)).toEqual(['a\\u0000b']);
  });
});
