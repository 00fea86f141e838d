import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../tests/helpers/test-app.ts';
import { viewOf } from '../db/database.ts';
import { cliActor } from './actor.ts';
import { createApiKeys } from './api-keys.ts';
import { uuidV7Ids } from './ids.ts';

/**
 * Two app instances on one database (PostgreSQL in CI; PGlite shares one in-process database
 * the same way): a key revoked through one of them — as `patron keys revoke` does, through its
 * own services — stops working on the other within a second, not when a 30 s cache expires.
 */
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  a = await createTestApp();
  b = await createTestApp({ database: a.database, clock: a.clock });
});
afterAll(async () => {
  await b.close();
  await a.close();
});

const CHECK_MS = 1000;

async function statusOn(app: TestApp, secret: string): Promise<number> {
  return (await app.app.inject({ method: 'GET', url: '/v1/customers', headers: { authorization: `Bearer ${secret}` } })).statusCode;
}

/** Polls until `app` refuses `secret`; how long that took, in ms. */
async function msUntilRefused(app: TestApp, secret: string, giveUpMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < giveUpMs) {
    if ((await statusOn(app, secret)) === 401) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Infinity;
}

describe('revoking a key on another instance', () => {
  it('a key revoked through another instance (the CLI) stops working here within a second', async () => {
    const { key, secret } = await b.services.apiKeys.create({ name: 'till 9', role: 'support', source: 'cli' }, cliActor);
    expect(await statusOn(a, secret)).toBe(200); // now cached on a
    await b.services.apiKeys.revoke(key.id, cliActor);
    expect(await statusOn(b, secret)).toBe(401); // the instance that revoked knows at once
    expect(await msUntilRefused(a, secret, 5 * CHECK_MS)).toBeLessThanOrEqual(CHECK_MS + 1000);
  });

  it('so does a key revoked straight in SQL', async () => {
    const { key, secret } = await a.services.apiKeys.create({ name: 'till 10', role: 'pos', source: 'api' }, cliActor);
    expect(await statusOn(a, secret)).toBe(403); // pos may not list customers, but the key is good
    await sql`update api_keys set revoked_at = now() where id = ${key.id}`.execute(a.database.db);
    expect(await msUntilRefused(a, secret, 5 * CHECK_MS)).toBeLessThanOrEqual(CHECK_MS + 1000);
  });

  it('reads the counter at most once a second, not on every request', async () => {
    let versionReads = 0;
    const counting = a.database.db.withPlugin({
      transformQuery(args) {
        if (JSON.stringify(args.node).includes('api_key_version')) versionReads++;
        return args.node;
      },
      async transformResult(args) {
        return args.result;
      },
    });
    let now = 0;
    const keys = createApiKeys({ db: viewOf(counting), clock: a.clock, ids: uuidV7Ids, now: () => now });
    const { key, secret } = await b.services.apiKeys.create({ name: 'busy till', role: 'pos', source: 'api' }, cliActor);
    for (let i = 0; i < 100; i++) expect(await keys.authenticate(secret)).toMatchObject({ keyId: key.id });
    expect(versionReads).toBe(1);
    await b.services.apiKeys.revoke(key.id, cliActor);
    now = 999; // within the bound the cached answer stands…
    expect(await keys.authenticate(secret)).toMatchObject({ keyId: key.id });
    expect(versionReads).toBe(1);
    now = 1000; // …and at the bound the counter is read again, and the revoke seen
    expect(await keys.authenticate(secret)).toBeNull();
    expect(versionReads).toBe(2);
  });
});
