import fs from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { withCpu, type CpuReading } from './cpu.ts';
import type { PatronServer } from './patron-server.ts';

export type ImportJobView = {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  rowsDone: number;
  rowsFailed: number;
  rowsCreated: number;
  rowsUpdated: number;
  errors: Array<{ line: number; field: string; reason: string }>;
  errorsTotal: number;
  failure: string | null;
  startedAt: string | null;
  finishedAt: string | null;
};

function request(port: number, options: http.RequestOptions, body: fs.ReadStream | null): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, ...options }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) pipeline(body, req).catch(reject);
    else req.end();
  });
}

/**
 * Streams a file to an import route as a till-side system would (one HTTP request, the file as
 * the body), then polls the job until it finishes. The time is from the first byte sent to the
 * job's own `finishedAt` (same machine, same clock), so polling adds nothing to it.
 */
type UploadOptions = {
  path: string;
  contentType: string;
  file: string;
  timeoutMs?: number;
  progress?: (job: ImportJobView, elapsedMs: number) => void;
};

export async function uploadAndWait(options: UploadOptions & { port: number; key: string }): Promise<{ job: ImportJobView; ms: number; uploadMs: number }> {
  const size = fs.statSync(options.file).size;
  const startedWall = Date.now();
  const started = performance.now();
  const reply = await request(
    options.port,
    { method: 'POST', path: options.path, headers: { authorization: `Bearer ${options.key}`, 'content-type': options.contentType, 'content-length': size } },
    fs.createReadStream(options.file),
  );
  const uploadMs = performance.now() - started;
  if (reply.status !== 202) throw new Error(`POST ${options.path}: ${reply.status} ${reply.body.slice(0, 500)}`);
  const { id } = JSON.parse(reply.body) as { id: string };
  const deadline = Date.now() + (options.timeoutMs ?? 4 * 3_600_000);
  let lastProgress = Date.now();
  for (;;) {
    const polled = await request(options.port, { method: 'GET', path: `/v1/imports/${id}?errorsLimit=20`, headers: { authorization: `Bearer ${options.key}` } }, null);
    if (polled.status !== 200) throw new Error(`GET /v1/imports/${id}: ${polled.status} ${polled.body.slice(0, 500)}`);
    const job = JSON.parse(polled.body) as ImportJobView;
    if (job.status === 'completed' || job.status === 'failed') {
      const finished = job.finishedAt ? Date.parse(job.finishedAt) : Date.now();
      return { job, ms: Math.max(uploadMs, finished - startedWall), uploadMs };
    }
    if (Date.now() > deadline) throw new Error(`import ${id} did not finish in time (${job.rowsDone} rows done)`);
    if (options.progress && Date.now() - lastProgress >= 30_000) {
      lastProgress = Date.now();
      options.progress(job, Date.now() - startedWall);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The upload as the server's admin once its start-up jobs are done, with the CPU of the server and of its database's backends. */
export async function uploadWithCpu(server: PatronServer, admin: pg.Client, database: string, options: UploadOptions): Promise<{ job: ImportJobView; ms: number; uploadMs: number; cpu: CpuReading }> {
  await server.settle();
  const { value, cpu } = await withCpu(server, admin, database, () => uploadAndWait({ ...options, port: server.port, key: server.adminKey }));
  return { ...value, cpu };
}

/**
 * Whether an import's time is a figure: it completed, or it failed only after every line was
 * processed (the failure is then shown beside the figure, and the goal is not met).
 */
export function importOutcome(job: ImportJobView, lines: number): { measured: boolean; completed: boolean; detail?: string } {
  const processed = job.rowsDone + job.rowsFailed;
  const completed = job.status === 'completed';
  const notes = [
    ...(job.rowsFailed > 0 ? [`${job.rowsFailed.toLocaleString('en-US')} refused`] : []),
    ...(completed ? [] : [`job ${job.status} after ${processed >= lines ? 'every line' : `${processed.toLocaleString('en-US')} of ${lines.toLocaleString('en-US')} lines`}`]),
  ];
  return { measured: completed || processed >= lines, completed, ...(notes.length > 0 ? { detail: notes.join('; ') } : {}) };
}
