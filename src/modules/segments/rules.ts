import { isDay, operatorsByKind, type FieldKind, type SegmentField } from '../../platform/segment-fields.ts';

/**
 * A segment's rule tree: `{"all": […]}` (every one holds), `{"any": […]}` (at least one),
 * `{"not": …}`, and conditions `{"field", "op", "value", …params}` on the modules' fields.
 */
export type Condition = { field: string; op: string; value?: unknown; [param: string]: unknown };
export type RuleNode = { all: RuleNode[] } | { any: RuleNode[] } | { not: RuleNode } | Condition;

/** Which of the four a (checked) node is. */
export function nodeKind(node: RuleNode): { all: RuleNode[] } | { any: RuleNode[] } | { not: RuleNode } | { condition: Condition } {
  if ('all' in node && Array.isArray(node.all)) return { all: node.all as RuleNode[] };
  if ('any' in node && Array.isArray(node.any)) return { any: node.any as RuleNode[] };
  if ('not' in node && typeof node.not === 'object' && node.not !== null && !('field' in node)) return { not: node.not as RuleNode };
  return { condition: node as Condition };
}

export type Problem = { field: string; reason: string };

export const MAX_DEPTH = 8;
export const MAX_CONDITIONS = 60;
const MAX_LIST = 500;

const valueFree = new Set(['isSet', 'isNotSet']);

/** Checks a tree against the fields; answers every problem, each naming where it is (`rules.all[2].value`). */
export function checkRules(root: unknown, fields: ReadonlyMap<string, SegmentField>): Problem[] {
  const problems: Problem[] = [];
  let conditions = 0;
  const visit = (node: unknown, path: string, depth: number) => {
    if (depth > MAX_DEPTH) return void problems.push({ field: path, reason: `nests deeper than ${MAX_DEPTH} levels` });
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return void problems.push({ field: path, reason: 'must be {"all": […]}, {"any": […]}, {"not": …} or a condition {"field", "op", "value"}' });
    const n = node as Record<string, unknown>;
    for (const group of ['all', 'any'] as const) {
      if (group in n) {
        if (Object.keys(n).length !== 1) return void problems.push({ field: path, reason: `a "${group}" group holds nothing else beside it` });
        const list = n[group];
        if (!Array.isArray(list) || list.length === 0 || list.length > MAX_CONDITIONS) return void problems.push({ field: `${path}.${group}`, reason: `must be a list of 1 to ${MAX_CONDITIONS} rules` });
        list.forEach((child, i) => visit(child, `${path}.${group}[${i}]`, depth + 1));
        return;
      }
    }
    if ('not' in n) {
      if (Object.keys(n).length !== 1) return void problems.push({ field: path, reason: 'a "not" holds nothing else beside it' });
      return visit(n.not, `${path}.not`, depth + 1);
    }
    conditions++;
    checkCondition(n, path, fields, problems);
  };
  visit(root, 'rules', 1);
  if (conditions > MAX_CONDITIONS) problems.push({ field: 'rules', reason: `has ${conditions} conditions; at most ${MAX_CONDITIONS}` });
  return problems;
}

function checkCondition(n: Record<string, unknown>, path: string, fields: ReadonlyMap<string, SegmentField>, problems: Problem[]): void {
  if (typeof n.field !== 'string') return void problems.push({ field: `${path}.field`, reason: 'must name a field (GET /v1/segment-fields lists them)' });
  const field = fields.get(n.field);
  if (!field) return void problems.push({ field: `${path}.field`, reason: `${shortText(n.field)} is not a field; GET /v1/segment-fields lists them` });
  const ops = operatorsByKind[field.kind];
  if (typeof n.op !== 'string' || !ops.includes(n.op)) return void problems.push({ field: `${path}.op`, reason: `must be one of ${ops.join(', ')} for ${field.key}` });
  const params = field.params ?? {};
  for (const key of Object.keys(n)) {
    if (key === 'field' || key === 'op' || key === 'value') continue;
    if (!(key in params)) {
      const allowed = Object.keys(params);
      problems.push({ field: `${path}.${key}`, reason: `${field.key} takes ${allowed.length > 0 ? `only ${allowed.join(', ')} beside field, op and value` : 'only field, op and value'}` });
    }
  }
  for (const [key, param] of Object.entries(params)) {
    if (n[key] === undefined) {
      if (param.required) problems.push({ field: `${path}.${key}`, reason: `is required for ${field.key}: ${param.describe}` });
      continue;
    }
    const reason = param.check(n[key]);
    if (reason) problems.push({ field: `${path}.${key}`, reason });
  }
  const reason = valueProblem(field.kind, n.op, n.value, field.values);
  if (reason) problems.push({ field: `${path}.value`, reason });
}

