import type { SegmentField } from './segment-types.ts';

/**
 * The rule builder's tree and its translation to and from the API's rules
 * ({"all": […]}, {"any": […]}, {"not": …}, conditions). Inputs are kept as the text typed, so a
 * half-typed number stays on screen; `toRules` turns them into the values the API takes and says
 * which conditions are not finished yet.
 */
export type Join = 'all' | 'any';
export type ConditionNode = { type: 'condition'; id: string; not: boolean; field: string; op: string; value: string; value2: string; params: Record<string, string> };
export type GroupNode = { type: 'group'; id: string; not: boolean; join: Join; children: RuleNodeDraft[] };
export type RuleNodeDraft = ConditionNode | GroupNode;

let counter = 0;
export const newId = () => `n${++counter}`;

export const newGroup = (join: Join = 'all', children: RuleNodeDraft[] = []): GroupNode => ({ type: 'group', id: newId(), not: false, join, children });

export function newCondition(field: SegmentField): ConditionNode {
  return { type: 'condition', id: newId(), not: false, field: field.key, op: defaultOperator(field), value: field.kind === 'boolean' ? 'true' : '', value2: '', params: defaultParams(field) };
}

function defaultOperator(field: SegmentField): string {
  for (const op of ['gte', 'eq', 'includes']) if (field.operators.includes(op)) return op;
  return field.operators[0] ?? 'eq';
}

function defaultParams(field: SegmentField): Record<string, string> {
  const params: Record<string, string> = {};
  if ('window' in field.params) params.windowMode = 'all';
  if ('consent' === field.key) Object.assign(params, { channel: 'email', purpose: 'marketing' });
  if ('identifier' === field.key) params.kind = 'phone';
  if ('messages.count' === field.key) Object.assign(params, { interaction: 'opened', windowMode: 'days', windowDays: '30' });
  return params;
}

/** A field whose value is money in minor units: the builder takes it in roubles (major units). */
export const isMoney = (key: string) => key.endsWith('Minor') || key === 'clv.value';
export const noValue = (op: string) => op === 'isSet' || op === 'isNotSet';
export const isList = (op: string) => op === 'in' || op === 'notIn';

const splitList = (text: string) => text.split(',').map((item) => item.trim()).filter(Boolean);

/** A value typed into a json (custom attribute) condition: a number or true/false when it reads as one. */
function scalar(text: string): string | number | boolean {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (trimmed !== '' && !Number.isNaN(Number(trimmed))) return Number(trimmed);
  return trimmed;
}

function number(text: string, money: boolean): number | string | undefined {
  const trimmed = text.trim().replace(',', '.');
  if (trimmed === '') return undefined;
  const parsed = Number(trimmed);
  // Not a number: sent as typed, so the server says in words what is wrong with it.
  if (Number.isNaN(parsed)) return trimmed;
  return money ? Math.round(parsed * 100) : parsed;
}

function conditionValue(node: ConditionNode, field: SegmentField): { value?: unknown; done: boolean } {
  if (noValue(node.op)) return { done: true };
  const money = isMoney(field.key);
  switch (field.kind) {
    case 'number': {
      const low = number(node.value, money);
      if (node.op === 'between') {
        const high = number(node.value2, money);
        return low === undefined || high === undefined ? { done: false } : { value: [low, high], done: true };
      }
      return low === undefined ? { done: false } : { value: low, done: true };
    }
    case 'boolean':
      return { value: node.value !== 'false', done: true };
    case 'json':
      if (isList(node.op)) {
        const items = splitList(node.value).map(scalar);
        return items.length ? { value: items, done: true } : { done: false };
      }
      if (node.op === 'between') return node.value.trim() && node.value2.trim() ? { value: [scalar(node.value), scalar(node.value2)], done: true } : { done: false };
      return node.value.trim() ? { value: scalar(node.value), done: true } : { done: false };
    case 'date':
      if (node.op === 'between') return node.value && node.value2 ? { value: [node.value, node.value2], done: true } : { done: false };
      return node.value ? { value: node.value, done: true } : { done: false };
    default:
      if (isList(node.op)) {
        const items = splitList(node.value);
        return items.length ? { value: items, done: true } : { done: false };
      }
      return node.value.trim() ? { value: node.value.trim(), done: true } : { done: false };
  }
}

function conditionParams(node: ConditionNode, field: SegmentField): { params: Record<string, unknown>; done: boolean } {
  const params: Record<string, unknown> = {};
  let done = true;
  for (const [name, spec] of Object.entries(field.params)) {
    if (name === 'window') {
      const mode = node.params.windowMode ?? 'all';
      if (mode === 'days') {
        const days = number(node.params.windowDays ?? '', false);
        if (days === undefined) done = false;
        else params.window = { days };
      } else if (mode === 'range') {
        if (!node.params.windowFrom) done = false;
        else params.window = { from: node.params.windowFrom, ...(node.params.windowTo ? { to: node.params.windowTo } : {}) };
      }
    } else if (name === 'filter') {
      const filter: Record<string, unknown> = {};
      for (const list of ['categories', 'skus', 'brands', 'stores']) {
        const items = splitList(node.params[`filter.${list}`] ?? '');
        if (items.length) filter[list] = items;
      }
      if (node.params['filter.channel']) filter.channel = node.params['filter.channel'];
      if (Object.keys(filter).length) params.filter = filter;
    } else if (name === 'properties') {
      const properties: Record<string, unknown> = {};
      for (const pair of splitList(node.params.properties ?? '')) {
        const [key, ...rest] = pair.split('=');
        if (key?.trim()) properties[key.trim()] = scalar(rest.join('='));
      }
      if (Object.keys(properties).length) params.properties = properties;
    } else {
      const raw = (node.params[name] ?? '').trim();
      if (raw === '') {
        if (spec.required) done = false;
      } else params[name] = name === 'withinDays' ? number(raw, false) : raw;
    }
  }
  return { params, done };
}

