import { gzipSync } from 'node:zlib';
import type { Mutation, MutationContext } from './fuzz-mutations.ts';
import type { FuzzBody, FuzzRequest } from './fuzz-request.ts';
import { encodeRows, payloadOf, uploadRows } from './fuzz-request.ts';
import type { Rng } from './fuzz-random.ts';
import type { FuzzOperation } from './fuzz-schema.ts';
import { valueFailures } from './schema-failures.ts';

/**
 * The mutations of bodies: JSON (and an upload's rows, mutated as values and written as CSV or
 * NDJSON) changed node by node or as text, and the content types and encodings they are sent with.
 */

type Path = Array<string | number>;

/** Up to `limit` nodes of a JSON value, with their paths (iterative: any depth). */
function nodesOf(value: unknown, limit = 400): Array<{ path: Path; value: unknown }> {
  const out: Array<{ path: Path; value: unknown }> = [];
  const stack: Array<{ path: Path; value: unknown }> = [{ path: [], value }];
  while (stack.length > 0 && out.length < limit) {
    const node = stack.pop()!;
    out.push(node);
    if (Array.isArray(node.value)) node.value.slice(0, 20).forEach((child, i) => stack.push({ path: [...node.path, i], value: child }));
    else if (node.value && typeof node.value === 'object') for (const [k, child] of Object.entries(node.value)) stack.push({ path: [...node.path, k], value: child });
  }
  return out;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let here = copy;
  for (const key of path.slice(0, -1)) here = here[key] as Record<string | number, unknown>;
  here[path[path.length - 1]!] = value;
  return copy;
}

function deleteAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return root;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let here = copy;
  for (const key of path.slice(0, -1)) here = here[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (Array.isArray(here)) here.splice(Number(last), 1);
  else delete here[last];
  return copy;
}

const kindOf = (value: unknown) => (value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value);

/** The request's JSON body (an upload's rows), or a freshly generated one (a raw or missing body). */
function jsonOf(base: FuzzRequest, ctx: MutationContext): unknown {
  if (base.body?.kind === 'json' || base.body?.kind === 'rows') return base.body.value;
  return base.op.json ? ctx.g.valid(base.op.json.schema, ctx.rng) : {};
}

/** A value as the request's body format writes it (JSON, or an upload's CSV or NDJSON). */
function textOf(base: FuzzRequest, value: unknown): string {
  return base.body?.kind === 'rows' ? encodeRows(base.body.format, value) : (JSON.stringify(value) ?? 'null');
}

const MARKER = '__fuzz_marker__';

/** The body's text with the node at `path` written as `raw` (text JSON.stringify would not write). */
function textWithRawAt(base: FuzzRequest, root: unknown, path: Path, raw: string): string {
  return textOf(base, setAt(root, path, MARKER)).replace(`"${MARKER}"`, raw).replace(MARKER, raw);
}

function withJson(base: FuzzRequest, value: unknown, label: string): FuzzRequest {
  if (base.body?.kind === 'rows') return { ...base, body: { ...base.body, value }, labels: [...base.labels, label] };
  const contentType = base.body?.kind === 'json' ? base.body.contentType : (base.op.json?.contentTypes[0] ?? 'application/json');
  return { ...base, body: { kind: 'json', value, contentType }, labels: [...base.labels, label] };
}

const contentTypeOf = (base: FuzzRequest): string | null => (base.body ? base.body.contentType : (base.op.json?.contentTypes[0] ?? 'application/json'));

function withRaw(base: FuzzRequest, payload: string | Buffer, label: string, contentType: string | null = contentTypeOf(base)): FuzzRequest {
  return { ...base, body: { kind: 'raw', payload, contentType }, labels: [...base.labels, label] };
}

