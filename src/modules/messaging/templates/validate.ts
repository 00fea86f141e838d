/**
 * The check made when a template is saved: each part is parsed and walked, and every variable,
 * filter and filter argument it uses is looked up in the catalogue (variables.ts) and the
 * filter list. Rendering forgives an absent value (it shows as nothing); saving does not forgive
 * a name the catalogue does not have, since that is a typo that would go out to every customer.
 *
 * The walk uses Liquid's static-analysis hooks on each parsed node (arguments, localScope,
 * blockScope, children) rather than its `globalVariables` summary, because a loop variable must
 * be checked against the list it runs over: in `{% for r in recommendations %}`, `r.nmae` is
 * as wrong as `customer.nmae`.
 */
import { ForTag, TablerowTag, TypeGuards, Value, analyzeSync, toValueSync, type Template, type Token, type Variable } from 'liquidjs';
import { AppError } from '../../../platform/errors.ts';
import { argumentCount, defaultTemplateLimits, knownFilters, lenientLiquid, patronFilters, SURVEY_ID, type TemplateLimits } from './engine.ts';
import { describeLiquidError, problem, type TemplateProblem } from './problems.ts';
import { templateError } from './templates.errors.ts';
import { variableCatalogue, type CatalogueNode, type ValueType } from './variables.ts';

/** What a name stands for while walking: a catalogue node, or a value the template made (any shape). */
type Binding = CatalogueNode | 'any';
type Segment = Variable['segments'][number];
type Argument = ReturnType<NonNullable<Template['arguments']>> extends Iterable<infer A> ? A : never;

const catalogue: Record<string, CatalogueNode> = variableCatalogue;
// Own keys only: `constructor` or `toString` must not find Object.prototype's.
const own = (fields: Record<string, CatalogueNode>, name: string): CatalogueNode | undefined => (Object.hasOwn(fields, name) ? fields[name] : undefined);
const SIZE: CatalogueNode = { kind: 'value', type: 'integer', description: 'How many items or characters', nullable: false };
const LIST_PROPERTIES = ['first', 'last', 'size'];
// Values held as strings, whose .size is their length; a number has no size.
const STRING_TYPES: ValueType[] = ['text', 'url', 'date', 'timestamp'];

/**
 * Everything wrong with a template's parts (subject, html, text, sms …), in the order of the
 * parts and their lines; empty when the template may be saved.
 */
export function checkTemplate(parts: Record<string, string>, limits: Partial<TemplateLimits> = {}): TemplateProblem[] {
  const all = { ...defaultTemplateLimits, ...limits };
  const problems: TemplateProblem[] = [];
  for (const [part, source] of Object.entries(parts)) {
    if (source.length > all.maxSourceLength) {
      problems.push(problem(part, null, 'too_long', `the template is longer than ${all.maxSourceLength.toLocaleString('en')} characters`));
      continue;
    }
    let templates: Template[];
    try {
      templates = lenientLiquid.parse(source);
    } catch (error) {
      const { at, kind, reason } = describeLiquidError(error, all);
      problems.push(problem(part, at, kind, reason));
      continue;
    }
    problems.push(...checkParsed(part, templates));
  }
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.message) && seen.add(p.message));
}

/** checkTemplate for a save: throws 422 template.invalid naming every problem. */
export function assertValidTemplate(parts: Record<string, string>, limits: Partial<TemplateLimits> = {}): void {
  const problems = checkTemplate(parts, limits);
  if (problems.length === 0) return;
  throw invalid(problems);
}

function invalid(problems: TemplateProblem[]): AppError {
  return templateError(
    'template.invalid',
    problems.map((p) => p.message).join('; '),
    problems.map((p) => ({ field: p.part, reason: p.line !== null ? `line ${p.line}, column ${p.column}: ${p.reason}` : p.reason })),
  );
}

