import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openPostgres } from '../../src/db/database.ts';
import { seededRandom } from '../../src/platform/seeded-random.ts';
import { freePort } from '../helpers/cli.ts';
import { patronProcess } from './patron-process.ts';
import { verify, type Verdict } from './verify.ts';
import { setUp, startImports, startLoad, type Acked } from './workload.ts';

/**
 * The crash suite: `patron serve` on a PostgreSQL database of its own, load from this process,
 * and SIGKILL at random moments (some while the server is still starting), each followed by a
 * restart; then every acknowledged write is looked for in the database (verify.ts), and the
 * server is stopped with SIGTERM, which must end it with exit code 0.
 */
export type CrashOptions = {
  /** A PostgreSQL server to create the run's database on (any database of it: the URL's path is replaced). */
  databaseUrl: string;
  kills: number;
  seed?: number;
  concurrency?: number;
  customers?: number;
  rowsPerImport?: number;
  maxImports?: number;
  /** How long an import may take to complete once the kills are over. */
  importDeadlineMs?: number;
  /** How long the server runs under load before a kill: uniform in this range, after /health answers. */
  upMs?: [number, number];
  /** Share of kills that hit the server again while it starts (migrations, resuming imports). */
  startupKillShare?: number;
  /** Share of the stops that are graceful (SIGTERM under load, which must exit 0) rather than kills. */
  sigtermShare?: number;
  /** Keep the database afterwards (it is always kept when the run finds a problem). */
  keepDatabase?: boolean;
  log?: (line: string) => void;
};

