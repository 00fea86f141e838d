import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { DB } from './schema.ts';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the database or a transaction on it: services accept both so callers choose the boundary. */
export type DbOrTx = Db | Tx;

export type DatabaseKind = 'pglite' | 'postgres';

export type Database = {
  db: Db;
  kind: DatabaseKind;
  /** Runs a multi-statement SQL script in one transaction (migrations). */
  runScript(script: string): Promise<void>;
  close(): Promise<void>;
};

const DATE_OID = 1082;
const INT8_OID = 20;
// Dates stay 'YYYY-MM-DD' strings: turning them into a JS Date shifts them by the host's timezone.
const keepText = (value: string) => value;
// Counts and sums come back as int8; JS numbers hold integers exactly up to 2^53.
const toNumber = (value: string) => Number(value);

function kyselyFor(dialect: PGliteDialect | PostgresDialect): Db {
  return new Kysely<DB>({ dialect, plugins: [new CamelCasePlugin({ maintainNestedObjectKeys: true })] });
}

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === DATE_OID) return keepText;
        if (oid === INT8_OID) return toNumber;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = kyselyFor(new PostgresDialect({ pool }));
  return {
    db,
    kind: 'postgres',
    async runScript(script) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(script);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => db.destroy(),
  };
}

export function pgliteOptions() {
  return { parsers: { [DATE_OID]: keepText } };
}

/** Wraps an open PGlite; Kysely's driver serialises access, since PGlite has one connection. */
export function wrapPglite(pglite: PGlite, onClose?: () => void): Database {
  const db = kyselyFor(new PGliteDialect(pglite));
  return {
    db,
    kind: 'pglite',
    async runScript(script) {
      // Kysely holds no connection while migrations run (they run before anything else).
      await pglite.transaction(async (tx) => {
        await tx.exec(script);
      });
    },
    async close() {
      await db.destroy();
      onClose?.();
    },
  };
}

export class DataDirLockedError extends Error {}

/**
 * PGlite's files belong to one process. A lock file with our pid keeps a second process
 * (a CLI command while the server runs) from opening them and corrupting the database.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, 'patron.lock');
  try {
    const pid = Number(fs.readFileSync(lockPath, 'utf8'));
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) {
      throw new DataDirLockedError(
        `Another Patron process (pid ${pid}) is using the embedded database in ${dataDir}. ` +
          'Stop it first, or send the change through its HTTP API.',
      );
    }
  } catch (error) {
    if (error instanceof DataDirLockedError) throw error;
  }
  fs.writeFileSync(lockPath, String(process.pid));
  return () => {
    try {
      if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
    } catch {
      // already gone
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function openPgliteDir(dataDir: string): Promise<Database> {
  fs.mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create(path.join(dataDir, 'pglite'), pgliteOptions());
    return wrapPglite(pglite, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

export async function openDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPgliteDir(options.dataDir);
}
