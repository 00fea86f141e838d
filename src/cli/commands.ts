import { roles } from '../platform/roles.ts';

/** One option of a command, as node:util parseArgs takes it, with its help line. */
export type OptionSpec = { type: 'string' | 'boolean'; short?: string; value?: string; required?: boolean; help: string };

/** A command the user types: `name` is its words (`keys create`); `args` its positional arguments. */
export type CommandSpec = {
  name: string;
  args: readonly string[];
  /** Positional arguments that may be left out (the last ones of `args`). */
  optionalArgs?: number;
  summary: string;
  options: Record<string, OptionSpec>;
  /** Lines shown by `patron help <command>` under the usage. */
  details?: readonly string[];
};

const serverOptions: Record<string, OptionSpec> = {
  url: { type: 'string', value: 'URL', help: 'go through a running server\'s API (or PATRON_URL), e.g. http://localhost:8080' },
  key: { type: 'string', value: 'KEY', help: 'an API key for --url (or PATRON_API_KEY)' },
};

export const commands: readonly CommandSpec[] = [
  {
    name: 'serve',
    args: [],
    summary: 'start the server (PORT, default 8080)',
    options: { demo: { type: 'boolean', help: 'load the demo data set first (once)' } },
    details: ['Also what `patron` with no command does. SIGTERM or Ctrl-C stops it cleanly.'],
  },
  { name: 'migrate', args: [], summary: 'apply database migrations (also done at every start)', options: {} },
  { name: 'demo', args: [], summary: 'load the demo data set (once)', options: {} },
  {
    name: 'keys create',
    args: [],
    summary: 'create an API key; the secret is printed once',
    options: {
      role: { type: 'string', value: 'ROLE', required: true, help: `one of ${roles.join(', ')}` },
      name: { type: 'string', value: 'NAME', required: true, help: 'what the key is for, e.g. "till 1" (up to 100 characters)' },
    },
  },
  { name: 'keys list', args: [], summary: 'list API keys (never their secrets)', options: {} },
  { name: 'keys revoke', args: ['ID'], summary: 'revoke an API key (ids as `keys list` shows them)', options: {} },
  {
    name: 'staff add',
    args: [],
    summary: 'add a person to the web console; their password is generated and printed once',
    options: {
      email: { type: 'string', value: 'EMAIL', required: true, help: 'the address they sign in with' },
      role: { type: 'string', value: 'ROLE', required: true, help: 'one of owner, marketer, analyst, support' },
      name: { type: 'string', value: 'NAME', required: true, help: 'their name, as the console and the audit log show it' },
    },
  },
  { name: 'staff password', args: ['EMAIL'], summary: "set a new console password for a staff user (printed once); ends their sessions, lifts a lock-out", options: {} },
  { name: 'staff list', args: [], summary: "list the console's staff users (never their passwords)", options: {} },
  {
    name: 'import customers',
    args: ['FILE.csv'],
    summary: 'import customers from CSV with a progress bar',
    options: serverOptions,
    details: ['Columns and rules: docs/import.md.'],
  },
  {
    name: 'import receipts',
    args: ['FILE.ndjson'],
    summary: 'load historical receipts',
    options: { earn: { type: 'boolean', help: 'accrue points for them' }, ...serverOptions },
  },
  {
    name: 'backup',
    args: ['FILE'],
    summary: 'write a snapshot of the embedded database to FILE (a .tar.gz)',
    options: serverOptions,
    details: [
      'With the server stopped it reads PATRON_DATA_DIR directly; while it runs, pass --url and an owner --key.',
      'On PostgreSQL use pg_dump or pg_basebackup instead: docs/operations.md.',
    ],
  },
  {
    name: 'restore',
    args: ['FILE'],
    summary: 'restore a backup into PATRON_DATA_DIR (server stopped), then migrate',
    options: { force: { type: 'boolean', help: 'replace the database already in PATRON_DATA_DIR' } },
    details: ['Other files in PATRON_DATA_DIR (owner-key.txt, imports/) are left as they are.'],
  },
  {
    name: 'lottery verify',
    args: ['ID'],
    summary: 'recheck a drawn lottery from its public data: seed, entries, winners',
    options: serverOptions,
    details: [
      'Fetches the lottery and its frozen entries through --url, checks SHA-256(seed) = commitment and the entries digest,',
      'and recomputes the winners (docs/lotteries.md). Exit 0 when all match; 1 with each difference listed.',
    ],
  },
  {
    name: 'clv fit',
    args: [],
    summary: 'fit BG/NBD and Gamma-Gamma CLV models on a transactions file; prints JSON',
    options: {
      transactions: { type: 'string', value: 'FILE', required: true, help: 'the transactions: a CDNOW file, or csv customer_id,date,amount' },
      format: { type: 'string', value: 'FORMAT', help: 'cdnow (CDNOW_master.txt or CDNOW_sample.txt) or csv (default)' },
      'calibration-end': { type: 'string', value: 'DATE', required: true, help: 'the last day of the calibration period, e.g. 1997-09-30' },
      unit: { type: 'string', value: 'UNIT', help: 'week (default) or day: the unit of t_x, T and the horizon' },
      round: { type: 'string', value: 'N', help: 'round t_x and T to N decimals (2 reproduces the published CDNOW summary)' },
      'holdout-end': { type: 'string', value: 'DATE', help: 'the last day of the holdout check (default: the last transaction)' },
      predict: { type: 'boolean', help: 'add every customer\'s predictions: expected purchases, P(alive), expected spend, CLV' },
      horizon: { type: 'string', value: 'N', help: 'with --predict: units ahead (default 52 weeks or 365 days)' },
      'discount-rate': { type: 'string', value: 'RATE', help: 'with --predict: yearly discount rate (default 0.1)' },
      margin: { type: 'string', value: 'PERCENT', help: 'with --predict: margin on spend in percent (default 100)' },
      seed: { type: 'string', value: 'N', help: 'the optimiser\'s seed (default 1): the same file and seed give the same fit' },
    },
    details: [
      'Reads the file only: no database, no server. Amounts in the file\'s currency units. docs/clv.md has the models and an example.',
    ],
  },
  { name: 'help', args: ['COMMAND'], optionalArgs: 1, summary: 'show the commands, or one command\'s options', options: {} },
];

