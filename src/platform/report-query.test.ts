import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from '../../tests/helpers/test-db.ts';
import type { Database } from '../db/database.ts';
import { queryWithoutJit } from './report-query.ts';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => database.close());

const settings = sql<{ jit: string; workMem: string }>`select current_setting('jit') as jit, current_setting('work_mem') as work_mem`;

describe('queryWithoutJit', () => {
  it('runs the statement with JIT off and the work_mem asked for, and leaves the session as it was', async () => {
    const [before] = (await settings.execute(database.db)).rows;
    expect(await queryWithoutJit(database.db, settings, { workMemMb: 64 })).toEqual([{ jit: 'off', workMem: '64MB' }]);
    expect(await queryWithoutJit(database.db, settings)).toEqual([{ jit: 'off', workMem: before!.workMem }]);
    expect((await settings.execute(database.db)).rows).toEqual([before]);
  });

  it("inside a caller's transaction, runs the statement as it is (a SET LOCAL would outlive it)", async () => {
    const [before] = (await settings.execute(database.db)).rows;
    const inside = await database.db.transaction().execute(async (tx) => {
      const rows = await queryWithoutJit(tx, settings, { workMemMb: 64 });
      return { rows, after: (await settings.execute(tx)).rows };
    });
    expect(inside).toEqual({ rows: [before], after: [before] });
  });

  it('serial: the statement runs without parallel workers, and the session keeps its own setting', async () => {
    const workers = sql<{ workers: string }>`select current_setting('max_parallel_workers_per_gather') as workers`;
    const [before] = (await workers.execute(database.db)).rows;
    // PGlite is one process and starts no workers (its default is 0); on PostgreSQL the default of 2 is what `serial` turns off.
    if (onPostgres) expect(before!.workers).not.toBe('0');
    expect(await queryWithoutJit(database.db, workers, { serial: true })).toEqual([{ workers: '0' }]);
    expect(await queryWithoutJit(database.db, workers)).toEqual([before]);
    expect((await workers.execute(database.db)).rows).toEqual([before]);
  });

  it('refuses a work_mem that is not a whole number of megabytes', async () => {
    await expect(queryWithoutJit(database.db, settings, { workMemMb: 0.5 })).rejects.toThrow(/workMemMb/);
  });
});
