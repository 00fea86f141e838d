import { sql, type RawBuilder } from 'kysely';
import type { Db } from './analytics.db.ts';

/**
 * Runs one report statement with the settings a report wants: no JIT, and room to sort and hash
 * in memory. A report's statement is long and scans many rows, so the planner's cost passes
 * jit_above_cost and PostgreSQL compiles it first: on the bench's 200 k receipts that compile
 * took 4 of a KPI query's 7 s, and the lines' aggregate spilled to disk at the default 4 MB
 * work_mem. SET LOCAL keeps both to this statement's transaction.
 */
export async function reportQuery<T>(db: Db, query: RawBuilder<T>): Promise<T[]> {
  return db.transaction().execute(async (tx) => {
    await sql`set local jit = off`.execute(tx);
    await sql`set local work_mem = '64MB'`.execute(tx);
    return (await query.execute(tx)).rows;
  });
}
