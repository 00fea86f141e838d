/**
 * Customer CSV import against PostgreSQL, next to a plain COPY of the same file.
 *
 *   npx tsx bench/import-customers.ts --rows 1000000 --database-url postgres://postgres@127.0.0.1:5432/postgres
 *
 * Creates a throw-away database (patron_bench_<random>) on that server and runs the real
 * import path (submit, then run); COPYs the file into a bare all-text table; COPYs what the
 * import stored into a second, freshly migrated database (the ceiling for any way of writing
 * it); prints the throughputs, their ratios and where the import's time goes; drops both
 * databases. It prints figures; it asserts nothing.
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
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { openPostgres, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { parseHeader, type Column } from '../src/modules/customers/import/csv-columns.ts';
import { headerName, parseRow } from '../src/modules/customers/import/csv-row.ts';
import { customerCsvFormat } from '../src/modules/customers/index.ts';
import { systemActor } from '../src/platform/actor.ts';
import { systemClock } from '../src/platform/clock.ts';
import { uuidV7Ids } from '../src/platform/ids.ts';
import { createImportRunner, type ImportFormat } from '../src/platform/imports/import-runner.ts';
import { watchBackendCpu } from './backend-cpu.ts';
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
  // Each measured phase starts with no dirty pages left by the one before. CHECKPOINT needs a
  // superuser or pg_checkpoint; without either the phases just start less clean.
  await sql`checkpoint`.execute(database.db).catch(() => undefined);
}

async function runImport(database: Database, file: string, dataDir: string, backendCpu: ReturnType<typeof watchBackendCpu>) {
  const timer = queryTimer();
  // The app's wiring (src/app.ts), with every statement timed.
  const deps = { db: database.db.withPlugin(timer.plugin), clock: systemClock, ids: uuidV7Ids };
  const imports = createImportRunner({
    ...deps,
    formats: { customers: customerCsvFormat({ ...deps, phoneRegion: PHONE_REGION }) as ImportFormat<unknown> },
    dataDir,
    ...(batchSize ? { batchSize } : {}),
  });
  const submitted = await timed(() =>
    imports.submit('customers', fs.createReadStream(file), path.basename(file), systemActor, Number.MAX_SAFE_INTEGER),
  );
  const id = submitted.value.job.id;
  const started = performance.now();
  const progress = setInterval(() => {
    void imports.get(id, 0).then((job) => {
      const elapsed = performance.now() - started;
      process.stderr.write(`  … ${fmt(job.rowsDone + job.rowsFailed)} rows in ${secs(elapsed)} (${fmt(perSecond(job.rowsDone + job.rowsFailed, elapsed))} rows/s)\n`);
    });
  }, 10_000);
  const statementsBefore = timer.totalMs();
  const cpuBefore = process.cpuUsage();
  await backendCpu.start();
  const ran = await timed(() => imports.run(id)).finally(() => clearInterval(progress));
  const cpu = process.cpuUsage(cpuBefore);
  const postgresCpuMs = await backendCpu.stop();
  return { submitMs: submitted.ms, runMs: ran.ms, job: ran.value, timer, statementsBefore, nodeCpuMs: (cpu.user + cpu.system) / 1000, postgresCpuMs };
}

async function runCopy(url: string, file: string, backendCpu: ReturnType<typeof watchBackendCpu>): Promise<{ ms: number; rows: number; postgresCpuMs: number | null }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const table = 'bench_copy_customers';
    const columns = customerCsvColumns.map((name) => `"${name}" text`).join(', ');
    await client.query(`drop table if exists ${table}; create table ${table} (${columns})`);
    await backendCpu.start();
    const start = performance.now();
    const stream = client.query(copyFrom(`copy ${table} from stdin (format csv, header true)`));
    await pipeline(fs.createReadStream(file), stream);
    const ms = performance.now() - start;
    return { ms, rows: stream.rowCount, postgresCpuMs: await backendCpu.stop() };
  } finally {
    await client.end();
  }
}

// What the import wrote, in the order foreign keys need; outbox ids come from the identity column.
const writtenTables = [
  { table: 'customers', columns: '*' },
  { table: 'customer_identifiers', columns: '*' },
  { table: 'consent_events', columns: '*' },
  { table: 'outbox_events', columns: '(event_id, type, customer_id, payload, occurred_at, published_at)' },
] as const;

/**
 * The floor for any way of writing the import's result: the rows it stored, COPYed (binary)
 * into a second, freshly migrated database with the same indexes, constraints and foreign keys.
 */
