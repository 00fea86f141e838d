import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../tests/helpers/test-db.ts';
import { viewOf, type Database } from '../db/database.ts';
import { systemActor } from './actor.ts';
import { createApiKeys, hashSecret } from './api-keys.ts';
import { ManualClock } from './clock.ts';
import { uuidV7Ids } from './ids.ts';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => database.close());

describe('API keys', () => {
  it('stores only a hash and authenticates by the secret', async () => {
    const keys = createApiKeys({ db: viewOf(database.db), clock: new ManualClock(), ids: uuidV7Ids });
    const { key, secret } = await keys.create({ name: 'till', role: 'pos', source: 'cli' }, systemActor);
    const row = await database.db.selectFrom('apiKeys').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row.secretHash).toBe(hashSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(await keys.authenticate(secret)).toEqual({ keyId: key.id, name: 'till', role: 'pos', partnerId: null });
    expect(await keys.authenticate(`${secret}x`)).toBeNull();
  });

  it('keeps PATRON_ADMIN_KEY in step with the environment: a new value revokes the old one', async () => {
    const clock = new ManualClock();
    const keys = createApiKeys({ db: viewOf(database.db), clock, ids: uuidV7Ids });
    const first = 'first-admin-key-0123456789abcdef';
    const second = 'second-admin-key-0123456789abcdef';
    await keys.ensureEnvAdminKey(first);
    await keys.ensureEnvAdminKey(first);
    expect((await keys.list(500)).items.filter((k) => k.source === 'env')).toHaveLength(1);
    expect((await keys.authenticate(first))?.role).toBe('owner');
    await keys.ensureEnvAdminKey(second);
    expect(await keys.authenticate(first)).toBeNull();
    expect((await keys.authenticate(second))?.role).toBe('owner');
    // Going back to the first value brings that key back rather than making a third.
    await keys.ensureEnvAdminKey(first);
    expect((await keys.authenticate(first))?.role).toBe('owner');
    expect((await keys.list(500)).items.filter((k) => k.source === 'env')).toHaveLength(2);
  });

  it('notices a revoke made by another process once the cache entry expires', async () => {
    const clock = new ManualClock();
    const here = createApiKeys({ db: viewOf(database.db), clock, ids: uuidV7Ids });
    const elsewhere = createApiKeys({ db: viewOf(database.db), clock, ids: uuidV7Ids });
    const { key, secret } = await here.create({ name: 'shared', role: 'marketer', source: 'api' }, systemActor);
    expect(await here.authenticate(secret)).not.toBeNull();
    await elsewhere.revoke(key.id, systemActor);
    expect(await elsewhere.authenticate(secret)).toBeNull();
    clock.advance(31_000);
    expect(await here.authenticate(secret)).toBeNull();
  });
});
