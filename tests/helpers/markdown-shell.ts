/**
 * The shell examples of the README and docs/*.md, read the way tests/docs-run.test.ts runs them:
 * every ```sh, ```bash, ```shell and ```console block, split into the commands a reader types,
 * each with the answer the document promises.
 *
 * How a document writes that answer (a comment a reader finds useful too):
 *
 *   curl -s localhost:8080/health                    # → 200 {"status":"ok"}
 *   curl -s … -d '{…}'                               # → 201 {"id":"cus_…","phone":"+79123456789"}
 *   curl -s …/checkout/calculate …
 *   # → 200 {"total":164920,"customer":{"tier":{"id":"gold"}},
 *   #    "applied":[…]}                              a long answer goes on, indented, on the next lines
 *   patron import customers customers.csv --url …   # → exit 0
 *   patron import customers customers.csv           # server stopped → exit 0
 *
 * - `→ STATUS` is the HTTP status of the command's curl (the last one, when it makes several);
 *   every command with a curl must have one. A sketch of the JSON answer may follow: each field
 *   it names must be in the answer with that value, where `…` stands for any value (`"balance":…`),
 *   any rest of a string (`"cus_…"`) or more items of a list (`[{…},…]`); fields it does not name
 *   may be there too. Text after the sketch is for the reader only.
 * - `→ exit N`: the command's exit code; without an answer any command must exit 0.
 * - "server stopped" in a command's comment: it runs with the demo server stopped (the embedded
 *   database belongs to one process), which starts again for the next command naming
 *   localhost:8080.
 * - ```console blocks are transcripts: `$ ` starts a command, the lines under it are its output
 *   (each must appear in what it printed).
 * - `<!-- not run: REASON -->` on the line before a block keeps it from running; REASON is said to
 *   whoever reads the Markdown (the server that a test already starts, a server elsewhere, minutes
 *   of benchmark).
 */

export type Sketch =
  | { kind: 'any' }
  | { kind: 'value'; value: string | number | boolean | null }
  | { kind: 'text'; parts: string[] }
  | { kind: 'object'; fields: Array<[string, Sketch]> }
  /** `gaps[i]`: other items may come before `items[i]` (`gaps[items.length]`: after the last). */
  | { kind: 'array'; items: Sketch[]; gaps: boolean[] };

export type Expected = { kind: 'http'; status: number; sketch: Sketch | null } | { kind: 'exit'; code: number };

export type ShellCommand = {
  file: string;
  /** The document's line where the command starts (1-based). */
  line: number;
  /** The command as written, comments included: what the shell runs. */
  source: string;
  /** Its comments: the one on its last line and an answer on the comment lines under it. */
  comment: string;
  expected: Expected | null;
  /** Why the answer could not be read, if it could not. */
  answerError: string | null;
  /** Console transcripts: the lines shown under the command. */
  output: string[];
  serverStopped: boolean;
  usesCurl: boolean;
};

export type ShellBlock = { file: string; line: number; lang: string; notRun: string | null; commands: ShellCommand[] };

const shellLanguages = new Set(['sh', 'bash', 'shell', 'console']);

