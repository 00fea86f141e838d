/**
 * Customer CSV import against PostgreSQL, next to a plain COPY of the same file.
 *
 *   npx tsx bench/import-customers.ts --rows 1000000 --database-url postgres://postgres@127.0.0.1:5432/postgres
 *
 * Creates a throw-away database (patron_bench_<random>) on that server, runs the real import
 * path (submit, then run), then COPYs the file into a bare all-text table, prints both
 * throughputs and their ratio, and drops the database. It prints figures; it asserts nothing.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openPostgres, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { parseHeader, type Column } from '../src/modules/customers/import/csv-columns.ts';
import { headerName, parseRow } from '../src/modules/customers/import/csv-row.ts';
import { createCustomers } from '../src/modules/customers/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { systemClock } from '../src/platform/clock.ts';
import { uuidV7Ids } from '../src/platform/ids.ts';
import { customerCsvColumns, writeCustomersCsv } from './generate/customers-csv.ts';
import { queryTimer } from './query-timer.ts';

const GOAL = 0.3;
const PHONE_REGION = 'RU';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'database-url': { type: 'string', default: process.env.DATABASE_URL },
    'batch-size': { type: 'string' },
    seed: { type: 'string' },
  },
});
const rows = Number(args.rows);
const batchSize = args['batch-size'] === undefined ? undefined : Number(args['batch-size']);
const seed = args.seed === undefined ? undefined : Number(args.seed);
const serverUrl = args['database-url'];
if (!Number.isInteger(rows) || rows < 1) fail('--rows must be a whole number above 0');
if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) fail('--batch-size must be a whole number above 0');
if (seed !== undefined && !Number.isInteger(seed)) fail('--seed must be a whole number');
if (!serverUrl) fail('--database-url postgres://user@host:port/db is required (or DATABASE_URL)');

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const perSecond = (count: number, ms: number) => (count * 1000) / ms;
const say = (line = '') => process.stdout.write(`${line}\n`);

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

async function checkpoint(database: Database): Promise<void> {
  // Each measured phase starts with no dirty pages left by the one before.
  await database.runScript('checkpoint').catch(() => undefined);
}

async function runImport(database: Database, file: string, dataDir: string) {
  const timer = queryTimer();
  const customers = createCustomers(
    { db: database.db.withPlugin(timer.plugin), clock: systemClock, ids: uuidV7Ids, phoneRegion: PHONE_REGION },
    { dataDir, ...(batchSize ? { batchSize } : {}) },
  );
  const submitted = await timed(() => customers.imports.submit(fs.createReadStream(file), path.basename(file), systemActor, Number.MAX_SAFE_INTEGER));
  const id = submitted.value.job.id;
  const started = performance.now();
  const progress = setInterval(() => {
    void customers.imports.get(id, 0).then((job) => {
      const elapsed = performance.now() - started;
      process.stderr.write(`  … ${fmt(job.rowsDone + job.rowsFailed)} rows in ${secs(elapsed)} (${fmt(perSecond(job.rowsDone + job.rowsFailed, elapsed))} rows/s)\n`);
    });
  }, 10_000);
  const statementsBefore = timer.totalMs();
  const ran = await timed(() => customers.imports.run(id)).finally(() => clearInterval(progress));
  return { submitMs: submitted.ms, runMs: ran.ms, job: ran.value, timer, statementsBefore };
}

async function runCopy(url: string, file: string): Promise<{ ms: number; rows: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const table = 'bench_copy_customers';
    const columns = customerCsvColumns.map((name) => `"${name}" text`).join(', ');
    await client.query(`drop table if exists ${table}; create table ${table} (${columns})`);
    const start = performance.now();
    const stream = client.query(copyFrom(`copy ${table} from stdin (format csv, header true)`));
    await pipeline(fs.createReadStream(file), stream);
    return { ms: performance.now() - start, rows: stream.rowCount };
  } finally {
    await client.end();
  }
}

/** The import's JavaScript side alone: csv-parse, then csv-parse plus parseRow, with the import's parser options. */
async function runParseOnly(file: string) {
  const read = () =>
    fs.createReadStream(file).pipe(parse({ bom: true, info: true, skip_empty_lines: true, skip_records_with_error: true })) as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>;
  const csvOnly = await timed(async () => {
    let count = 0;
    for await (const _ of read()) count++;
    return count;
  });
  let columns: Column[] = [];
  const sample: string[][] = [];
  const withRows = await timed(async () => {
    let good = 0;
    let bad = 0;
    for await (const { record, info } of read()) {
      if (info.lines === 1) {
        const header = parseHeader(record, new Map());
        if ('problem' in header) throw new Error(header.problem);
        columns = header.columns;
        continue;
      }
      if ('row' in parseRow(info.lines, record, columns, PHONE_REGION, systemClock.now())) good++;
      else bad++;
      if (sample.length < 100_000) sample.push(record);
    }
    return { good, bad };
  });
  // Per column, on a sample held in memory: which normaliser costs what.
  // An empty cell costs only parseRow's own overhead; that is taken off each column's figure.
  const today = systemClock.now();
  const usPerRow = (column: Column, cellOf: (cells: string[]) => string) => {
    const start = performance.now();
    for (const cells of sample) parseRow(2, [cellOf(cells)], [column], PHONE_REGION, today);
    return ((performance.now() - start) * 1000) / sample.length;
  };
  usPerRow({ kind: 'city' }, () => ''); // warm-up
  const overhead = usPerRow({ kind: 'city' }, () => '');
  const perColumn = columns.map((column, index) => ({
    name: headerName(column),
    usPerRow: Math.max(0, usPerRow(column, (cells) => cells[index] ?? '') - overhead),
  }));
  return { csvMs: csvOnly.ms, parseMs: withRows.ms, outcome: withRows.value, perColumn };
}