/** Options every command takes. */
export const globalOptions: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h', help: 'show this help' },
  debug: { type: 'boolean', help: 'on failure, also print where it happened (the stack)' },
  version: { type: 'boolean', help: 'print the version' },
};

/** First words that take a second one (`keys create`), with the choices. */
export function groupChoices(word: string): string[] {
  return commands.filter((c) => c.name.startsWith(`${word} `)).map((c) => c.name.slice(word.length + 1));
}

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}

function usageLine(command: CommandSpec): string {
  const args = command.args.map((arg, i) => (i >= command.args.length - (command.optionalArgs ?? 0) ? `[${arg}]` : arg));
  const flag = (name: string, o: OptionSpec) => (o.type === 'string' ? `--${name} ${o.value ?? 'VALUE'}` : `--${name}`);
  const options = Object.entries(command.options)
    .filter(([name]) => name !== 'key') // shown with --url, which it belongs to
    .map(([name, o]) => {
      if (name === 'url' && command.options.key) return `[${flag(name, o)} ${flag('key', command.options.key)}]`;
      return o.required ? flag(name, o) : `[${flag(name, o)}]`;
    });
  return ['patron', command.name, ...args, ...options].join(' ');
}

/** `patron help`: every command with its usage, one or two lines each. */
export function generalHelp(version: string): string {
  const rows = commands.map((c) => {
    const usage = usageLine(c);
    return usage.length <= 46 ? `  ${usage.padEnd(46)} ${c.summary}` : `  ${usage}\n  ${''.padEnd(46)} ${c.summary}`;
  });
  return [
    `patron ${version} — loyalty program and CRM-marketing platform`,
    '',
    ...rows,
    '',
    'Every command also takes --help, and --debug (on failure, show where it happened). patron --version.',
    '',
    'Commands that change data open the database directly. On the embedded database (PGlite) only one',
    'process may do that: stop the server first, or use --url to go through its API.',
    'Environment: see README.md (PORT, PATRON_DATA_DIR, DATABASE_URL, PATRON_ADMIN_KEY, …).',
    'Exit codes: 0 done, 1 failed, 2 the command line is wrong.',
    '',
  ].join('\n');
}

/** "a, b or c" */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** `patron help keys` or `patron help keys create`: usage and options of the matching commands. */
export function commandHelp(specs: readonly CommandSpec[]): string {
  const blocks = specs.map((spec) => {
    const lines = [`usage: ${usageLine(spec)}`, `  ${spec.summary}`];
    for (const [name, option] of Object.entries(spec.options)) {
      const flag = option.type === 'string' ? `--${name} ${option.value ?? 'VALUE'}` : `--${name}`;
      lines.push(`    ${flag.padEnd(16)} ${option.help}`);
    }
    for (const detail of spec.details ?? []) lines.push(`  ${detail}`);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
