import fs from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp, type Services } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { loadDemoData } from './demo/demo-data.ts';
import { systemActor } from './platform/actor.ts';
import type { SchemaCompilation } from './platform/compile-on-first-use.ts';
import { AppError } from './platform/errors.ts';
import { ensureConsoleBuilt } from './platform/console/console-build.ts';
import { systemClock } from './platform/clock.ts';
import { uuidV7Ids } from './platform/ids.ts';
import { watchOutbox } from './platform/outbox-watch.ts';
import { startScheduler } from './platform/scheduler.ts';
import { createTaskRuns } from './platform/task-runs.ts';

export type Opened = Services & { app: FastifyInstance; schemas: SchemaCompilation; database: Database; close(): Promise<void> };

/** Opens the database, applies migrations and builds the app: what both `serve` and the CLI need. */
export async function openServices(config: Config, options: { logger?: boolean; sharedBuffers?: string } = {}): Promise<Opened> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...(options.sharedBuffers ? { sharedBuffers: options.sharedBuffers } : {}) });
  try {
    await migrate(database);
    const { app, services, schemas } = await buildApp({ database, clock: systemClock, ids: uuidV7Ids, config, logger: options.logger ?? false });
    if (config.adminKey) await services.apiKeys.ensureEnvAdminKey(config.adminKey);
    return {
      ...services,
      app,
      schemas,
      database,
      async close() {
        await app.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * A fresh install has no key to sign in with. Rather than print a secret to the log, the
 * first owner key goes to a file only this user can read.
 */
async function ensureOwnerKey(opened: Opened, config: Config): Promise<string | null> {
  if (await opened.apiKeys.hasActiveOwner()) return null;
  const { secret } = await opened.apiKeys.create({ name: 'first owner', role: 'owner', source: 'bootstrap' }, systemActor);
  fs.mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, 'owner-key.txt');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return file;
}

/** The console's first owner: the e-mail to sign in with; the password goes to a file like the key. */
export const FIRST_OWNER_EMAIL = 'owner@patron.local';

/**
 * A fresh install has nobody to sign in to the console as: the first owner account is made with
 * a generated password, written (with its e-mail) to a file only this user can read. The owner
 * then adds the team in the console (Settings → Users) and may change this password there.
 */
async function ensureConsoleOwner(opened: Opened, config: Config): Promise<string | null> {
  if (await opened.staff.hasOwner()) return null;
  let password: string | null;
  try {
    ({ password } = await opened.staff.create({ email: FIRST_OWNER_EMAIL, name: 'Owner', role: 'owner' }, systemActor));
  } catch (error) {
    // Another instance starting at the same moment made it, or it exists disabled: nothing to write.
    if (error instanceof AppError && error.code === 'staff.email_taken') return null;
    throw error;
  }
  fs.mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, 'console-owner.txt');
  fs.writeFileSync(file, `e-mail: ${FIRST_OWNER_EMAIL}\npassword: ${password}\n`, { mode: 0o600 });
  return file;
}

/** Brings a freshly loaded ledger up to today (the scheduler would too, a moment later). */
export async function catchUpLedger(opened: Opened): Promise<void> {
  for (const job of ['activate-points', 'expire-points', 'review-tiers'] as const) await opened.loyalty.runJob(job);
}

const STATISTICS_INTERVAL_MS = 3_600_000;
/** How often the daily jobs are looked at: a task due is run within this of falling due. */
const DAILY_LOOK_MS = 3_600_000;
/** How often the outbox is looked at for new events (a probe of its key's last page): half of it is the consumers' added lag on average. */
const OUTBOX_WATCH_MS = 100;

/** ANALYZE: the planner's row counts and value spreads for every table (a sample of each; a second or so on a large database). */
async function refreshStatistics(database: Database): Promise<Record<string, number>> {
  await sql`analyze`.execute(database.db);
  return {};
}

export async function serve(config: Config, options: { demo: boolean }): Promise<void> {
  // The console is built from web/ when its sources changed (a fresh clone, a pull): no extra step.
  await ensureConsoleBuilt((message) => process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: message })}\n`));
  const opened = await openServices(config, { logger: true });
  const { app } = opened;
  const keyFile = await ensureOwnerKey(opened, config);
  if (keyFile) app.log.info(`No owner API key existed: one was created and written to ${keyFile}`);
  const ownerFile = await ensureConsoleOwner(opened, config);
  if (ownerFile) app.log.info(`The console had no owner: ${FIRST_OWNER_EMAIL} was created; its password is in ${ownerFile}`);
  // onClose hooks run after the server has answered every request in flight, last added first:
  // this one stops the schedulers (a running task finishes) before buildApp's stops the imports.
  // Added before the demo data, whose API calls boot the app (no hook may be added after that).
  const schedulers: Array<{ stop: () => Promise<void> } | null> = [];
  app.addHook('onClose', async () => {
    await Promise.all(schedulers.map((scheduler) => scheduler?.stop()));
  });
  if (options.demo) {
    const loaded = await loadDemoData(opened, systemClock);
    app.log.info(loaded ? 'Demo data loaded' : 'Demo data was loaded before; left as it is');
    if (loaded) await catchUpLedger(opened);
  }
  // PGlite runs no autovacuum, so its planner has no statistics unless asked for them: without them
  // a clustering run's features on the demo data took 10 s instead of 0.25 s (nested loops over
  // tables it took for one row). Refreshed first thing (after the demo data) and every hour;
  // PostgreSQL's autovacuum does this by itself.
  const statistics =
    opened.database.kind === 'pglite'
      ? startScheduler([{ name: 'refresh-planner-statistics', run: () => refreshStatistics(opened.database) }], { intervalMs: STATISTICS_INTERVAL_MS, log: app.log })
      : null;
  // Every module's jobs: the frequent ones are cheap when nothing is due; the daily ones walk every member.
  const jobs = opened.registry.jobs();
  // Under leases: several instances on one PostgreSQL share the jobs, each run by one at a time.
  const { leases } = opened;
  const freed = await leases.releaseDead();
  if (freed > 0) app.log.info({ leases: freed }, 'freed the job leases of a stopped predecessor on this host');
  const ledgerJobs = startScheduler(jobs.filter((job) => job.cadence === 'frequent'), { intervalMs: config.jobIntervalMs, log: app.log, leases });
  // The daily jobs run when their last finish is a day old, whenever this process started: the
  // ticks only look (hourly, so a task a restart found not yet due runs within the hour it is).
  const tierReview = startScheduler(jobs.filter((job) => job.cadence === 'daily'), {
    intervalMs: Math.min(config.tierReviewIntervalMs, DAILY_LOOK_MS),
    log: app.log,
    leases,
    due: { runs: createTaskRuns(opened.database.db), everyMs: config.tierReviewIntervalMs },
  });
  // Each live job on a loop of its own: one loop for all of them made every job wait for the one
  // running (a campaign of a million queued, 20,000 e-mails sent, a million segment events read),
  // so an event a confirm wrote reached its consumers only after them. Apart, a job waits only for
  // its own previous run; the leases still keep each to one instance at a time.
  const liveLoops = jobs.filter((job) => job.cadence === 'live').map((job) => {
    const loop = startScheduler([job], { intervalMs: config.liveJobIntervalMs, log: app.log, leases });
    opened.registry.onWake(job.name, loop.wake);
    return loop;
  });
  // The outbox's consumers woken by new events (outbox-watch.ts): an event a confirm wrote reaches
  // them within about this much rather than at their next tick.
  const consumers = jobs.filter((job) => job.cadence === 'live' && job.readsOutbox).map((job) => job.name);
  const outboxWatch = watchOutbox(opened.database.db, { intervalMs: OUTBOX_WATCH_MS, log: app.log, written: () => consumers.forEach((name) => opened.registry.wakeJob(name)) });
  const liveJobs = { stop: async () => void (await Promise.all([outboxWatch.stop(), ...liveLoops.map((loop) => loop.stop())])) };
  const resumed = await opened.imports.resumePending();
  if (resumed.length > 0) app.log.info({ imports: resumed }, 'resuming unfinished imports');
  const batches = await opened.promotions.batches.resumePending();
  if (batches.length > 0) app.log.info({ batches }, 'resuming unfinished promo-code batches');
  const cardBatches = await opened.giftCards.batches.resumePending();
  if (cardBatches.length > 0) app.log.info({ batches: cardBatches }, 'resuming unfinished gift-card batches');
  const recomputes = await opened.segments.recomputes.resumePending();
  if (recomputes.length > 0) app.log.info({ recomputes }, 'resuming unfinished segment recomputes');
  const rfmRuns = await opened.segments.rfm.resumePending();
  if (rfmRuns.length > 0) app.log.info({ rfmRuns }, 'resuming unfinished RFM runs');
  const clusterRuns = await opened.clusters.runs.resumePending();
  if (clusterRuns.length > 0) app.log.info({ runs: clusterRuns }, 'restarting unfinished clustering runs');
  const clvRuns = await opened.clv.runs.resumePending();
  if (clvRuns.length > 0) app.log.info({ runs: clvRuns }, 'restarting unfinished CLV fits from their start');
  const recommendationRuns = await opened.recommendations.runs.resumePending();
  if (recommendationRuns.length > 0) app.log.info({ runs: recommendationRuns }, 'restarting unfinished recommendation runs from their start');
  const whatIfRuns = await opened.whatIf.runs.resumePending();
  if (whatIfRuns.length > 0) app.log.info({ runs: whatIfRuns }, 'resuming unfinished what-if runs after their last saved batch');
  // Not only at start: an import whose process died (another instance, or this one's job lock
  // still held by a killed predecessor's connection for a moment) is taken up within a tick.
  const importResume = startScheduler([{ name: 'resume-imports', run: () => opened.imports.resumePending() }], {
    intervalMs: config.jobIntervalMs,
    log: app.log,
  });
  schedulers.push(ledgerJobs, tierReview, liveJobs, importResume, statistics);

  const drainRequests = trackRequests(app.server);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: answering the requests under way, finishing the running job and the current import batch, then stopping`);
    try {
      await listening.catch(() => undefined);
      // No new connections; every request that reached the server is answered, while the
      // running scheduled task finishes and imports stop after the batch they are writing.
      await Promise.all([
        drainRequests(),
        ledgerJobs.stop(),
        tierReview.stop(),
        liveJobs.stop(),
        importResume.stop(),
        statistics?.stop(),
        opened.imports.stop(),
        opened.promotions.batches.stop(),
        opened.giftCards.batches.stop(),
        opened.segments.recomputes.stop(),
        opened.recommendations.runs.stop(),
      ]);
      await opened.close();
    } catch (error) {
      app.log.error({ err: error }, `${signal}: could not stop cleanly`);
      process.exit(1);
    }
    process.exit(0);
  };
  const listening = app.listen({ port: config.port, host: config.host });
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await listening;
  // The routes' validators and serializers, compiled in the background now rather than on each route's first request.
  opened.schemas.compileRemaining().catch((error: unknown) => app.log.error({ err: error }, 'a route schema does not compile'));
  app.log.info(
    `Patron is running on ${opened.database.kind === 'pglite' ? `the embedded database in ${config.dataDir}` : 'PostgreSQL'}; ` +
      `API docs at http://localhost:${config.port}/docs`,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Counts the requests under way and returns the graceful stop of the HTTP side. Fastify's close
 * (Node's server.close()) drops the connections idle at that moment, among them a keep-alive
 * connection whose next request is in its socket but not yet read (that till gets a reset and
 * cannot tell whether its receipt was stored); answers 503 to requests read after it; and then
 * waits for the busy connections, which stay open after their answer until the keep-alive
 * timeout, 72 s (tests/sigterm.test.ts measured 71 s). Here only the listener is closed; every
 * request that reaches the server is answered, with `Connection: close`; and idle connections
 * are dropped once no request has been under way for `quietMs`.
 */
function trackRequests(server: Server, quietMs = 250): () => Promise<void> {
  const open = new Set<ServerResponse>();
  let draining = false;
  let lastDone = 0;
  server.on('request', (_request, response: ServerResponse) => {
    open.add(response);
    if (draining && !response.headersSent) response.setHeader('connection', 'close');
    response.once('close', () => {
      open.delete(response);
      lastDone = Date.now();
    });
  });
  return async () => {
    draining = true;
    lastDone = Date.now();
    for (const response of open) if (!response.headersSent) response.setHeader('connection', 'close');
    // A whole turn of the event loop first (its poll phase accepts): connections the kernel has
    // completed are taken in and answered, not reset with the listener.
    await sleep(0);
    await new Promise((resolve) => setImmediate(resolve));
    let closed = false;
    net.Server.prototype.close.call(server, () => {
      closed = true;
    });
    while (!closed) {
      if (open.size === 0 && Date.now() - lastDone >= quietMs) server.closeIdleConnections();
      await sleep(25);
    }
  };
}
