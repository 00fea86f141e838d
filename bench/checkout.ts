/**
 * Two-phase checkout under load, against Patron's real HTTP server in a child process.
 *
 *   npx tsx bench/checkout.ts --customers 50000 --receipts 500000 --database-url postgres://postgres@127.0.0.1:5432/postgres
 *   npx tsx bench/checkout.ts --database patron_loyalty_big --database-url postgres://…   # data generated before
 *
 * On PostgreSQL: generates the loyalty data (bench/generate/loyalty-data.ts) unless --database
 * names a database that holds it, starts `node bin/patron.mjs serve` on 127.0.0.1, creates a
 * pos key, puts ten earning rules and three tiers, then from this process: calculate of
 * ten-line receipts in an open loop at a fixed rate, and confirm in closed loops of rising
 * concurrency. Then the same confirm loop on PGlite (a smaller data set written with the
 * same SQL before the server starts), calculate and confirm timed statement by statement in
 * this process, and pgbench on the same PostgreSQL server for scale. Prints figures against
 * the goals; asserts nothing. Every loop stops after its time or request count.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPgliteDir, openPostgres, pgliteOptions, wrapPglite, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { watchBackendCpu } from './backend-cpu.ts';
import { assignTiers, benchRules, benchTiers, calculateBodies, confirmSource, loadWorkload, resetTiers, timeCheckoutInProcess, type PhaseTiming, type Workload } from './checkout-workload.ts';
import { summarizeCpuProfile } from './cpu-profile.ts';
import { createLoyaltyDatabase, dropDatabase, generateLoyaltyData, pgliteRunner, pgRunner, printReport, type SqlRunner } from './generate/loyalty-data.ts';
import { closedLoop, describeFailures, httpClient, openLoop, type ClosedLoopResult, type HttpClient, type Latencies } from './http-load.ts';
import { startPatronServer, type PatronServer } from './patron-server.ts';

const GOALS = { calculateP99Ms: 10, calculateRate: 500, postgresConfirms: 1_000, pgliteConfirms: 300 };

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string', default: process.env.DATABASE_URL },
    database: { type: 'string' },
    customers: { type: 'string', default: '1000000' },
    receipts: { type: 'string', default: '10000000' },
    'calculate-rate': { type: 'string', default: String(GOALS.calculateRate) },
    'calculate-seconds': { type: 'string', default: '30' },
    'confirm-seconds': { type: 'string', default: '10' },
    levels: { type: 'string', default: '1,2,4,8,16,32,64' },
    'pglite-customers': { type: 'string', default: '20000' },
    'pglite-receipts': { type: 'string', default: '200000' },
    'pglite-levels': { type: 'string', default: '1,4,16' },
    'pgbench-seconds': { type: 'string', default: '30' },
    'pgbench-clients': { type: 'string', default: '4,16' },
    'in-process-count': { type: 'string', default: '300' },
    'log-level': { type: 'string', default: 'warn' },
    'cpu-prof': { type: 'boolean', default: false },
    'skip-pglite': { type: 'boolean', default: false },
    'skip-pgbench': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
const whole = (name: keyof typeof args, min = 1) => {
  const n = Number(String(args[name]).replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be a whole number of at least ${min}`);
  return n;
};
const list = (name: keyof typeof args) =>
  String(args[name])
    .split(',')
    .map((part) => {
      const n = Number(part);
      if (!Number.isInteger(n) || n < 1) fail(`--${name}: whole numbers separated by commas`);
      return n;
    });
const serverUrl = args['database-url'] ?? fail('--database-url postgres://user@host:port/db is required (or DATABASE_URL)');
const settings = {
  customers: whole('customers'),
  receipts: whole('receipts', 0),
  calculateRate: whole('calculate-rate'),
  calculateSeconds: whole('calculate-seconds'),
  confirmSeconds: whole('confirm-seconds'),
  levels: list('levels'),
  pgliteCustomers: whole('pglite-customers'),
  pgliteReceipts: whole('pglite-receipts', 0),
  pgliteLevels: list('pglite-levels'),
  pgbenchSeconds: whole('pgbench-seconds'),
  pgbenchClients: list('pgbench-clients'),
  inProcessCount: whole('in-process-count'),
};
// The server under test listens on 127.0.0.1; its database must be on this machine too.
if (!['127.0.0.1', 'localhost', '[::1]'].includes(new URL(serverUrl).hostname)) fail('loopback only: use a PostgreSQL server on 127.0.0.1');

const say = (line = '') => process.stdout.write(`${line}\n`);
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
const ms = (n: number) => `${fmt(n, n < 10 ? 2 : 1)} ms`;
const lat = (l: Latencies) => `p50 ${ms(l.p50)}, p90 ${ms(l.p90)}, p99 ${ms(l.p99)}, max ${ms(l.max)}`;
const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

type CpuReading = { serverMs: number | null; postgresMs: number | null; benchMs: number };

/** CPU of the server process, the PostgreSQL backends of its database and this process, over one phase. */
async function withCpu<T>(server: PatronServer, admin: pg.Client | null, database: string | null, work: () => Promise<T>): Promise<{ value: T; cpu: CpuReading }> {
  const backends = admin && database ? watchBackendCpu(admin, database) : null;
  await backends?.start();
  const serverBefore = server.cpuMs();
  const benchBefore = process.cpuUsage();
  const value = await work();
  const bench = process.cpuUsage(benchBefore);
  const serverAfter = server.cpuMs();
  const postgresMs = (await backends?.stop()) ?? null;
  return { value, cpu: { serverMs: serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore, postgresMs, benchMs: (bench.user + bench.system) / 1000 } };
}

