import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openPostgres } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLoyaltyDatabase, dropDatabase, pgRunner, printReport } from '../generate/loyalty-data.ts';
import { assignTiers, benchRules, benchTiers, calculateBodies, loadWorkload, resetTiers, type Workload } from './checkout-workload.ts';
import { summarizeCpuProfile } from './cpu-profile.ts';
import { closedLoop, httpClient, type HttpClient } from './http-load.ts';
import { startPatronServer, type PatronServer } from './patron-server.ts';
import { pgbenchReference, type PgbenchReference } from './pgbench.ts';
import { fmt } from './report.ts';
import { peakRssDuring, rssMbOf } from './rss.ts';
import type { Scale } from './scale.ts';

/**
 * What every scenario gets: the scale, the PostgreSQL server, a scratch directory, and the
 * resources several scenarios share, each made on first use and cleaned up at the end: the
 * loyalty database (generated, or reused by name), Patron's server on it (configured, warmed
 * up), and pgbench's scratch database.
 */
export type BenchOptions = {
  scale: Scale;
  /** The PostgreSQL server (DATABASE_URL); the harness creates and drops its own databases on it. */
  serverUrl: string;
  /** Reuse this loyalty database, or generate into it and keep it. */
  database?: string;
  /** Keep what the run generated (databases, the scratch directory with server logs). */
  keep: boolean;
  cpuProf: boolean;
  breakdown: boolean;
  logLevel: string;
};

export type LoyaltyDatabase = { name: string; url: string; reused: boolean; kept: boolean };
export type LoyaltyData = LoyaltyDatabase & { customers: number; receipts: number; size: string; workload: Workload };

/** Patron's server on the loyalty database, configured as a retailer would be (ten earning rules, three tiers). */
export type SharedServer = {
  server: PatronServer;
  client: HttpClient;
  posKey: string;
  database: string;
  data: LoyaltyData;
  /** RSS right after start-up and configuration, before any load. */
  idleRssMb: number | null;
  /** Ten-line calculate bodies, made ahead so the load generator spends its time sending. */
  calculateBody(index: number): string;
};

/** The marker a completed generation leaves on its database, so a half-generated one is never reused. */
type GenerationMarker = { patronBench: 1; customers: number; receipts: number; seed: number; generatedAt: string };

const scratchRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '.scratch');

