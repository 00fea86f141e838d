import { roles } from '../../src/platform/roles.ts';
import { bodyMutations } from './fuzz-body-mutations.ts';
import type { FuzzRequest } from './fuzz-request.ts';
import { uploadBody } from './fuzz-request.ts';
import type { Rng } from './fuzz-random.ts';
import type { FuzzOperation, Generator, ValuePool } from './fuzz-schema.ts';
import { valueFailures, type Schema } from './schema-failures.ts';

/**
 * How the fuzzer makes requests: a valid one from the route's schema (or its worked example),
 * then one mutation of the catalogue below (bodies in fuzz-body-mutations.ts). Each mutation says
 * which operations it applies to; the coverage check holds every operation to every mutation that
 * applies to it.
 */
export type MutationContext = {
  rng: Rng;
  g: Generator;
  pool: ValuePool;
  /** The body limit of JSON routes, in bytes (1 MB in the tests). */
  bodyLimit: number;
  schemas: Record<string, Schema>;
  now: () => Date;
  /** Whether the operation has put work in the background (a 202): its numbers are then kept near their minimum. */
  modest: (op: FuzzOperation) => boolean;
  /** Worked examples of the operation (src/docs-examples.ts) with the run's real ids. */
  examples: (op: FuzzOperation) => Array<{ params: Record<string, string>; query: Record<string, string>; headers: Record<string, string>; body?: unknown }>;
};

export type Mutation = {
  name: string;
  applies(op: FuzzOperation): boolean;
  apply(base: FuzzRequest, ctx: MutationContext): FuzzRequest;
  /**
   * Whether, sent to this operation, the mutation is answered before the route's own code runs,
   * by code every route shares: Node's HTTP parser (raw bytes, the 16 KB head), the key check (a
   * route that needs a key, sent none or a wrong one), the query-string parser of a route that
   * reads no query, headers no route reads. The sweep sends it to a sample of such operations
   * (sweepPlan); the random part to any.
   */
  beforeRoute?(op: FuzzOperation): boolean;
};

// ---------------------------------------------------------------------------------------------
// Valid requests

/** Body types that are text of their own (besides CSV uploads and forms): validRequest sends the worked example's text or generated text. */
export const textBodyTypes = ['message/rfc822', 'multipart/report', 'text/plain'];