async function runCeiling(sourceUrl: string, targetUrl: string, dir: string): Promise<{ ms: number; perTable: Array<{ table: string; rows: number; ms: number }> }> {
  const source = new pg.Client({ connectionString: sourceUrl });
  const target = new pg.Client({ connectionString: targetUrl });
  await source.connect();
  await target.connect();
  try {
    const perTable: Array<{ table: string; rows: number; ms: number }> = [];
    for (const { table, columns } of writtenTables) {
      const list = columns === '*' ? '' : ` ${columns}`;
      const dump = path.join(dir, `${table}.copy`);
      await pipeline(source.query(copyTo(`copy ${table}${list} to stdout (format binary)`)), fs.createWriteStream(dump));
      await target.query('checkpoint').catch(() => undefined);
      const start = performance.now();
      const stream = target.query(copyFrom(`copy ${table}${list} from stdin (format binary)`));
      await pipeline(fs.createReadStream(dump), stream);
      perTable.push({ table, rows: stream.rowCount, ms: performance.now() - start });
      fs.rmSync(dump);
    }
    return { ms: perTable.reduce((sum, t) => sum + t.ms, 0), perTable };
  } finally {
    await source.end();
    await target.end();
  }
}

/** The import's reading side alone: csv-parse by itself, then the customer format's read() (csv-parse, parseRow). */
async function runParseOnly(database: Database, file: string) {
  const sample: string[][] = [];
  const csvOnly = await timed(async () => {
    const parser = fs.createReadStream(file).pipe(parse({ bom: true, info: true, skip_empty_lines: true, skip_records_with_error: true }));
    let count = 0;
    for await (const { record } of parser as AsyncIterable<{ record: string[] }>) {
      if (count++ <= 100_000) sample.push(record);
    }
    return count;
  });
  const format = customerCsvFormat({ db: database.db, clock: systemClock, ids: uuidV7Ids, phoneRegion: PHONE_REGION });
  const withRows = await timed(async () => {
    let good = 0;
    let bad = 0;
    for await (const record of format.read(fs.createReadStream(file), {})) {
      if ('row' in record) good++;
      else bad++;
    }
    return { good, bad };
  });
  const header = parseHeader(sample.shift() ?? [], new Map());
  if ('problem' in header) throw new Error(header.problem);
  const columns = header.columns;
  // Per column, on a sample held in memory: parseRow given that one column (run twice, the
  // first to warm up); an always-empty column gives parseRow's own fixed cost.
  const today = systemClock.now();
  const usPerRow = (column: Column, cellOf: (cells: string[]) => string) => {
    let ms = 0;
    for (let pass = 0; pass < 2; pass++) {
      const start = performance.now();
      for (const cells of sample) parseRow(2, [cellOf(cells)], [column], PHONE_REGION, today);
      ms = performance.now() - start;
    }
    return (ms * 1000) / sample.length;
  };
  const emptyCellUs = usPerRow({ kind: 'city' }, () => '');
  const perColumn = columns.map((column, index) => ({ name: headerName(column), usPerRow: usPerRow(column, (cells) => cells[index] ?? '') }));
  return { csvMs: csvOnly.ms, parseMs: withRows.ms, outcome: withRows.value, perColumn, emptyCellUs };
}

