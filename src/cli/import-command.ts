import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { Config } from '../config.ts';
import type { ImportJobView } from '../platform/imports/import-runner.ts';
import { cliActor } from '../platform/actor.ts';
import type { Permission } from '../platform/roles.ts';
import { usageError } from './cli-errors.ts';
import { openServicesFor } from './open-database.ts';
import type { OptionValues } from './parse-command-line.ts';
import { createProgressReporter } from './progress.ts';
import { callServer, serverTarget, type ServerTarget } from './server-client.ts';

function printSummary(job: ImportJobView): void {
  const lines = [
    `import ${job.id}: ${job.status}`,
    `  rows in: ${job.rowsDone} (${job.rowsCreated} new, ${job.rowsUpdated} ${job.kind === 'customers' ? 'matched existing customers' : 'already loaded'})`,
    `  rows refused: ${job.rowsFailed}`,
  ];
  for (const error of job.errors.slice(0, 20)) lines.push(`    line ${error.line}, ${error.field}: ${error.reason}`);
  if (job.errorsTotal > 20) lines.push(`    … and ${job.errorsTotal - 20} more (GET /v1/imports/${job.id})`);
  if (job.failure) lines.push(`  stopped: ${job.failure}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** The files the CLI imports: each one's import kind (as its module registered it) and upload route. */
export type ImportKind = 'customers' | 'receipts';

/** Through a running server's API: the safe way while the server holds the embedded database. */
const endpoints: Record<ImportKind, { path: string; contentType: string; permission: Permission }> = {
  customers: { path: '/v1/imports/customers', contentType: 'text/csv', permission: 'customers:import' },
  receipts: { path: '/v1/receipts/bulk', contentType: 'application/x-ndjson', permission: 'receipts:import' },
};

async function importViaApi(kind: ImportKind, file: string, target: ServerTarget, earn: boolean): Promise<ImportJobView> {
  const command = `import ${kind}`;
  const { path: route, contentType, permission } = endpoints[kind];
  const query = `fileName=${encodeURIComponent(path.basename(file))}${kind === 'receipts' ? `&earn=${earn}` : ''}`;
  const upload = await callServer(
    command,
    target,
    `${route}?${query}`,
    {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit,
    // Loading receipts that earn points is the owner's act: name that permission when refused.
    kind === 'receipts' && earn ? 'receipts:import-earn' : permission,
  );
  const submitted = (await upload.json()) as ImportJobView;
  const progress = createProgressReporter('import');
  let job = submitted;
  while (job.status === 'queued' || job.status === 'running') {
    progress.update(job);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const poll = await callServer(command, target, `/v1/imports/${submitted.id}`, {}, 'imports:read');
    job = (await poll.json()) as ImportJobView;
  }
  progress.update(job);
  progress.stop();
  return job;
}

/** Straight into the database; refuses (with a clear message) when a server holds PGlite's files. */
async function importDirect(kind: ImportKind, config: Config, file: string, earn: boolean): Promise<ImportJobView> {
  const advice = `Stop it first, or import through it: add --url http://localhost:${config.port} --key KEY.`;
  const services = await openServicesFor(config, `import ${kind}`, advice);
  try {
    const options = kind === 'receipts' ? { earn } : {};
    const { job } = await services.imports.submit(kind, fs.createReadStream(file), path.basename(file), cliActor, config.importLimitBytes, options);
    const progress = createProgressReporter('import');
    const final = await services.imports.run(job.id, { onProgress: (view) => progress.update(view) });
    progress.update(final);
    progress.stop();
    return final;
  } finally {
    await services.close();
  }
}

export async function importCommand(config: Config, kind: ImportKind, file: string, values: OptionValues, env: NodeJS.ProcessEnv): Promise<number> {
  const command = `import ${kind}`;
  const target = serverTarget(command, values, env, kind === 'customers' ? 'import customers (owner or marketer)' : 'import receipts (owner or marketer)');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw usageError(`patron ${command}: no such file: ${file}. Give the path of the ${kind === 'customers' ? 'CSV' : 'NDJSON'} file to import.`);
  }
  if (!stat.isFile()) throw usageError(`patron ${command}: ${file} is not a file. Give the path of the file to import.`);
  const earn = values.earn === true;
  const job = target ? await importViaApi(kind, file, target, earn) : await importDirect(kind, config, file, earn);
  printSummary(job);
  return job.status === 'completed' ? 0 : 1;
}