/** A request the route's schema accepts: parameters, headers and body generated (or a worked example). */
export function validRequest(op: FuzzOperation, ctx: MutationContext, fromExample = ctx.rng.chance(0.5)): FuzzRequest {
  const { rng, g } = ctx;
  const modest = ctx.modest(op);
  const examples = ctx.examples(op);
  const example = fromExample && examples.length > 0 ? rng.pick(examples) : undefined;
  const params: Record<string, string> = {};
  const query: string[] = [];
  const headers: Record<string, string> = {};
  for (const param of op.params) {
    const given = param.in === 'path' ? example?.params[param.name] : param.in === 'query' ? example?.query[param.name] : example?.headers[param.name];
    if (!given && param.in !== 'path' && !param.required && (example || rng.chance(0.5))) continue;
    // A cursor is opaque: only the server makes valid ones, so a valid request leaves it out (mutations still send made-up ones).
    if (!given && param.in === 'query' && param.name === 'cursor' && !param.required) continue;
    const value = given ?? String(g.valid(param.schema, rng, param.name, modest));
    if (param.in === 'path') params[param.name] = encodeURIComponent(value);
    else if (param.in === 'query') query.push(`${encodeURIComponent(param.name)}=${encodeURIComponent(value)}`);
    else headers[param.name] = value;
  }
  const request: FuzzRequest = { op, method: op.method, params, query: query.join('&'), headers, principal: 'owner', labels: [example ? 'example' : 'valid'] };
  if (op.json) {
    const value = example?.body !== undefined ? structuredClone(example.body) : g.valid(op.json.schema, rng, undefined, modest);
    request.body = { kind: 'json', value, contentType: rng.pick(op.json.contentTypes) };
  }
  if (op.upload) {
    const body = uploadBody(op.upload, g, rng, ctx.schemas, ctx.now());
    if (body) request.body = body;
  } else if (op.otherBodyTypes.includes('text/csv') && op.json && rng.chance(0.2)) {
    // The same rows as CSV (PUT /v1/products takes both).
    const rows = request.body?.kind === 'json' && Array.isArray(request.body.value) ? request.body.value : [];
    request.body = { kind: 'rows', value: rows, format: 'csv', contentType: 'text/csv' };
    request.labels.push('csv');
  } else if (op.otherBodyTypes.includes('application/x-www-form-urlencoded') && (!op.json || rng.chance(0.2))) {
    // The same fields as a form (an SMS gateway's report).
    const value = request.body?.kind === 'json' ? request.body.value : undefined;
    const fields: Array<[string, string]> = value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)]) : [['a', '1']];
    request.body = { kind: 'raw', payload: new URLSearchParams(fields).toString(), contentType: 'application/x-www-form-urlencoded' };
    request.labels.push('form');
  } else if (!op.json && op.otherBodyTypes.some((type) => textBodyTypes.includes(type) || type === 'text/csv')) {
    // A body that is text of its own type (a bounce as it arrived, a CSV file that is no import's
    // upload: a campaign's audience): the worked example's, or generated text.
    const contentType = rng.pick(op.otherBodyTypes.filter((type) => textBodyTypes.includes(type) || type === 'text/csv'));
    const generated = String(g.valid({ type: 'string', minLength: 1, maxLength: 60 }, rng, undefined, modest));
    const text = typeof example?.body === 'string' ? example.body : contentType === 'text/csv' ? `customerId\n${generated.replace(/[\r\n",]/g, '')}\n` : generated;
    request.body = { kind: 'raw', payload: text, contentType };
  }
  return request;
}

const hasPathParams = (op: FuzzOperation) => op.params.some((p) => p.in === 'path');
const hasQueryParams = (op: FuzzOperation) => op.params.some((p) => p.in === 'query');
const hasHeaderParams = (op: FuzzOperation) => op.params.some((p) => p.in === 'header');
const always = () => true;
const readsNoQuery = (op: FuzzOperation) => !hasQueryParams(op);

// ---------------------------------------------------------------------------------------------
// The catalogue: valid input first (the baseline every other mutation departs from), then bodies
// (fuzz-body-mutations.ts), then the request line, headers and keys, and raw HTTP.

