/**
 * The benchmark harness: one way to run every benchmark, one table at the end.
 *
 *   npm run bench                                   # every scenario, --scale small
 *   npm run bench -- calculate lookup --scale small # some of them
 *   npm run bench -- --scale full --database patron_bench_full   # full size; generates once, reuses after
 *   npm run bench -- --list
 *
 * The PostgreSQL server comes from DATABASE_URL (or --database-url); the harness creates and
 * drops its own databases there. Data comes from the deterministic generators in
 * bench/generate/; the server under test is always `node bin/patron.mjs serve` in a child
 * process, and the load comes from this process over HTTP. Prints the table (Markdown) and
 * writes it as JSON to bench/results/. Asserts nothing. See docs/performance.md.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createContext, type BenchContext } from './harness/context.ts';
import { fmt, formatTable, ratioOf, writeReport, type ResultRow, type RunReport } from './harness/report.ts';
import { scales, type ScaleName } from './harness/scale.ts';
import { scenarios } from './scenarios/index.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(benchDir, 'results');

/** The commit the server under test runs, "+changes" when src/ or bin/ differ from it; null outside a git checkout. */
function commitOf(): string | null {
  try {
    const git = (...argv: string[]) => execFileSync('git', argv, { cwd: benchDir, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const head = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--', '../src', '../bin') === '' ? head : `${head}+changes`;
  } catch {
    return null;
  }
}

const usage = `npm run bench -- [scenario …] [options]

scenarios (default: all, in this order): ${scenarios.map((s) => s.name).join(', ')}

  --scale small|full     data size and loop lengths (default small: a few minutes)
  --database NAME        reuse the loyalty database NAME if a completed generation is there,
                         else generate into it; either way it is kept
  --keep                 keep the databases and the scratch directory (server logs) this run made
  --generate-only        make the loyalty database (with --database) and stop
  --database-url URL     the PostgreSQL server (default: DATABASE_URL)
  --breakdown            also time calculate and confirm statement by statement in process
  --cpu-prof             write a V8 CPU profile of each server and print where its time went
  --log-level LEVEL      the servers' PATRON_LOG_LEVEL (default warn)
  --list                 list the scenarios with their goals and references
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${usage}`);
  process.exit(2);
}

