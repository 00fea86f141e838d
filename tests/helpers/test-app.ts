import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppDeps, type Services } from '../../src/app.ts';
import type { Database } from '../../src/db/database.ts';
import { systemActor } from '../../src/platform/actor.ts';
import type { SchemaCompilation } from '../../src/platform/compile-on-first-use.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { RateLimitSettings } from '../../src/platform/rate-limits.ts';
import { uuidV7Ids } from '../../src/platform/ids.ts';
import type { Role } from '../../src/platform/roles.ts';
import { openTestDatabase } from './test-db.ts';

export type TestApp = {
  app: FastifyInstance;
  services: Services;
  /** The routes' validators and serializers, compiled on first use (compileRemaining compiles the rest). */
  schemas: SchemaCompilation;
  database: Database;
  clock: ManualClock;
  dataDir: string;
  /** A key of each role, made on first use. */
  key(role: Role): Promise<string>;
  /** app.inject with a key of `role` (owner unless said). */
  call(options: InjectOptions & { role?: Role | null }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
};

export type TestAppOptions = {
  clock?: ManualClock;
  bodyLimitBytes?: number;
  importLimitBytes?: number;
  /** Off unless given. */
  rateLimits?: RateLimitSettings;
  /** No log unless given. */
  logger?: AppDeps['logger'];
  logLevel?: AppDeps['config']['logLevel'];
  /** Another app's database: a second instance on the same data (this app's close leaves it open). */
  database?: Database;
};

export const testPasswordCost = { logN: 10, r: 8, p: 1 };

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await openTestDatabase());
  const ownsDatabase = options.database === undefined;
  const clock = options.clock ?? new ManualClock('2026-03-01T09:00:00Z');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-app-'));
  const { app, services, schemas } = await buildApp({
    database,
    clock,
    ids: uuidV7Ids,
    logger: options.logger ?? false,
    // Staff passwords hashed cheaply: the real cost (2^17) takes a third of a second per sign-in.
    staffPasswordCost: testPasswordCost,
    config: {
      dataDir,
      defaultPhoneRegion: 'RU',
      bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
      importLimitBytes: options.importLimitBytes ?? 512 * 1024 * 1024,
      logLevel: options.logLevel ?? 'silent',
      ...(options.rateLimits ? { rateLimits: options.rateLimits } : {}),
    },
  });
  await app.ready();
  const keys = new Map<Role, string>();
  const key = async (role: Role) => {
    const existing = keys.get(role);
    if (existing) return existing;
    const { secret } = await services.apiKeys.create({ name: `test ${role}`, role, source: 'api' }, systemActor);
    keys.set(role, secret);
    return secret;
  };
  return {
    app,
    services,
    schemas,
    database,
    clock,
    dataDir,
    key,
    async call({ role = 'owner', ...request }) {
      const headers = { ...(request.headers ?? {}) };
      if (role) headers.authorization = `Bearer ${await key(role)}`;
      return app.inject({ ...request, headers });
    },
    async close() {
      await app.close();
      if (ownsDatabase) await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
