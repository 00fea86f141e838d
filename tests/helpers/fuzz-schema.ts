import fc from 'fast-check';
import { makeAjv } from '../../src/platform/http.ts';
import type { Rng } from './fuzz-random.ts';
import { openApiPath } from './routes.ts';
import { resolverFor, sampleFor, type Resolve, type Schema } from './schema-failures.ts';

/**
 * What the fuzzer knows of the API, read from the OpenAPI document and the router (never from a
 * list of its own), and a generator of values a JSON schema accepts.
 */
export type Doc = {
  paths: Record<string, Record<string, DocOperation>>;
  components?: { schemas?: Record<string, Schema> };
};
type DocOperation = {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: Schema }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
};

export type Param = { in: 'path' | 'query' | 'header'; name: string; required: boolean; schema: Schema };

export type FuzzOperation = {
  /** `METHOD /path`, the path as the OpenAPI document writes it. */
  key: string;
  method: string;
  path: string;
  documented: boolean;
  params: Param[];
  /** The JSON body the route takes, from its requestBody. */
  json?: { contentTypes: string[]; schema: Schema; required: boolean };
  /** Other body types the document or the app names (CSV, NDJSON uploads). */
  otherBodyTypes: string[];
  /** Set for upload routes (import types the modules registered): the kind of rows the file holds. */
  upload?: { kind: string; contentTypes: string[] };
  /** Error statuses the document answers with a page for people, not problem+json (a link not valid): status → media types. */
  errorPages?: Record<string, string[]>;
  /**
   * Whether a request needs a key: the document's `security` is not empty (tests/authorization.test.ts
   * holds it to the role table). A route the document leaves out is public (that test again).
   */
  needsKey: boolean;
  /** Whether a success may be other than JSON (CSV on `Accept: text/csv`): the route reads Accept itself. */
  readsAccept: boolean;
};

export const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

/**
 * Every operation to fuzz: each one of the OpenAPI document, and each route × method the router
 * serves (HEAD too, with its GET's parameters; an undocumented one with none), less `excluded`.
 */
export function fuzzOperations(
  doc: Doc,
  served: Array<{ method: string; path: string }>,
  uploads: Array<{ kind: string; url: string; contentTypes: string[] }>,
  excluded: (key: string) => boolean,
): FuzzOperation[] {
  const byKey = new Map<string, FuzzOperation>();
  const fromDoc = (method: string, path: string, operation: DocOperation, documented: boolean): FuzzOperation => {
    const params = (operation.parameters ?? [])
      .filter((p): p is Param & { in: Param['in'] } => ['path', 'query', 'header'].includes(p.in))
      .map((p) => ({ in: p.in as Param['in'], name: p.name, required: p.required === true || p.in === 'path', schema: p.schema ?? {} }));
    const content = operation.requestBody?.content ?? {};
    const jsonTypes = Object.keys(content).filter((type) => JSON_TYPES.includes(type));
    const upload = uploads.find((u) => u.url === path && method === 'POST');
    const errorPages = Object.entries(operation.responses ?? {})
      .filter(([status]) => /^[45]/.test(status))
      .map(([status, response]) => [status, Object.keys(response.content ?? {}).filter((type) => !type.includes('json'))] as const)
      .filter(([, types]) => types.length > 0);
    const successTypes = Object.entries(operation.responses ?? {})
      .filter(([status]) => /^2/.test(status))
      .flatMap(([, response]) => Object.keys(response.content ?? {}));
    return {
      key: `${method} ${path}`,
      method,
      path,
      documented,
      params,
      ...(jsonTypes.length > 0
        ? { json: { contentTypes: jsonTypes, schema: content[jsonTypes[0]!]?.schema ?? {}, required: operation.requestBody?.required === true } }
        : {}),
      otherBodyTypes: [...new Set([...Object.keys(content).filter((type) => !JSON_TYPES.includes(type)), ...(upload?.contentTypes ?? [])])],
      ...(upload ? { upload: { kind: upload.kind, contentTypes: upload.contentTypes } } : {}),
      ...(errorPages.length > 0 ? { errorPages: Object.fromEntries(errorPages) } : {}),
      // An operation without a `security` of its own takes the document's (a key).
      needsKey: !(Array.isArray(operation.security) && operation.security.length === 0),
      readsAccept: successTypes.some((type) => !type.includes('json')),
    };
  };
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const op = fromDoc(method.toUpperCase(), path, operation, true);
      byKey.set(op.key, op);
    }
  }
  for (const route of served) {
    const path = openApiPath(route.path).replace(/\*$/, '{*}');
    const key = `${route.method} ${path}`;
    if (byKey.has(key)) continue;
    const get = route.method === 'HEAD' ? doc.paths[path]?.get : undefined;
    // A route the document leaves out is public (tests/authorization.test.ts); a HEAD is its GET.
    const op = fromDoc(route.method, path, get ?? { security: [] }, false);
    // A path parameter the document does not name (an undocumented route): any text.
    for (const name of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)) {
      if (!op.params.some((p) => p.in === 'path' && p.name === name)) op.params.push({ in: 'path', name, required: true, schema: { type: 'string' } });
    }
    byKey.set(key, op);
  }
  return [...byKey.values()].filter((op) => !excluded(op.key));
}

