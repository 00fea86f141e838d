import type { ErrorObject } from 'ajv';
import type { FieldProblem } from './errors.ts';

/**
 * Schema validation errors in plain words: the field, the rule and the allowed values or limit,
 * read from the schema itself (ajv runs with `verbose`, so each error carries its schema and the
 * value sent). Never a validator's phrasing or a regular expression: a person reads these.
 *
 * Hints a schema may carry: `patternDescription` (what a `pattern` means, "a store id like s-1"),
 * `x-money: true` or a description mentioning minor units (an integer of kopecks, not roubles).
 */
type Schema = Record<string, unknown>;

const asSchema = (value: unknown): Schema => (value && typeof value === 'object' ? (value as Schema) : {});
const quote = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function fieldOf(error: ErrorObject, context: string | undefined, child?: string): string {
  const base = error.instancePath ? error.instancePath.slice(1).replaceAll('/', '.') : '';
  const where = context === 'body' || !context ? '' : `${context}:`;
  if (child !== undefined) return where + (base ? `${base}.${child}` : child);
  return where + (base || '(root)');
}

function isMoney(schema: Schema, error: ErrorObject): boolean {
  if (schema['x-money'] === true) return true;
  if (typeof schema.description === 'string' && /minor unit/i.test(schema.description)) return true;
  return /Minor$/.test(error.instancePath.split('/').pop() ?? '');
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object {…}',
  array: 'a list […]',
  null: 'null',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return orList(types.map((t) => TYPE_WORDS[String(t)] ?? String(t)));
}

function orList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

// Formats a person may not know by name: an example says more than the name.
const FORMAT_WORDS: Record<string, string> = {
  'date-time': 'a date-time like 2026-03-01T09:00:00Z',
  date: 'a date like 2026-03-01 (YYYY-MM-DD)',
  time: 'a time like 09:00:00Z',
  email: 'an email address like ann@example.com',
  uri: 'an absolute URL like https://example.com/hook',
  uuid: 'a UUID like 0190c2f6-5c3a-7b1e-9f00-1234567890ab',
  ipv4: 'an IPv4 address like 192.0.2.1',
  ipv6: 'an IPv6 address like 2001:db8::1',
  hostname: 'a host name like example.com',
};

/** Character classes of the simple patterns our schemas use, read aloud. */
function describeClass(body: string): string | null {
  const parts: string[] = [];
  let rest = body;
  const ranges: Array<[string, string]> = [
    ['A-Za-z', 'letters'],
    ['a-zA-Z', 'letters'],
    ['A-Z', 'capital letters'],
    ['a-z', 'lowercase letters'],
    ['0-9a-f', 'lowercase hex digits'],
    ['0-9', 'digits'],
    ['\\d', 'digits'],
  ];
  for (const [range, words] of ranges) {
    if (rest.includes(range)) {
      parts.push(words);
      rest = rest.replace(range, '');
    }
  }
  const literal = rest.replaceAll('\\', '');
  if (/[\]^[]/.test(literal)) return null;
  if (literal) parts.push(`the characters ${[...literal].join(' ')}`);
  return parts.length ? orList(parts) : null;
}

function count(min: string, max: string | undefined): string {
  if (max === undefined) return `exactly ${min}`;
  if (max === '') return `at least ${min}`;
  return Number(min) === Number(max) ? `exactly ${min}` : `${min} to ${max}`;
}

// A few shapes no character-class reading can say well.
const KNOWN_PATTERNS: Record<string, string> = {
  '^([01]\\d|2[0-3]):[0-5]\\d$': 'must be a time of day HH:MM, like 09:30',
};

/** A pattern as words, or null when it is not one of the simple shapes. */
export function describePattern(pattern: string): string | null {
  const known = KNOWN_PATTERNS[pattern];
  if (known) return known;
  // An id: a prefix, an underscore and 32 hex digits (a UUIDv7 without dashes).
  const id = /^\^([a-z]+)_\[0-9a-f\]\{32\}\$$/.exec(pattern);
  if (id) return `must be an id like ${id[1]}_0190c2f65c3a7b1e9f001234567890ab (${id[1]}_ then 32 lowercase hex digits)`;
  const notStarting = /^\^\(\?!([^()[\]\\^$*+?{}|]+)\)$/.exec(pattern);
  if (notStarting) return `must not start with "${notStarting[1]}"`;
  // ^[first]?[class]{m,n}$
  const simple = /^\^(?:\[([^\]]+)\])?\[([^\]]+)\]\{(\d+)(?:,(\d*))?\}\$$/.exec(pattern);
  if (simple) {
    const [, first, rest, min, max] = simple;
    const restWords = describeClass(rest!);
    if (!restWords) return null;
    if (!first) return `must be ${count(min!, max)} ${restWords} (no other characters)`;
    const firstWords = describeClass(first);
    if (!firstWords) return null;
    const total = max === undefined ? String(Number(min) + 1) : max === '' ? '' : String(Number(max) + 1);
    const length = total ? `, at most ${plural(Number(total), 'character')} in all` : '';
    return `must start with one of ${firstWords}, then hold only ${restWords}${length}`;
  }
  return null;
}