/** Replaces one node (of those `filter` keeps, else any) of the JSON body. */
function mutateNode(base: FuzzRequest, ctx: MutationContext, label: string, replace: (value: unknown) => unknown, filter: (value: unknown) => boolean = () => true): FuzzRequest {
  const root = jsonOf(base, ctx);
  const nodes = nodesOf(root);
  const chosen = nodes.filter((n) => filter(n.value));
  const node = ctx.rng.pick(chosen.length > 0 ? chosen : nodes);
  return withJson(base, setAt(root, node.path, replace(node.value)), `${label} at ${node.path.join('.') || '(root)'}`);
}

/** JSON text with `insert` (`"key":value,`) put first in its first object: duplicate keys, literals JSON.stringify cannot write. */
function spliceIntoObject(text: string, insert: string): string {
  const brace = text.indexOf('{');
  if (brace < 0) return `{${insert.slice(0, -1)}}`;
  const rest = text.slice(brace + 1);
  return `${text.slice(0, brace + 1)}${rest.startsWith('}') ? insert.slice(0, -1) : insert}${rest}`;
}

// JSON bodies, and an upload's rows (mutated as values, written as CSV or NDJSON).
const hasJson = (op: FuzzOperation) => op.json !== undefined || op.upload !== undefined;
const hasBodyRoute = (op: FuzzOperation) => op.json !== undefined || op.otherBodyTypes.length > 0;
const sendsBody = (op: FuzzOperation) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(op.method);
// A route that takes no body: what its content type, encoding and length say is answered by the body parser every route shares.
const readsNoBody = (op: FuzzOperation) => !hasBodyRoute(op);

const bigString = (length: number, rng: Rng) => (rng.chance(0.5) ? 'x'.repeat(length) : 'Ж'.repeat(Math.floor(length / 2)));

const WRONG_TYPES: unknown[] = ['text', 42, -1, 1.5, true, false, null, [], {}, ['x'], { a: 1 }, '', 0];
const HUGE_NUMBERS = [1e308, -1e308, 2 ** 53 + 2, -(2 ** 53) - 2, 2 ** 63, 1e21, -1e21, Number.MAX_VALUE, 2 ** 31, -(2 ** 31) - 1, 99_999_999_999_999];
const HUGE_LITERALS = ['1e400', '-1e400', '123456789012345678901234567890', '0.0000000000000000000000000001', '-0', '1E+2', '9007199254740993'];
const FRACTIONS = [0.5, 1.0000001, 1e-7, 0.1 + 0.2, 149050.5, 0.0005, 2.5, -0.5, 1.005];
const NEGATIVES = [-1, -0.001, -(2 ** 31), -1e15, -100];
const NAN_LIKE = ['NaN', 'Infinity', '-Infinity', '1e999', '0x1F', ' 12', '12abc', '', 'null', 'true', '1,5', '١٢', '12 '];
const NAN_LITERALS = ['NaN', 'Infinity', '-Infinity', 'undefined', '+1', '.5', '01', '0x10'];
const TRICKY_TEXT = ['\u202Eevil', 'a\u200Db', 'e\u0301', '\uFEFFbom', 'line\u2028sep', '１２３', '🙂🙂', 'a\tb\nc', '<script>alert(1)</script>', "' or 1=1 --", '${7*7}{{7*7}}', '%00', '../../etc/passwd', '\\u0000'];
// Times a column may not hold, or a parser may read otherwise: year 0, past 9999, second 60, a 30th of February, zones far out.
const EDGE_DATES = [
  '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '10000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z', '1900-01-01T00:00:00Z', '1899-12-31T23:59:59Z',
  '1969-12-31T23:59:59.999Z', '2026-02-29T10:00:00Z', '2024-02-29T23:59:60Z', '2026-03-01T09:00:00+14:00', '2026-03-01T09:00:00-12:00',
  '2026-03-01T09:00:00.123456789Z', '2026-03-01 09:00:00', '2026-03-01', '0001-01-01', '9999-12-31', '2026-13-01', '2026-02-30', '2036-01-01T00:00:00Z',
];
const MALFORMED = [
  (t: string) => t.slice(0, Math.max(1, Math.floor(t.length / 2))),
  (t: string) => t.replace(/}$/, ',}').replace(/]$/, ',]'),
  (t: string) => t.replaceAll('"', "'"),
  (t: string) => t.replace(/"(\w+)":/g, '$1:'),
  (t: string) => `/* c */${t}`,
  (t: string) => `${t}${t}`,
  (t: string) => `\uFEFF${t}`,
  (t: string) => `${t} x`,
  () => '',
  () => '   \n\t ',
  () => '{',
  () => '{"a":"\\x41"}',
  () => '{"a":"unterminated',
  () => '{"a":"raw\ttab and\nnewline"}',
  () => '{"a":1}}',
  () => '[1,2',
  () => '{"a" 1}',
  (t: string) => `${t}\u0000`,
  () => 'true',
  () => 'null',
  () => '"just a string"',
  () => '12',
  () => `{"a":${'1'.repeat(5000)}}`,
];

