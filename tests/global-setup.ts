import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres, pgliteOptions, wrapPglite } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { ensureConsoleBuilt } from '../src/platform/console/console-build.ts';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- module augmentation needs an interface
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

/**
 * Migrates one template per run; every test file then starts from a copy of it (a PGlite
 * data-dir dump, or CREATE DATABASE … TEMPLATE on PostgreSQL): fresh, isolated and fast.
 */
export default async function setup(project: TestProject) {
  // The console's browser tests and the server-start tests serve web/dist: built once per run, when its sources changed.
  await ensureConsoleBuilt();
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    // Said in the run's output, so a reader of a PostgreSQL pass knows what it did not run (vitest.config.ts says why).
    console.log(`PostgreSQL pass: ${process.env.PATRON_TEST_PAGES === '1' ? '' : 'the pages in Chromium, and '}the commands on an embedded database or none, run in the PGlite pass only`);
    const name = `patron_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const templateUrl = new URL(url);
    templateUrl.pathname = `/${name}`;
    const database = await openPostgres(templateUrl.toString(), 2);
    await migrate(database);
    await database.close();
    project.provide('postgresTemplate', name);
    project.provide('pgliteTemplate', '');
    return async () => {
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    };
  }
  const pglite = await PGlite.create(pgliteOptions({ sharedBuffers: '32MB' }));
  const database = wrapPglite(pglite);
  await migrate(database);
  // Written to the data files first: a dump taken without it has every copy replay the
  // migrations' WAL from the last checkpoint as it starts (0.3–0.4 s of CPU each test file).
  await pglite.exec('checkpoint');
  const dump = await pglite.dumpDataDir('none');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patron-test-'));
  const file = path.join(dir, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide('pgliteTemplate', file);
  project.provide('postgresTemplate', '');
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