function patternReason(schema: Schema, pattern: string): string {
  if (typeof schema.patternDescription === 'string') return `must be ${schema.patternDescription}`;
  const words = describePattern(pattern);
  if (words) return words;
  if (typeof schema.description === 'string') return `is not in the accepted form (${schema.description})`;
  return 'is not in the accepted form';
}

function moneyExample(data: unknown): string {
  if (typeof data === 'number' && Number.isFinite(data) && !Number.isInteger(data)) {
    return `: ${Math.round(data * 100)}, not ${data}`;
  }
  return ', e.g. 149050 for 1490.50';
}

/** One branch of a union as words, when it is a literal or a plain type (not an object or a list with rules). */
function branchWords(branch: Schema): string | null {
  if ('const' in branch) return quote(branch.const);
  if (Array.isArray(branch.enum)) return branch.enum.map(quote).join(', ');
  if (branch.type === undefined) return null;
  const structured = branch.type === 'object' || branch.type === 'array';
  return structured && Object.keys(branch).some((k) => k !== 'type') ? null : typeWords(branch.type);
}

/** `anyOf`/`oneOf` of literals and plain types: "must be one of: a, b, c" or "must be text or null". */
function unionReason(branches: unknown): string | null {
  if (!Array.isArray(branches)) return null;
  const schemas = branches.map(asSchema);
  if (schemas.every((b) => 'const' in b)) return `must be one of: ${schemas.map((b) => quote(b.const)).join(', ')}`;
  const words = schemas.map(branchWords);
  if (words.some((w) => w === null)) return null;
  return `must be ${orList(words as string[])}`;
}

/** One ajv error as a field and a reason in plain words. */
export function describeAjvError(error: ErrorObject, context: string | undefined): FieldProblem {
  const parent = asSchema(error.parentSchema);
  const params = error.params as Record<string, unknown>;
  const field = fieldOf(error, context);
  const limit = Number(params.limit);
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String(params.additionalProperty);
      const known = Object.keys(asSchema(parent.properties));
      const keyPatterns = Object.keys(asSchema(parent.patternProperties));
      let reason = 'is not a known field';
      if (known.length > 0) reason += `; the known fields are ${known.join(', ')}`;
      else if (keyPatterns.length === 1) reason = `is not an allowed key: a key ${describePattern(keyPatterns[0]!) ?? 'is not in the accepted form'}`;
      return { field: fieldOf(error, context, extra), reason };
    }
    case 'required':
      return { field: fieldOf(error, context, String(params.missingProperty)), reason: 'is required' };
    case 'dependentRequired':
    case 'dependencies':
      return { field: fieldOf(error, context, String(params.missingProperty)), reason: `is required when ${String(params.property)} is given` };
    case 'type': {
      if ((params.type === 'integer' || (Array.isArray(params.type) && params.type.includes('integer'))) && isMoney(parent, error)) {
        return { field, reason: `must be a whole number of minor units (kopecks)${moneyExample(error.data)}` };
      }
      if (params.type === 'integer' && typeof error.data === 'number') {
        return { field, reason: `must be a whole number (not ${error.data})` };
      }
      return { field, reason: `must be ${typeWords(params.type)}` };
    }
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : Array.isArray(error.schema) ? error.schema : [];
      return { field, reason: `must be one of: ${allowed.map(quote).join(', ')}` };
    }
    case 'const':
      return { field, reason: `must be ${quote(params.allowedValue)}` };
    case 'anyOf':
    case 'oneOf':
      return { field, reason: unionReason(error.schema) ?? (error.keyword === 'oneOf' && Array.isArray(params.passingSchemas) ? 'fits more than one of the accepted forms; send exactly one' : 'does not fit any of the accepted forms') };
    case 'pattern':
      return { field, reason: patternReason(parent, String(params.pattern)) };
    case 'format': {
      const format = String(params.format);
      return { field, reason: `must be ${FORMAT_WORDS[format] ?? `a valid ${format}`}` };
    }
    case 'minLength':
      return { field, reason: limit === 1 ? 'must not be empty' : `must be at least ${plural(limit, 'character')} long` };
    case 'maxLength':
      return { field, reason: `must be at most ${plural(limit, 'character')} long` };
    case 'minItems':
      return { field, reason: limit === 1 ? 'must hold at least 1 item (it is empty)' : `must hold at least ${plural(limit, 'item')}` };
    case 'maxItems':
      return { field, reason: `must hold at most ${plural(limit, 'item')}` };
    case 'minProperties':
      return { field, reason: limit === 1 ? 'must have at least 1 field (it is empty)' : `must have at least ${plural(limit, 'field')}` };
    case 'maxProperties':
      return { field, reason: `must have at most ${plural(limit, 'field')}` };
    case 'uniqueItems':
      return { field, reason: `must not repeat an item (items ${String(params.j)} and ${String(params.i)} are the same)` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const words = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'more than', exclusiveMaximum: 'less than' }[error.keyword];
      return { field, reason: `must be ${words} ${limit}${isMoney(parent, error) ? ' (minor units, e.g. kopecks)' : ''}` };
    }
    case 'multipleOf':
      return { field, reason: `must be a multiple of ${limit}` };
    case 'propertyNames':
      return { field: fieldOf(error, context, String(params.propertyName)), reason: 'is not an allowed key' };
    case 'not':
    case 'false schema':
      return { field, reason: 'is not allowed here' };
    default:
      return { field, reason: 'is not valid' };
  }
}

