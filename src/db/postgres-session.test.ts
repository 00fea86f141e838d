import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../tests/helpers/test-db.ts';
import type { Database } from './database.ts';

/**
 * Every connection of the pool runs without JIT (database.ts: compiling plans cost more than
 * most of our statements run), the first query on a new connection included.
 */
describe.runIf(onPostgres)('the PostgreSQL pool’s sessions', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase({ poolSize: 3 });
  });
  afterAll(async () => database?.close());

  it('run without JIT on every connection, from the first query', async () => {
    // Three at once, so the pool opens three connections; each answers as its first query.
    const answers = await Promise.all([1, 2, 3].map(() => database.db.transaction().execute(async (tx) => (await sql<{ jit: string }>`show jit`.execute(tx)).rows[0]!.jit)));
    expect(answers).toEqual(['off', 'off', 'off']);
    const server = await sql<{ setting: string }>`select setting from pg_settings where name = 'jit'`.execute(database.db);
    expect(server.rows[0]!.setting).toBe('off');
  });
});
