/**
 * The Liquid sandbox messages are rendered in. Templates are written by program staff but
 * rendered for every customer, so a template must not read files, reach JavaScript prototypes,
 * run without end or fill memory:
 * - no file: include, render and layout are refused when parsed, and the fs refuses too;
 * - ownPropertyOnly: `customer.constructor`, `__proto__` and the like read as nothing;
 * - renderLimit (ms), memoryLimit (characters and list items allocated) and parseLimit bound a
 *   render; the output is capped in bytes as it is written, and a capture is charged to the
 *   memory limit as it grows (Liquid's own capture is not);
 * - strictFilters: an unknown filter is an error; strictVariables is off, so an absent value
 *   (a customer with no first name) renders as nothing: unknown names are refused when the
 *   template is saved (validate.ts), not at send time.
 * Rendering is synchronous: filters are pure and the data is loaded before, so a render is CPU
 * work bounded by renderLimit.
 */
import { CaptureTag, Context, Liquid, Tag, toValue, toValueSync, type Emitter, type FS, type TagToken, type Template, type TopLevelToken } from 'liquidjs';
import { AppError } from '../../../platform/errors.ts';
import { DATE_FORMATS, daysUntil, FilterError, formatLocalDate, formatMoney, formatPoints, pluralize, pluralWord, resolveLocale, resolveTimeZone, type FilterEnv } from './filters.ts';
import { describeLiquidError, NotAllowedError, OutputLimitError, problem, type TemplateProblem } from './problems.ts';
import { templateError } from './templates.errors.ts';
import type { TemplateContext } from './variables.ts';

export type TemplateLimits = {
  /** Characters of template source. */
  maxSourceLength: number;
  /** UTF-8 bytes one rendered part may have (e-mail HTML is the largest; SMS callers may ask less). */
  maxOutputBytes: number;
  /** Milliseconds one render may take. */
  renderMs: number;
  /** Characters and list items one render may allocate in total (ranges, appends, captures, joins). */
  memory: number;
};

export const defaultTemplateLimits: TemplateLimits = {
  maxSourceLength: 512 * 1024,
  maxOutputBytes: 256 * 1024,
  // The welcome e-mail of examples.test.ts renders in 0.5 ms (parsed once: 3 ms); the margin is for a busy machine.
  renderMs: 250,
  // Two million: a hundred times what a large e-mail allocates, small enough that a loop over
  // (1..100000000) is refused before its range is built.
  memory: 2_000_000,
};

/** The Liquid tags that read files; each is refused when parsed. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

/** Defence in depth: were a file tag ever parsed, the fs would still find nothing. */
const noFiles: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => Promise.reject(new NotAllowedError(`include ${file}`)),
  readFileSync: (file) => {
    throw new NotAllowedError(`include ${file}`);
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

class RefusedTag extends Tag {
  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    throw new NotAllowedError(token.name);
  }
  render(): void {}
}

function stringify(value: unknown): string {
  const v: unknown = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  return String(v);
}

/** The output of a render: refused as soon as it passes the cap, not after it was built. */
class CappedEmitter implements Emitter {
  buffer = '';
  private bytes = 0;
  constructor(private readonly maxBytes: number) {}
  write(html: unknown): void {
    const chunk = stringify(html);
    // chunk.length ≤ its UTF-8 bytes, so a chunk longer than the cap is refused before it is measured.
    this.bytes += chunk.length > this.maxBytes ? chunk.length : Buffer.byteLength(chunk, 'utf8');
    if (this.bytes > this.maxBytes) throw new OutputLimitError(this.maxBytes);
    this.buffer += chunk;
  }
}

/** A capture's text, charged to the render's memory limit as it grows. */
class ChargedEmitter implements Emitter {
  buffer = '';
  constructor(private readonly memory: Context['memoryLimit']) {}
  write(html: unknown): void {
    const chunk = stringify(html);
    this.memory.use(chunk.length);
    this.buffer += chunk;
  }
}

// Liquid's capture writes to an emitter no limit sees: doubling a string 25 times in a loop builds
// 300 MB in milliseconds. This one charges what it captures.
class ChargedCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, string> {
    const html = yield this.liquid.renderer.renderTemplates(this.templates, ctx, new ChargedEmitter(ctx.memoryLimit));
    ctx.bottom()[this.variable] = html;
  }
}

const ENV = 'patron.env';
/** A survey's id, as survey_url takes it (the surveys module's srv_ prefix). */
export const SURVEY_ID = /^srv_[0-9a-f]{32}$/;
type FilterHandler = Extract<Liquid['filters'][string], (...args: never[]) => unknown>;
/** What Liquid binds `this` to in a filter (its type is not exported). */
type FilterThis = ThisParameterType<FilterHandler>;
const envOf = (self: FilterThis): FilterEnv => self.context.getRegister<FilterEnv>(ENV);

