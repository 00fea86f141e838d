import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { DB } from './schema.ts';

/** The whole database (every module's tables): migrations, tests and buildApp's wiring use it; modules never do. */
export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;
/** Either the database or a transaction on it. */
export type DbOrTx = Db | Tx;

/** A view's tables must be tables of the whole database, each with exactly its type. */
type ViewOf<T> = { [K in keyof T]: K extends keyof DB ? DB[K] : never };

/**
 * A module's (or the platform's) view of the whole database, made once in buildApp and
 * inferred from what the module asks for (`createCustomers({ db: viewOf(db) })`). Safe: a view
 * is a structural subset of DB (the constraint checks every table it names), and a query of
 * fewer tables is a query of the same database.
 */
export function viewOf<T extends ViewOf<T>>(db: Db): Kysely<T> {
  return db as unknown as Kysely<T>;
}

export type DatabaseKind = 'pglite' | 'postgres';

export type Database = {
  db: Db;
  kind: DatabaseKind;
  /** Runs a multi-statement SQL script in one transaction (migrations). */
  runScript(script: string): Promise<void>;
  /** The embedded database only: a consistent copy of its files, a gzipped tar (`patron backup`). */
  snapshot?(): Promise<Blob>;
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

const PREPARED = /^\/\*ps:([a-z0-9_]+)\*\//;

/**
 * Hot-path statements start with a `/*ps:name*\/` comment; on PostgreSQL they run as named
 * prepared statements, parsed and planned once per connection instead of on every call (on the
 * checkout path planning took 0.3–0.6 ms against 0.02–0.05 ms of execution). Only marked
 * statements are named, so each connection keeps a small, fixed set; the name carries a hash of
 * the text, so two texts can never share one. PGlite runs the same text unnamed.
 */
function nameHotStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (config: unknown, values?: unknown) => unknown;
  const named = (config: unknown, values?: unknown) => {
    const marked = typeof config === 'string' && Array.isArray(values) ? PREPARED.exec(config) : null;
    if (!marked) return query(config, values);
    const name = `${marked[1]}_${createHash('sha1').update(config as string).digest('hex').slice(0, 10)}`;
    return query({ name, text: config, values });
  };
  client.query = named as typeof client.query;
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
  pool.on('connect', (client) => {
    nameHotStatements(client);
    // No JIT on our connections. The planner's cost of a statement over a big table's index
    // range passes jit_above_cost whatever the range holds, and PostgreSQL then compiles the plan
    // first: measured at 1 M customers, the outbox consumers' cursor step spent 625 of its 677 ms
    // compiling, five consumers every 5 s, and a segment's rules 155 ms of 2 s. Queued before the
    // pool hands the client out, so it runs first.
    client.query('set jit = off').catch(() => undefined);
  });
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

/**
 * PGlite's options. `sharedBuffers` (a PostgreSQL size, e.g. '32MB') replaces the data
 * directory's 128 MB: PGlite clears its shared memory as it starts, so a smaller cache starts
 * sooner (a small database: ~1.4 s with 128 MB, ~0.5–1.0 s with 32 MB). The server keeps the
 * 128 MB; a CLI command, which opens the database for one short task, and the tests ask for less.
 */
export function pgliteOptions(options: { sharedBuffers?: string } = {}) {
  return {
    parsers: { [DATE_OID]: keepText },
    ...(options.sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`] } : {}),
  };
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
    async snapshot() {
      // Holding Kysely's one connection keeps every other query out, so the copy falls between
      // transactions; the checkpoint first writes what is still only in memory to the files.
      return db.connection().execute(async (connection) => {
        await sql`checkpoint`.execute(connection);
        return pglite.dumpDataDir('gzip');
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
export function lockDataDir(dataDir: string): () => void {
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

export async function openPgliteDir(dataDir: string, options: { sharedBuffers?: string } = {}): Promise<Database> {
  fs.mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create(path.join(dataDir, 'pglite'), pgliteOptions(options));
    return wrapPglite(pglite, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

/** `sharedBuffers`: the embedded database's cache, when not the data directory's 128 MB (pgliteOptions). */
export async function openDatabase(options: { databaseUrl?: string; dataDir: string; sharedBuffers?: string }): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl) : openPgliteDir(options.dataDir, options.sharedBuffers ? { sharedBuffers: options.sharedBuffers } : {});
}