/**
 * Values seen in the run, by the name they had (a field, a parameter) and, for ids, by prefix
 * (`id:cus`): a generated `storeId` or `{id}` is often one that exists, so requests reach past
 * "not found" into the code behind it.
 */
export class ValuePool {
  private readonly byName = new Map<string, unknown[]>();

  remember(name: string, value: unknown): void {
    if (value === null || value === undefined || (typeof value === 'string' && (value.length === 0 || value.length > 200))) return;
    // What a mutation put in a body the server took (a lone surrogate in an upload's row) is no value to send again.
    if (typeof value === 'string' && (value.includes('\u0000') || !value.isWellFormed())) return;
    if (typeof value === 'object') return;
    for (const key of [name, ...(typeof value === 'string' && ID.test(value) ? [`id:${value.slice(0, 3)}`] : [])]) {
      const list = this.byName.get(key) ?? [];
      if (list.includes(value)) continue;
      list.push(value);
      // Newest kept: the state of the run moves on (erased customers, revoked keys).
      if (list.length > 40) list.shift();
      this.byName.set(key, list);
    }
  }

  /** Every scalar of a JSON value, under its key (array items under the array's key). */
  harvest(value: unknown, name = ''): void {
    const stack: Array<[unknown, string, number]> = [[value, name, 0]];
    let seen = 0;
    while (stack.length > 0 && seen++ < 5_000) {
      const [item, key, depth] = stack.pop()!;
      if (Array.isArray(item)) {
        if (depth < 8) for (const child of item.slice(0, 50)) stack.push([child, key, depth + 1]);
      } else if (item && typeof item === 'object') {
        if (depth < 8) for (const [k, child] of Object.entries(item).slice(0, 100)) stack.push([child, k, depth + 1]);
      } else if (key) {
        this.remember(key, item);
      }
    }
  }

  pick(rng: Rng, name: string, fits: (value: unknown) => boolean): unknown {
    const candidates = (this.byName.get(name) ?? []).filter(fits);
    return candidates.length > 0 ? rng.pick(candidates) : undefined;
  }

  names(): number {
    return this.byName.size;
  }
}

const ID = /^[a-z]{3}_[0-9a-f]{32}$/;
const ID_PATTERN = /^\^([a-z]+)_\[0-9a-f\]\{32\}\$$/;

export type Generator = {
  resolve: Resolve;
  /**
   * A value `schema` accepts (named `name` where it is a field or a parameter); `modest`: numbers
   * near their minimum (for a route where a large count means minutes of work).
   */
  valid(schema: Schema, rng: Rng, name?: string, modest?: boolean): unknown;
  /** Whether `value` passes `schema` as the document states it. */
  accepts(schema: Schema, value: unknown): boolean;
};

const asSchema = (value: unknown): Schema => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : {});
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

// Text a person might type, storable anywhere: plain words, Cyrillic, accents, an emoji.
const TEXT_PIECES = ['coffee', 'Anna', 'Москва', 'café', 'ÆØÅ', '☕', 'O\'Brien', 'a-b_c', '12', 'x y', 'Ω', '東京'];

/**
 * `fullRange`: numbers anywhere in their schema's range, boundaries included. Without it (CI)
 * they stay within a thousand of the minimum (or of zero): every request cheap — a valid count of
 * a million codes is a minute of work and a database the rest of the run drags along.
 */