export type FilterSpec = {
  /** How many arguments it takes; checked when a template is saved and when it renders. */
  args: { min: number; max: number };
  /** The values its first argument may take, when a template writes it as a literal. */
  firstArgValues?: readonly string[];
  handler: (this: FilterThis, value: unknown, ...args: unknown[]) => unknown;
  usage: string;
};

/** Patron's filters, beside Liquid's standard ones. */
export const patronFilters: Record<string, FilterSpec> = {
  money: {
    args: { min: 0, max: 1 },
    usage: "{{ 150050 | money }} → 1 500,50 ₽ (the program's currency), {{ item.priceMinor | money: item.currency }}",
    handler(value, currency) {
      const env = envOf(this);
      return formatMoney(value, currency === undefined || currency === null ? env.currency : String(currency), env.locale);
    },
  },
  points: {
    args: { min: 0, max: 0 },
    usage: '{{ balance.available | points }} → 1 500',
    handler(value) {
      return formatPoints(value, envOf(this).locale);
    },
  },
  local_date: {
    args: { min: 0, max: 1 },
    firstArgValues: DATE_FORMATS,
    usage: `{{ offer.validUntil | local_date: 'long' }}; formats: ${DATE_FORMATS.join(', ')}`,
    handler(value, format) {
      return formatLocalDate(value, format, envOf(this));
    },
  },
  plural: {
    args: { min: 2, max: 3 },
    usage: "{{ balance.available | plural: 'балл', 'балла', 'баллов' }} → 5 баллов; in English two forms: 'point', 'points'",
    handler(value, ...forms) {
      return pluralize(value, forms, envOf(this).locale);
    },
  },
  plural_word: {
    args: { min: 2, max: 3 },
    usage: "{{ balance.available | plural_word: 'балл', 'балла', 'баллов' }} → баллов (the word alone)",
    handler(value, ...forms) {
      return pluralWord(value, forms) ?? '';
    },
  },
  days_until: {
    args: { min: 0, max: 0 },
    usage: '{{ balance.expiring.date | days_until }} → 3 (0 today, negative once past)',
    handler(value) {
      return daysUntil(value, envOf(this));
    },
  },
  survey_url: {
    args: { min: 0, max: 0 },
    usage: '{{ "srv_0195f3c3b1a27c3d4e5f60718293a4b1" | survey_url }} → the customer\'s own signed link to that survey',
    handler(value) {
      if (typeof value !== 'string' || !SURVEY_ID.test(value)) throw new FilterError(`survey_url takes a survey id (srv_ and 32 hex digits), not ${JSON.stringify(value ?? null)}`);
      const link = envOf(this).surveyUrl;
      if (!link) throw new FilterError('survey_url makes a link only when a message is rendered for a customer');
      return link(value);
    },
  },
};

// Liquid's date filters read 'now' from the system clock; here it is the render's clock.
const DATE_FILTERS = ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string'] as const;

function createLiquid(escapeHtml: boolean, strictFilters: boolean): Liquid {
  const liquid = new Liquid({
    fs: noFiles,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    cache: false,
    strictFilters,
    strictVariables: false,
    ownPropertyOnly: true,
    outputEscape: escapeHtml ? 'escape' : undefined,
    // Set per render from the customer (see renderCompiledPart); these only stand in.
    locale: 'en',
    timezoneOffset: 'UTC',
    // A backstop only: compilePart and checkTemplate hold a part to the caller's maxSourceLength first.
    parseLimit: 16 * 1024 * 1024,
    renderLimit: defaultTemplateLimits.renderMs,
    memoryLimit: defaultTemplateLimits.memory,
  });
  for (const tag of FILE_TAGS) liquid.registerTag(tag, RefusedTag);
  liquid.registerTag('capture', ChargedCaptureTag);
  for (const name of DATE_FILTERS) {
    const builtin = liquid.filters[name]!;
    const handler = typeof builtin === 'function' ? builtin : builtin.handler;
    liquid.registerFilter(name, function (this: FilterThis, value: unknown, ...args: unknown[]) {
      return handler.call(this, value === 'now' || value === 'today' ? envOf(this).now : value, ...args);
    });
  }
  for (const [name, spec] of Object.entries(patronFilters)) {
    liquid.registerFilter(name, function (this: FilterThis, value: unknown, ...args: unknown[]) {
      if (args.length < spec.args.min || args.length > spec.args.max) throw new FilterError(`${name} ${argumentCount(spec)}; for example ${spec.usage}`);
      return spec.handler.call(this, value, ...args);
    });
  }
  return liquid;
}

