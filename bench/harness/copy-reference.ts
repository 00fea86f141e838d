import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/**
 * The two COPY references of the bulk-load scenarios: a plain COPY of the uploaded file into a
 * bare table (how fast PostgreSQL takes the bytes at all), and the ceiling: the rows the
 * import stored, copied (binary) into a freshly migrated database with the same indexes,
 * checks and foreign keys, so no way of writing the import's result can beat it.
 */

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Each measured phase starts with no dirty pages left by the one before (needs superuser or pg_checkpoint; skipped without). */
export const checkpoint = (client: pg.Client) => client.query('checkpoint').then(() => undefined, () => undefined);

/** COPY `file` into a new table `table (columns)` with no indexes; returns the rows and the milliseconds. */
export async function plainCopy(url: string, options: { file: string; table: string; columns: string; copyOptions: string }): Promise<{ rows: number; ms: number }> {
  return withClient(url, async (client) => {
    await client.query(`drop table if exists ${options.table}; create table ${options.table} (${options.columns})`);
    await checkpoint(client);
    const start = performance.now();
    const stream = client.query(copyFrom(`copy ${options.table} from stdin (${options.copyOptions})`));
    await pipeline(fs.createReadStream(options.file), stream);
    const ms = performance.now() - start;
    await client.query(`drop table ${options.table}`);
    return { rows: stream.rowCount, ms };
  });
}

export type CopiedTable = { table: string; rows: number; ms: number };

/**
 * Copies `prerequisites` (unmeasured: what the stored rows' foreign keys need) and then
 * `measured` tables, in that order, from `sourceUrl` into `targetUrl` (freshly migrated).
 * `columns` names a column list when a table's identity column must be left to the target.
 */
export async function ceilingCopy(
  sourceUrl: string,
  targetUrl: string,
  tables: { prerequisites: readonly string[]; measured: ReadonlyArray<{ table: string; columns?: string }> },
  dir: string,
): Promise<{ ms: number; perTable: CopiedTable[] }> {
  return withClient(sourceUrl, (source) =>
    withClient(targetUrl, async (target) => {
      const copy = async (table: string, columns: string | undefined) => {
        const list = columns ? ` ${columns}` : '';
        const dump = path.join(dir, `${table}.copy`);
        await pipeline(source.query(copyTo(`copy ${table}${list} to stdout (format binary)`)), fs.createWriteStream(dump));
        await checkpoint(target);
        const start = performance.now();
        const stream = target.query(copyFrom(`copy ${table}${list} from stdin (format binary)`));
        await pipeline(fs.createReadStream(dump), stream);
        const ms = performance.now() - start;
        fs.rmSync(dump);
        return { table, rows: stream.rowCount, ms };
      };
      for (const table of tables.prerequisites) await copy(table, undefined);
      const perTable: CopiedTable[] = [];
      for (const { table, columns } of tables.measured) perTable.push(await copy(table, columns));
      return { ms: perTable.reduce((sum, t) => sum + t.ms, 0), perTable };
    }),
  );
}