function cpuLine(cpu: CpuReading, requests: number): string {
  const per = (value: number | null) => (value === null ? 'n/a' : `${fmt(value / Math.max(1, requests), 2)} ms`);
  return `CPU per answered request: server ${per(cpu.serverMs)}, PostgreSQL backends ${per(cpu.postgresMs)}, load generator ${per(cpu.benchMs)}`;
}

/** A pos key, the rules and the tiers, put once the start-up jobs are done; then waits for quiet again. */
async function configure(client: HttpClient, server: PatronServer): Promise<string> {
  const waited = await server.settle();
  if (waited > 3_000) say(`  (the server's start-up jobs took ${fmt(waited / 1000, 1)} s)`);
  const created = await client.post('/v1/api-keys', JSON.stringify({ name: 'bench till', role: 'pos' }), server.adminKey);
  if (created.status !== 201) throw new Error(`creating a pos key: ${created.status} ${created.body}`);
  const put = async (url: string, body: unknown) => {
    const reply = await client.put(url, JSON.stringify(body), server.adminKey);
    if (reply.status !== 200) throw new Error(`PUT ${url}: ${reply.status} ${reply.body}`);
  };
  await put('/v1/earning-rules', benchRules);
  await put('/v1/tiers', benchTiers);
  await server.settle();
  return (JSON.parse(created.body) as { secret: string }).secret;
}

async function confirmLevels(client: HttpClient, posKey: string, workload: Workload, levels: number[], seconds: number, runId: string, cpu: (work: () => Promise<ClosedLoopResult>) => Promise<{ value: ClosedLoopResult; cpu: CpuReading }>) {
  const source = confirmSource(workload, runId);
  const send = async () => {
    const { input, customer, asked } = source.next();
    const reply = await client.post('/v1/checkout/confirm', JSON.stringify(input), posKey).catch(() => ({ status: 0, body: '' }));
    const redeemed = asked > 0 && reply.status === 201 ? (JSON.parse(reply.body) as { pointsRedeemed: number }).pointsRedeemed : 0;
    source.settle(customer, asked, redeemed);
    return { status: reply.status };
  };
  const results: Array<{ result: ClosedLoopResult; cpu: CpuReading }> = [];
  say(`  ${'clients'.padStart(7)} ${'confirms/s'.padStart(11)} ${'p50'.padStart(10)} ${'p99'.padStart(10)} ${'max'.padStart(10)}  failures; CPU per confirm (server / PostgreSQL / load generator)`);
  for (const concurrency of levels) {
    const { value: result, cpu: reading } = await cpu(() => closedLoop({ concurrency, seconds, warmupSeconds: 1, maxRequests: 200_000, send }));
    results.push({ result, cpu: reading });
    const per = (v: number | null) => (v === null ? 'n/a' : fmt(v / Math.max(1, result.ok), 2));
    say(
      `  ${String(concurrency).padStart(7)} ${fmt(result.perSecond).padStart(11)} ${ms(result.latency.p50).padStart(10)} ${ms(result.latency.p99).padStart(10)} ${ms(result.latency.max).padStart(10)}  ` +
        `${describeFailures(result.failed)}; ${per(reading.serverMs)} / ${per(reading.postgresMs)} / ${per(reading.benchMs)} ms`,
    );
  }
  return results;
}