export type CrashReport = Verdict & {
  seed: number;
  database: string;
  kills: number;
  killsWhileStarting: number;
  /** Stops with SIGTERM under load (between the kills): how many, how many exited 0, the longest. */
  sigterms: { count: number; exitedZero: number; maxMs: number };
  durationMs: number;
  restartMs: { mean: number; max: number };
  confirms: { acknowledged: number; withRedemption: number; anonymous: number; pointsRedeemed: number };
  refunds: number;
  adjustments: number;
  refused: Record<string, number>;
  resent: number;
  lostAnswers: number;
  landedUnanswered: number;
  imports: Array<{ fileName: string; rows: number; status: string; uploads: number; interruptedBy: number }>;
  serverErrorLines: number;
  sigtermExit: { code: number | null; signal: string | null };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runCrashSuite(options: CrashOptions): Promise<CrashReport> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? randomBytes(4).readUInt32LE();
  const random = seededRandom(seed);
  const uniform = (min: number, max: number) => min + random() * (max - min);
  const [minUp, maxUp] = options.upMs ?? [300, 2500];
  const name = `patron_crash_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(options.databaseUrl);
  url.pathname = `/${name}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-crash-'));
  const adminKey = `crash-owner-${randomBytes(16).toString('hex')}`;
  const server = patronProcess({ databaseUrl: url.toString(), dataDir, port: await freePort(), adminKey });
  const started = Date.now();
  const acked: Acked = { confirms: new Map(), refunds: new Map(), adjustments: new Map(), refused: [], imports: [], resent: 0, lostAnswers: 0, landedUnanswered: 0 };
  let clean = false;
  try {
    log(`database ${name}, seed ${seed}; starting patron serve`);
    await server.start();
    const setup = await setUp(server.url, adminKey, { customers: options.customers ?? 24, seedPoints: 100_000 }, acked);
    const load = startLoad(setup, acked, { concurrency: options.concurrency ?? 6, random });
    const imports = startImports(setup, acked, { rowsPerImport: options.rowsPerImport ?? 10_000, maxImports: options.maxImports ?? 99, deadlineMs: options.importDeadlineMs ?? 180_000 });

    let kills = 0;
    let killsWhileStarting = 0;
    const restarts: number[] = [];
    const sigterms: Array<{ code: number | null; ms: number }> = [];
    const interrupted = new Map<string, number>();
    const interrupting = () => {
      for (const run of acked.imports) if (run.status !== 'completed' && run.status !== 'failed') interrupted.set(run.fileName, (interrupted.get(run.fileName) ?? 0) + 1);
    };
    while (kills < options.kills) {
      await sleep(uniform(minUp, maxUp));
      if (random() < (options.sigtermShare ?? 0.1)) {
        interrupting();
        const signalled = Date.now();
        const exit = await Promise.race([server.signal('SIGTERM'), sleep(30_000).then(() => null)]);
        if (!exit) await server.signal('SIGKILL');
        sigterms.push({ code: exit ? exit.code : null, ms: Date.now() - signalled });
        restarts.push(await server.start());
        log(`SIGTERM: ${exit ? `exited ${exit.code ?? exit.signal}` : 'still running after 30 s'} in ${sigterms.at(-1)!.ms} ms; restarted in ${restarts.at(-1)} ms`);
        continue;
      }
      interrupting();
      await server.signal('SIGKILL');
      kills++;
      // Down for a moment: the load meets refused connections.
      await sleep(uniform(0, 300));
      if (kills < options.kills && random() < (options.startupKillShare ?? 0.15)) {
        server.launch();
        await sleep(uniform(100, 2000));
        await server.signal('SIGKILL');
        kills++;
        killsWhileStarting++;
      }
      restarts.push(await server.start());
      log(`kill ${kills}/${options.kills}: restarted in ${restarts.at(-1)} ms; acknowledged ${acked.confirms.size} confirms, ${acked.refunds.size} refunds, ${acked.adjustments.size} adjustments; ${importProgress(acked)}`);
    }
    await sleep(500);
    log('kills done: letting the writes under way finish and the last import complete');
    await load.stop();
    await imports.stop();

    const database = await openPostgres(url.toString(), 2);
    let verdict: Verdict;
    try {
      verdict = await verify(database.db, acked, dataDir);
    } finally {
      await database.close();
    }
    for (const run of acked.imports) {
      if (run.status !== 'completed') verdict = { ...verdict, lost: verdict.lost + 1, problems: [...verdict.problems, `lost: import ${run.fileName} ended ${run.status}: ${run.failure ?? ''}`] };
    }
    for (const stop of sigterms.filter((stop) => stop.code !== 0)) {
      verdict = { ...verdict, mismatched: verdict.mismatched + 1, problems: [...verdict.problems, `mismatched: a SIGTERM under load ended with ${stop.code ?? 'no exit within 30 s'}`] };
    }
    const sigtermExit = await server.signal('SIGTERM');
    const confirms = [...acked.confirms.values()];
    const refused: Record<string, number> = {};
    for (const r of acked.refused) refused[`${r.kind} ${r.status} ${r.code}`] = (refused[`${r.kind} ${r.status} ${r.code}`] ?? 0) + 1;
    const report: CrashReport = {
      ...verdict,
      seed,
      database: name,
      kills,
      killsWhileStarting,
      sigterms: { count: sigterms.length, exitedZero: sigterms.filter((stop) => stop.code === 0).length, maxMs: Math.max(0, ...sigterms.map((stop) => stop.ms)) },
      durationMs: Date.now() - started,
      restartMs: { mean: Math.round(restarts.reduce((a, b) => a + b, 0) / Math.max(1, restarts.length)), max: Math.max(0, ...restarts) },
      confirms: {
        acknowledged: confirms.length,
        withRedemption: confirms.filter((c) => c.redeemed > 0).length,
        anonymous: confirms.filter((c) => c.customerId === null).length,
        pointsRedeemed: confirms.reduce((sum, c) => sum + c.redeemed, 0),
      },
      refunds: acked.refunds.size,
      adjustments: acked.adjustments.size,
      refused,
      resent: acked.resent,
      lostAnswers: acked.lostAnswers,
      landedUnanswered: acked.landedUnanswered,
      imports: acked.imports.map((run) => ({ fileName: run.fileName, rows: run.rows, status: run.status, uploads: run.uploads, interruptedBy: interrupted.get(run.fileName) ?? 0 })),
      serverErrorLines: server.errorLines(),
      sigtermExit: { code: sigtermExit.code, signal: sigtermExit.signal },
    };
    clean = report.lost === 0 && report.doubled === 0 && report.mismatched === 0 && sigtermExit.code === 0;
    if (!clean) log(`server output (tail):\n${server.output().slice(-4000)}`);
    return report;
  } finally {
    if (server.running()) await server.signal('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (clean && !options.keepDatabase) await admin.query(`drop database if exists ${name} with (force)`);
    else log(`kept database ${name} for inspection`);
    await admin.end();
  }
}

function importProgress(acked: Acked): string {
  const done = acked.imports.filter((run) => run.status === 'completed').length;
  return `imports: ${done} completed of ${acked.imports.length} started`;
}

/** The report as a person reads it. */
export function summary(report: CrashReport): string {
  const { confirms } = report;
  const completed = report.imports.filter((run) => run.status === 'completed');
  const rows = completed.reduce((sum, run) => sum + run.rows, 0);
  const stops = report.imports.length > 0 ? report.imports.map((run) => run.interruptedBy) : [0];
  const lines = [
    `crash suite: ${report.kills} kills survived (${report.killsWhileStarting} while starting), ${(report.durationMs / 1000).toFixed(1)} s, seed ${report.seed}`,
    `  restarts: ${report.restartMs.mean} ms mean to /health, ${report.restartMs.max} ms max; ` +
      `${report.sigterms.count} more stops with SIGTERM under load, ${report.sigterms.exitedZero} exited 0, the longest in ${report.sigterms.maxMs} ms`,
    `  acknowledged: ${confirms.acknowledged} confirms (${confirms.withRedemption} with redemption, ${confirms.acknowledged - confirms.withRedemption} without, ` +
      `${confirms.anonymous} anonymous; ${confirms.pointsRedeemed} points redeemed), ${report.refunds} refunds, ${report.adjustments} adjustments`,
    `  writes sent again: ${report.resent}; answers lost in a kill: ${report.lostAnswers}, of which the write had landed (answered as a replay when sent again): ${report.landedUnanswered}`,
    `  refused: ${Object.entries(report.refused).map(([k, n]) => `${k} ×${n}`).join(', ') || 'none'}`,
    `  imports: ${completed.length} of ${report.imports.length} completed, ${rows} rows in all; each went through ${Math.min(...stops)}–${Math.max(...stops)} stops ` +
      `(${stops.reduce((a, b) => a + b, 0)} in all); ${report.imports.filter((run) => run.uploads > 1).length} uploads sent again after a lost answer`,
    ...report.imports.filter((run) => run.status !== 'completed').map((run) => `  import ${run.fileName}: ${run.status}`),
    `  lost ${report.lost}, doubled ${report.doubled}, mismatched ${report.mismatched}; server error lines ${report.serverErrorLines}; SIGTERM exit code ${report.sigtermExit.code ?? report.sigtermExit.signal}`,
  ];
  for (const problem of report.problems.slice(0, 30)) lines.push(`  ! ${problem}`);
  if (report.problems.length > 30) lines.push(`  … and ${report.problems.length - 30} more`);
  return `${lines.join('\n')}\n`;
}