const INVALID_UTF8 = [
  [0xff, 0xfe],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
];

const nested = (depth: number, kind: 'array' | 'object') =>
  kind === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

export const bodyMutations: Mutation[] = [
  // --- JSON bodies (and an upload's rows), structurally mutated
  {
    name: 'body-wrong-type',
    applies: hasJson,
    apply: (base, ctx) => mutateNode(base, ctx, 'wrong type', (v) => ctx.rng.pick(WRONG_TYPES.filter((w) => kindOf(w) !== kindOf(v)))),
  },
  {
    name: 'body-schema-rule',
    applies: hasJson,
    apply: (base, ctx) => {
      // One rule of the schema broken, the rest of the body valid (deeper than the error-message walk, which sends the field alone).
      // An upload breaks the rule in one of its rows.
      const rowSchema = base.op.upload ? ctx.schemas[uploadRows[base.op.upload.kind]?.schema ?? ''] : undefined;
      const failures = valueFailures(rowSchema ?? base.op.json?.schema ?? {}, ctx.g.resolve);
      if (failures.length === 0) return withJson(base, null, 'no rule: null body');
      const failure = ctx.rng.pick(failures);
      const root = jsonOf(base, ctx);
      const rowIndex = rowSchema && Array.isArray(root) && root.length > 0 ? ctx.rng.int(0, root.length - 1) : null;
      const target = rowIndex === null ? root : (root as unknown[])[rowIndex];
      const merged =
        target && typeof target === 'object' && !Array.isArray(target) && failure.value && typeof failure.value === 'object' && !Array.isArray(failure.value)
          ? deepMerge(target as Record<string, unknown>, failure.value as Record<string, unknown>, failure.label.startsWith('missing'))
          : failure.value;
      return withJson(base, rowIndex === null ? merged : setAt(root, [rowIndex], merged), `schema rule: ${failure.label}${rowIndex === null ? '' : ` in row ${rowIndex}`}`);
    },
  },
  { name: 'body-null', applies: hasJson, apply: (base, ctx) => mutateNode(base, ctx, 'null', () => null) },
  {
    name: 'body-missing-field',
    applies: hasJson,
    apply: (base, ctx) => {
      const root = jsonOf(base, ctx);
      const nodes = nodesOf(root).filter((n) => n.path.length > 0);
      if (nodes.length === 0) return withJson(base, {}, 'missing: empty');
      const node = ctx.rng.pick(nodes);
      return withJson(base, deleteAt(root, node.path), `missing ${node.path.join('.')}`);
    },
  },
  {
    name: 'body-unknown-field',
    applies: hasJson,
    apply: (base, ctx) =>
      mutateNode(
        base,
        ctx,
        'unknown field',
        (v) => ({ ...(v as object), [ctx.rng.pick(['zzNotAField', 'id', 'createdAt', 'status', 'balance', '', ' ', 'a.b', '$where'])]: ctx.rng.pick(WRONG_TYPES) }),
        (v) => !!v && typeof v === 'object' && !Array.isArray(v),
      ),
  },
  {
    name: 'body-string-1mb',
    applies: hasBodyRoute,
    apply: (base, ctx) => {
      // Around the body limit: a little under it (the schema's maxLength refuses), or just over (413).
      const root = jsonOf(base, ctx);
      const size = Buffer.byteLength(textOf(base, root));
      const length = ctx.rng.pick([ctx.bodyLimit - size - 200, ctx.bodyLimit + 1, 1_000_000, ctx.bodyLimit * 2]);
      const big = 'x'.repeat(Math.max(1, length));
      return mutateNode(base, ctx, `${length}-char string`, () => big, (v) => typeof v === 'string');
    },
  },
  {
    name: 'body-long-string',
    applies: hasJson,
    apply: (base, ctx) =>
      mutateNode(base, ctx, 'long string', () => bigString(ctx.rng.pick([101, 201, 256, 501, 1001, 4097, 65_537]), ctx.rng), (v) => typeof v === 'string'),
  },
  {
    name: 'body-deep-nesting',
    applies: hasBodyRoute,
    apply: (base, ctx) => {
      const depth = ctx.rng.pick([10_000, 63, 64, 65, 200, 100_000]);
      const deep = nested(depth, ctx.rng.pick(['array', 'object'] as const));
      const root = jsonOf(base, ctx);
      const paths = nodesOf(root).filter((n) => n.path.length > 0).map((n) => n.path);
      // Spliced into the text: a value of 100,000 levels is more than JSON.stringify should be asked to write.
      if (paths.length === 0) return withRaw(base, deep, `nested ${depth} (root)`);
      const path = ctx.rng.pick(paths);
      return withRaw(base, textWithRawAt(base, root, path, deep), `nested ${depth} at ${path.join('.')}`);
    },
  },
  {
    name: 'body-lone-surrogate',
    applies: hasJson,
    apply: (base, ctx) => {
      const bad = ctx.rng.pick(['\ud800', '\udfff', 'a\ud83d', '\ude00b', '\ud800\ud800']);
      if (ctx.rng.chance(0.3)) return mutateNode(base, ctx, 'surrogate key', (v) => ({ ...(v as object), [bad]: 'x' }), (v) => !!v && typeof v === 'object' && !Array.isArray(v));
      return mutateNode(base, ctx, 'lone surrogate', (v) => `${typeof v === 'string' ? v : 'x'}${bad}`, (v) => typeof v === 'string');
    },
  },
  {
    name: 'body-nul',
    applies: hasBodyRoute,
    apply: (base, ctx) => {
      if (ctx.rng.chance(0.3)) return mutateNode(base, ctx, 'NUL key', (v) => ({ ...(v as object), ['a\u0000b']: 'x' }), (v) => !!v && typeof v === 'object' && !Array.isArray(v));
      return mutateNode(base, ctx, 'NUL', (v) => `${typeof v === 'string' ? v : 'x'}\u0000`, (v) => typeof v === 'string');
    },
  },
  {
    name: 'body-edge-dates',
    applies: hasJson,
    apply: (base, ctx) =>
      mutateNode(base, ctx, 'edge date', () => ctx.rng.pick(EDGE_DATES), (v) => typeof v === 'string' && /^\d{4}-\d\d-\d\d/.test(v)),
  },
  { name: 'body-tricky-text', applies: hasJson, apply: (base, ctx) => mutateNode(base, ctx, 'tricky text', () => ctx.rng.pick(TRICKY_TEXT), (v) => typeof v === 'string') },
  {
    name: 'body-huge-number',
    applies: hasJson,
    apply: (base, ctx) => {
      if (ctx.rng.chance(0.4)) {
        // Literals JSON.stringify cannot write: past double range, more digits than a double holds.
        const literal = ctx.rng.pick(HUGE_LITERALS);
        const root = jsonOf(base, ctx);
        const node = ctx.rng.pick(nodesOf(root));
        return withRaw(base, textWithRawAt(base, root, node.path, literal), `number literal ${literal} at ${node.path.join('.') || '(root)'}`);
      }
      return mutateNode(base, ctx, 'huge number', () => ctx.rng.pick(HUGE_NUMBERS), (v) => typeof v === 'number');
    },
  },
  { name: 'body-negative-number', applies: hasJson, apply: (base, ctx) => mutateNode(base, ctx, 'negative', () => ctx.rng.pick(NEGATIVES), (v) => typeof v === 'number') },
  { name: 'body-fractional-number', applies: hasJson, apply: (base, ctx) => mutateNode(base, ctx, 'fraction', () => ctx.rng.pick(FRACTIONS), (v) => typeof v === 'number') },
  {
    name: 'body-nan-like',
    applies: hasJson,
    apply: (base, ctx) => {
      if (ctx.rng.chance(0.3)) {
        const literal = ctx.rng.pick(NAN_LITERALS);
        const root = jsonOf(base, ctx);
        const node = ctx.rng.pick(nodesOf(root));
        return withRaw(base, textWithRawAt(base, root, node.path, literal), `literal ${literal}`);
      }
      return mutateNode(base, ctx, 'NaN-like text', () => ctx.rng.pick(NAN_LIKE), (v) => typeof v === 'number' || typeof v === 'boolean');
    },
  },
  {
    name: 'body-big-array',
    applies: hasJson,
    apply: (base, ctx) =>
      mutateNode(
        base,
        ctx,
        'big array',
        (v) => {
          const item = Array.isArray(v) && v.length > 0 ? v[0] : 1;
          const count = ctx.rng.pick([1_001, 10_001, 100_000]);
          const size = Buffer.byteLength(JSON.stringify(item) ?? '1') + 1;
          return Array.from({ length: Math.min(count, Math.floor((ctx.bodyLimit * 1.2) / size)) }, () => item);
        },
        (v) => Array.isArray(v),
      ),
  },
  {
    name: 'body-empty-or-root',
    applies: hasBodyRoute,
    apply: (base, ctx) => withJson(base, ctx.rng.pick([null, [], {}, '', 'x', 0, true, [jsonOf(base, ctx)], { body: jsonOf(base, ctx) }]), 'root replaced'),
  },
  {
    name: 'body-duplicate-keys',
    applies: hasJson,
    apply: (base, ctx) => {
      // The same key twice, the valid value first or last: the parser keeps the last.
      const root = jsonOf(base, ctx);
      const text = textOf(base, root);
      const keys = root && typeof root === 'object' && !Array.isArray(root) ? Object.keys(root) : [];
      const key = keys.length > 0 ? ctx.rng.pick(keys) : 'a';
      const other = JSON.stringify(ctx.rng.pick(WRONG_TYPES));
      return withRaw(base, spliceIntoObject(text, `"${key}":${other},`), `duplicate key ${key}`);
    },
  },
  {
    name: 'body-proto-keys',
    applies: hasBodyRoute,
    apply: (base, ctx) => {
      const text = textOf(base, jsonOf(base, ctx));
      const insert = ctx.rng.pick(['"__proto__":{"admin":true},', '"constructor":{"prototype":{"admin":true}},', '"__proto__":null,', '"prototype":1,']);
      return withRaw(base, spliceIntoObject(text, insert), `proto key ${insert.slice(0, 20)}`);
    },
  },
  {
    name: 'body-malformed-json',
    applies: hasBodyRoute,
    apply: (base, ctx) => {
      const text = textOf(base, jsonOf(base, ctx));
      const index = ctx.rng.int(0, MALFORMED.length - 1);
      return withRaw(base, MALFORMED[index]!(text), `malformed #${index}`);
    },
  },
  {
    name: 'body-invalid-utf8',
    applies: hasBodyRoute,
    apply: (base, ctx) => {
      const bytes = Buffer.from(ctx.rng.pick(INVALID_UTF8));
      const text = textOf(base, jsonOf(base, ctx));
      const at = text.indexOf('"') >= 0 ? text.indexOf('"') + 1 : 0;
      const payload = Buffer.concat([Buffer.from(text.slice(0, at)), bytes, Buffer.from(text.slice(at))]);
      return withRaw(base, payload, `invalid UTF-8 ${bytes.toString('hex')}`);
    },
  },

  // --- content types and encodings
  {
    name: 'content-type-wrong',
    applies: sendsBody,
    beforeRoute: readsNoBody,
    apply: (base, ctx) => {
      const payload = base.body ? payloadOf(base.body).payload : '{}';
      const variant = ctx.rng.pick([
        ['text/plain', payload],
        ['application/x-www-form-urlencoded', 'a=1&b=%00&c[d]=2'],
        ['application/xml', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n'],
        ['application/octet-stream', Buffer.from([0, 1, 2, 255])],
        ['text/html', '<html></html>'],
        ['application/json+evil', payload],
        ['application/jsonx', payload],
        [';;;', payload],
        ['*/*', payload],
        ['application/json; charset=utf-16', payload],
        ['application/json; charset=latin1', payload],
        ['APPLICATION/JSON', payload],
        ['application/json, text/plain', payload],
        [`application/${'x'.repeat(5000)}`, payload],
        ['text/csv', 'a,b\n1,2\n'],
        ['application/x-ndjson', '{"a":1}\n{"b"\n'],
      ] as const);
      return withRaw(base, variant[1], `content-type ${variant[0].slice(0, 40)}`, variant[0]);
    },
  },
  {
    name: 'content-type-missing',
    applies: sendsBody,
    beforeRoute: readsNoBody,
    apply: (base) => withRaw(base, base.body ? payloadOf(base.body).payload : '{"a":1}', 'no content-type', null),
  },
  {
    name: 'content-encoding-lie',
    applies: sendsBody,
    beforeRoute: readsNoBody,
    apply: (base, ctx) => {
      const body = base.body ?? ({ kind: 'json', value: {}, contentType: 'application/json' } satisfies FuzzBody);
      const { payload, contentType } = payloadOf(body);
      const variant = ctx.rng.pick(['gzip-lie', 'gzip-real', 'gzip-unlabelled', 'br', 'deflate', 'identity', 'gzip, gzip'] as const);
      const headers = { ...base.headers };
      let sent: string | Buffer = payload;
      if (variant === 'gzip-real' || variant === 'gzip-unlabelled') sent = gzipSync(payload);
      if (variant === 'gzip-lie' || variant === 'gzip-real') headers['content-encoding'] = 'gzip';
      else if (variant !== 'gzip-unlabelled') headers['content-encoding'] = variant;
      return { ...withRaw(base, sent, `content-encoding ${variant}`, contentType), headers };
    },
  },
  {
    name: 'content-length-lie',
    applies: sendsBody,
    beforeRoute: readsNoBody,
    apply: (base, ctx) => {
      const payload = base.body ? payloadOf(base.body).payload : '{}';
      const length = Buffer.byteLength(payload);
      return { ...base, headers: { ...base.headers, 'content-length': String(ctx.rng.pick([0, 1, Math.max(0, length - 1), length + 1, length * 10])) }, labels: [...base.labels, 'content-length lie'] };
    },
  },
  {
    name: 'body-on-bodyless',
    applies: (op) => !hasBodyRoute(op),
    beforeRoute: () => true,
    apply: (base, ctx) => withRaw(base, ctx.rng.pick(['{"a":1}', '[]', 'x'.repeat(2_000_000), '{"__proto__":{}}']), 'body where none goes', ctx.rng.pick(['application/json', 'text/plain'])),
  },

];

function deepMerge(into: Record<string, unknown>, from: Record<string, unknown>, replace: boolean): Record<string, unknown> {
  if (replace) return from;
  const out: Record<string, unknown> = { ...into };
  for (const [key, value] of Object.entries(from)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>, false)
        : value;
  }
  return out;
}