function checkParsed(part: string, templates: Template[]): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  // Names the template assigns, captures or increments anywhere count as defined everywhere in
  // it: a loop may read on one pass what it assigned on the one before.
  const locals = new Set<string>();
  for (const [name, places] of Object.entries(analyzeSync(templates, { partials: false }).locals)) {
    locals.add(name);
    if (own(catalogue, name)) {
      for (const place of places) {
        problems.push(problem(part, { line: place.location.row, column: place.location.col }, 'reserved_name', `${name} is a variable of the catalogue; give what you assign another name`));
      }
    }
  }
  const filters = new Set(knownFilters());
  const scopes: Array<Map<string, Binding>> = [];

  const lookup = (name: string): Binding | undefined => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const bound = scopes[i]!.get(name);
      if (bound) return bound;
    }
    return locals.has(name) ? 'any' : own(catalogue, name);
  };

  const checkVariable = (variable: Variable) => {
    const at = { line: variable.location.row, column: variable.location.col };
    const [root, ...rest] = variable.segments;
    if (typeof root !== 'string') return;
    const bound = lookup(root);
    if (!bound) {
      problems.push(problem(part, at, 'unknown_variable', `unknown variable ${pathOf(variable.segments)}${suggest(root, Object.keys(catalogue), '')}; known variables: ${Object.keys(catalogue).join(', ')}`));
      return;
    }
    const resolved = resolve(bound, [root], rest);
    if ('problem' in resolved) problems.push(problem(part, at, 'unknown_variable', `unknown variable ${pathOf(variable.segments)}${resolved.problem}`));
  };

  const checkFilters = (arg: Argument) => {
    if (!(arg instanceof Value)) return;
    for (const filter of arg.filters) {
      // Filter keeps its token private; its position is the best place to point the author at.
      const [line, column] = (filter as unknown as { token: Token }).token.getPosition();
      const at = line && column ? { line, column } : null;
      if (!filters.has(filter.name)) {
        const ours = Object.keys(patronFilters);
        problems.push(problem(part, at, 'unknown_filter', `unknown filter ${filter.name}${suggest(filter.name, [...filters], '')}; Patron's filters are ${ours.join(', ')}, beside Liquid's standard ones (upcase, default, truncate …)`));
        continue;
      }
      const spec = patronFilters[filter.name];
      if (!spec) continue;
      if (filter.args.length < spec.args.min || filter.args.length > spec.args.max) {
        problems.push(problem(part, at, 'filter_arguments', `${filter.name} ${argumentCount(spec)}; for example ${spec.usage}`));
        continue;
      }
      if (filter.name === 'survey_url') {
        const id = literalInput(arg);
        if (id !== null && !SURVEY_ID.test(id)) problems.push(problem(part, at, 'filter_arguments', `survey_url: ${JSON.stringify(id)} is not a survey id; write the id of a survey (srv_…, GET /v1/surveys lists them)`));
      }
      const first = filter.args[0];
      if (spec.firstArgValues && TypeGuards.isQuotedToken(first) && !spec.firstArgValues.includes(first.content)) {
        problems.push(problem(part, at, 'filter_arguments', `${filter.name}: ${JSON.stringify(first.content)} is not one of ${spec.firstArgValues.join(', ')}`));
      }
    }
  };

  const visit = (template: Template) => {
    for (const arg of template.arguments?.() ?? []) {
      checkFilters(arg);
      for (const variable of variablesIn(arg, template.token)) checkVariable(variable);
    }
    if (!template.children) return;
    const names = template.blockScope ? [...template.blockScope()] : [];
    const scope = new Map<string, Binding>(names.map((name) => [name, 'any']));
    if (template instanceof ForTag || template instanceof TablerowTag) scope.set(template.variable, itemOf(template.collection, template.token, lookup));
    scopes.push(scope);
    for (const child of toValueSync(template.children(false, true)) as Template[]) visit(child);
    scopes.pop();
  };
  for (const template of templates) visit(template);
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * The variables an argument reads, by Liquid's own static analysis run on that argument alone;
 * nested ones (`customer.id` in `a[customer.id]`) come after the variable holding them.
 */
function variablesIn(arg: Argument, token: Token): Variable[] {
  const probe: Template = { token, render: () => undefined, arguments: () => [arg] };
  return Object.values(analyzeSync([probe], { partials: false }).variables).flat();
}

