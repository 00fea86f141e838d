import { sql, type RawBuilder } from 'kysely';
import type { FieldContext, FieldKind, SegmentField } from '../../platform/segment-fields.ts';
import { nodeKind, type Condition, type RuleNode } from './rules.ts';

/**
 * Compiles a checked rule tree into one SQL boolean expression about the customer in `ctx`.
 * Every value is a bound parameter (nothing from the rule is spliced into the text), and each
 * condition is two-valued (`coalesce(…, false)`), so `not` means "not so" even where a value is
 * missing: `not (city = 'Moscow')` holds for a customer with no city.
 *
 * `asFilter`: the expression is a WHERE clause's, where null rejects a row as false does. There,
 * outside any `not`, a condition needs no `coalesce`, and a boolean one stands bare (`exists (…)`,
 * `not exists (…)`) rather than compared with true: PostgreSQL turns only a bare EXISTS among a
 * WHERE's conjuncts into a semi-join (a purchase condition at 1 M customers becomes one hash join
 * over the window's receipts instead of a lookup per customer), and a coalesce hides it.
 */
export function compileRules(node: RuleNode, fields: ReadonlyMap<string, SegmentField>, ctx: FieldContext, asFilter = false): RawBuilder<boolean> {
  const kind = nodeKind(node);
  if ('all' in kind) return sql<boolean>`(${sql.join(kind.all.map((child) => compileRules(child, fields, ctx, asFilter)), sql` and `)})`;
  if ('any' in kind) return sql<boolean>`(${sql.join(kind.any.map((child) => compileRules(child, fields, ctx, asFilter)), sql` or `)})`;
  if ('not' in kind) return sql<boolean>`(not ${compileRules(kind.not, fields, ctx)})`;
  const { condition } = kind;
  const field = fields.get(condition.field)!;
  const { field: _f, op: _o, value: _v, ...params } = condition;
  const value = field.value(params, ctx);
  if (!asFilter) return sql<boolean>`coalesce(${predicate(field.kind, condition, value)}, false)`;
  if (field.kind === 'boolean' && condition.op === 'eq') return condition.value === true ? sql<boolean>`${value}` : sql<boolean>`(not ${value})`;
  return sql<boolean>`${predicate(field.kind, condition, value)}`;
}

const cast: Record<Exclude<FieldKind, 'list' | 'json'>, RawBuilder<unknown>> = {
  number: sql`numeric`,
  text: sql`text`,
  boolean: sql`boolean`,
  date: sql`date`,
};

function predicate(kind: FieldKind, condition: Condition, value: RawBuilder<unknown>): RawBuilder<unknown> {
  const { op } = condition;
  if (op === 'isSet') return kind === 'json' ? sql`(${value} is not null and jsonb_typeof(${value}) <> 'null')` : sql`(${value} is not null)`;
  if (op === 'isNotSet') return kind === 'json' ? sql`(${value} is null or jsonb_typeof(${value}) = 'null')` : sql`(${value} is null)`;
  if (kind === 'list') {
    const has = sql`(${condition.value as string}::text = any(${value}))`;
    return op === 'includes' ? has : sql`(not coalesce(${has}, false))`;
  }
  if (kind === 'json') return jsonPredicate(condition, value);
  return compare(op, value, condition.value, cast[kind]);
}

/** The comparison of a typed value with the condition's value (or values). `ne` and `notIn` hold for a missing value. */
function compare(op: string, value: RawBuilder<unknown>, given: unknown, type: RawBuilder<unknown>): RawBuilder<unknown> {
  const one = (item: unknown) => sql`${item}::${type}`;
  switch (op) {
    case 'eq':
      return sql`(${value} = ${one(given)})`;
    case 'ne':
      return sql`(${value} is distinct from ${one(given)})`;
    case 'gt':
    case 'after':
      return sql`(${value} > ${one(given)})`;
    case 'gte':
      return sql`(${value} >= ${one(given)})`;
    case 'lt':
    case 'before':
      return sql`(${value} < ${one(given)})`;
    case 'lte':
      return sql`(${value} <= ${one(given)})`;
    case 'between': {
      const [low, high] = given as [unknown, unknown];
      return sql`(${value} between ${one(low)} and ${one(high)})`;
    }
    case 'in':
      return sql`(${value} = any(${given as unknown[]}::${type}[]))`;
    case 'notIn':
      return sql`(not coalesce(${value} = any(${given as unknown[]}::${type}[]), false))`;
    case 'contains':
      return sql`(strpos(lower(${value}), lower(${given as string}::text)) > 0)`;
    case 'startsWith':
      return sql`starts_with(lower(${value}), lower(${given as string}::text))`;
    default:
      throw new Error(`segment compiler: operator ${op} was not checked`);
  }
}

/**
 * A custom attribute (jsonb): a number value compares it as a number (only where it holds a
 * number), true/false as a boolean, text as its text.
 */
function jsonPredicate(condition: Condition, value: RawBuilder<unknown>): RawBuilder<unknown> {
  const sample = Array.isArray(condition.value) ? condition.value[0] : condition.value;
  if (typeof sample === 'number') return compare(condition.op, sql`(case when jsonb_typeof(${value}) = 'number' then (${value} #>> '{}')::numeric end)`, condition.value, sql`numeric`);
  if (typeof sample === 'boolean') return compare(condition.op, sql`(case when jsonb_typeof(${value}) = 'boolean' then (${value} #>> '{}')::boolean end)`, condition.value, sql`boolean`);
  return compare(condition.op, sql`(case when jsonb_typeof(${value}) <> 'null' then ${value} #>> '{}' end)`, condition.value, sql`text`);
}