export type Compiled = { rules: Record<string, unknown> | null; unfinished: number; paths: Map<string, string> };

/**
 * The API's rules for the tree (the root is always a group), the conditions not finished yet (a
 * value or a required setting still empty; an empty group counts too), and each node's place in
 * the API's words (`rules.all[1]`), to put the server's problems beside the condition they name.
 */
export function toRules(root: GroupNode, fields: ReadonlyMap<string, SegmentField>): Compiled {
  let unfinished = 0;
  const paths = new Map<string, string>();
  const visit = (node: RuleNodeDraft, path: string): Record<string, unknown> => {
    let inner = path;
    if (node.not) inner = `${path}.not`;
    paths.set(node.id, inner);
    let rule: Record<string, unknown>;
    if (node.type === 'group') {
      if (node.children.length === 0) unfinished++;
      rule = { [node.join]: node.children.map((child, i) => visit(child, `${inner}.${node.join}[${i}]`)) };
    } else {
      const field = fields.get(node.field);
      if (!field) {
        unfinished++;
        rule = { field: node.field, op: node.op };
      } else {
        const value = conditionValue(node, field);
        const params = conditionParams(node, field);
        if (!value.done || !params.done) unfinished++;
        rule = { field: node.field, ...params.params, op: node.op, ...('value' in value ? { value: value.value } : {}) };
      }
    }
    return node.not ? { not: rule } : rule;
  };
  const rules = visit(root, 'rules');
  return { rules: root.children.length === 0 ? null : rules, unfinished, paths };
}

const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

function moneyText(value: unknown, money: boolean): string {
  return money && typeof value === 'number' ? String(value / 100) : text(value);
}

/** The tree for saved rules (a lone condition or a `not` at the top becomes a group's only rule). */
export function fromRules(rules: Record<string, unknown>): GroupNode {
  const node = readNode(rules);
  if (node.type === 'group' && !node.not) return node;
  return newGroup('all', [node]);
}

function readNode(rule: Record<string, unknown>): RuleNodeDraft {
  if ('not' in rule && !('field' in rule)) {
    const inner = readNode(rule.not as Record<string, unknown>);
    return { ...inner, not: !inner.not };
  }
  for (const join of ['all', 'any'] as const) {
    if (Array.isArray(rule[join])) return { ...newGroup(join), children: (rule[join] as Array<Record<string, unknown>>).map(readNode) };
  }
  const { field, op, value, window, filter, properties, ...rest } = rule as Record<string, unknown> & { field: string; op: string };
  const money = isMoney(field);
  const params: Record<string, string> = {};
  for (const [key, param] of Object.entries(rest)) params[key] = text(param);
  const w = window as { days?: number; from?: string; to?: string } | undefined;
  if (w?.days !== undefined) Object.assign(params, { windowMode: 'days', windowDays: String(w.days) });
  else if (w?.from) Object.assign(params, { windowMode: 'range', windowFrom: w.from.slice(0, 10), windowTo: (w.to ?? '').slice(0, 10) });
  else params.windowMode = 'all';
  const f = (filter ?? {}) as Record<string, unknown>;
  for (const list of ['categories', 'skus', 'brands', 'stores']) if (Array.isArray(f[list])) params[`filter.${list}`] = (f[list] as string[]).join(', ');
  if (typeof f.channel === 'string') params['filter.channel'] = f.channel;
  if (properties && typeof properties === 'object') {
    params.properties = Object.entries(properties as Record<string, unknown>).map(([k, v]) => `${k}=${text(v)}`).join(', ');
  }
  let first: string;
  let second = '';
  if (Array.isArray(value) && op === 'between') {
    first = moneyText(value[0], money);
    second = moneyText(value[1], money);
  } else if (Array.isArray(value)) first = value.map(text).join(', ');
  else first = moneyText(value, money);
  return { type: 'condition', id: newId(), not: false, field, op, value: first, value2: second, params };
}

/** The tree with one node replaced (by id), or removed when `next` is null. */
export function replaceNode(root: GroupNode, id: string, next: RuleNodeDraft | null): GroupNode {
  const visit = (node: RuleNodeDraft): RuleNodeDraft | null => {
    if (node.id === id) return next;
    if (node.type === 'condition') return node;
    return { ...node, children: node.children.map(visit).filter((child): child is RuleNodeDraft => child !== null) };
  };
  return visit(root) as GroupNode;
}

/** The conditions in a tree (the API takes at most 60). */
export function countConditions(node: RuleNodeDraft): number {
  return node.type === 'condition' ? 1 : node.children.reduce((sum, child) => sum + countConditions(child), 0);
}

/** Each problem the server names by its place (`rules.all[1].value`), under the node at the longest place that holds it. */
export function placeFieldProblems(problems: ReadonlyArray<{ field: string; reason: string }>, paths: Map<string, string>): Map<string, string[]> {
  const placed = new Map<string, string[]>();
  for (const problem of problems) {
    let best: { id: string; path: string } | null = null;
    for (const [id, path] of paths) {
      if ((problem.field === path || problem.field.startsWith(`${path}.`)) && (!best || path.length > best.path.length)) best = { id, path };
    }
    if (!best) continue;
    const rest = problem.field.slice(best.path.length + 1);
    placed.set(best.id, [...(placed.get(best.id) ?? []), rest ? `${rest}: ${problem.reason}` : problem.reason]);
  }
  return placed;
}
