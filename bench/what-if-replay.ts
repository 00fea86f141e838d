import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { openPostgres } from '../src/db/database.ts';
import { systemClock } from '../src/platform/clock.ts';
import { uuidV7Ids } from '../src/platform/ids.ts';
import { addReceipts, emptySums, reportOf } from '../src/modules/what-if/report.ts';
import type { ReplayCursor } from '../src/modules/loyalty/index.ts';
import { watchBackendCpu } from './harness/backend-cpu.ts';

/**
 * The what-if replay read-only, as the job runs it (batch after batch, each added to the sums),
 * without the server, HTTP or the run's row: the replay's own time, with this process's CPU and
 * its PostgreSQL backends'; `--profile FILE` writes a CPU profile of the replay alone.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5433/patron_bench_full npx tsx bench/what-if-replay.ts [days] [--same] [--profile FILE]
 *
 * WI_BATCH=N reads N receipts a batch instead of the job's 1,000 (to see what the batch size costs).
 *
 * The changed configuration doubles the base rate (percent rules without conditions), as the bench
 * scenario does; `--same` replays the live one twice. Prints the report's total and a digest of it,
 * so two versions of the replay can be compared on the same window.
 */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL: the database to replay');
const days = Number(process.argv.find((a, i) => i > 1 && /^\d+$/.test(a)) ?? 2);
const same = process.argv.includes('--same');
const database = await openPostgres(url, 4);
const { services } = await buildApp({ database, clock: systemClock, ids: uuidV7Ids, config: { dataDir: os.tmpdir(), defaultPhoneRegion: 'RU', bodyLimitBytes: 1 << 20, importLimitBytes: 1 << 20, logLevel: 'silent' }, logger: false });
const live = await services.loyalty.whatIf.live();
const promotions = await services.promotions.whatIf.live();
const adjusters = { [services.promotions.whatIf.adjuster]: promotions };
const baseline = { ...live, adjusters };
const rules = same ? live.rules : { rules: live.rules.rules.map((rule) => (rule.kind === 'percent' && Object.keys(rule.conditions).length === 0 ? { ...rule, rateBp: (rule.rateBp ?? 0) * 2 } : rule)) };
const scenario = { ...live, rules, adjusters };
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const dbName = new URL(url).pathname.slice(1);
// The window: the last `days` days before the newest receipt (the bench data ends when it was generated).
const newest = (await admin.query<{ at: Date }>('select max(occurred_at) as at from receipts')).rows[0]!.at;
const window = { from: new Date(newest.getTime() - days * 86_400_000), to: new Date(newest.getTime() + 1) };
// --profile FILE: a CPU profile of the replay alone (not of loading the modules and building the app).
const profileTo = process.argv.includes('--profile') ? process.argv[process.argv.indexOf('--profile') + 1]! : null;
const session = profileTo ? new inspector.Session() : null;
const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session!.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
if (session) {
  session.connect();
  await post('Profiler.enable');
  await post('Profiler.start');
}
const backends = watchBackendCpu(admin, dbName);
await backends.start();
const cpu0 = process.cpuUsage();
const started = performance.now();
const replayer = await services.loyalty.whatIf.replayer({ baseline, whatIf: scenario });
const sums = emptySums();
let cursor: ReplayCursor | null = null;
let batches = 0;
for (;;) {
  const batch = await replayer.batch(window, cursor, Number(process.env.WI_BATCH ?? 1_000));
  addReceipts(sums, batch.receipts);
  batches += 1;
  if (batches % 50 === 0) console.error(`  ${sums.receipts} receipts, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  cursor = batch.next;
  if (!cursor) break;
  await new Promise((resolve) => setImmediate(resolve));
}
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const pgMs = await backends.stop();
if (session) fs.writeFileSync(profileTo!, JSON.stringify(((await post('Profiler.stop')) as { profile: object }).profile));
const report = reportOf(sums, live.program, live.tiers.tiers.map((tier) => tier.id));
const { createHash } = await import('node:crypto');
console.log(
  JSON.stringify({
    days,
    receipts: sums.receipts,
    seconds: +(ms / 1000).toFixed(1),
    perSecond: Math.round(sums.receipts / (ms / 1000)),
    nodeCpuS: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    postgresCpuS: pgMs === null ? null : +(pgMs / 1000).toFixed(1),
    load: os.loadavg().map((l) => +l.toFixed(1)),
    mismatched: report.mismatched,
    total: report.total.difference,
    digest: createHash('sha256').update(JSON.stringify(report)).digest('hex').slice(0, 16),
  }),
);
await admin.end();
await database.close();
process.exit(0);
