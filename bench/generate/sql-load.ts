import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';

/**
 * Running generated SQL on PostgreSQL or PGlite alike, and loading into bare tables: keys,
 * indexes and foreign keys are dropped first and rebuilt from their own definitions at the end.
 */

/** One SQL statement without parameters; returns the rows and the count of rows written or read. */
export type SqlRunner = (text: string) => Promise<{ rows: Array<Record<string, unknown>>; count: number }>;

export function pgRunner(client: pg.Client): SqlRunner {
  return async (text) => {
    const result = await client.query(text);
    return { rows: result.rows as Array<Record<string, unknown>>, count: result.rowCount ?? result.rows.length };
  };
}

export function pgliteRunner(pglite: PGlite): SqlRunner {
  return async (text) => {
    const result = await pglite.query<Record<string, unknown>>(text);
    return { rows: result.rows, count: result.affectedRows || result.rows.length };
  };
}

/** A SQL string literal. */
export const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;

export type SavedSchema = { keys: Array<{ table: string; name: string; def: string }>; indexes: Array<{ table: string; def: string }>; foreign: Array<{ table: string; name: string; def: string }> };

/** Bulk loads go faster into bare tables: keys, indexes and foreign keys are built once at the end. */
export async function dropKeysAndIndexes(run: SqlRunner, tables: readonly string[]): Promise<SavedSchema> {
  const regclasses = `array[${tables.map(sqlText).join(', ')}]::regclass[]`;
  const constraints = (
    await run(`select c.conrelid::regclass::text as "table", c.conname as name, c.contype as type, pg_get_constraintdef(c.oid) as def
      from pg_constraint c where c.contype in ('p', 'u', 'f') and (c.conrelid = any(${regclasses}) or c.confrelid = any(${regclasses}))
      order by c.conrelid::regclass::text, c.conname`)
  ).rows as Array<{ table: string; name: string; type: string; def: string }>;
  const indexes = (
    await run(`select i.indrelid::regclass::text as "table", pg_get_indexdef(i.indexrelid) as def
      from pg_index i where i.indrelid = any(${regclasses}) and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)
      order by i.indrelid::regclass::text, i.indexrelid::regclass::text`)
  ).rows as Array<{ table: string; def: string }>;
  const foreign = constraints.filter((c) => c.type === 'f');
  const keys = constraints.filter((c) => c.type !== 'f');
  for (const c of foreign) await run(`alter table ${c.table} drop constraint ${c.name}`);
  for (const c of keys) await run(`alter table ${c.table} drop constraint ${c.name}`);
  for (const index of indexes) await run(`drop index ${/ INDEX (\S+) ON /.exec(index.def)![1]}`);
  return { keys, indexes, foreign };
}

export async function rebuildKeysAndIndexes(run: SqlRunner, tables: readonly string[], schema: SavedSchema, timed: (name: string, work: () => Promise<number>) => Promise<number>): Promise<void> {
  for (const table of tables) {
    const keys = schema.keys.filter((k) => k.table === table);
    const indexes = schema.indexes.filter((i) => i.table === table);
    if (keys.length + indexes.length === 0) continue;
    const statements = [...keys.map((k) => `alter table ${k.table} add constraint ${k.name} ${k.def}`), ...indexes.map((i) => i.def)];
    await timed(`keys and indexes: ${table} (${statements.length})`, async () => {
      for (const statement of statements) await run(statement);
      return 0;
    });
  }
  await timed(`foreign keys, validated (${schema.foreign.length})`, async () => {
    for (const c of schema.foreign) await run(`alter table ${c.table} add constraint ${c.name} ${c.def}`);
    return 0;
  });
}