function parseMarker(comment: string | null | undefined): GenerationMarker | null {
  try {
    return comment ? (JSON.parse(comment) as GenerationMarker) : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createContext(options: BenchOptions) {
  const { scale } = options;
  // In the repository (git-ignored), not the system's temp directory: other tools sweep that, and the
  // full-scale files are large.
  fs.mkdirSync(scratchRoot, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(scratchRoot, 'run-'));
  const runId = randomBytes(3).toString('hex');
  const say = (line = '') => process.stdout.write(`${line}\n`);
  const admin = new pg.Client({ connectionString: options.serverUrl });
  const cleanups: Array<{ what: string; run: () => Promise<void> }> = [];
  const servers = new Set<PatronServer>();
  const details: Record<string, unknown> = {};
  const rssPeaks: Array<{ label: string; peakMb: number | null }> = [];
  // Set by cleanup: nothing new is created after it (^C cleans up while a scenario is still running).
  let closed = false;

  const urlFor = (name: string) => {
    const url = new URL(options.serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const exists = async (name: string) => (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;

  /** A database for one scenario, dropped at the end unless --keep. */
  const scratchDatabase = async (prefix: string, migrated = false): Promise<{ name: string; url: string }> => {
    if (closed) throw new Error('the run is being stopped');
    const name = `${prefix}_${runId}_${randomBytes(2).toString('hex')}`;
    await admin.query(`create database ${name}`);
    cleanups.push({ what: `drop database ${name}`, run: () => (options.keep ? Promise.resolve() : dropDatabase(options.serverUrl, name)) });
    if (migrated) {
      const database = await openPostgres(urlFor(name), 1);
      await migrate(database).finally(() => database.close());
    }
    return { name, url: urlFor(name) };
  };

  let loyaltyDatabase: Promise<LoyaltyDatabase> | null = null;
  /** The loyalty database at this scale: reused by --database when it holds a completed generation, generated otherwise. */
  const ensureLoyaltyDatabase = () =>
    (loyaltyDatabase ??= (async () => {
      const name = options.database ?? `patron_bench_${scale.name}_${runId}`;
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error('--database: lower-case letters, digits and _ (at most 63)');
      const kept = options.database !== undefined || options.keep;
      if (await exists(name)) {
        const comment = (await admin.query<{ c: string | null }>(`select shobj_description(oid, 'pg_database') as c from pg_database where datname = $1`, [name])).rows[0]?.c;
        const marker = parseMarker(comment);
        if (marker?.patronBench !== 1) {
          throw new Error(`database ${name} exists but holds no completed benchmark generation (an interrupted one?): drop it or name another`);
        }
        say(`Reusing database ${name}: ${fmt(marker.customers)} customers, ${fmt(marker.receipts)} receipts, generated ${marker.generatedAt}`);
        if (marker.customers !== scale.customers || marker.receipts !== scale.receipts) {
          say(`  (note: --scale ${scale.name} would generate ${fmt(scale.customers)} customers / ${fmt(scale.receipts)} receipts; the figures are for the database as it is)`);
        }
        // The server migrates at start anyway; the harness's own SQL below needs the current schema first.
        const database = await openPostgres(urlFor(name), 1);
        const applied = await migrate(database).finally(() => database.close());
        if (applied.length > 0) say(`  migrated forward: ${applied.join(', ')}`);
        return { name, url: urlFor(name), reused: true, kept: true };
      }
      // Registered before generating, so an interrupted generation is dropped too (a kept one is refused by its missing marker).
      if (!kept) cleanups.push({ what: `drop database ${name}`, run: () => dropDatabase(options.serverUrl, name) });
      say(`Generating ${fmt(scale.customers)} customers and ${fmt(scale.receipts)} receipts into ${name} (bench/generate/loyalty-data.ts)`);
      const created = await createLoyaltyDatabase(options.serverUrl, { customers: scale.customers, receipts: scale.receipts, name }, say);
      printReport(created.report, say);
      const marker: GenerationMarker = { patronBench: 1, customers: scale.customers, receipts: scale.receipts, seed: 1, generatedAt: new Date().toISOString() };
      await admin.query(`comment on database ${name} is '${JSON.stringify(marker)}'`);
      return { name, url: created.url, reused: false, kept };
    })());

  let loyaltyData: Promise<LoyaltyData> | null = null;
  /** The loyalty database with every active customer in the tier their spend earns, and a sample of customers to send. */
  const loyalty = () =>
    (loyaltyData ??= (async () => {
      const database = await ensureLoyaltyDatabase();
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const run = pgRunner(client);
        const counted = (await run(`select (select count(*) from customers) as c, (select count(*) from receipts) as r, pg_size_pretty(pg_database_size(current_database())) as size`)).rows[0]!;
        const at = performance.now();
        await resetTiers(run);
        const tiered = await assignTiers(run);
        const workload = await loadWorkload(run);
        say(
          `Database ${database.name}: ${fmt(Number(counted.c))} customers, ${fmt(Number(counted.r))} receipts, ${String(counted.size)}; ` +
            `${tiered > 0 ? `tiers by spend for ${fmt(tiered)} customers; ` : ''}${fmt(workload.customers.length)} customers sampled by how often they shop (${fmt((performance.now() - at) / 1000, 1)} s)`,
        );
        return { ...database, customers: Number(counted.c), receipts: Number(counted.r), size: String(counted.size), workload };
      } finally {
        await client.end();
      }
    })());

  /** Patron's real server in a child process; stopped at the end if the scenario does not stop it first. */
  const startServer = async (label: string, config: { databaseUrl?: string; dataDir: string }): Promise<PatronServer> => {
    if (closed) throw new Error('the run is being stopped');
    const profileDir = options.cpuProf ? path.join(tmp, `profile-${label}`) : undefined;
    const server = await startPatronServer({ ...config, logLevel: options.logLevel, ...(profileDir ? { cpuProfileDir: profileDir } : {}) }).catch((error: Error) => {
      // The scratch directory goes at the end: show the log's last lines now.
      for (const file of fs.existsSync(config.dataDir) ? fs.readdirSync(config.dataDir).filter((f) => f.endsWith('.log')) : []) {
        say(`  last lines of ${file}:`);
        for (const line of fs.readFileSync(path.join(config.dataDir, file), 'utf8').trimEnd().split('\n').slice(-20)) say(`    ${line}`);
      }
      throw error;
    });
    servers.add(server);
    const stop = server.stop;
    server.stop = async () => {
      if (!servers.delete(server)) return;
      await stop();
      if (profileDir) printProfile(profileDir, `the ${label} server`);
    };
    return server;
  };

  const printProfile = (dir: string, what: string) => {
    const file = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : undefined;
    if (!file) return say(`  (no CPU profile was written for ${what})`);
    const profile = summarizeCpuProfile(path.join(dir, file), 15);
    say(`\nCPU profile of ${what} (whole run, idle excluded): ${fmt(profile.busyMs / 1000, 1)} s busy`);
    for (const row of profile.byPlace) say(`    ${row.name.padEnd(48)} ${fmt(row.ms).padStart(8)} ms ${fmt((100 * row.ms) / profile.busyMs, 1).padStart(5)} %`);
    say('  by function (self time):');
    for (const row of profile.byFunction) say(`    ${row.name.slice(0, 90).padEnd(90)} ${fmt(row.ms).padStart(8)} ms`);
  };

  /**
   * A pos key, the rules and the tiers, put once the start-up jobs are done; then waits for
   * quiet again. The server starts with the single default tier (its tier review walks every
   * customer when there are several) and gets the benchmark's tiers here.
   */
  const configure = async (client: HttpClient, server: PatronServer): Promise<string> => {
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
  };

  let shared: Promise<SharedServer> | null = null;
  const sharedServer = () =>
    (shared ??= (async () => {
      const data = await loyalty();
      const server = await startServer('postgres', { databaseUrl: data.url, dataDir: path.join(tmp, 'server-postgres') });
      const client = httpClient(server.port);
      const posKey = await configure(client, server);
      const idleRssMb = rssMbOf(server.pid);
      const bodies = calculateBodies(data.workload, 5_000);
      const calculateBody = (index: number) => bodies[index % bodies.length]!;
      say(`Patron server pid ${server.pid} on 127.0.0.1:${server.port} (PostgreSQL ${data.name}); pos key, 10 earning rules and 3 tiers put; RSS ${idleRssMb === null ? 'n/a' : `${fmt(idleRssMb)} MB`} idle`);
      // Warm-up: JIT, prepared statements, caches; not measured.
      await closedLoop({ concurrency: 4, seconds: 5, maxRequests: 3_000, send: (_w, i) => client.post('/v1/checkout/calculate', calculateBody(i + 7), posKey) });
      return { server, client, posKey, database: data.name, data, idleRssMb, calculateBody };
    })());

  const stopSharedServer = async () => {
    if (!shared) return;
    const running = await shared.catch(() => null);
    shared = null;
    if (!running) return;
    running.client.close();
    await running.server.stop();
  };

  let pgbench: Promise<PgbenchReference> | null = null;
  const pgbenchRef = () =>
    (pgbench ??= (async () => {
      const { url } = await scratchDatabase('patron_pgbench');
      return pgbenchReference({ databaseUrl: url, scale: scale.pgbenchScale, seconds: scale.pgbenchSeconds, clients: scale.pgbenchClients, tmp, say });
    })());

  return {
    scale,
    options,
    tmp,
    runId,
    admin,
    say,
    urlFor,
    details,
    rssPeaks,
    async connect(): Promise<string> {
      await admin.connect();
      return (await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '?';
    },
    scratchDatabase,
    ensureLoyaltyDatabase,
    loyalty,
    /** The loyalty database's description if a scenario used it in this run. */
    loyaltyUsed: async () => (loyaltyData ? loyaltyData.catch(() => null) : null),
    startServer,
    configure,
    sharedServer,
    stopSharedServer,
    pgbench: pgbenchRef,
    /** Runs a load on the shared server and records its peak RSS for the server-rss scenario. */
    async underLoad<T>(label: string, work: () => Promise<T>): Promise<T> {
      const { server } = await sharedServer();
      const { value, peakMb } = await peakRssDuring(server.pid, work);
      rssPeaks.push({ label, peakMb });
      return value;
    },
    /** Gives a loop time to drain and the machine a breath between measured phases. */
    pause: (ms = 1_000) => sleep(ms),
    async cleanup(): Promise<void> {
      closed = true;
      await stopSharedServer();
      for (const server of [...servers]) await server.stop().catch(() => undefined);
      for (const cleanup of cleanups.reverse()) {
        await cleanup.run().catch((error: Error) => say(`could not ${cleanup.what}: ${error.message}`));
      }
      const database = loyaltyDatabase ? await loyaltyDatabase.catch(() => null) : null;
      if (database?.kept) say(`kept database ${database.name}${database.reused ? '' : ` (reuse it with --database ${database.name})`}`);
      await admin.end().catch(() => undefined);
      if (options.keep) say(`kept ${tmp} (server logs)`);
      else fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

export type BenchContext = ReturnType<typeof createContext>;