function printInProcess(timings: PhaseTiming[]): void {
  for (const phase of timings) {
    say(`  ${phase.name}: mean ${ms(phase.wall.mean)} (p50 ${ms(phase.wall.p50)}, p99 ${ms(phase.wall.p99)}) over ${phase.ops}; Node CPU ${ms(phase.cpuMsPerOp)} each`);
    say(`    ${fmt(phase.statementsPerOp, 1)} SQL statements${phase.name.startsWith('confirm') ? ' (+ BEGIN, COMMIT)' : ''}, ${ms(phase.sqlMsPerOp)} summed from compile to result (calculate runs some at once, so the sum can pass the wall time)`);
    for (const statement of phase.statements.slice(0, 12)) {
      say(`      ${statement.label.padEnd(40)} ${fmt(statement.perOp, 2).padStart(6)} × ${ms(statement.msPerOp / statement.perOp).padStart(9)} = ${ms(statement.msPerOp).padStart(9)}`);
    }
  }
}

type PgbenchRun = { mode: string; clients: number; tps: number; latencyMs: number };

async function pgbench(argv: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('pgbench', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (code === 0) resolve(output);
      else reject(new Error(`pgbench ${argv.join(' ')} exited with ${code}: ${output.slice(-500)}`));
    });
  });
}