const { values: args, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        scale: { type: 'string', default: 'small' },
        database: { type: 'string' },
        'database-url': { type: 'string', default: process.env.DATABASE_URL },
        keep: { type: 'boolean', default: false },
        'generate-only': { type: 'boolean', default: false },
        breakdown: { type: 'boolean', default: false },
        'cpu-prof': { type: 'boolean', default: false },
        'log-level': { type: 'string', default: 'warn' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();

if (args.help) {
  process.stdout.write(usage);
  process.exit(0);
}
if (args.list) {
  for (const s of scenarios) process.stdout.write(`${s.name.padEnd(16)} ${s.title}\n${''.padEnd(16)} goal: ${s.goal}\n${''.padEnd(16)} limit reference: ${s.reference}\n`);
  process.exit(0);
}
if (args.scale !== 'small' && args.scale !== 'full') fail('--scale is small or full');
const scale = scales[args.scale as ScaleName];
const unknown = positionals.filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length > 0) fail(`no such scenario: ${unknown.join(', ')}`);
const selected = positionals.length === 0 ? scenarios : scenarios.filter((s) => positionals.includes(s.name));
const serverUrl = args['database-url'] ?? fail('set DATABASE_URL (or --database-url) to a PostgreSQL server where the harness may create databases');
if (args['generate-only'] && !args.database) fail('--generate-only needs --database NAME (the database it makes is kept)');

const ctx: BenchContext = createContext({
  scale,
  serverUrl,
  ...(args.database ? { database: args.database } : {}),
  keep: args.keep,
  cpuProf: args['cpu-prof'],
  breakdown: args.breakdown,
  logLevel: args['log-level'],
});
const say = ctx.say;
const loadAverage = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');

// ^C reaches this process twice under `npm run` (from the terminal and relayed by tsx): the first
// one cleans up; another more than two seconds later gives up on that and exits.
let interrupted = 0;
process.on('SIGINT', () => {
  if (interrupted > 0) {
    if (Date.now() - interrupted > 2_000) process.exit(130);
    return;
  }
  interrupted = Date.now();
  say('\ninterrupted: stopping the servers and dropping the scratch databases (^C again to leave them)');
  void ctx.cleanup().finally(() => process.exit(130));
});

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const version = await ctx.connect();
  const settings: Record<string, string> = {};
  for (const name of ['shared_buffers', 'fsync', 'synchronous_commit', 'max_connections', 'work_mem']) settings[name] = String((await ctx.admin.query(`show ${name}`)).rows[0]?.[name]);
  const cpus = os.cpus();
  const machine = {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? '?',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    loadAverageAtStart: os.loadavg(),
  };
  const commit = commitOf();
  say(`Patron benchmarks, --scale ${scale.name}${commit ? `, commit ${commit}` : ''}: ${selected.map((s) => s.name).join(', ')}`);
  say(`  ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, Node ${machine.node}; load average ${loadAverage()}`);
  say(`  PostgreSQL ${version} (${Object.entries(settings).map(([k, v]) => `${k} ${v}`).join(', ')})`);

  if (args['generate-only']) {
    await ctx.loyalty();
    return;
  }

  const rows: ResultRow[] = [];
  const errors: Record<string, string> = {};
  for (const [index, scenario] of selected.entries()) {
    if (interrupted > 0) return;
    say(`\n== ${scenario.name}: ${scenario.title}  (goal ${scenario.goal})`);
    const started = performance.now();
    try {
      rows.push(...(await scenario.run(ctx)));
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      errors[scenario.name] = message;
      say(`  FAILED: ${(error as Error).stack ?? message}`);
      rows.push({ scenario: scenario.name, figure: 'did not finish', value: null, unit: 'ms', detail: message.split('\n')[0]!.slice(0, 160) });
    }
    say(`  (${fmt((performance.now() - started) / 1000, 1)} s)`);
    if (!selected.slice(index + 1).some((s) => s.sharedServer)) await ctx.stopSharedServer();
  }

  const finishedAt = new Date().toISOString();
  const database = await ctx.loyaltyUsed();
  say(`\nResults, --scale ${scale.name}, ${finishedAt} (${machine.cpus} CPUs, load average now ${loadAverage()}: other work on the machine moves these figures)`);
  if (database) say(`Loyalty database ${database.name}: ${fmt(database.customers)} customers, ${fmt(database.receipts)} receipts, ${database.size}${database.reused ? ' (reused)' : ''}`);
  say('');
  say(formatTable(rows));
  say('');
  say('Limit references, measured in the same run:');
  for (const scenario of selected) say(`  ${scenario.name}: ${scenario.reference}.`);

  const report: RunReport = {
    startedAt,
    finishedAt,
    scale: scale.name,
    commit,
    scenarios: selected.map((s) => s.name),
    machine: { ...machine, loadAverageAtEnd: os.loadavg() },
    postgres: { version, ...settings },
    database: database ? { name: database.name, customers: database.customers, receipts: database.receipts, size: database.size, reused: database.reused } : null,
    rows: rows.map((row) => ({ ...row, ratio: ratioOf(row)?.value ?? null })),
    references: Object.fromEntries(selected.map((s) => [s.name, s.reference])),
    details: { scale, ...ctx.details },
    errors,
  };
  const complete = selected.length === scenarios.length && Object.keys(errors).length === 0;
  for (const file of writeReport(resultsDir, report, complete)) say(`wrote ${path.relative(process.cwd(), file)}`);
}

try {
  await main();
} finally {
  if (interrupted === 0) await ctx.cleanup();
}
