import { sql, type QueryExecutorProvider, type RawBuilder } from 'kysely';

/** What the statement runs on: any module's view of the database, or a transaction of it. */
type Runner = QueryExecutorProvider & { isTransaction: boolean; transaction(): { execute<R>(run: (tx: QueryExecutorProvider) => Promise<R>): Promise<R> } };

/**
 * Runs one report-sized statement (long, over many rows) without JIT, and with `workMemMb` to
 * sort and hash in when given. The planner's cost of such a statement passes jit_above_cost, so
 * PostgreSQL compiles the plan first: measured, the compile took 4 of a year's KPI query's 7 s
 * and half of a what-if batch read. (Patron's PostgreSQL pool now turns JIT off on every
 * connection, database.ts; this still does for a connection made otherwise.) SET LOCAL keeps the
 * settings to a transaction of the statement's own; inside a caller's transaction the statement
 * runs as it is, since a SET LOCAL there would hold for the rest of that transaction.
 *
 * `serial`: no parallel workers. For a named statement (`/*ps:…*\/`) that reads a short keyset
 * range again and again: after five runs PostgreSQL plans it once for any parameters, with the
 * default guess of a third of the table for `occurred_at >= $1`, and that plan starts two
 * parallel workers (two processes forked) on every run to read a thousand rows.
 */
export async function queryWithoutJit<T>(db: Runner, query: RawBuilder<T>, settings: { workMemMb?: number; serial?: boolean } = {}): Promise<T[]> {
  if (db.isTransaction) return (await query.execute(db)).rows;
  const { workMemMb, serial } = settings;
  if (workMemMb !== undefined && !(Number.isInteger(workMemMb) && workMemMb > 0)) throw new Error(`workMemMb: a whole number of megabytes above 0; got ${workMemMb}`);
  return db.transaction().execute(async (tx) => {
    // All in one round trip (set_config with is_local true is SET LOCAL): a what-if run reads 800 batches this way.
    const settings: Array<[string, string]> = [['jit', 'off']];
    if (workMemMb !== undefined) settings.push(['work_mem', `${workMemMb}MB`]);
    if (serial) settings.push(['max_parallel_workers_per_gather', '0']);
    await sql`select ${sql.join(settings.map(([name, value]) => sql`set_config(${name}, ${value}, true)`))}`.execute(tx);
    return (await query.execute(tx)).rows;
  });
}
