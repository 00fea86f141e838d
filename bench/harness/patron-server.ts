import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import pg from 'pg';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuMsOf } from './backend-cpu.ts';
import { httpClient } from './http-load.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Patron's real server (`node bin/patron.mjs serve`) in a child process, on 127.0.0.1 only. */
export type PatronServer = {
  port: number;
  pid: number;
  /** PATRON_ADMIN_KEY: an owner key. */
  adminKey: string;
  logFile: string;
  /** CPU milliseconds the server process has used so far (null off Linux). */
  cpuMs(): number | null;
  /**
   * Resolves once the server has been nearly idle (under 5 % of a CPU) for a second: the
   * scheduler's first round of jobs runs at start-up. Returns the milliseconds waited.
   */
  settle(maxMs?: number): Promise<number>;
  /** SIGTERM, then SIGKILL if it has not stopped within 30 s. */
  stop(): Promise<void>;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startPatronServer(options: {
  /** PostgreSQL; without it the server runs on PGlite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  logLevel?: string;
  /** Write a V8 CPU profile of the server into this directory when it stops. */
  cpuProfileDir?: string;
  startTimeoutMs?: number;
}): Promise<PatronServer> {
  const port = await freePort();
  // One key per database, the same for every run: the server revokes an env key of another value
  // when it starts, so a random key each run ended any other run on the same database with 401s.
  // (A loopback benchmark database; on PGlite each run has its own directory.)
  const adminKey = `bench_${createHash('sha256').update(options.databaseUrl ?? options.dataDir).digest('hex').slice(0, 48)}`;
  fs.mkdirSync(options.dataDir, { recursive: true });
  const logFile = path.join(options.dataDir, `server-${port}.log`);
  const log = fs.openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PATRON_ADMIN_KEY: adminKey,
    PATRON_DATA_DIR: options.dataDir,
    PATRON_LOG_LEVEL: options.logLevel ?? 'warn',
    // The point jobs scan every customer with a balance: keep them out of the measured minutes.
    PATRON_JOB_INTERVAL_SECONDS: '86400',
  };
  delete env.DATABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const nodeArgs = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...nodeArgs, 'bin/patron.mjs', 'serve'], { cwd: repoRoot, env, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited(child);
    clearTimeout(killer);
  };
  // The bench process may die first (an error, ^C): the server goes with it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  child.once('exit', () => process.removeListener('exit', orphanGuard));

  const client = httpClient(port, 1);
  const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}; see ${logFile}`);
      const health = await client.get('/health').catch(() => null);
      if (health?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`the server did not answer /health in time; see ${logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.close();
  }
  const cpuMs = () => cpuMsOf(child.pid!);
  // The server's own CPU falls quiet while a start-up job (an RFM run, a segment recompute, the
  // recommendations' rebuild) waits on a long statement: its database backends are watched too,
  // or those statements ran beside the figures measured next (a CLV fit took 114 s beside them).
  const busyBackends = async (): Promise<number> => {
    if (!options.databaseUrl) return 0;
    const probe = new pg.Client({ connectionString: options.databaseUrl });
    try {
      await probe.connect();
      const row = await probe.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend' and state = 'active'`);
      return row.rows[0]!.n;
    } catch {
      return 0;
    } finally {
      await probe.end().catch(() => undefined);
    }
  };
  // Quiet: under 50 ms of CPU a second. V8's sampling profiler alone keeps an idle server at
  // ~130 ms a second, so a profiled server counts as quiet under 250 (else every settle waited its 600 s).
  const quietMsPerSecond = options.cpuProfileDir ? 250 : 50;
  const settle = async (maxMs = 600_000) => {
    const started = Date.now();
    let last = cpuMs();
    while (Date.now() - started < maxMs) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = cpuMs();
      if (now === null || last === null || (now - last < quietMsPerSecond && (await busyBackends()) === 0)) return Date.now() - started;
      last = now;
    }
    return Date.now() - started;
  };
  return { port, pid: child.pid!, adminKey, logFile, cpuMs, settle, stop };
}
