import { parseArgs } from 'node:util';
import { usageError } from './cli-errors.ts';
import { commands, findCommand, globalOptions, groupChoices, orList, type CommandSpec, type OptionSpec } from './commands.ts';

export type OptionValues = Record<string, string | boolean | undefined>;

export type CommandLine =
  | { kind: 'version'; debug: boolean }
  | { kind: 'help'; debug: boolean; specs: readonly CommandSpec[] | null }
  | { kind: 'run'; debug: boolean; command: CommandSpec; args: string[]; values: OptionValues };

const stringOptions = new Set(
  commands.flatMap((c) => Object.entries(c.options).filter(([, o]) => o.type === 'string').map(([name]) => name)),
);

/** The words that are not options nor option values: the command comes first among them. */
function wordsOf(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...words, ...argv.slice(i + 1)];
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && stringOptions.has(arg.slice(2))) i++;
    } else if (!arg.startsWith('-') || arg === '-') {
      words.push(arg);
    }
  }
  return words;
}

const quote = (word: string) => JSON.stringify(word);

/** Which command the first words name, and how many words that took. */
function resolve(words: string[], forHelp: boolean): { specs: CommandSpec[]; used: number } {
  const [first = '', second] = words;
  const choices = groupChoices(first);
  if (choices.length > 0) {
    if (second === undefined) {
      if (forHelp) return { specs: choices.map((choice) => findCommand(`${first} ${choice}`)!), used: 1 };
      throw usageError(`patron ${first}: say which one: ${orList(choices)}. "patron help ${first}" shows their options.`);
    }
    const spec = findCommand(`${first} ${second}`);
    if (!spec) throw usageError(`patron ${first}: unknown ${first} command ${quote(second)}; use ${orList(choices)}. "patron help ${first}" shows them.`);
    return { specs: [spec], used: 2 };
  }
  const spec = findCommand(first);
  if (!spec) throw usageError(`patron: unknown command ${quote(first)}. "patron help" lists the commands.`);
  return { specs: [spec], used: 1 };
}

function optionError(error: unknown, command: CommandSpec): Error {
  const { code, message } = error as { code?: string; message: string };
  const where = `patron ${command.name}`;
  const named = /'(-{1,2}[^'\s=<]+)/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const name = named.replace(/^-+/, '');
    const owners = commands.filter((c) => c !== command && name in c.options).map((c) => c.name);
    const elsewhere = owners.length ? ` (${named} belongs to ${owners.map((o) => `"patron ${o}"`).join(', ')})` : '';
    return usageError(`${where}: unknown option ${named}${elsewhere}. "patron help ${command.name}" lists its options.`, error);
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option: OptionSpec | undefined = command.options[named.replace(/^-+/, '')];
    if (option?.type === 'string') return usageError(`${where}: ${named} needs a value, e.g. ${named} ${option.value ?? 'VALUE'}.`, error);
    return usageError(`${where}: ${named} takes no value; write just ${named}.`, error);
  }
  return usageError(`${where}: ${message.split('\n')[0]}. "patron help ${command.name}" shows the usage.`, error);
}

/**
 * Reads the command line without touching anything else: every usage error is found here,
 * before a database is opened or a server is called.
 */
export function parseCommandLine(argv: string[]): CommandLine {
  const end = argv.indexOf('--');
  const flags = end === -1 ? argv : argv.slice(0, end);
  const debug = flags.includes('--debug');
  const words = wordsOf(argv);

  if (words.length === 0 && flags.includes('--version')) return { kind: 'version', debug };
  if (words.length === 0 && (flags.includes('--help') || flags.includes('-h'))) return { kind: 'help', debug, specs: null };
  if (words[0] === 'help') {
    if (words.length === 1) return { kind: 'help', debug, specs: null };
    const { specs, used } = resolve(words.slice(1), true);
    const extra = words[1 + used];
    if (extra !== undefined) throw usageError(`patron help: unexpected ${quote(extra)}; ask for one command, e.g. "patron help keys".`);
    return { kind: 'help', debug, specs };
  }

  // No command at all starts the server (`npm start`, `patron --demo`).
  const { specs, used } = words.length === 0 ? { specs: [findCommand('serve')!], used: 0 } : resolve(words, false);
  const command = specs[0]!;
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    const options = Object.fromEntries(
      Object.entries({ ...command.options, ...globalOptions }).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
    );
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    throw optionError(error, command);
  }
  if (parsed.values.version) return { kind: 'version', debug };
  if (parsed.values.help) return { kind: 'help', debug, specs: [command] };

  const args = parsed.positionals.slice(used);
  const required = command.args.length - (command.optionalArgs ?? 0);
  if (args.length < required) {
    const missing = command.args.slice(args.length, required).join(' ');
    throw usageError(`patron ${command.name}: missing ${missing}. Usage: patron ${command.name} ${command.args.join(' ')} ("patron help ${command.name}").`);
  }
  if (args.length > command.args.length) {
    throw usageError(`patron ${command.name}: unexpected argument ${quote(args[command.args.length]!)}. "patron help ${command.name}" shows the usage.`);
  }
  return { kind: 'run', debug, command, args, values: parsed.values };
}
