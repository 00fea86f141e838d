import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './database.ts';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type Migration = { version: number; name: string; script: string };

/** Numbered forward-only migrations: `0001_name.sql`; a landed file is never edited. */
export function loadMigrations(dir = migrationsDir): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      script: fs.readFileSync(path.join(dir, file), 'utf8'),
    }));
}

// Any constant works; it only has to be the same for every Patron process on a server.
const MIGRATION_LOCK = 7_246_001;

/** Applies the migrations not yet applied, each in its own transaction; returns their names. */
export async function migrate(database: Database, migrations = loadMigrations()): Promise<string[]> {
  await sql`create table if not exists schema_migrations (
    version integer primary key, name text not null, applied_at timestamptz not null default now())`.execute(
    database.db,
  );
  const rows = await sql<{ version: number }>`select version from schema_migrations`.execute(database.db);
  const done = new Set(rows.rows.map((row) => row.version));
  const applied: string[] = [];
  for (const migration of migrations.filter((m) => !done.has(m.version))) {
    // The advisory lock inside each transaction lets several servers start at once on one
    // PostgreSQL: the second waits, then sees the version recorded and skips it.
    const script =
      `select pg_advisory_xact_lock(${MIGRATION_LOCK});\n` +
      `do $$ begin if exists (select 1 from schema_migrations where version = ${migration.version}) then ` +
      `raise exception 'patron:already-applied'; end if; end $$;\n` +
      `${migration.script}\n` +
      `insert into schema_migrations (version, name) values (${migration.version}, '${migration.name}');`;
    try {
      await database.runScript(script);
      applied.push(`${String(migration.version).padStart(4, '0')}_${migration.name}`);
    } catch (error) {
      if (error instanceof Error && error.message.includes('patron:already-applied')) continue;
      throw error;
    }
  }
  return applied;
}
