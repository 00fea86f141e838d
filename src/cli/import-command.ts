import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { Config } from '../config.ts';
import type { ImportJobView } from '../platform/imports/import-runner.ts';
import { cliActor } from '../platform/actor.ts';
import { openServices } from '../server.ts';
import { createProgressReporter } from './progress.ts';

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
type ImportKind = 'customers' | 'receipts';

/** Through a running server's API: the safe way while the server holds the embedded database. */
const endpoints: Record<ImportKind, { path: string; contentType: string }> = {
  customers: { path: '/v1/imports/customers', contentType: 'text/csv' },
  receipts: { path: '/v1/receipts/bulk', contentType: 'application/x-ndjson' },
};

async function importViaApi(kind: ImportKind, file: string, url: string, key: string, earn: boolean): Promise<ImportJobView> {
  const headers = { authorization: `Bearer ${key}` };
  const query = `fileName=${encodeURIComponent(path.basename(file))}${kind === 'receipts' ? `&earn=${earn}` : ''}`;
  const upload = await fetch(new URL(`${endpoints[kind].path}?${query}`, url), {
    method: 'POST',
    headers: { ...headers, 'content-type': endpoints[kind].contentType },
    body: Readable.toWeb(fs.createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const body = (await upload.json()) as ImportJobView & { detail?: string };
  if (upload.status !== 202) throw new Error(`the server refused the file: ${body.detail ?? upload.statusText}`);
  const progress = createProgressReporter('import');
  let job = body;
  while (job.status === 'queued' || job.status === 'running') {
    progress.update(job);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const poll = await fetch(new URL(`/v1/imports/${body.id}`, url), { headers });
    job = (await poll.json()) as ImportJobView;
  }
  progress.update(job);
  progress.stop();
  return job;
}

/** Straight into the database; refuses (with a clear message) when a server holds PGlite's files. */
async function importDirect(kind: ImportKind, config: Config, file: string, earn: boolean): Promise<ImportJobView> {
  const services = await openServices(config);
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

export async function importCommand(
  config: Config,
  kind: string | undefined,
  file: string | undefined,
  options: { url?: string; key?: string; earn?: boolean },
): Promise<number> {
  const { url, key } = options;
  if ((kind !== 'customers' && kind !== 'receipts') || !file) {
    process.stderr.write('usage: patron import customers FILE.csv | receipts FILE.ndjson [--earn] [--url http://host:8080 --key KEY]\n');
    return 2;
  }
  if (!fs.existsSync(file)) {
    process.stderr.write(`no such file: ${file}\n`);
    return 2;
  }
  if (url && !key) {
    process.stderr.write('--url needs --key (or PATRON_API_KEY) with a role that may import\n');
    return 2;
  }
  const earn = options.earn === true;
  const job = url && key ? await importViaApi(kind, file, url, key, earn) : await importDirect(kind, config, file, earn);
  printSummary(job);
  return job.status === 'completed' ? 0 : 1;
}
