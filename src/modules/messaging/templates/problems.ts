import { AssertionError, LiquidError } from 'liquidjs';
import { FilterError } from './filters.ts';

export type ProblemKind =
  | 'syntax'
  | 'not_allowed'
  | 'too_long'
  | 'unknown_variable'
  | 'unknown_filter'
  | 'filter_arguments'
  | 'reserved_name'
  | 'render_limit'
  | 'render';

/**
 * One thing wrong with one part of a template, in words a template author can act on.
 * `message` is the whole sentence: "subject, line 1, column 8: unknown variable customer.nickname; …".
 */
export type TemplateProblem = { part: string; line: number | null; column: number | null; kind: ProblemKind; reason: string; message: string };

export function problem(part: string, at: { line: number; column: number } | null, kind: ProblemKind, reason: string): TemplateProblem {
  const where = at ? `${part}, line ${at.line}, column ${at.column}` : part;
  return { part, line: at?.line ?? null, column: at?.column ?? null, kind, reason, message: `${where}: ${reason}` };
}

/** Thrown by the engine's emitter: the output passed the part's cap. */
export class OutputLimitError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the output is longer than ${formatBytes(maxBytes)}, the most a message part may be`);
    this.name = 'OutputLimitError';
  }
}

/** Thrown when a file-reading tag is parsed: a template reads no files and no other templates. */
export class NotAllowedError extends Error {
  constructor(tag: string) {
    super(`{% ${tag} %} is not available: a message template cannot read files or other templates`);
    this.name = 'NotAllowedError';
  }
}

export const formatBytes = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} bytes`);

export type LimitsInWords = { renderMs: number; memory: number; maxSourceLength: number };

// Liquid's own phrasing, put in plain words; anything else is shown as Liquid says it.
const rephrasings: Array<[RegExp, (...groups: string[]) => string]> = [
  [/^tag "end(\w+)" not found$/, (name) => `{% end${name} %} closes nothing: no {% ${name} %} is open`],
  [/^tag "(else|elsif|when)" not found$/, (name) => `{% ${name} %} is outside any {% if %}, {% unless %}, {% case %} or {% for %}`],
  [/^tag "([^"]*)" not found$/, (name) => `unknown tag {% ${name} %}`],
  [/^tag (\{%-?\s*(\w+).*%\}) not closed$/s, (tag, name) => `${tag} is not closed (no {% end${name} %})`],
  [/^output (".*") not closed$/s, (output) => `${JSON.parse(output) as string} is not closed`],
  [/^raw ".*" not closed$/s, () => '{% raw %} is not closed (no {% endraw %})'],
  [/^undefined filter: (.*)$/, (name) => `unknown filter ${name}`],
];

function rephrase(message: string): string {
  for (const [pattern, words] of rephrasings) {
    const match = pattern.exec(message);
    if (match) return words(...match.slice(1));
  }
  return message;
}

/** A Liquid parse or render failure as a position and a reason. */
export function describeLiquidError(error: unknown, limits: LimitsInWords): { at: { line: number; column: number } | null; kind: ProblemKind; reason: string } {
  const cause = LiquidError.is(error) ? (error.originalError ?? error) : error;
  const at = LiquidError.is(error) ? positionOf(error) : null;
  if (cause instanceof OutputLimitError) return { at, kind: 'render_limit', reason: cause.message };
  if (cause instanceof FilterError) return { at, kind: 'render', reason: cause.message };
  if (cause instanceof NotAllowedError) return { at, kind: 'not_allowed', reason: cause.message };
  if (cause instanceof AssertionError || (cause instanceof Error && cause.name === 'AssertionError')) {
    if (cause.message.startsWith('memory alloc limit')) {
      return { at, kind: 'render_limit', reason: `the template builds more than ${limits.memory.toLocaleString('en')} characters or list items; shorten its loops and lists` };
    }
    if (cause.message.startsWith('template render limit')) {
      return { at, kind: 'render_limit', reason: `the template takes longer than ${limits.renderMs} ms to render; its loops run too long` };
    }
    if (cause.message.startsWith('parse length limit')) {
      return { at, kind: 'too_long', reason: `the template is longer than ${limits.maxSourceLength.toLocaleString('en')} characters` };
    }
  }
  if (cause instanceof RangeError && /string length/i.test(cause.message)) {
    return { at, kind: 'render_limit', reason: 'the template builds a text too long to hold; shorten its loops' };
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return { at, kind: LiquidError.is(error) && error.name !== 'RenderError' ? 'syntax' : 'render', reason: rephrase(message.replace(/, line:\d+, col:\d+$/, '')) };
}

function positionOf(error: LiquidError): { line: number; column: number } | null {
  const position = error.token?.getPosition?.();
  if (!position) return null;
  const [line, column] = position;
  return line && column ? { line, column } : null;
}