export function argumentCount({ args: { min, max } }: FilterSpec): string {
  if (max === 0) return 'takes no arguments';
  const count = min === max ? String(min) : min === 0 ? `at most ${max}` : `${min} or ${max}`;
  return `takes ${count} argument${max === 1 ? '' : 's'}`;
}

const renderers = { html: createLiquid(true, true), text: createLiquid(false, true) };
/** Parses for validate.ts: unknown filters are let through so that all of them can be reported, each at its place. */
export const lenientLiquid = createLiquid(false, false);
export const knownFilters = (): string[] => Object.keys(renderers.text.filters);

export type CompiledPart = { readonly name: string; readonly escapeHtml: boolean; readonly templates: Template[] };

export type CompileOptions = {
  /** HTML parts escape every output (`| raw` opts out); text, SMS and push parts do not. */
  escapeHtml: boolean;
  /** The part's name in error messages (subject, html, text, sms). */
  partName?: string;
  limits?: Partial<TemplateLimits>;
};

export type RenderOptions = {
  /** The render's clock: `now`, `today` and days_until read it, never the system clock. */
  now: Date;
  /** The customer's signed link to a survey, for survey_url (messaging passes the surveys module's signer). */
  surveyUrl?: (surveyId: string) => string;
  partName?: string;
  limits?: Partial<TemplateLimits>;
};

/** Parses a part once, to render it for many customers. A syntax error is 422 template.invalid. */
export function compilePart(source: string, options: CompileOptions): CompiledPart {
  const limits = { ...defaultTemplateLimits, ...options.limits };
  const name = options.partName ?? 'template';
  if (source.length > limits.maxSourceLength) {
    throw failure('template.invalid', problem(name, null, 'too_long', `the template is longer than ${limits.maxSourceLength.toLocaleString('en')} characters`));
  }
  try {
    return { name, escapeHtml: options.escapeHtml, templates: (options.escapeHtml ? renderers.html : renderers.text).parse(source) };
  } catch (error) {
    const { at, kind, reason } = describeLiquidError(error, limits);
    throw failure('template.invalid', problem(name, at, kind, reason));
  }
}

/**
 * Renders a compiled part for one customer: money, points and dates in the customer's locale
 * and zone (the program's when the customer's is unknown or not valid). A failure (a limit
 * passed, a filter given what it cannot show) is 422 template.render_failed, in plain words.
 */
export function renderCompiledPart(part: CompiledPart, context: TemplateContext, options: RenderOptions): string {
  const limits = { ...defaultTemplateLimits, ...options.limits };
  const env: FilterEnv = {
    locale: resolveLocale([context.customer.locale, context.program.locale]),
    timeZone: resolveTimeZone([context.customer.timeZone, context.program.timeZone]),
    currency: context.program.currency,
    now: options.now,
    ...(options.surveyUrl ? { surveyUrl: options.surveyUrl } : {}),
  };
  const liquid = part.escapeHtml ? renderers.html : renderers.text;
  // Liquid's own date filters take the locale and zone from the options: this render's copy.
  const opts = { ...liquid.options, locale: env.locale, timezoneOffset: env.timeZone };
  // A shallow copy: {% increment %} writes to the top scope, which must not be the caller's object.
  const scope = { ...context };
  const ctx = new Context(scope, opts, { sync: true, strictVariables: false, ownPropertyOnly: true, renderLimit: limits.renderMs, memoryLimit: limits.memory }, { liquid });
  ctx.setRegister(ENV, env);
  try {
    return toValueSync(liquid.renderer.renderTemplates(part.templates, ctx, new CappedEmitter(limits.maxOutputBytes))) as string;
  } catch (error) {
    const { at, kind, reason } = describeLiquidError(error, limits);
    throw failure('template.render_failed', problem(options.partName ?? part.name, at, kind, reason));
  }
}

/** Parses and renders one part: `renderPart(html, context, { escapeHtml: true, now: clock.now() })`. */
export function renderPart(source: string, context: TemplateContext, options: CompileOptions & RenderOptions): string {
  return renderCompiledPart(compilePart(source, options), context, options);
}

function failure(code: 'template.invalid' | 'template.render_failed', p: TemplateProblem): AppError {
  return templateError(code, p.message, [{ field: p.part, reason: p.line !== null ? `line ${p.line}, column ${p.column}: ${p.reason}` : p.reason }]);
}