/** Every shell block of a Markdown document, in order. */
export function shellBlocks(file: string, markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!fence) continue;
    const close = new RegExp(`^\\s*${fence[2]![0]}{${fence[2]!.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end]!)) end++;
    const lang = fence[3]!.toLowerCase();
    if (shellLanguages.has(lang)) {
      let before = i - 1;
      while (before >= 0 && lines[before]!.trim() === '') before--;
      const marker = before >= 0 ? /^\s*<!--\s*not run:(.*?)-->\s*$/.exec(lines[before]!) : null;
      const body = lines.slice(i + 1, end).map((text, k) => ({ text, line: i + 2 + k }));
      blocks.push({
        file,
        line: i + 1,
        lang,
        notRun: marker ? marker[1]!.trim() || '(no reason given)' : null,
        commands: lang === 'console' ? transcriptCommands(file, body) : shellCommands(file, body),
      });
    }
    i = end;
  }
  return blocks;
}

type Line = { text: string; line: number };

/** `$ command` lines, each followed by the output it shows. */
function transcriptCommands(file: string, lines: Line[]): ShellCommand[] {
  const commands: ShellCommand[] = [];
  for (let i = 0; i < lines.length; i++) {
    const prompt = /^\s*\$ (.*)$/.exec(lines[i]!.text);
    if (!prompt) continue;
    const typed: Line[] = [{ text: prompt[1]!, line: lines[i]!.line }];
    while (typed.at(-1)!.text.endsWith('\\') && i + 1 < lines.length) typed.push(lines[++i]!);
    const [command] = shellCommands(file, typed);
    if (!command) continue;
    while (i + 1 < lines.length && !/^\s*\$ /.test(lines[i + 1]!.text)) {
      const shown = lines[++i]!.text.trimEnd();
      if (shown !== '') command.output.push(shown);
    }
    commands.push(command);
  }
  return commands;
}

type Frame = 'top' | 'paren' | 'dq' | 'sq';

/**
 * Splits shell text into commands the way bash reads them, for the constructs the documents use:
 * quotes spanning lines, backslash continuations, `$( … )`, here-documents, a line ending in `|`,
 * `&&` or `||`, and comments.
 */
export function shellCommands(file: string, lines: Line[]): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let current: { start: number; source: string[]; comments: string[] } | null = null;
  const stack: Frame[] = ['top'];
  let heredocs: Array<{ word: string; strip: boolean }> = [];
  let last: ShellCommand | null = null;
  let answerOpen = false;

  const finish = (written: { start: number; source: string[]; comments: string[] }): ShellCommand => {
    const command = makeCommand(file, written.start, written.source.join('\n'), written.comments);
    commands.push(command);
    return command;
  };

  for (let index = 0; index < lines.length; index++) {
    const { text, line } = lines[index]!;
    if (!current) {
      const trimmed = text.trim();
      if (trimmed === '') {
        last = null;
        answerOpen = false;
        continue;
      }
      if (trimmed.startsWith('#')) {
        // An answer under its command, and the indented lines that carry it on; other comment
        // lines describe the command that follows.
        const comment = trimmed.replace(/^#\s?/, '');
        if (last && (/^→/.test(comment) || (answerOpen && /^#\s{2,}\S/.test(trimmed)))) {
          if (/^→/.test(comment)) answerOpen = true;
          last.comment = `${last.comment}\n${comment.trim()}`;
          Object.assign(last, readAnswer(last.comment));
        } else {
          last = null;
          answerOpen = false;
        }
        continue;
      }
      current = { start: line, source: [], comments: [] };
    }
    current.source.push(text);
    let continued = false;
    let code = '';
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      const frame = stack.at(-1)!;
      if (frame === 'sq') {
        if (c === "'") stack.pop();
        continue;
      }
      if (c === '\\') {
        if (i === text.length - 1) continued = true;
        i++;
        continue;
      }
      if (frame === 'dq') {
        if (c === '"') stack.pop();
        else if (c === '$' && text[i + 1] === '(') {
          stack.push('paren');
          i++;
        }
        continue;
      }
      if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
        current.comments.push(text.slice(i + 1).trim());
        break;
      }
      code += c;
      if (c === "'") stack.push('sq');
      else if (c === '"') stack.push('dq');
      else if (c === '(') stack.push('paren');
      else if (c === ')' && frame === 'paren') stack.pop();
      else if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
        const doc = /^<<(-?)\s*(['"]?)([\w.-]+)\2/.exec(text.slice(i));
        if (doc) {
          heredocs.push({ word: doc[3]!, strip: doc[1] === '-' });
          i += doc[0].length - 1;
          code += doc[0].slice(1);
        }
      }
    }
    for (const doc of heredocs) {
      while (index + 1 < lines.length) {
        const body = lines[++index]!.text;
        current.source.push(body);
        if ((doc.strip ? body.replace(/^\t+/, '') : body) === doc.word) break;
      }
    }
    heredocs = [];
    const open = stack.length > 1 || continued || /(\|\||&&|\|)\s*$/.test(code);
    if (!open) {
      last = finish(current);
      answerOpen = last.comment.includes('→');
      current = null;
    }
  }
  if (current) finish(current);
  return commands;
}

function makeCommand(file: string, line: number, source: string, comments: string[]): ShellCommand {
  const comment = comments.join('\n');
  return {
    file,
    line,
    source,
    comment,
    output: [],
    serverStopped: /\bserver stopped\b/.test(comment),
    usesCurl: /(^|[\s;|&(`])curl\s/.test(stripComments(source)),
    ...readAnswer(comment),
  };
}

function stripComments(source: string): string {
  return source
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '$1'))
    .join('\n');
}

