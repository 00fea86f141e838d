import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type Services } from './app.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { loadDemoData } from './demo/demo-data.ts';
import type { JobName } from './modules/loyalty/index.ts';
import { systemActor } from './platform/actor.ts';
import { systemClock } from './platform/clock.ts';
import { uuidV7Ids } from './platform/ids.ts';
import { startScheduler } from './platform/scheduler.ts';

export type Opened = Services & { app: FastifyInstance; database: Database; close(): Promise<void> };

/** Opens the database, applies migrations and builds the app: what both `serve` and the CLI need. */
export async function openServices(config: Config, options: { logger?: boolean } = {}): Promise<Opened> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(database);
    const { app, services } = await buildApp({ database, clock: systemClock, ids: uuidV7Ids, config, logger: options.logger ?? false });
    if (config.adminKey) await services.apiKeys.ensureEnvAdminKey(config.adminKey);
    return {
      ...services,
      app,
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

/** Brings a freshly loaded ledger up to today (the scheduler would too, a moment later). */
export async function catchUpLedger(opened: Opened): Promise<void> {
  for (const job of ['activate-points', 'expire-points', 'review-tiers'] as const) await opened.loyalty.runJob(job);
}

export async function serve(config: Config, options: { demo: boolean }): Promise<void> {
  const opened = await openServices(config, { logger: true });
  const { app } = opened;
  const keyFile = await ensureOwnerKey(opened, config);
  if (keyFile) app.log.info(`No owner API key existed: one was created and written to ${keyFile}`);
  if (options.demo) {
    const loaded = await loadDemoData(opened, systemClock);
    app.log.info(loaded ? 'Demo data loaded' : 'Demo data was loaded before; left as it is');
    if (loaded) await catchUpLedger(opened);
  }
  const task = (name: JobName) => ({ name, run: () => opened.loyalty.runJob(name) });
  // Ledger jobs are cheap when nothing is due; the tier review walks every member, so it runs daily.
  const ledgerJobs = startScheduler([task('activate-points'), task('expire-points'), task('announce-expiring-points')], {
    intervalMs: config.jobIntervalMs,
    log: app.log,
  });
  const tierReview = startScheduler([task('review-tiers')], { intervalMs: config.tierReviewIntervalMs, log: app.log });
  app.addHook('onClose', async () => {
    await ledgerJobs.stop();
    await tierReview.stop();
  });
  const resumed = await opened.imports.resumePending();
  if (resumed.length > 0) app.log.info({ imports: resumed }, 'resuming unfinished imports');

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: finishing requests and the current import batch, then stopping`);
    await opened.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    `Patron is running on ${opened.database.kind === 'pglite' ? `the embedded database in ${config.dataDir}` : 'PostgreSQL'}; ` +
      `API docs at http://localhost:${config.port}/docs`,
  );
}