async function runPgbench(admin: pg.Client): Promise<PgbenchRun[]> {
  const name = `patron_pgbench_${randomBytes(4).toString('hex')}`;
  await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const runs: PgbenchRun[] = [];
  try {
    const started = performance.now();
    await pgbench(['-i', '-s', '10', '-q', url.toString()], 600_000);
    say(`  pgbench -i -s 10 (1,000,000 accounts) in ${fmt((performance.now() - started) / 1000, 1)} s`);
    for (const [mode, flags] of [['select-only (-S)', ['-S']], ['tpcb-like (default)', []]] as const) {
      for (const clients of settings.pgbenchClients) {
        const output = await pgbench([...flags, '-c', String(clients), '-j', String(Math.min(clients, os.cpus().length)), '-T', String(settings.pgbenchSeconds), url.toString()], (settings.pgbenchSeconds + 120) * 1000);
        const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? NaN);
        const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(output)?.[1] ?? NaN);
        runs.push({ mode, clients, tps, latencyMs });
        say(`  ${mode.padEnd(20)} ${String(clients).padStart(3)} clients: ${fmt(tps).padStart(8)} TPS, latency average ${ms(latencyMs)}`);
      }
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
  }
  return runs;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-checkout-'));
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version;
  say(`Checkout benchmark — Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; PostgreSQL ${version}`);
  const runId = randomBytes(3).toString('hex');
  let generated: string | null = null;
  const summary: { calculate?: { p99: number; rps: number }; postgres?: number; pglite?: number; pgbench?: PgbenchRun[]; inProcess?: PhaseTiming[] } = {};
  try {
    // Data on PostgreSQL.
    let dbName = args.database ?? null;
    if (!dbName) {
      say(`\nGenerating ${fmt(settings.customers)} customers and ${fmt(settings.receipts)} receipts (bench/generate/loyalty-data.ts)`);
      const created = await createLoyaltyDatabase(serverUrl, { customers: settings.customers, receipts: settings.receipts }, say);
      printReport(created.report, say);
      dbName = created.name;
      generated = created.name;
    }
    const dbUrl = new URL(serverUrl);
    dbUrl.pathname = `/${dbName}`;
    const data = new pg.Client({ connectionString: dbUrl.toString() });
    await data.connect();
    const run: SqlRunner = pgRunner(data);
    const counted = (await run(`select (select count(*) from customers) as c, (select count(*) from receipts) as r, pg_size_pretty(pg_database_size(current_database())) as size`)).rows[0]!;
    say(`\nPostgreSQL database ${dbName}: ${fmt(Number(counted.c))} customers, ${fmt(Number(counted.r))} receipts, ${counted.size}`);
    const tiersAt = performance.now();
    await resetTiers(run);
    const tiered = await assignTiers(run);
    const workload = await loadWorkload(run);
    await data.end();
    say(`  tiers by spend for ${fmt(tiered)} customers (${fmt((performance.now() - tiersAt) / 1000, 1)} s); ${fmt(workload.customers.length)} customers sampled by how often they shop`);

    // The real server on PostgreSQL.
    const profileDir = args['cpu-prof'] ? path.join(tmp, 'profile-postgres') : undefined;
    const server = await startPatronServer({ databaseUrl: dbUrl.toString(), dataDir: path.join(tmp, 'postgres'), logLevel: args['log-level'], ...(profileDir ? { cpuProfileDir: profileDir } : {}) });
    const client = httpClient(server.port);
    try {
      const posKey = await configure(client, server);
      say(`  server pid ${server.pid} on 127.0.0.1:${server.port} (log level ${args['log-level']}); pos key created; 10 earning rules and 3 tiers put`);
      const bodies = calculateBodies(workload, 5_000);
      const calc = (i: number) => client.post('/v1/checkout/calculate', bodies[i % bodies.length]!, posKey).then((r) => ({ status: r.status }));
      await closedLoop({ concurrency: 4, seconds: 5, maxRequests: 3_000, send: (_w, i) => calc(i + 7) });

      say(`\nPOST /v1/checkout/calculate, open loop at ${fmt(settings.calculateRate)} requests/s for ${settings.calculateSeconds} s (ten lines, a known customer by phone or card)`);
      const calculated = await withCpu(server, admin, dbName, () => openLoop({ rate: settings.calculateRate, seconds: settings.calculateSeconds, send: calc }));
      const c = calculated.value;
      say(`  ${fmt(c.ok)} answered 200 of ${fmt(c.scheduled)} scheduled; failures ${describeFailures(c.failed)}; not sent (over 1,000 waiting) ${fmt(c.skipped)}`);
      say(`  achieved ${fmt(c.achievedPerSecond, 1)} requests/s`);
      say(`  latency from when each request was due: ${lat(c.latency)}`);
      say(`  latency from when it was sent:          ${lat(c.service)}`);
      say(`  ${cpuLine(calculated.cpu, c.ok)}`);
      say(`  goal: p99 ≤ ${GOALS.calculateP99Ms} ms at ${GOALS.calculateRate}/s: ${verdict(c.latency.p99 <= GOALS.calculateP99Ms && settings.calculateRate >= GOALS.calculateRate && c.skipped === 0 && c.failed.size === 0)}`);
      summary.calculate = { p99: c.latency.p99, rps: c.achievedPerSecond };

      say(`\nPOST /v1/checkout/confirm on PostgreSQL, closed loop, ${settings.confirmSeconds} s a level (unique posReceiptId; ~20 % redeem points)`);
      const levels = await confirmLevels(client, posKey, workload, settings.levels, settings.confirmSeconds, `pg-${runId}`, (work) => withCpu(server, admin, dbName, work));
      const best = levels.reduce((a, b) => (b.result.perSecond > a.result.perSecond ? b : a));
      summary.postgres = best.result.perSecond;
      say(`  best: ${fmt(best.result.perSecond)} confirms/s at ${best.result.concurrency} clients; goal ≥ ${fmt(GOALS.postgresConfirms)}/s: ${verdict(best.result.perSecond >= GOALS.postgresConfirms)}`);
    } finally {
      client.close();
      await server.stop();
    }
    if (profileDir) printProfile(profileDir, 'the PostgreSQL server');

    say(`\nWhere the time goes on PostgreSQL: one request at a time in this process, every SQL statement timed (${settings.inProcessCount} each)`);
    const pgDatabase = await openPostgres(dbUrl.toString());
    try {
      summary.inProcess = await timeCheckoutInProcess(pgDatabase, workload, { count: settings.inProcessCount, dataDir: path.join(tmp, 'in-process') });
      printInProcess(summary.inProcess);
    } finally {
      await pgDatabase.close();
    }

    if (!args['skip-pglite']) summary.pglite = await pgliteRun(tmp, runId);
    if (!args['skip-pgbench']) {
      say(`\npgbench on the same PostgreSQL server (scratch database, ${settings.pgbenchSeconds} s a run)`);
      summary.pgbench = await runPgbench(admin);
    }

    say(`\nSummary (load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}: other work shares these ${os.cpus().length} CPUs)`);
    if (summary.calculate) say(`  calculate p99 at ${fmt(settings.calculateRate)}/s: ${ms(summary.calculate.p99)} (goal ≤ ${GOALS.calculateP99Ms} ms: ${verdict(summary.calculate.p99 <= GOALS.calculateP99Ms)})`);
    if (summary.postgres !== undefined) say(`  confirms/s on PostgreSQL: ${fmt(summary.postgres)} (goal ≥ ${fmt(GOALS.postgresConfirms)}: ${verdict(summary.postgres >= GOALS.postgresConfirms)})`);
    if (summary.pglite !== undefined) say(`  confirms/s on PGlite: ${fmt(summary.pglite)} (goal ≥ ${GOALS.pgliteConfirms}: ${verdict(summary.pglite >= GOALS.pgliteConfirms)})`);
    const confirm = summary.inProcess?.find((p) => p.name.startsWith('confirm, service'));
    for (const r of summary.pgbench ?? []) {
      say(`  pgbench ${r.mode}, ${r.clients} clients: ${fmt(r.tps)} TPS${r.mode.startsWith('tpcb') && confirm ? ` (5 statements a transaction; a confirm is ${fmt(confirm.statementsPerOp, 0)})` : ''}`);
    }
  } finally {
    if (generated && !args.keep) await dropDatabase(serverUrl, generated).catch((error: Error) => say(`could not drop ${generated}: ${error.message}`));
    else if (generated) say(`kept database ${generated}`);
    await admin.end().catch(() => undefined);
    if (!args.keep) fs.rmSync(tmp, { recursive: true, force: true });
    else say(`kept ${tmp}`);
  }
}

