import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { failure, usageError } from './cli-errors.ts';
import { formatBytes, inspectBackup, type BackupInfo } from './backup-file.ts';
import { COMMAND_SHARED_BUFFERS, openDatabaseFor } from './open-database.ts';
import type { OptionValues } from './parse-command-line.ts';
import { callServer, serverTarget } from './server-client.ts';

const onPostgres = (command: string, instead: string) =>
  usageError(`patron ${command}: this install runs on PostgreSQL (DATABASE_URL), which patron ${command} does not handle: ${instead}, as docs/operations.md shows.`);

/** The embedded database's files, straight from the data directory (the server stopped). */
async function snapshotDirect(config: Config, file: string): Promise<Buffer> {
  if (!fs.existsSync(path.join(config.dataDir, 'pglite', 'PG_VERSION'))) {
    throw failure(`patron backup: there is no embedded database in ${config.dataDir} to back up. Set PATRON_DATA_DIR to the directory the server uses.`);
  }
  const advice = `Back up through it instead: patron backup ${file} --url http://localhost:${config.port} --key OWNER_KEY.`;
  const database = await openDatabaseFor(config, 'backup', advice);
  try {
    if (!database.snapshot) throw failure('patron backup: this database cannot be copied by Patron; see docs/operations.md.');
    return Buffer.from(await (await database.snapshot()).arrayBuffer());
  } finally {
    await database.close();
  }
}

/** Writes the file whole or not at all, readable only by this user: it holds every customer. */
function writeAtomically(file: string, bytes: Buffer): void {
  const temporary = `${file}.partial-${process.pid}`;
  try {
    fs.writeFileSync(temporary, bytes, { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw failure(`patron backup: cannot write ${file} (${(error as Error).message}).`, error);
  }
}

export async function backupCommand(config: Config, file: string, values: OptionValues, env: NodeJS.ProcessEnv): Promise<number> {
  const target = serverTarget('backup', values, env, 'back up the database (owner)');
  if (!target && config.databaseUrl) throw onPostgres('backup', 'back it up with pg_dump or pg_basebackup');
  const out = path.resolve(file);
  if (!fs.statSync(path.dirname(out), { throwIfNoEntry: false })?.isDirectory()) {
    throw usageError(`patron backup: there is no directory ${path.dirname(out)} to write ${file} into. Create it, or give another path.`);
  }
  if (fs.statSync(out, { throwIfNoEntry: false })?.isDirectory()) {
    throw usageError(`patron backup: ${file} is a directory. Give a file name, e.g. ${path.join(file, 'patron.tar.gz')}.`);
  }

  let bytes: Buffer;
  if (target) {
    const response = await callServer('backup', target, '/v1/admin/backup', { method: 'POST' }, 'backup:create');
    bytes = Buffer.from(await response.arrayBuffer());
  } else {
    bytes = await snapshotDirect(config, file);
  }
  let info: BackupInfo;
  try {
    info = inspectBackup(bytes);
  } catch (error) {
    throw failure(`patron backup: what ${target ? 'the server sent' : 'the database gave'} is not a whole backup: ${(error as Error).message}. Nothing was written; try again.`, error);
  }
  writeAtomically(out, bytes);
  process.stdout.write(`backup written to ${file} (${formatBytes(info.bytes)}, ${info.files} files, PostgreSQL ${info.postgresVersion}); restore it with: patron restore ${file}\n`);
  return 0;
}

export async function restoreCommand(config: Config, file: string, values: OptionValues): Promise<number> {
  if (config.databaseUrl) throw onPostgres('restore', 'restore with pg_restore, or by point-in-time recovery');
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw usageError(`patron restore: no such file: ${file}. Give the path of a backup made by patron backup.`);
  }
  const bytes = fs.readFileSync(file);
  try {
    inspectBackup(bytes);
  } catch (error) {
    throw failure(`patron restore: ${file} is not a Patron backup: ${(error as Error).message}. Nothing was changed.`, error);
  }

  const { DataDirLockedError, lockDataDir, openDatabase, pgliteOptions } = await import('../db/database.ts');
  const { migrate } = await import('../db/migrate.ts');
  const { dataDir } = config;
  fs.mkdirSync(dataDir, { recursive: true });
  let unlock: () => void;
  try {
    unlock = lockDataDir(dataDir);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    const pid = fs.readFileSync(path.join(dataDir, 'patron.lock'), 'utf8').trim();
    throw failure(`patron restore: Another Patron process (pid ${pid}) is using the embedded database in ${dataDir}. Stop it first: a restore replaces the database it has open.`, error);
  }
  try {
    const present = fs.readdirSync(dataDir).filter((name) => name !== 'patron.lock' && !name.startsWith('pglite.'));
    if (present.length > 0 && values.force !== true) {
      throw failure(
        `patron restore: ${dataDir} is not empty (${present.slice(0, 3).join(', ')}${present.length > 3 ? ', …' : ''}). ` +
          'Restore into an empty PATRON_DATA_DIR, or add --force to replace the database in it (patron backup keeps a copy first).',
      );
    }
    // Unpacked beside the live database first, so a backup that will not open changes nothing.
    const staging = path.join(dataDir, 'pglite.restoring');
    fs.rmSync(staging, { recursive: true, force: true });
    try {
      const { PGlite } = await import('@electric-sql/pglite');
      const pglite = await PGlite.create(staging, { ...pgliteOptions({ sharedBuffers: COMMAND_SHARED_BUFFERS }), loadDataDir: new Blob([bytes]) });
      await pglite.close();
    } catch (error) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw failure(`patron restore: ${file} would not open as a database (${(error as Error).message}). Nothing was changed.`, error);
    }
    const live = path.join(dataDir, 'pglite');
    const replaced = path.join(dataDir, 'pglite.replaced');
    fs.rmSync(replaced, { recursive: true, force: true });
    if (fs.existsSync(live)) fs.renameSync(live, replaced);
    fs.renameSync(staging, live);
    fs.rmSync(replaced, { recursive: true, force: true });

    // This process holds the lock, so it may open the database; closing it releases the lock.
    const database = await openDatabase({ dataDir, sharedBuffers: COMMAND_SHARED_BUFFERS });
    let applied: string[];
    try {
      applied = await migrate(database);
    } finally {
      await database.close();
    }
    const schema = applied.length ? `applied migrations: ${applied.join(', ')}` : 'its schema is up to date';
    const kept = present.filter((name) => name !== 'pglite');
    const note = kept.length ? `; left as they were: ${kept.join(', ')}` : '';
    process.stdout.write(`restored ${file} into ${dataDir}; ${schema}${note}. Start the server with: patron serve\n`);
    return 0;
  } finally {
    unlock();
  }
}
