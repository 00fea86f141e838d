import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openPostgres, pgliteOptions, wrapPglite, type Database } from '../../src/db/database.ts';

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

/**
 * A fresh, migrated database of this test file's own; close() throws it away. On PostgreSQL
 * `url` names it, for a second connection pool standing for another instance.
 */
export async function openTestDatabase(options: { poolSize?: number } = {}): Promise<Database & { url?: string }> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const name = `patron_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
    const testUrl = new URL(url);
    testUrl.pathname = `/${name}`;
    const database = await openPostgres(testUrl.toString(), options.poolSize ?? 10);
    return {
      ...database,
      url: testUrl.toString(),
      async close() {
        await database.close();
        await admin.query(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const template = fs.readFileSync(inject('pgliteTemplate'));
  const pglite = await PGlite.create({ ...pgliteOptions(), loadDataDir: new Blob([template]) });
  return wrapPglite(pglite);
}
