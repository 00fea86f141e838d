import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../tests/helpers/test-db.ts';
import type { Database } from './database.ts';
import { loadMigrations, migrate } from './migrate.ts';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => database.close());

describe('migrations', () => {
  it('are numbered, and applying them again changes nothing', async () => {
    const migrations = loadMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(await migrate(database)).toEqual([]);
  });

  it('apply a new one once, in a transaction; a failing one leaves no trace', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-mig-'));
    fs.writeFileSync(path.join(dir, '0901_extra.sql'), 'create table extra_one (id int primary key);');
    fs.writeFileSync(path.join(dir, '0902_broken.sql'), 'create table extra_two (id int primary key);\nselect no_such_function();');
    const extra = loadMigrations(dir);
    await expect(migrate(database, extra)).rejects.toThrow(/no_such_function/);
    const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_name like 'extra_%'`.execute(database.db);
    expect(tables.rows.map((r) => r.name)).toEqual(['extra_one']);
    const versions = await sql<{ version: number }>`select version from schema_migrations where version > 900`.execute(database.db);
    expect(versions.rows.map((r) => r.version)).toEqual([901]);
    fs.rmSync(dir, { recursive: true });
  });
});