async function main(url: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-bench-'));
  const file = path.join(dir, `customers-${rows}.csv`);
  const admin = new pg.Client({ connectionString: url });
  const name = `patron_bench_${randomBytes(4).toString('hex')}`;
  let database: Database | null = null;
  try {
    const generated = await timed(() => writeCustomersCsv(file, { rows, ...(seed !== undefined ? { seed } : {}) }));
    await admin.connect();
    const server = await admin.query<{ server_version: string }>('show server_version');
    say(`Customer import benchmark: ${fmt(rows)} rows, batch ${batchSize ?? 'default (2000)'}`);
    say(`  Node ${process.version}, ${os.cpus().length} CPUs; PostgreSQL ${server.rows[0]?.server_version}`);
    say(`  CSV: ${file} (${(generated.value.bytes / 1e6).toFixed(1)} MB, generated in ${secs(generated.ms)})`);

    await admin.query(`create database ${name}`);
    const benchUrl = new URL(url);
    benchUrl.pathname = `/${name}`;
    database = await openPostgres(benchUrl.toString());
    await migrate(database);
    say(`  Database: ${name} (migrated)`);
    say();

    await checkpoint(database);
    const imported = await runImport(database, file, dir);
    const { job } = imported;
    const importRate = perSecond(rows, imported.runMs);
    say('Import (createCustomers(...).imports: submit, then run)');
    say(`  submit (store the upload, hash, check the header): ${secs(imported.submitMs)}`);
    say(`  run: ${secs(imported.runMs)}  →  ${fmt(importRate)} rows/s   (submit + run: ${fmt(perSecond(rows, imported.submitMs + imported.runMs))} rows/s)`);
    say(`  status ${job.status}${job.failure ? ` (${job.failure})` : ''}; rowsDone ${fmt(job.rowsDone)} (created ${fmt(job.rowsCreated)}, updated ${fmt(job.rowsUpdated)}), rowsFailed ${fmt(job.rowsFailed)}`);
    const stored = await Promise.all(
      ['customers', 'customer_identifiers', 'consent_events', 'outbox_events', 'import_errors'].map(async (table) => {
        const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(database!.db);
        return `${table} ${fmt(result.rows[0]?.n ?? 0)}`;
      }),
    );
    say(`  stored: ${stored.join(', ')}`);
    say();

    await checkpoint(database);
    const copied = await runCopy(benchUrl.toString(), file);
    const copyRate = perSecond(copied.rows, copied.ms);
    say('COPY ... FROM STDIN (FORMAT csv, HEADER true) into an all-text table without indexes');
    say(`  ${fmt(copied.rows)} rows in ${secs(copied.ms)}  →  ${fmt(copyRate)} rows/s`);
    say();

    const ratio = importRate / copyRate;
    say(`Import / COPY: ${(ratio * 100).toFixed(1)} %   (goal ≥ ${GOAL * 100} %: ${ratio >= GOAL ? 'met' : `not met; ${fmt(GOAL * copyRate)} rows/s needed`})`);
    say();

    const parsed = await runParseOnly(file);
    const sqlMs = imported.timer.totalMs() - imported.statementsBefore;
    const batches = Math.ceil(rows / (batchSize ?? 2000));
    say('Where the import run spends its time (wall clock; one process, nothing overlaps)');
    say(`  csv-parse alone, over the file:             ${secs(parsed.csvMs).padStart(10)}  (${pct(parsed.csvMs, imported.runMs)})`);
    say(`  parseRow (normalising), over the file:      ${secs(parsed.parseMs - parsed.csvMs).padStart(10)}  (${pct(parsed.parseMs - parsed.csvMs, imported.runMs)})`);
    say(`  SQL statements (round trip incl. driver):   ${secs(sqlMs).padStart(10)}  (${pct(sqlMs, imported.runMs)}; ${(sqlMs / batches).toFixed(1)} ms per batch of ${batchSize ?? 2000})`);
    const rest = imported.runMs - sqlMs - parsed.parseMs;
    say(`  the rest (writeBatch's JS, ids, BEGIN/COMMIT): ${secs(rest).padStart(7)}  (${pct(rest, imported.runMs)})`);
    say('  SQL by statement:');
    const statements = [...imported.timer.stats.entries()].sort((a, b) => b[1].ms - a[1].ms);
    for (const [label, stat] of statements) {
      say(`    ${label.padEnd(34)} ${String(stat.count).padStart(6)} ×  ${secs(stat.ms).padStart(10)}  (${pct(stat.ms, imported.runMs)})`);
    }
    say(`  parseRow per column (µs per row beyond parseRow's own cost, sample of ${fmt(Math.min(rows, 100_000))}):`);
    for (const column of parsed.perColumn.sort((a, b) => b.usPerRow - a.usPerRow)) {
      say(`    ${column.name.padEnd(26)} ${column.usPerRow.toFixed(2).padStart(7)}`);
    }
  } finally {
    await database?.close();
    await admin.query(`drop database if exists ${name} with (force)`).catch((error: Error) => process.stderr.write(`could not drop ${name}: ${error.message}\n`));
    await admin.end().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(0)} %`;
}

await main(serverUrl);