function printProfile(dir: string, what: string): void {
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    say(`  (no CPU profile was written for ${what})`);
    return;
  }
  const profile = summarizeCpuProfile(path.join(dir, file), 15);
  say(`\nCPU profile of ${what} (whole run, idle excluded): ${fmt(profile.busyMs / 1000, 1)} s busy`);
  say('  by where the code lives:');
  for (const row of profile.byPlace) say(`    ${row.name.padEnd(48)} ${fmt(row.ms).padStart(8)} ms ${fmt((100 * row.ms) / profile.busyMs, 1).padStart(5)} %`);
  say('  by function (self time):');
  for (const row of profile.byFunction) say(`    ${row.name.slice(0, 90).padEnd(90)} ${fmt(row.ms).padStart(8)} ms`);
}

/** PGlite: the data is written by this process before the server opens the directory (one process at a time). */
async function pgliteRun(tmp: string, runId: string): Promise<number> {
  const dir = path.join(tmp, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  say(`\nPGlite: generating ${fmt(settings.pgliteCustomers)} customers and ${fmt(settings.pgliteReceipts)} receipts into ${dir}`);
  const pglite = await PGlite.create(path.join(dir, 'pglite'), pgliteOptions());
  const setup = wrapPglite(pglite);
  let workload: Workload;
  try {
    await migrate(setup);
    const run = pgliteRunner(pglite);
    const report = await generateLoyaltyData(run, { customers: settings.pgliteCustomers, receipts: settings.pgliteReceipts, memory: 'small' });
    printReport(report, say);
    await assignTiers(run);
    workload = await loadWorkload(run);
  } finally {
    await setup.close();
  }
  const profileDir = args['cpu-prof'] ? path.join(tmp, 'profile-pglite') : undefined;
  const server = await startPatronServer({ dataDir: dir, logLevel: args['log-level'], ...(profileDir ? { cpuProfileDir: profileDir } : {}) });
  const client = httpClient(server.port);
  let best: number;
  try {
    const posKey = await configure(client, server);
    const bodies = calculateBodies(workload, 2_000);
    const calc = (i: number) => client.post('/v1/checkout/calculate', bodies[i % bodies.length]!, posKey).then((r) => ({ status: r.status }));
    await closedLoop({ concurrency: 2, seconds: 3, maxRequests: 1_000, send: (_w, i) => calc(i) });
    const calculated = await closedLoop({ concurrency: 1, seconds: 5, maxRequests: 20_000, send: (_w, i) => calc(i + 11) });
    say(`  server pid ${server.pid} on 127.0.0.1:${server.port}; calculate one at a time: ${fmt(calculated.perSecond)}/s, ${lat(calculated.latency)}`);
    say(`POST /v1/checkout/confirm on PGlite, closed loop, ${settings.confirmSeconds} s a level`);
    const levels = await confirmLevels(client, posKey, workload, settings.pgliteLevels, settings.confirmSeconds, `pglite-${runId}`, (work) => withCpu(server, null, null, work));
    best = Math.max(...levels.map((l) => l.result.perSecond));
    say(`  best: ${fmt(best)} confirms/s; goal ≥ ${GOALS.pgliteConfirms}/s: ${verdict(best >= GOALS.pgliteConfirms)}`);
  } finally {
    client.close();
    await server.stop();
  }
  if (profileDir) printProfile(profileDir, 'the PGlite server');
  say(`\nWhere the time goes on PGlite (in this process, ${settings.inProcessCount} each)`);
  const database: Database = await openPgliteDir(dir);
  try {
    printInProcess(await timeCheckoutInProcess(database, workload, { count: settings.inProcessCount, dataDir: path.join(tmp, 'in-process-pglite') }));
  } finally {
    await database.close();
  }
  return best;
}

await main();