/** The property every branch of a union of objects fixes to a constant (`kind`), if there is one. */
function discriminatorOf(branches: Schema[]): string | null {
  const first = asSchema(branches[0]?.properties);
  for (const name of Object.keys(first)) {
    if (branches.every((b) => 'const' in asSchema(asSchema(b.properties)[name]))) return name;
  }
  return null;
}

/**
 * A union of objects told apart by a constant (`{kind: 'days', days}` or `{kind: 'never'}`): only
 * the errors of the branch the value names, or, when it names none, one line about the
 * discriminator. Without this a person reads every branch's complaints at once.
 */
function narrowUnions(errors: ErrorObject[], context: string | undefined): { skip: Set<ErrorObject>; added: Map<ErrorObject, FieldProblem> } {
  const skip = new Set<ErrorObject>();
  const added = new Map<ErrorObject, FieldProblem>();
  for (const error of errors) {
    if ((error.keyword !== 'anyOf' && error.keyword !== 'oneOf') || !Array.isArray(error.schema)) continue;
    const branches = (error.schema as unknown[]).map(asSchema);
    const key = discriminatorOf(branches);
    if (!key) continue;
    const values = branches.map((b) => asSchema(asSchema(b.properties)[key]).const);
    const sent = error.data && typeof error.data === 'object' ? (error.data as Record<string, unknown>)[key] : undefined;
    const chosen = values.findIndex((value) => value === sent);
    const inBranch = (other: ErrorObject, index?: number) =>
      other.schemaPath.startsWith(`${error.schemaPath}/${index ?? ''}`) && other !== error;
    for (const other of errors) if (inBranch(other) && (chosen < 0 || !inBranch(other, chosen))) skip.add(other);
    skip.add(error);
    if (chosen < 0) {
      const allowed = values.map(quote).join(', ');
      const field = error.data && typeof error.data === 'object' && !Array.isArray(error.data) ? fieldOf(error, context, key) : fieldOf(error, context);
      const reason =
        field !== fieldOf(error, context)
          ? sent === undefined
            ? `is required: one of ${allowed}`
            : `must be one of: ${allowed}`
          : `must be an object {…} whose ${key} is one of: ${allowed}`;
      added.set(error, { field, reason });
    }
  }
  return { skip, added };
}

/**
 * Every error of one validation, one line per field. A union of literals or plain types is said
 * once ("must be one of: a, b") instead of one line per branch; a union of objects keeps the
 * errors of the branch its discriminator names, and otherwise the deeper errors of its branches.
 */
export function describeAjvErrors(errors: ErrorObject[], context: string | undefined): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const unionAt = new Map<string, FieldProblem>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    if (unionReason(error.schema)) unionAt.set(error.instancePath, describeAjvError(error, context));
  }
  const { skip, added } = narrowUnions(errors, context);
  // Paths with an error below them, found once (not by a search per error: thousands of errors made that minutes).
  const hasDeeper = new Set<string>();
  for (const error of errors) {
    for (let at = error.instancePath.lastIndexOf('/'); at >= 0; at = error.instancePath.lastIndexOf('/', at - 1)) {
      hasDeeper.add(error.instancePath.slice(0, at));
      if (at === 0) break;
    }
  }
  for (const error of errors) {
    const replacement = added.get(error);
    if (replacement) problems.push(replacement);
    if (skip.has(error)) continue;
    const union = unionAt.get(error.instancePath);
    if (union && (error.keyword === 'type' || error.keyword === 'const' || error.keyword === 'enum' || error.keyword === 'anyOf' || error.keyword === 'oneOf')) {
      problems.push(union);
      continue;
    }
    if ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && hasDeeper.has(error.instancePath)) continue;
    problems.push(describeAjvError(error, context));
  }
  const seen = new Set<string>();
  return problems.filter((p) => {
    if (seen.has(p.field)) return false;
    seen.add(p.field);
    return true;
  });
}