/** What a for loop's variable stands for: an item of the catalogue list it runs over, else anything. */
function itemOf(collection: Argument, token: Token, lookup: (name: string) => Binding | undefined): Binding {
  if (!TypeGuards.isPropertyAccessToken(collection)) return 'any';
  const [variable] = variablesIn(collection, token);
  const root = variable?.segments[0];
  if (!variable || typeof root !== 'string') return 'any';
  const bound = lookup(root);
  if (!bound) return 'any';
  const resolved = resolve(bound, [root], variable.segments.slice(1));
  if ('problem' in resolved || resolved.binding === 'any') return 'any';
  return resolved.binding.kind === 'list' ? resolved.binding.item : 'any';
}

function resolve(start: Binding, prefix: Segment[], rest: Segment[]): { binding: Binding } | { problem: string } {
  let binding = start;
  const path = [...prefix];
  for (const segment of rest) {
    const here = pathOf(path);
    if (binding === 'any' || binding.kind === 'map') return { binding: 'any' };
    if (binding.kind === 'object') {
      if (typeof segment !== 'string') {
        if (typeof segment === 'number') return { problem: `: ${here} is not a list; known under ${here}: ${Object.keys(binding.fields).join(', ')}` };
        return { binding: 'any' };
      }
      const field = own(binding.fields, segment);
      if (!field) {
        const known = Object.keys(binding.fields);
        return { problem: `${suggest(segment, known, `${here}.`)}; known under ${here}: ${known.join(', ')}` };
      }
      binding = field;
    } else if (binding.kind === 'list') {
      if (typeof segment !== 'string' || segment === 'first' || segment === 'last') binding = binding.item;
      else if (segment === 'size') binding = SIZE;
      else return { problem: `: ${here} is a list; loop over it with {% for item in ${here} %}, or use ${LIST_PROPERTIES.map((p) => `${here}.${p}`).join(', ')} or ${here}[0]` };
    } else {
      if (segment === 'size' && STRING_TYPES.includes(binding.type)) binding = SIZE;
      else return { problem: `: ${here} is a single value (${binding.type}) with nothing under it` };
    }
    path.push(segment);
  }
  return { binding };
}

function pathOf(segments: Segment[]): string {
  return segments
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      if (typeof segment !== 'string') return `[${segment.toString()}]`;
      if (/^[A-Za-z_][\w-]*$/.test(segment)) return i === 0 ? segment : `.${segment}`;
      return `[${JSON.stringify(segment)}]`;
    })
    .join('');
}

/** " (did you mean customer.firstName?)" for a near miss: a case slip or up to a third of the letters wrong. */
function suggest(name: string, known: string[], prefix: string): string {
  const lower = name.toLowerCase();
  let best: { name: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best ? ` (did you mean ${prefix}${best.name}?)` : '';
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b: "monye" is one from "money". */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The text a filtered value starts from when the template writes it as a quoted literal ("srv_…" | survey_url); else null. */
function literalInput(arg: Argument): string | null {
  if (!(arg instanceof Value)) return null;
  const postfix = (arg.initial as unknown as { postfix?: unknown[] }).postfix ?? [];
  const [only] = postfix;
  return postfix.length === 1 && TypeGuards.isQuotedToken(only) ? only.content : null;
}

/**
 * The survey ids a template's parts write as literals before survey_url: the template store
 * checks that each survey exists when the template is saved. Parts that do not parse name none
 * (checkTemplate reports them).
 */
export function surveyIdsIn(parts: Record<string, string>): string[] {
  const found = new Set<string>();
  const visit = (template: Template) => {
    for (const arg of template.arguments?.() ?? []) {
      if (!(arg instanceof Value) || !arg.filters.some((filter) => filter.name === 'survey_url')) continue;
      const id = literalInput(arg);
      if (id !== null && SURVEY_ID.test(id)) found.add(id);
    }
    if (template.children) for (const child of toValueSync(template.children(false, true)) as Template[]) visit(child);
  };
  for (const source of Object.values(parts)) {
    if (!source.includes('survey_url')) continue;
    try {
      for (const template of lenientLiquid.parse(source)) visit(template);
    } catch {
      // Reported by checkTemplate.
    }
  }
  return [...found];
}