export function createGenerator(doc: Doc, pool: ValuePool, clockNow: () => Date, { fullRange = true }: { fullRange?: boolean } = {}): Generator {
  const resolve = resolverFor(doc);
  const ajv = makeAjv(false);
  // The document's named schemas, reachable from any schema compiled here.
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', 'openapi#/definitions/') : rewrite(v)]),
    );
  };
  ajv.addSchema({ $id: 'openapi', definitions: rewrite(doc.components?.schemas ?? {}) as object });
  const compiled = new WeakMap<Schema, (value: unknown) => boolean>();
  const accepts = (schema: Schema, value: unknown) => {
    let check = compiled.get(schema);
    if (!check) {
      const validate = ajv.compile(rewrite(schema) as object);
      check = (v: unknown) => validate(structuredClone(v)) as boolean;
      compiled.set(schema, check);
    }
    return check(value);
  };

  const text = (rng: Rng, min: number, max: number): string => {
    const target = rng.chance(0.05) ? max : rng.int(min, Math.max(min, Math.min(max, 24)));
    // Counted piece by piece: measuring the whole string each turn made a 200,000-character
    // field (a template's parts) take minutes of the fuzzer's own time.
    const chars: string[] = [];
    while (chars.length < target) chars.push(...(rng.chance(0.7) ? rng.word(1, 8) : rng.pick(TEXT_PIECES)));
    return chars.slice(0, target).join('');
  };

  const fromPattern = (pattern: string, rng: Rng): string => {
    const id = ID_PATTERN.exec(pattern);
    const regex = new RegExp(pattern, 'u');
    if (id) {
      const known = pool.pick(rng, `id:${id[1]}`, () => true);
      if (typeof known === 'string' && rng.chance(0.85)) return known;
      return `${id[1]}_${Array.from({ length: 32 }, () => rng.int(0, 15).toString(16)).join('')}`;
    }
    try {
      const [value] = fc.sample(fc.stringMatching(regex), { seed: rng.int(0, 2 ** 31 - 1), numRuns: 1 });
      if (typeof value === 'string' && regex.test(value)) return value;
    } catch {
      // fast-check knows no lookahead: words until one fits.
    }
    for (let i = 0; i < 20; i++) {
      const candidate = rng.word(1, 10);
      if (regex.test(candidate)) return candidate;
    }
    return sampleFor({ pattern });
  };

  const isoDate = (rng: Rng) => `${rng.int(1930, 2010)}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
  const isoTime = (rng: Rng) => new Date(clockNow().getTime() - rng.int(0, 400 * 24 * 3600) * 1000).toISOString();

  const fits = (schema: Schema) => (value: unknown) => {
    try {
      return accepts(schema, value);
    } catch {
      return false;
    }
  };

  const stringOf = (schema: Schema, rng: Rng, name?: string): string => {
    const min = num(schema.minLength) ?? 0;
    const max = num(schema.maxLength) ?? 64;
    if (name && rng.chance(0.5)) {
      const known = pool.pick(rng, name, (v) => typeof v === 'string' && fits(schema)(v));
      if (typeof known === 'string') return known;
    }
    if (typeof schema.pattern === 'string') return fromPattern(schema.pattern, rng);
    switch (schema.format) {
      case 'date':
        return isoDate(rng);
      case 'date-time':
        return isoTime(rng);
      case 'email':
        return `${rng.word()}@${rng.word()}.example`;
      case 'uri':
      case 'url':
        return `https://example.com/${rng.word()}`;
      case 'uuid':
        return '0190c0ff-ee00-7000-8000-0000000000ab';
      case 'ipv4':
        return `203.0.113.${rng.int(1, 254)}`;
    }
    // Names that say what they hold get something of that shape.
    if (name && /phone/i.test(name)) return `+7912${String(rng.int(0, 9_999_999)).padStart(7, '0')}`;
    if (name && /email/i.test(name)) return `${rng.word()}@example.com`;
    if (name && /card/i.test(name)) return `7770${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;
    if (name && /timezone/i.test(name)) return rng.pick(['Europe/Moscow', 'UTC', 'Asia/Yekaterinburg', 'America/New_York']);
    if (name && /locale/i.test(name)) return rng.pick(['ru-RU', 'en-US', 'de']);
    if (name && /currency/i.test(name)) return 'RUB';
    return text(rng, min, max);
  };

  let modestNow = false;
  const numberOf = (schema: Schema, rng: Rng, integer: boolean, name?: string): number => {
    if (name && rng.chance(0.3)) {
      const known = pool.pick(rng, name, (v) => typeof v === 'number' && fits(schema)(v));
      if (typeof known === 'number') return known;
    }
    const exclusiveMin = num(schema.exclusiveMinimum);
    const exclusiveMax = num(schema.exclusiveMaximum);
    let min = num(schema.minimum) ?? (exclusiveMin !== undefined ? exclusiveMin + (integer ? 1 : 0.001) : -1000);
    let max = num(schema.maximum) ?? (exclusiveMax !== undefined ? exclusiveMax - (integer ? 1 : 0.001) : 100_000);
    if (min > max) [min, max] = [max, min];
    if (!fullRange || modestNow) {
      const span = modestNow ? 10 : 1000;
      if (min < 0 && max > 0) [min, max] = [Math.max(min, -span), Math.min(max, span)];
      else max = Math.min(max, min + span);
    }
    const roll = modestNow ? 0.3 + rng.next() * 0.4 : rng.next();
    let value: number;
    if (roll < 0.08) value = min;
    else if (roll < 0.16) value = max;
    else if (roll < 0.7) value = min + rng.int(0, Math.min(modestNow ? 10 : 1000, Math.floor(max - min)));
    else value = min + rng.next() * (max - min);
    if (integer) value = Math.round(value);
    else if (!Number.isInteger(value) || rng.chance(0.5)) value = Math.round(value * 1000) / 1000;
    value = Math.min(max, Math.max(min, value));
    if (exclusiveMin !== undefined && value <= exclusiveMin) value = integer ? exclusiveMin + 1 : exclusiveMin + 0.001;
    return value;
  };

  const gen = (raw: Schema, rng: Rng, name: string | undefined, depth: number): unknown => {
    const schema = resolve(raw);
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return rng.pick(schema.enum);
    const branches = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
    if (Array.isArray(branches) && branches.length > 0) {
      const real = branches.filter((b) => resolve(b).type !== 'null');
      const branch = real.length > 0 && (real.length === branches.length || rng.chance(0.85)) ? rng.pick(real) : rng.pick(branches);
      return gen(branch, rng, name, depth);
    }
    if (Array.isArray(schema.allOf)) return gen(Object.assign({}, ...(schema.allOf as Schema[]).map(resolve)), rng, name, depth);
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
    const type = types.length > 0 ? (types.filter((t) => t !== 'null').length > 0 && rng.chance(0.9) ? rng.pick(types.filter((t) => t !== 'null')) : rng.pick(types)) : schema.properties ? 'object' : schema.items ? 'array' : undefined;
    switch (type) {
      case 'null':
        return null;
      case 'boolean':
        return rng.chance(0.5);
      case 'integer':
        return numberOf(schema, rng, true, name);
      case 'number':
        return numberOf(schema, rng, false, name);
      case 'string':
        return stringOf(schema, rng, name);
      case 'array': {
        const min = num(schema.minItems) ?? 0;
        const max = Math.min(num(schema.maxItems) ?? 4, min + (depth > 4 ? 0 : 3));
        const items = Array.from({ length: rng.int(min, Math.max(min, max)) }, () => gen(asSchema(schema.items), rng, name, depth + 1));
        return schema.uniqueItems ? [...new Map(items.map((item) => [JSON.stringify(item), item])).values()] : items;
      }
      case 'object': {
        const out: Record<string, unknown> = {};
        const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
        const properties = Object.entries(asSchema(schema.properties));
        // Optional fields: none, exactly one (a union in words: "exactly one identifier"), some, or all.
        const optional = properties.filter(([key]) => !required.has(key)).map(([key]) => key);
        const density = depth >= 6 ? 0 : rng.pick([0, 1, 0.5, 0.5, 1.5]);
        const one = density === 1 && optional.length > 0 ? rng.pick(optional) : undefined;
        for (const [key, property] of properties) {
          const include = required.has(key) || (density === 1 ? key === one : density === 1.5 || rng.chance(density));
          if (include) out[key] = gen(asSchema(property), rng, key, depth + 1);
        }
        const patterns = Object.entries(asSchema(schema.patternProperties));
        const extra = schema.additionalProperties && typeof schema.additionalProperties === 'object' ? asSchema(schema.additionalProperties) : undefined;
        if ((patterns.length > 0 || extra) && depth < 6) {
          const maxExtra = Math.min(num(schema.maxProperties) ?? 3, 3);
          for (let i = rng.int(num(schema.minProperties) ?? 0, maxExtra); i > 0; i--) {
            const [pattern, valueSchema] = patterns.length > 0 ? rng.pick(patterns) : [undefined, extra!];
            // A record's keys are often names declared elsewhere (custom attributes): a known `key` now and then.
            const known = pool.pick(rng, 'key', (k) => typeof k === 'string' && (!pattern || new RegExp(pattern, 'u').test(k)));
            const key = typeof known === 'string' && rng.chance(0.5) ? known : pattern ? fromPattern(pattern, rng) : rng.word(2, 10);
            if (!(key in out)) out[key] = gen(asSchema(valueSchema), rng, key, depth + 1);
          }
        }
        return out;
      }
      default:
        return rng.pick([rng.word(), rng.int(0, 100), true, null]);
    }
  };

  return {
    resolve,
    accepts,
    valid(schema, rng, name, modest = false) {
      // A few tries: `not`, uniqueness and cross-field rules are checked, not built.
      let last: unknown;
      modestNow = modest;
      try {
        for (let attempt = 0; attempt < 8; attempt++) {
          last = gen(schema, rng, name, 0);
          if (fits(schema)(last)) return last;
        }
        return last;
      } finally {
        modestNow = false;
      }
    },
  };
}
