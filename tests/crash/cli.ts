import { parseArgs } from 'node:util';
import { runCrashSuite, summary } from './crash-run.ts';

// `npm run test:crash -- --kills N [--database-url URL] [--seed S] [--keep]`: the long run of the
// crash suite (tests/crash.test.ts is the short one CI runs). Exit code 0 only when nothing was
// lost or doubled and the server stopped cleanly on SIGTERM at the end.
const usage = 'usage: npm run test:crash -- --kills N [--database-url postgres://…] [--seed N] [--concurrency N] [--rows N] [--keep]';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '60' },
    'database-url': { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
    rows: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

function count(name: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    process.stderr.write(`test:crash: --${name} must be a whole number from ${min}, got "${raw}"\n${usage}\n`);
    process.exit(2);
  }
  return value;
}

if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const databaseUrl = values['database-url'] ?? process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
if (!databaseUrl) {
  process.stderr.write(`test:crash: name a PostgreSQL server with --database-url (or TEST_DATABASE_URL); the run creates a database patron_crash_… on it\n${usage}\n`);
  process.exit(2);
}

const report = await runCrashSuite({
  databaseUrl,
  kills: count('kills', values.kills, 1)!,
  seed: count('seed', values.seed, 0),
  concurrency: count('concurrency', values.concurrency, 1),
  rowsPerImport: count('rows', values.rows, 1),
  keepDatabase: values.keep,
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(summary(report));
process.exit(report.lost === 0 && report.doubled === 0 && report.mismatched === 0 && report.sigtermExit.code === 0 ? 0 : 1);