const shortText = (value: string) => (value.length > 60 ? `${value.slice(0, 60)}…` : value);

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 1e15;
const isText = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= 200;

/** What `value` must be for the kind and operator; null when it is right. */
function valueProblem(kind: FieldKind, op: string, value: unknown, values: readonly string[] | undefined): string | null {
  if (valueFree.has(op)) return value === undefined ? null : `is not taken by ${op}: leave it out`;
  if (value === undefined) return `is required for ${op}`;
  const one = (item: unknown): string | null => {
    switch (kind) {
      case 'number':
        return isNumber(item) ? null : 'must be a number';
      case 'boolean':
        return typeof item === 'boolean' ? null : 'must be true or false';
      case 'date':
        return isDay(item) ? null : 'must be a date as YYYY-MM-DD';
      case 'text':
      case 'list':
        if (!isText(item)) return 'must be text of 1 to 200 characters';
        return values && !values.includes(item) && (op === 'eq' || op === 'ne' || op === 'in' || op === 'notIn') ? `must be one of ${values.join(', ')}` : null;
      case 'json':
        if (['gt', 'gte', 'lt', 'lte', 'between'].includes(op)) return isNumber(item) ? null : 'must be a number';
        if (op === 'contains') return isText(item) ? null : 'must be text of 1 to 200 characters';
        return isNumber(item) || isText(item) || typeof item === 'boolean' ? null : 'must be text, a number or true/false';
    }
  };
  if (op === 'in' || op === 'notIn') {
    if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST) return `must be a list of 1 to ${MAX_LIST} values`;
    const problem = value.map(one).find((p) => p !== null);
    if (problem) return `each item ${problem}`;
    if (kind === 'json' && new Set(value.map((item) => typeof item)).size > 1) return 'must be all text or all numbers';
    return null;
  }
  if (op === 'between') {
    if (!Array.isArray(value) || value.length !== 2) return 'must be [lowest, highest]';
    const problem = value.map(one).find((p) => p !== null);
    if (problem) return `each end ${problem}`;
    return (value[0] as number | string) <= (value[1] as number | string) ? null : 'must be [lowest, highest], the lowest first';
  }
  if ((op === 'contains' || op === 'startsWith') && !isText(value)) return 'must be text of 1 to 200 characters';
  return one(value);
}

/** The segments a tree names in `segment` conditions (for the cycle check). */
export function referencedSegments(root: RuleNode): string[] {
  const found: string[] = [];
  const visit = (node: RuleNode) => {
    const kind = nodeKind(node);
    if ('all' in kind) kind.all.forEach(visit);
    else if ('any' in kind) kind.any.forEach(visit);
    else if ('not' in kind) visit(kind.not);
    else if (kind.condition.field === 'segment' && typeof kind.condition.id === 'string') found.push(kind.condition.id);
  };
  visit(root);
  return found;
}

/** The fields a tree's conditions name (a segment to recompute when one of them changes for everyone). */
export function fieldsOf(root: RuleNode): string[] {
  const found: string[] = [];
  const visit = (node: RuleNode) => {
    const kind = nodeKind(node);
    if ('all' in kind) kind.all.forEach(visit);
    else if ('any' in kind) kind.any.forEach(visit);
    else if ('not' in kind) visit(kind.not);
    else found.push(kind.condition.field);
  };
  visit(root);
  return found;
}