export const mutations: Mutation[] = [
  { name: 'valid', applies: always, apply: (base) => base },
  {
    name: 'example',
    applies: always,
    apply: (base, ctx) => validRequest(base.op, ctx, true),
  },
  ...bodyMutations,

  // --- path parameters
  {
    name: 'path-traversal',
    applies: hasPathParams,
    apply: (base, ctx) => withParam(base, ctx, ctx.rng.pick(['..', '../', '..%2F..%2Fapi-keys', '%2e%2e%2f%2e%2e%2f', '..\\..\\', '....//', '.', '%2e', '..%00']), 'traversal'),
  },
  {
    name: 'path-nul',
    applies: hasPathParams,
    apply: (base, ctx) => withParam(base, ctx, (v) => ctx.rng.pick(['%00', `${v}%00`, `%00${v}`, `${v}%00.json`, '%2500']), 'NUL'),
  },
  {
    name: 'path-encoded-slash',
    applies: hasPathParams,
    apply: (base, ctx) => withParam(base, ctx, (v) => ctx.rng.pick(['%2F', `${v}%2Fextra`, `a%2Fb`, '%252F', `${v}%5C`]), 'encoded slash'),
  },
  {
    name: 'path-long-id',
    applies: hasPathParams,
    apply: (base, ctx) => withParam(base, ctx, (v) => `${v.slice(0, 4)}${'a'.repeat(ctx.rng.pick([96, 97, 100, 101, 1_000, 10_000, 100_000]))}`, 'long'),
  },
  {
    name: 'path-bad-escape',
    applies: hasPathParams,
    apply: (base, ctx) => withParam(base, ctx, (v) => ctx.rng.pick(['%', '%zz', `${v}%E0%A4%A`, '%C0%AF', '%ED%A0%80', '%FF', '%uD800', '%%']), 'bad escape'),
  },
  {
    name: 'path-unicode',
    applies: hasPathParams,
    apply: (base, ctx) => withParam(base, ctx, ctx.rng.pick(['%F0%9F%92%A9', encodeURIComponent('клиент'), encodeURIComponent('ｃｕｓ＿１'), encodeURIComponent('e\u0301'), '%E2%80%AE']), 'unicode'),
  },
  {
    name: 'path-wrong-shape',
    applies: hasPathParams,
    apply: (base, ctx) =>
      withParam(base, ctx, (v) => ctx.rng.pick([v.toUpperCase(), v.slice(0, -1), `${v}0`, 'rcp_0190c0ffee00700080000000000000ab', 'cus_0190c0ffee00700080000000000000ab', 'null', 'undefined', '0', '-1', '1e3', '%5Bobject%20Object%5D', '%20', 'true']), 'wrong shape'),
  },
  {
    name: 'path-extra',
    applies: always,
    apply: (base, ctx) => {
      const path = urlPath(base);
      const variant = ctx.rng.pick([`${path}/`, path.replace('/v1/', '/v1//'), `${path}/..`, `${path};x=1`, path.toUpperCase(), path.replace(/^\/v1\//, '/v1/../v1/'), `${path}%20`, `${path}/%2e`, `/${path}`]);
      return { ...base, path: variant, labels: [...base.labels, `path ${variant.slice(0, 60)}`] };
    },
  },

  // --- query strings
  {
    name: 'query-wrong-type',
    applies: hasQueryParams,
    apply: (base, ctx) => withQueryParam(base, ctx, ctx.rng.pick(['abc', '1.5', '-1', '1e3', '99999999999999999999', '', 'NaN', '0x10', 'true', '[]', '{}', '+5', ' 5', '5 ']), 'wrong type'),
  },
  {
    name: 'query-schema-rule',
    applies: hasQueryParams,
    apply: (base, ctx) => {
      const param = ctx.rng.pick(base.op.params.filter((p) => p.in === 'query'));
      const failures = valueFailures(param.schema, ctx.g.resolve).filter((f) => typeof f.value === 'string' || typeof f.value === 'number');
      const value = failures.length > 0 ? String(ctx.rng.pick(failures).value) : 'x';
      return { ...base, query: setQuery(base.query, param.name, encodeURIComponent(value)), labels: [...base.labels, `query ${param.name} rule`] };
    },
  },
  {
    name: 'query-long',
    applies: always,
    beforeRoute: readsNoQuery,
    apply: (base, ctx) => {
      // Long values through app.inject (no 16 KB parser limit): maxLength + 1 up to a megabyte.
      const param = base.op.params.find((p) => p.in === 'query' && ctx.rng.chance(0.7))?.name ?? 'q';
      const length = ctx.rng.pick([201, 1_001, 8_000, 16_000, 16_385, 65_536, 1_000_000]);
      return { ...base, query: setQuery(base.query, param, 'x'.repeat(length)), labels: [...base.labels, `query ${param} ${length} chars`] };
    },
  },
  {
    name: 'query-unknown',
    applies: always,
    beforeRoute: readsNoQuery,
    apply: (base, ctx) => ({ ...base, query: [base.query, `${ctx.rng.pick(['zz', 'debug', 'admin', 'format', 'fields', 'role'])}=${ctx.rng.pick(['1', 'true', 'x'])}`].filter(Boolean).join('&'), labels: [...base.labels, 'unknown query'] }),
  },
  {
    name: 'query-repeated',
    applies: always,
    beforeRoute: readsNoQuery,
    apply: (base, ctx) => {
      const name = base.op.params.find((p) => p.in === 'query' && ctx.rng.chance(0.8))?.name ?? 'limit';
      return { ...base, query: [base.query, `${name}=1`, `${name}=${ctx.rng.pick(['2', 'x', '1'])}`].filter(Boolean).join('&'), labels: [...base.labels, `repeated ${name}`] };
    },
  },
  {
    name: 'query-many',
    applies: always,
    beforeRoute: readsNoQuery,
    apply: (base, ctx) => {
      const count = ctx.rng.pick([1_000, 5_000, 20_000]);
      return { ...base, query: Array.from({ length: count }, (_, i) => `p${i}=1`).join('&'), labels: [...base.labels, `${count} query params`] };
    },
  },
  {
    name: 'query-special-keys',
    applies: always,
    beforeRoute: readsNoQuery,
    apply: (base, ctx) => {
      const extra = ctx.rng.pick(['__proto__=1', '__proto__[admin]=1', 'constructor[prototype][admin]=1', 'limit[]=1', 'a[b][c]=1', 'toString=x', 'hasOwnProperty=x', '=x', '&&&', 'limit', '=', 'a=1=2']);
      return { ...base, query: [base.query, extra].filter(Boolean).join('&'), labels: [...base.labels, `query ${extra}`] };
    },
  },
  {
    name: 'query-bad-characters',
    applies: always,
    beforeRoute: readsNoQuery,
    apply: (base, ctx) => {
      const name = base.op.params.find((p) => p.in === 'query' && ctx.rng.chance(0.7))?.name ?? 'q';
      const value = ctx.rng.pick(['%00', 'a%00b', '%ED%A0%80', '%FF', '%', '%zz', '%uD800', '%C0%AF', '%F0%9F%92%A9']);
      const query = ctx.rng.chance(0.2) ? [base.query, `${value}=1`].filter(Boolean).join('&') : setQuery(base.query, name, value);
      return { ...base, query, labels: [...base.labels, `query ${value}`] };
    },
  },

  // --- headers and keys
  {
    name: 'header-params',
    applies: hasHeaderParams,
    apply: (base, ctx) => {
      const param = ctx.rng.pick(base.op.params.filter((p) => p.in === 'header'));
      const known = ctx.pool.pick(ctx.rng, param.name, () => true);
      // A key used before with another body (the idempotency conflict), or values off the schema.
      const value = ctx.rng.pick([typeof known === 'string' ? known : 'k', '', ' ', 'x'.repeat(201), 'x'.repeat(10_000), 'ключ', 'a,b', '\t']);
      return { ...base, headers: { ...base.headers, [param.name]: value }, labels: [...base.labels, `header ${param.name}=${value.slice(0, 20)}`] };
    },
  },
  // Answered by the key check where the route needs a key; a public route's own code gets them.
  { name: 'auth-missing', applies: always, beforeRoute: (op) => op.needsKey, apply: (base) => ({ ...base, principal: 'no key', labels: [...base.labels, 'no key'] }) },
  {
    name: 'auth-garbage',
    applies: always,
    beforeRoute: (op) => op.needsKey,
    apply: (base, ctx) => {
      const value = ctx.rng.pick(['Bearer', 'Bearer ', 'Bearer patron_nope', 'Basic dXNlcjpwYXNz', 'bearer    x', `Bearer ${'a'.repeat(8_000)}`, 'Bearer a b', 'Bearer ключ', 'Token x', '']);
      return { ...base, principal: 'bad key', headers: { ...base.headers, authorization: value }, labels: [...base.labels, `authorization ${value.slice(0, 24)}`] };
    },
  },
  {
    name: 'role-other',
    applies: always,
    apply: (base, ctx) => {
      const role = ctx.rng.pick(roles.filter((r) => r !== 'owner'));
      return { ...base, principal: role, labels: [...base.labels, `role ${role}`] };
    },
  },
  {
    name: 'header-junk',
    applies: always,
    // Only a route that may answer other than JSON reads Accept (CSV); no route reads the rest.
    beforeRoute: (op) => !op.readsAccept,
    apply: (base, ctx) => {
      const [name, value] = ctx.rng.pick([
        ['accept', 'application/xml'],
        ['accept', 'text/csv'],
        ['x-http-method-override', 'DELETE'],
        ['x-forwarded-for', '1.2.3.4, 127.0.0.1'],
        ['x-forwarded-host', 'evil.example'],
        ['transfer-encoding', 'chunked'],
        ['expect', '100-continue'],
        ['if-none-match', '*'],
        ['range', 'bytes=0-1'],
        ['cookie', 'a=b'],
        ['origin', 'https://evil.example'],
        [`x-${'h'.repeat(100)}`, 'y'.repeat(8_000)],
      ] as const);
      return { ...base, headers: { ...base.headers, [name]: value }, labels: [...base.labels, `header ${name.slice(0, 20)}`] };
    },
  },

  // --- over a real socket: Node's HTTP parser, its 16 KB limit, bytes app.inject would normalise
  {
    name: 'socket-long-url',
    applies: always,
    beforeRoute: always,
    apply: (base, ctx) => {
      // Close to 16 KB with the headers (routed), and past it (431).
      const target = ctx.rng.pick([14_000, 15_800, 16_500, 17_000, 65_000]);
      const param = base.op.params.find((p) => p.in === 'query')?.name ?? 'q';
      const query = setQuery(base.query, param, 'x'.repeat(Math.max(1, target - urlPath(base).length)));
      return { ...base, query, socket: {}, labels: [...base.labels, `socket url ~${target} bytes`] };
    },
  },
  {
    name: 'socket-raw',
    applies: always,
    beforeRoute: always,
    apply: (base, ctx) => {
      const path = urlPath(base);
      const withBody = (head: string, body: string) => `${head}\r\n\r\n${body}`;
      const auth = 'authorization: Bearer {auth}';
      const variants = [
        `${base.method} ${path}/../../v1/api-keys HTTP/1.1\r\nhost: x\r\n${auth}\r\nconnection: close\r\n\r\n`,
        `${base.method} ${path.replace(/\/[^/]*$/, '/..%2F..%2F')} HTTP/1.1\r\nhost: x\r\n${auth}\r\nconnection: close\r\n\r\n`,
        `${base.method} ${path}%00 HTTP/1.1\r\nhost: x\r\n${auth}\r\nconnection: close\r\n\r\n`,
        withBody(`${base.method} ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\ncontent-type: application/json\r\ncontent-length: 4\r\ntransfer-encoding: chunked`, '0\r\n\r\n'),
        withBody(`${base.method} ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked`, 'zz\r\n{}\r\n0\r\n\r\n'),
        `${base.method} ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\nbad header line\r\n\r\n`,
        `${base.method} ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\nx-a: a\u0000b\r\n\r\n`,
        `${base.method} ${path} HTTP/9.9\r\nhost: x\r\n${auth}\r\n\r\n`,
        `${base.method} http://evil.example${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\nconnection: close\r\n\r\n`,
        `${base.method} * HTTP/1.1\r\nhost: x\r\n${auth}\r\n\r\n`,
        `${base.method} ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\nx-fold: a\r\n b\r\n\r\n`,
        `${base.method} ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\n${Array.from({ length: 2_000 }, (_, i) => `x-h${i}: v`).join('\r\n')}\r\n\r\n`,
        withBody(`${base.method} ${path} HTTP/1.1\r\nhost: x\r\n${auth}\r\ncontent-type: application/json\r\ncontent-length: 100\r\nconnection: close`, '{"a":1}'),
      ];
      const index = ctx.rng.int(0, variants.length - 1);
      // The last promises 100 bytes, sends 7 and says it is done (half-closes): an answer, not a wait.
      return { ...base, socket: { raw: variants[index]!, halfClose: index === variants.length - 1 }, labels: [...base.labels, `raw HTTP #${index}`] };
    },
  },
];

function urlPath(request: FuzzRequest): string {
  return request.path ?? request.op.path.replace(/\{([^}]+)\}/g, (_all, name: string) => request.params[name] ?? 'x');
}

/** One path parameter replaced by `value` (as it goes in the URL), or by what `value` makes of the valid one. */
function withParam(base: FuzzRequest, ctx: MutationContext, value: string | ((valid: string) => string), label: string): FuzzRequest {
  const names = base.op.params.filter((p) => p.in === 'path').map((p) => p.name);
  const name = ctx.rng.pick(names);
  const next = typeof value === 'string' ? value : value(base.params[name] ?? 'x');
  return { ...base, params: { ...base.params, [name]: next }, labels: [...base.labels, `path ${name} ${label}: ${next.slice(0, 40)}`] };
}

/** The query string with `name` set to `value` (already escaped), other parameters kept. */
function setQuery(query: string, name: string, value: string): string {
  const rest = query.split('&').filter((pair) => pair !== '' && pair.split('=')[0] !== encodeURIComponent(name));
  return [...rest, `${encodeURIComponent(name)}=${value}`].join('&');
}

function withQueryParam(base: FuzzRequest, ctx: MutationContext, value: string, label: string): FuzzRequest {
  const param = ctx.rng.pick(base.op.params.filter((p) => p.in === 'query'));
  return { ...base, query: setQuery(base.query, param.name, encodeURIComponent(value)), labels: [...base.labels, `query ${param.name} ${label}: ${value}`] };
}

/** The mutations that apply to an operation (the random part draws from all of them). */
export function mutationsFor(op: FuzzOperation): Mutation[] {
  return mutations.filter((m) => m.applies(op) && (op.method !== 'HEAD' || !m.name.startsWith('body-')));
}

/** The share of operations a mutation answered before the route is swept on (at least one of each method). */
export const BEFORE_ROUTE_SHARE = 1 / 8;

/**
 * What the sweep sends each operation: every mutation that applies to it and reaches its own code,
 * and each mutation answered before the route (Mutation.beforeRoute) on a sample of the operations
 * it is answered that way for: BEFORE_ROUTE_SHARE of them, of every method, a new sample each seed.
 * Sending those to all ~425 operations ran the same parser or key check ~425 times (2,000 of the
 * sweep's 11,700 requests), and ran every route that ignores the query or the body (a backup)
 * once more for each such mutation. `expensive` operations are sampled for none of them and sent
 * one valid request, their refusals as usual. The coverage check holds each operation to its plan.
 */
export function sweepPlan(operations: FuzzOperation[], rng: Rng, expensive: (op: FuzzOperation) => boolean = () => false): Map<string, Mutation[]> {
  const sampled = new Map<string, Set<string>>();
  for (const mutation of mutations.filter((m) => m.beforeRoute)) {
    const candidates = operations.filter((op) => !expensive(op) && mutationsFor(op).includes(mutation) && mutation.beforeRoute!(op));
    const chosen = new Set<string>();
    for (const method of [...new Set(candidates.map((op) => op.method))].sort()) {
      const ofMethod = candidates.filter((op) => op.method === method);
      for (const op of rng.sample(ofMethod, Math.ceil(ofMethod.length * BEFORE_ROUTE_SHARE))) chosen.add(op.key);
    }
    sampled.set(mutation.name, chosen);
  }
  return new Map(
    operations.map((op) => [
      op.key,
      // An expensive operation (a backup: a dump of the whole database) runs once valid ('valid' is
      // its worked example half the time) and is not among the samples: the rest leave it valid too.
      mutationsFor(op).filter((m) => (!m.beforeRoute?.(op) || sampled.get(m.name)!.has(op.key)) && !(expensive(op) && m.name === 'example')),
    ]),
  );
}
