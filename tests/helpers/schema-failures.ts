/**
 * Failure cases read from a JSON schema (as the OpenAPI document gives a route's body, query
 * and path parameters): for each field, a value that breaks each of its rules — missing when
 * required, the wrong type, too long, too short, below the minimum, above the maximum, outside
 * the pattern or the enum, a fraction where a whole number goes, an unknown field.
 */
export type Schema = { [keyword: string]: unknown };
export type FailureCase = { label: string; value: unknown };

const UNKNOWN = 'zzNotAField';
const NOT_ALLOWED = '__not_an_allowed_value__';
// Enough to reach every rule without sending a body near the size limit.
const MAX_GENERATED = 5_000;

const asSchema = (value: unknown): Schema => (value && typeof value === 'object' ? (value as Schema) : {});
const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export type Resolve = (schema: Schema) => Schema;

/** `$ref`s into the document's components, followed. */
export function resolverFor(doc: { components?: { schemas?: Record<string, Schema> } }): Resolve {
  const resolve: Resolve = (schema) => {
    const ref = schema.$ref;
    if (typeof ref !== 'string') return schema;
    const name = ref.replace(/^#\/components\/schemas\//, '');
    return resolve(asSchema(doc.components?.schemas?.[name]));
  };
  return resolve;
}

/** The branch to break when a union allows null, or several objects. */
function unwrap(schema: Schema, resolve: Resolve): Schema {
  const resolved = resolve(schema);
  const branches = (resolved.anyOf ?? resolved.oneOf) as Schema[] | undefined;
  if (!Array.isArray(branches)) return resolved;
  const real = branches.map(resolve).filter((b) => b.type !== 'null');
  if (real.every((b) => 'const' in b)) return { enum: real.map((b) => b.const) };
  return unwrap(real[0] ?? {}, resolve);
}

function typeOf(schema: Schema): string | undefined {
  if (typeof schema.type === 'string') return schema.type;
  if (Array.isArray(schema.type)) return (schema.type as string[]).find((t) => t !== 'null');
  if (schema.properties || schema.patternProperties) return 'object';
  return undefined;
}

/** A value that breaks the pattern (a pattern with a negative lookahead is broken by its text). */
function offPattern(pattern: string): string | null {
  const regex = new RegExp(pattern, 'u');
  const lookahead = /^\^\(\?!([^)]*)\)/.exec(pattern)?.[1]?.replaceAll('\\', '');
  for (const candidate of [' bad value! ', `${lookahead ?? ''}x`, '']) if (!regex.test(candidate)) return candidate;
  return null;
}

/** A value the schema accepts (for path parameters other than the one under test). */
export function sampleFor(schema: Schema): string {
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : null;
  const id = typeof schema.pattern === 'string' ? /^\^([a-z]+)_\[0-9a-f\]\{32\}\$$/.exec(schema.pattern) : null;
  if (id) return `${id[1]}_0190c0ffee00700080000000000000ab`;
  if (Array.isArray(schema.enum)) return String(schema.enum[0]);
  for (const candidate of ['x', 'size', 'x1', '1']) if (!pattern || pattern.test(candidate)) return candidate;
  return 'x';
}

/** Values that break one rule each of `schema`. */
export function valueFailures(raw: Schema, resolve: Resolve, depth = 0): FailureCase[] {
  const schema = unwrap(raw, resolve);
  const cases: FailureCase[] = [];
  const type = typeOf(schema);
  const wrong: Record<string, unknown> = { string: 12345, number: 'twelve', integer: 'twelve', boolean: 'yes', array: 'not a list', object: 'not an object' };
  if (type && type in wrong) cases.push({ label: `wrong type (not ${type})`, value: wrong[type] });
  if (Array.isArray(schema.enum) || 'const' in schema) cases.push({ label: 'not an allowed value', value: NOT_ALLOWED });
  if (type === 'string') {
    const max = numberOf(schema.maxLength);
    const min = numberOf(schema.minLength);
    if (max !== undefined && max < MAX_GENERATED) cases.push({ label: `longer than ${max}`, value: 'x'.repeat(max + 1) });
    if (min !== undefined && min > 0) cases.push({ label: `shorter than ${min}`, value: '' });
    if (typeof schema.pattern === 'string') {
      const bad = offPattern(schema.pattern);
      if (bad !== null) cases.push({ label: 'outside the pattern', value: bad });
    }
    if (typeof schema.format === 'string') cases.push({ label: `not a ${schema.format}`, value: 'not-a-valid-value' });
  }
  if (type === 'integer' || type === 'number') {
    if (type === 'integer') cases.push({ label: 'a fraction', value: 1490.5 });
    const min = numberOf(schema.minimum);
    const max = numberOf(schema.maximum);
    const exclusiveMin = numberOf(schema.exclusiveMinimum);
    if (min !== undefined) cases.push({ label: `below ${min}`, value: min - 1 });
    if (max !== undefined) cases.push({ label: `above ${max}`, value: max + 1 });
    if (exclusiveMin !== undefined) cases.push({ label: `not above ${exclusiveMin}`, value: exclusiveMin });
  }
  if (type === 'array') {
    const min = numberOf(schema.minItems);
    const max = numberOf(schema.maxItems);
    if (min !== undefined && min > 0) cases.push({ label: `fewer than ${min} items`, value: [] });
    const items = asSchema(schema.items);
    if (max !== undefined && max < MAX_GENERATED) cases.push({ label: `more than ${max} items`, value: Array.from({ length: max + 1 }, () => ({})) });
    if (depth < 3) {
      for (const item of valueFailures(items, resolve, depth + 1)) cases.push({ label: `[0] ${item.label}`, value: [item.value] });
    }
  }
  if (type === 'object') cases.push(...objectFailures(schema, resolve, depth));
  return cases;
}

function objectFailures(schema: Schema, resolve: Resolve, depth: number): FailureCase[] {
  const cases: FailureCase[] = [];
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  if (required.length > 0) cases.push({ label: `missing ${required.join(', ')}`, value: {} });
  if (schema.additionalProperties === false) cases.push({ label: 'an unknown field', value: { [UNKNOWN]: 1 } });
  if (depth >= 3) return cases;
  for (const [name, property] of Object.entries(asSchema(schema.properties))) {
    for (const failure of valueFailures(asSchema(property), resolve, depth + 1)) {
      cases.push({ label: `${name}: ${failure.label}`, value: { [name]: failure.value } });
    }
  }
  const keyPattern = Object.keys(asSchema(schema.patternProperties))[0];
  if (keyPattern && schema.additionalProperties === false) {
    const bad = offPattern(keyPattern);
    if (bad) cases.push({ label: 'a key outside the pattern', value: { [bad]: 'x' } });
  }
  return cases;
}
