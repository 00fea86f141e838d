import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Opened } from '../server.ts';
import { failure } from './cli-errors.ts';

/** The pid in the embedded database's lock file, if any. */
function lockHolder(dataDir: string): string {
  try {
    return fs.readFileSync(path.join(dataDir, 'patron.lock'), 'utf8').trim();
  } catch {
    return '?';
  }
}

/**
 * Opens the database for a command; when a server holds the embedded database, says so with
 * what to do instead for this command (`advice`).
 */
export async function opening<T>(config: Config, command: string, advice: string, open: () => Promise<T>): Promise<T> {
  const { DataDirLockedError } = await import('../db/database.ts');
  try {
    return await open();
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw failure(
        `patron ${command}: Another Patron process (pid ${lockHolder(config.dataDir)}) is using the embedded database in ${config.dataDir}. ${advice}`,
        error,
      );
    }
    throw error;
  }
}

/**
 * The embedded database's cache for a command: it opens the database for one short task, and
 * PGlite starts faster with a smaller cache than the server's 128 MB (database.ts, pgliteOptions).
 */
export const COMMAND_SHARED_BUFFERS = '32MB';

/** The database alone (migrate, backup), migrations not applied. */
export async function openDatabaseFor(config: Config, command: string, advice: string): Promise<Database> {
  const { openDatabase } = await import('../db/database.ts');
  return opening(config, command, advice, () => openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, sharedBuffers: COMMAND_SHARED_BUFFERS }));
}

/** The database, migrated, with every service (keys, imports, demo). */
export async function openServicesFor(config: Config, command: string, advice: string): Promise<Opened> {
  const { openServices } = await import('../server.ts');
  return opening(config, command, advice, () => openServices(config, { sharedBuffers: COMMAND_SHARED_BUFFERS }));
}