async function main(url: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-bench-'));
  const file = path.join(dir, `customers-${rows}.csv`);
  const admin = new pg.Client({ connectionString: url });
  const name = `patron_bench_${randomBytes(4).toString('hex')}`;
  let database: Database | null = null;
  let ceilingCreated = false;
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
    const imported = await runImport(database, file, dir, watchBackendCpu(admin, name));
    const { job } = imported;
    const importRate = perSecond(rows, imported.runMs);
    say("Import (createImportRunner with the customers format, as src/app.ts wires it: submit, then run)");
    say(`  submit (store the upload, hash, check the header): ${secs(imported.submitMs)}`);
    say(`  run: ${secs(imported.runMs)}  →  ${fmt(importRate)} rows/s   (submit + run: ${fmt(perSecond(rows, imported.submitMs + imported.runMs))} rows/s)`);
    const cpuTotal = imported.nodeCpuMs + (imported.postgresCpuMs ?? 0);
    say(
      `  CPU: Node ${secs(imported.nodeCpuMs)}, PostgreSQL ${imported.postgresCpuMs === null ? 'n/a (server not on this machine)' : secs(imported.postgresCpuMs)}` +
        `  →  ${((cpuTotal * 1000) / rows).toFixed(0)} µs per row${imported.postgresCpuMs === null ? ' in Node' : ''} (less sensitive to a busy machine than rows/s)`,
    );
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
    const copied = await runCopy(benchUrl.toString(), file, watchBackendCpu(admin, name));
    const copyRate = perSecond(copied.rows, copied.ms);
    say('COPY ... FROM STDIN (FORMAT csv, HEADER true) into an all-text table without indexes');
    say(`  ${fmt(copied.rows)} rows in ${secs(copied.ms)}  →  ${fmt(copyRate)} rows/s`);
    if (copied.postgresCpuMs !== null) say(`  CPU: PostgreSQL ${secs(copied.postgresCpuMs)}  →  ${((copied.postgresCpuMs * 1000) / rows).toFixed(1)} µs per row`);
    say();

    await admin.query(`create database ${name}_ceiling`);
    ceilingCreated = true;
    const ceilingUrl = new URL(url);
    ceilingUrl.pathname = `/${name}_ceiling`;
    const ceilingDb = await openPostgres(ceilingUrl.toString(), 1);
    await migrate(ceilingDb).finally(() => ceilingDb.close());
    const ceiling = await runCeiling(benchUrl.toString(), ceilingUrl.toString(), dir);
    const ceilingRate = perSecond(rows, ceiling.ms);
    say('Ceiling: the rows the import stored, COPYed (binary) into freshly migrated tables (indexes, constraints, foreign keys)');
    say(`  ${ceiling.perTable.map((t) => `${t.table} ${fmt(t.rows)} in ${secs(t.ms)}`).join('; ')}`);
    say(`  ${secs(ceiling.ms)}  →  ${fmt(ceilingRate)} CSV rows/s (${((ceilingRate / copyRate) * 100).toFixed(1)} % of the plain COPY)`);
    say();

    const ratio = importRate / copyRate;
    say(`Import / COPY:    ${(ratio * 100).toFixed(1)} %   (goal ≥ ${GOAL * 100} %: ${ratio >= GOAL ? 'met' : `not met; ${fmt(GOAL * copyRate)} rows/s needed`})`);
    say(`Import / ceiling: ${((importRate / ceilingRate) * 100).toFixed(1)} %`);
    say();

    const parsed = await runParseOnly(database, file);
    const sqlMs = imported.timer.totalMs() - imported.statementsBefore;
    const batch = batchSize ?? 2000;
    const normaliseMs = parsed.parseMs - parsed.csvMs;
    const perRow = (ms: number) => `${((ms * 1000) / rows).toFixed(1)} µs/row`;
    const line = (label: string, ms: number, note = '') => say(`  ${label.padEnd(48)} ${secs(ms).padStart(9)}  ${pct(ms, imported.runMs).padStart(5)}  ${perRow(ms)}${note}`);
    say(`Where the import's ${secs(imported.runMs)} go (batches run one after another: Node waits while PostgreSQL works)`);
    line('Node CPU', imported.nodeCpuMs);
    if (imported.postgresCpuMs !== null) line('PostgreSQL CPU (client backends)', imported.postgresCpuMs);
    say('  Node, measured apart on the same file:');
    line('  csv-parse (for await, info: true)', parsed.csvMs);
    line("  the format's read() beyond csv-parse (parseRow)", normaliseMs, `  (${fmt(parsed.outcome.good)} rows good, ${fmt(parsed.outcome.bad)} refused)`);
    line('  the rest: batch arrays, ids, pg driver, GC', imported.nodeCpuMs - parsed.parseMs);
    line('SQL statements, compile to parsed result', sqlMs, `  (${(sqlMs / Math.ceil(rows / batch)).toFixed(0)} ms per batch of ${batch})`);
    for (const [label, stat] of [...imported.timer.stats.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
      if (stat.ms >= imported.runMs / 1000) line(`  ${label} (${stat.count}×)`, stat.ms);
    }
    say(`  parseRow given one column, µs per row (an empty cell: ${parsed.emptyCellUs.toFixed(2)}; sample of ${fmt(Math.min(rows, 100_000))} rows):`);
    for (const column of parsed.perColumn.sort((a, b) => b.usPerRow - a.usPerRow)) {
      say(`    ${column.name.padEnd(26)} ${column.usPerRow.toFixed(2).padStart(7)}`);
    }
  } finally {
    await database?.close();
    for (const db of ceilingCreated ? [name, `${name}_ceiling`] : [name]) {
      await admin.query(`drop database if exists ${db} with (force)`).catch((error: Error) => process.stderr.write(`could not drop ${db}: ${error.message}\n`));
    }
    await admin.end().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function pct(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(0)} %`;
}

await main(serverUrl);