/** The answer after `→` in a command's comment: a status and a sketch, or an exit code. */
export function readAnswer(comment: string): { expected: Expected | null; answerError: string | null } {
  const arrow = comment.indexOf('→');
  if (arrow < 0) return { expected: null, answerError: null };
  const text = comment.slice(arrow + 1).replace(/\n\s*/g, ' ').trim();
  const exit = /^exit (\d+)\b/.exec(text);
  if (exit) return { expected: { kind: 'exit', code: Number(exit[1]) }, answerError: null };
  const status = /^(\d{3})\b\s*/.exec(text);
  if (!status) return { expected: null, answerError: `"→ ${text}" is not an answer: write "→ STATUS {fields}" or "→ exit N"` };
  const rest = text.slice(status[0].length);
  if (!/^[{[]/.test(rest)) return { expected: { kind: 'http', status: Number(status[1]), sketch: null }, answerError: null };
  try {
    return { expected: { kind: 'http', status: Number(status[1]), sketch: new SketchReader(rest).value() }, answerError: null };
  } catch (error) {
    return { expected: null, answerError: `the answer's sketch ${rest} cannot be read: ${(error as Error).message}` };
  }
}

/** JSON, plus `…` (or `...`) for any value, the rest of a string, or more items of a list. */
class SketchReader {
  private at = 0;
  constructor(private readonly text: string) {}

  value(): Sketch {
    this.space();
    if (this.ellipsis()) return { kind: 'any' };
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      const text = this.string();
      const parts = text.split(/…|\.\.\./);
      return parts.length > 1 ? { kind: 'text', parts } : { kind: 'value', value: text };
    }
    const literal = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.text.slice(this.at));
    if (!literal) throw new Error(`unexpected "${this.text.slice(this.at, this.at + 12)}" at ${this.at}`);
    this.at += literal[0].length;
    return { kind: 'value', value: JSON.parse(literal[0]) as string | number | boolean | null };
  }

  private object(): Sketch {
    this.at++;
    const fields: Array<[string, Sketch]> = [];
    for (;;) {
      this.space();
      if (this.text[this.at] === '}') {
        this.at++;
        return { kind: 'object', fields };
      }
      if (this.text[this.at] === ',' || this.ellipsis()) {
        if (this.text[this.at] === ',') this.at++;
        continue;
      }
      if (this.text[this.at] !== '"') throw new Error(`expected a field name at ${this.at}`);
      const key = this.string();
      this.space();
      if (this.text[this.at] !== ':') throw new Error(`expected ":" after "${key}"`);
      this.at++;
      fields.push([key, this.value()]);
    }
  }

  private array(): Sketch {
    this.at++;
    const items: Sketch[] = [];
    const gaps = [false];
    for (;;) {
      this.space();
      if (this.text[this.at] === ']') {
        this.at++;
        return { kind: 'array', items, gaps };
      }
      if (this.text[this.at] === ',') {
        this.at++;
        continue;
      }
      if (this.text.startsWith('…', this.at) || this.text.startsWith('...', this.at)) {
        this.ellipsis();
        gaps[items.length] = true;
        continue;
      }
      if (this.at >= this.text.length) throw new Error('a list is not closed');
      items.push(this.value());
      gaps.push(false);
    }
  }

  private string(): string {
    const match = /^"(?:[^"\\]|\\.)*"/.exec(this.text.slice(this.at));
    if (!match) throw new Error(`a string is not closed at ${this.at}`);
    this.at += match[0].length;
    return JSON.parse(match[0]) as string;
  }

  private ellipsis(): boolean {
    for (const dots of ['…', '...']) {
      if (this.text.startsWith(dots, this.at)) {
        this.at += dots.length;
        return true;
      }
    }
    return false;
  }

  private space(): void {
    while (/\s/.test(this.text[this.at] ?? '')) this.at++;
  }
}

/** Where an answer differs from its sketch, one line each ("$.customer.tier.id: …"). */
export function sketchDifferences(sketch: Sketch, actual: unknown, where = '$'): string[] {
  const shown = (value: unknown) => (JSON.stringify(value) ?? 'nothing').slice(0, 200);
  switch (sketch.kind) {
    case 'any':
      return [];
    case 'value':
      return Object.is(sketch.value, actual) ? [] : [`${where}: ${shown(actual)}, the document says ${JSON.stringify(sketch.value)}`];
    case 'text': {
      const pattern = new RegExp(`^${sketch.parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
      return typeof actual === 'string' && pattern.test(actual) ? [] : [`${where}: ${shown(actual)}, the document says ${JSON.stringify(sketch.parts.join('…'))}`];
    }
    case 'object': {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return [`${where}: ${shown(actual)} is not an object`];
      return sketch.fields.flatMap(([key, value]) =>
        Object.hasOwn(actual, key) ? sketchDifferences(value, (actual as Record<string, unknown>)[key], `${where}.${key}`) : [`${where}.${key} is missing`],
      );
    }
    case 'array': {
      if (!Array.isArray(actual)) return [`${where}: ${shown(actual)} is not a list`];
      const { items, gaps } = sketch;
      const inner = gaps.slice(1, -1).some(Boolean);
      const [before, after] = [gaps[0]!, gaps.at(-1)!];
      if (before || after ? actual.length < items.length : actual.length !== items.length) {
        return [`${where}: ${actual.length} items, the document shows ${items.length}${before || after ? ' or more' : ''}`];
      }
      if (!inner && !(before && after)) {
        // Items in place: from the start, or (… first) up to the end.
        const offset = before ? actual.length - items.length : 0;
        return items.flatMap((item, i) => sketchDifferences(item, actual[offset + i], `${where}[${offset + i}]`));
      }
      return itemsInOrder(items, gaps, actual, 0, 0) ? [] : [`${where}: no items in the order the document shows: ${JSON.stringify(actual).slice(0, 300)}`];
    }
  }
}

/** Whether `actual` from `from` holds `items` from `index` on, in order, with others only where `gaps` allows. */
function itemsInOrder(items: Sketch[], gaps: boolean[], actual: unknown[], index: number, from: number): boolean {
  if (index === items.length) return gaps[index]! || from === actual.length;
  const last = gaps[index] ? actual.length - 1 : from;
  for (let at = from; at <= last && at < actual.length; at++) {
    if (sketchDifferences(items[index]!, actual[at]).length === 0 && itemsInOrder(items, gaps, actual, index + 1, at + 1)) return true;
  }
  return false;
}
