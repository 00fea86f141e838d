import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latencies, type Latencies } from './http-load.ts';

/**
 * pgbench on the same PostgreSQL server, as the limit references of the scenarios that run on
 * it: the TPC-B-like script (five statements a transaction, like a small confirm) at its best
 * client count, and select-only (one primary-key read, like a lookup) at a fixed rate with
 * its latency percentiles. One scratch database (`pgbench -i`), made on first use.
 */
export type PgbenchRun = { mode: string; clients: number; tps: number; latencyAverageMs: number };
export type TpcbReference = { best: PgbenchRun; runs: PgbenchRun[] };
export type SelectAtRate = { rate: number; clients: number; tps: number; latency: Latencies; skipped: number };

/** PGBENCH, else pgbench on the PATH, else the newest /usr/lib/postgresql/<n>/bin/pgbench. */
export function findPgbench(): string {
  if (process.env.PGBENCH) return process.env.PGBENCH;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, 'pgbench'))) return path.join(dir, 'pgbench');
  }
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'pgbench'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest) return path.join(root, newest, 'bin', 'pgbench');
  throw new Error('pgbench not found: install postgresql-client (or postgresql-contrib) or set PGBENCH');
}

function runPgbench(binary: string, argv: string[], timeoutMs: number, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, argv, { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
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

const number = (pattern: RegExp, text: string) => Number(pattern.exec(text)?.[1] ?? NaN);

export function pgbenchReference(options: {
  /** A database created for pgbench alone (empty); dropping it is the caller's. */
  databaseUrl: string;
  scale: number;
  seconds: number;
  clients: number[];
  tmp: string;
  say: (line: string) => void;
}) {
  const binary = findPgbench();
  const threads = (clients: number) => String(Math.min(clients, os.cpus().length));
  let initialised: Promise<void> | null = null;
  let tpcb: Promise<TpcbReference> | null = null;
  const init = () =>
    (initialised ??= (async () => {
      const started = performance.now();
      await runPgbench(binary, ['-i', '-s', String(options.scale), '-q', options.databaseUrl], 1_800_000);
      options.say(`  pgbench -i -s ${options.scale} (${(options.scale * 100_000).toLocaleString('en-US')} accounts) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    })());

  return {
    binary,
    /** The default TPC-B-like script at each client count; the best run is the reference. Measured once a run. */
    tpcb(): Promise<TpcbReference> {
      return (tpcb ??= (async () => {
        await init();
        const runs: PgbenchRun[] = [];
        for (const clients of options.clients) {
          const output = await runPgbench(binary, ['-c', String(clients), '-j', threads(clients), '-T', String(options.seconds), options.databaseUrl], (options.seconds + 300) * 1000);
          const run = { mode: 'tpcb-like', clients, tps: number(/tps = ([\d.]+)/, output), latencyAverageMs: number(/latency average = ([\d.]+) ms/, output) };
          runs.push(run);
          options.say(`  pgbench TPC-B-like, ${clients} clients, ${options.seconds} s: ${Math.round(run.tps).toLocaleString('en-US')} TPS, latency average ${run.latencyAverageMs} ms`);
        }
        const best = runs.reduce((a, b) => (b.tps > a.tps ? b : a));
        return { best, runs };
      })());
    },
    /**
     * Select-only (-S) at a fixed rate (-R), every transaction logged (-l): percentiles from
     * when each was due, as the HTTP open loop counts them (pgbench's logged time includes
     * the schedule lag under -R).
     */
    async selectOnlyAt(rate: number, seconds: number, clients = 4): Promise<SelectAtRate> {
      await init();
      const dir = fs.mkdtempSync(path.join(options.tmp, 'pgbench-log-'));
      const output = await runPgbench(
        binary,
        ['-S', '-R', String(rate), '-c', String(clients), '-j', threads(clients), '-T', String(seconds), '-l', '--log-prefix', path.join(dir, 'select'), options.databaseUrl],
        (seconds + 300) * 1000,
        dir,
      );
      const samples: number[] = [];
      let skipped = 0;
      for (const file of fs.readdirSync(dir)) {
        for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
          // client_id transaction_no time script_no time_epoch time_us [schedule_lag]
          const time = line.split(' ')[2];
          if (time === undefined) continue;
          if (time === 'skipped') skipped++;
          else samples.push(Number(time) / 1000);
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
      const result = { rate, clients, tps: number(/tps = ([\d.]+)/, output), latency: latencies(samples), skipped };
      options.say(`  pgbench select-only at ${rate}/s, ${clients} clients, ${seconds} s: p50 ${result.latency.p50.toFixed(2)} ms, p99 ${result.latency.p99.toFixed(2)} ms (${Math.round(result.tps)} TPS)`);
      return result;
    },
  };
}

export type PgbenchReference = ReturnType<typeof pgbenchReference>;
