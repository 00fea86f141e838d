import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_SHARED_BUFFERS } from '../cli/open-database.ts';
import { seedDataDir } from '../../tests/helpers/cli.ts';
import { onPostgres } from '../../tests/helpers/test-db.ts';
import { openPgliteDir } from './database.ts';

/**
 * The embedded database's cache: the server keeps the data directory's 128 MB, a CLI command
 * (one short task) opens it with COMMAND_SHARED_BUFFERS, which starts PGlite sooner.
 */
describe.skipIf(onPostgres)('the embedded database\'s shared buffers', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-cache-'));
  beforeAll(() => seedDataDir(dir));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const shown = async (options: { sharedBuffers?: string }) => {
    const database = await openPgliteDir(dir, options);
    try {
      return (await sql<{ sharedBuffers: string }>`show shared_buffers`.execute(database.db)).rows[0]!.sharedBuffers;
    } finally {
      await database.close();
    }
  };

  it('are 128 MB unless asked, and what a command asks for when it does', async () => {
    expect(await shown({})).toBe('128MB');
    expect(await shown({ sharedBuffers: COMMAND_SHARED_BUFFERS })).toBe('32MB');
  });
});
