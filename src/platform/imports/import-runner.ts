import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import type { Actor } from '../actor.ts';
import { writeAudit } from '../audit.ts';
import type { Clock } from '../clock.ts';
import type { PlatformDb, PlatformTx } from '../db-views.ts';
import { AppError, platformError } from '../errors.ts';
import type { Ids } from '../ids.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../pagination.ts';
import { BatchRaceError, type BatchOutcome, type ImportFormat, type ImportOptionsBag, type ImportType } from './import-format.ts';

export type ImportStatus = 'queued' | 'running' | 'completed' | 'failed';

export type ImportJobView = {
  id: string;
  kind: string;
  status: ImportStatus;
  fileName: string;
  bytesTotal: number;
  bytesDone: number;
  /** Share of the file processed, 0 to 1. */
  progress: number;
  rowsDone: number;
  rowsFailed: number;
  rowsCreated: number;
  rowsUpdated: number;
  errors: Array<{ line: number; field: string; reason: string }>;
  errorsTotal: number;
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export type ImportRunnerOptions = {
  db: PlatformDb;
  clock: Clock;
  ids: Ids;
  /** The import types the modules registered (buildApp wires them). */
  types: ImportType[];
  dataDir: string;
  batchSize?: number;
  /** A running job whose heartbeat is older than this belongs to a dead process and may be resumed. */
  staleAfterMs?: number;
  /**
   * PostgreSQL: the process running a job holds a session advisory lock on it, which the
   * database drops the moment that process's connection ends (a crash, a kill), so a restarted
   * or another instance takes the job over at once; the heartbeat then decides nothing. Not for
   * PGlite: one process owns it, and holding its one connection would stall every other query.
   */
  jobLocks?: boolean;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
};

export type RunOptions = { signal?: AbortSignal; onProgress?: (job: ImportJobView) => void };

class ImportStopped extends Error {}

/** The first key of the two-key advisory locks on import jobs (the second is a hash of the job id). */
const JOB_LOCK_SPACE = 0x50_49_4d; // "PIM"

/** A job's batches and its end are the import's doing, on behalf of the key that started it. */
const importActor = (createdBy: string | null): Actor => ({ keyId: createdBy, name: 'import', role: null });

function sha256Counter() {
  const hash = createHash('sha256');
  let bytes = 0;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  return { transform, digest: () => hash.digest('hex'), bytes: () => bytes };
}

/**
 * Imports run as jobs. The upload is stored under the data directory first, then processed
 * in batches; each batch commits together with the job's checkpoint, so a crash loses
 * nothing and the job resumes after the last committed line.
 */
export function createImportRunner(options: ImportRunnerOptions) {
  const { db, clock, ids } = options;
  const batchSize = options.batchSize ?? 2000;
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const jobLocks = options.jobLocks ?? false;
  /**
   * A running job whose heartbeat is older than this has no live process behind it. With job
   * locks every running job is a candidate: process() takes its lock before claiming it, and
   * gets it only when no live process holds it.
   */
  const orphanedBefore = (now: Date) => (jobLocks ? new Date(8.64e15) : new Date(now.getTime() - staleAfterMs));
  // Each job running under a lock keeps one pooled connection for it: two at a time leave the pool to the API.
  const slots = createSlots(jobLocks ? 2 : Number.POSITIVE_INFINITY);
  const dir = path.join(options.dataDir, 'imports');
  const active = new Map<string, Promise<ImportJobView>>();
  const controllers = new Map<string, AbortController>();
  const fileOf = (id: string) => path.join(dir, `${id}.csv`);
  const formats = new Map(options.types.map((type) => [type.kind, type.format]));

  async function view(id: string, errorsLimit = 1000): Promise<ImportJobView> {
    const job = await db.selectFrom('importJobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!job) throw platformError('import.not_found', `No import ${id}`);
    const errors = await db
      .selectFrom('importErrors')
      .select(['line', 'field', 'reason'])
      .where('importId', '=', id)
      .orderBy('line')
      .orderBy('field')
      .limit(errorsLimit)
      .execute();
    const total = await db.selectFrom('importErrors').select((eb) => eb.fn.countAll<number>().as('n')).where('importId', '=', id).executeTakeFirstOrThrow();
    return {
      id: job.id,
      kind: job.kind,
      status: job.status,
      fileName: job.fileName,
      bytesTotal: job.bytesTotal,
      bytesDone: job.bytesDone,
      progress: job.bytesTotal === 0 ? 1 : Math.min(1, job.bytesDone / job.bytesTotal),
      rowsDone: job.rowsDone,
      rowsFailed: job.rowsFailed,
      rowsCreated: job.rowsCreated,
      rowsUpdated: job.rowsUpdated,
      errors,
      errorsTotal: Number(total.n),
      failure: job.failure,
      createdAt: job.createdAt.toISOString(),
      startedAt: job.startedAt?.toISOString() ?? null,
      finishedAt: job.finishedAt?.toISOString() ?? null,
    };
  }

  /**
   * Takes the job for this process unless another live process holds it, and returns it as it
   * stands then: the update waits for a dead process's last batch to commit or roll back, so
   * the checkpoint read is the one to go on from.
   */
  async function claim(id: string) {
    const now = clock.now();
    return db
      .updateTable('importJobs')
      .set({ status: 'running', startedAt: sql`coalesce(started_at, ${now})`, heartbeatAt: now, failure: null })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('status', 'in', ['queued', 'failed']), eb.and([eb('status', '=', 'running'), eb('heartbeatAt', '<=', orphanedBefore(now))])]),
      )
      .returningAll()
      .executeTakeFirst();
  }

  async function process(id: string, run: RunOptions): Promise<ImportJobView> {
    // Stopping (shutdown) before this job's turn came: leave it for the next start.
    if (run.signal?.aborted) return view(id);
    if (!jobLocks) return processClaimed(id, run);
    // The lock lives as long as this connection, held for the whole run.
    return db.connection().execute(async (connection) => {
      const lock = sql`${sql.lit(JOB_LOCK_SPACE)}::int, hashtext(${id})`;
      const taken = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${lock}) as locked`.execute(connection);
      if (!taken.rows[0]?.locked) return view(id); // a live process runs it
      try {
        return await processClaimed(id, run);
      } finally {
        await sql`select pg_advisory_unlock(${lock})`.execute(connection).catch(() => undefined);
      }
    });
  }

  async function processClaimed(id: string, run: RunOptions): Promise<ImportJobView> {
    const job = await claim(id);
    if (!job) return view(id);
    const file = fileOf(id);
    // The checkpoint this process last saw committed: each batch moves it on only from there.
    let committed = job.checkpointLine;
    try {
      if (!fs.existsSync(file)) throw new Error('the uploaded file is no longer on disk; upload it again');
      const format = formatOf(job.kind);
      const counter = sha256Counter();
      const source = format.read(fs.createReadStream(file).pipe(counter.transform), job.options);
      let batch: unknown[] = [];
      let problems: Array<{ line: number; field: string; reason: string }> = [];
      let problemLines = 0;
      let lastLine = job.checkpointLine;
      const flush = async () => {
        await commitBatch(job, format, batch, problems, committed, lastLine, counter.bytes());
        committed = lastLine;
        batch = [];
        problems = [];
        problemLines = 0;
        run.onProgress?.(await view(id, 0));
      };
      for await (const record of source) {
        if (record.line <= job.checkpointLine) continue;
        if ('row' in record) batch.push(record.row);
        else {
          problems.push(...record.problems.map((p) => ({ line: record.line, ...p })));
          problemLines++;
        }
        lastLine = Math.max(lastLine, record.line);
        if (batch.length + problemLines >= batchSize) {
          await flush();
          if (run.signal?.aborted) throw new ImportStopped();
        }
      }
      await flush();
      if (await finish(id, committed, 'completed', null, job.bytesTotal)) fs.rmSync(file, { force: true });
    } catch (error) {
      if (error instanceof ImportStopped) return view(id);
      // A database message may quote a value from the file: keep personal data out of the job.
      const reason = error instanceof AppError ? error.detail : error instanceof Error && !('code' in error) ? error.message : 'a database error stopped the import; run it again to resume';
      options.log?.error({ importId: id, code: (error as { code?: string }).code }, 'import failed');
      await finish(id, committed, 'failed', reason, null);
    }
    return view(id);
  }

  /**
   * A completed job's upload is removed right after its status commits; a process killed between
   * the two leaves the file (customers' personal data) behind, so the next sweep removes it.
   */
  async function removeCompletedUploads(): Promise<void> {
    const ids = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.csv')).map((name) => name.slice(0, -'.csv'.length)) : [];
    if (ids.length === 0) return;
    const completed = await db.selectFrom('importJobs').select('id').where('id', 'in', ids).where('status', '=', 'completed').execute();
    for (const { id } of completed) if (!active.has(id)) fs.rmSync(fileOf(id), { force: true });
  }

  function formatOf(kind: string): ImportFormat<unknown> {
    const format = formats.get(kind);
    if (!format) throw new Error(`no import format for ${kind}`);
    return format;
  }

  async function commitBatch(
    job: { id: string; kind: string; options: ImportOptionsBag; createdBy: string | null },
    format: ImportFormat<unknown>,
    rows: unknown[],
    problems: Array<{ line: number; field: string; reason: string }>,
    from: number,
    upTo: number,
    bytesDone: number,
  ): Promise<void> {
    const { id, options: jobOptions } = job;
    for (let attempt = 1; ; attempt++) {
      try {
        await db.transaction().execute(async (tx) => {
          const outcome = await writeBatchIsolatingBadRows(tx, format, jobOptions, id, rows);
          // What the batch created that an auditor asks about (points), in the batch's own transaction.
          if (outcome.totals && Object.values(outcome.totals).some((n) => n !== 0)) {
            await writeAudit(tx, clock, importActor(job.createdBy), {
              action: `${job.kind}.import.batch`,
              entityType: 'import',
              entityId: id,
              details: { upToLine: upTo, ...outcome.totals },
            });
          }
          const errors = [...problems, ...outcome.failed.flatMap((f) => f.problems.map((p) => ({ line: f.line, ...p })))];
          if (errors.length > 0) {
            await sql`insert into import_errors (import_id, line, field, reason)
              select ${id}, * from unnest(${errors.map((e) => e.line)}::int[], ${errors.map((e) => e.field)}::text[],
                ${errors.map((e) => e.reason)}::text[])
              on conflict do nothing`.execute(tx);
          }
          const failedLines = new Set(errors.map((e) => e.line)).size;
          const moved = await tx
            .updateTable('importJobs')
            .set((eb) => ({
              checkpointLine: upTo,
              bytesDone,
              rowsDone: eb('rowsDone', '+', outcome.created + outcome.updated),
              rowsFailed: eb('rowsFailed', '+', failedLines),
              rowsCreated: eb('rowsCreated', '+', outcome.created),
              rowsUpdated: eb('rowsUpdated', '+', outcome.updated),
              heartbeatAt: clock.now(),
            }))
            .where('id', '=', id)
            // A fence: if another process took the job over and moved the checkpoint, this batch rolls back.
            .where('checkpointLine', '=', from)
            .returning('id')
            .executeTakeFirst();
          if (!moved) throw new ImportStopped();
        });
        return;
      } catch (error) {
        // Another writer took an identifier, or the database chose us as a deadlock victim: redo.
        const retryable = error instanceof BatchRaceError || ['40001', '40P01', '23505'].includes((error as { code?: string }).code ?? '');
        if (!retryable || attempt >= 5) throw error;
      }
    }
  }

  /**
   * The whole batch in one go; if the database refuses a value (a data error the row checks
   * did not foresee), the batch is redone row by row under savepoints so the one bad row is
   * reported and the rest go in, instead of the import stopping.
   */
  async function writeBatchIsolatingBadRows(tx: PlatformTx, format: ImportFormat<unknown>, jobOptions: ImportOptionsBag, importId: string, rows: unknown[]): Promise<BatchOutcome> {
    // A batch of only bad lines, or the last flush of a file whose line count is a multiple of
    // the batch size, has nothing to write: formats never see an empty batch.
    if (rows.length === 0) return { created: 0, updated: 0, failed: [] };
    await sql`savepoint whole_batch`.execute(tx);
    try {
      const outcome = await format.write(tx, importId, rows, jobOptions);
      await sql`release savepoint whole_batch`.execute(tx);
      return outcome;
    } catch (error) {
      if (!isDataError(error)) throw error;
      await sql`rollback to savepoint whole_batch`.execute(tx);
    }
    const total: BatchOutcome = { created: 0, updated: 0, failed: [] };
    for (const row of rows) {
      await sql`savepoint one_row`.execute(tx);
      try {
        const one = await format.write(tx, importId, [row], jobOptions);
        await sql`release savepoint one_row`.execute(tx);
        total.created += one.created;
        total.updated += one.updated;
        total.failed.push(...one.failed);
        for (const [key, n] of Object.entries(one.totals ?? {})) total.totals = { ...total.totals, [key]: (total.totals?.[key] ?? 0) + n };
      } catch (error) {
        if (!isDataError(error)) throw error;
        await sql`rollback to savepoint one_row`.execute(tx);
        total.failed.push({ line: (row as { line: number }).line, problems: [{ field: '(row)', reason: 'the database refused a value in this row' }] });
      }
    }
    return total;
  }

  /** Ends the job, unless another process has taken it over since `committed` (then false). */
  async function finish(id: string, committed: number, status: 'completed' | 'failed', failure: string | null, bytesDone: number | null): Promise<boolean> {
    return db.transaction().execute(async (tx) => {
      const job = await tx
        .updateTable('importJobs')
        .set({ status, failure, finishedAt: clock.now(), heartbeatAt: clock.now(), ...(bytesDone !== null ? { bytesDone } : {}) })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('checkpointLine', '=', committed)
        .returning(['kind', 'rowsCreated', 'rowsUpdated', 'rowsFailed', 'createdBy'])
        .executeTakeFirst();
      if (!job) return false;
      // The batches' audited totals (points a receipt load created), added up for the whole import.
      const batches = await tx
        .selectFrom('auditLog')
        .select('details')
        .where('entityType', '=', 'import')
        .where('entityId', '=', id)
        .where('action', '=', `${job.kind}.import.batch`)
        .execute();
      const totals: Record<string, number> = {};
      for (const { details } of batches) {
        for (const [key, value] of Object.entries(details)) if (key !== 'upToLine' && typeof value === 'number') totals[key] = (totals[key] ?? 0) + value;
      }
      await writeAudit(tx, clock, importActor(job.createdBy), {
        action: `${job.kind}.import.${status}`,
        entityType: 'import',
        entityId: id,
        details: { created: job.rowsCreated, updated: job.rowsUpdated, failed: job.rowsFailed, ...totals },
      });
      return true;
    });
  }

  function schedule(id: string, run: RunOptions = {}): Promise<ImportJobView> {
    const existing = active.get(id);
    if (existing) return existing;
    const controller = new AbortController();
    const signal = run.signal ? AbortSignal.any([run.signal, controller.signal]) : controller.signal;
    controllers.set(id, controller);
    const promise = slots.run(() => process(id, { ...run, signal })).finally(() => {
      active.delete(id);
      controllers.delete(id);
    });
    active.set(id, promise);
    return promise;
  }

  return {
    /**
     * Stores an uploaded CSV and queues it. The same file uploaded while an earlier copy is
     * unfinished resumes that job instead of starting another.
     */
    async submit(
      kind: string,
      stream: Readable,
      fileName: string,
      actor: Actor,
      limitBytes: number,
      jobOptions: ImportOptionsBag = {},
    ): Promise<{ job: ImportJobView; resumed: boolean }> {
      const format = formatOf(kind);
      fs.mkdirSync(dir, { recursive: true });
      const id = ids.next('imp');
      const file = fileOf(id);
      const counter = sha256Counter();
      const limiter = new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          if (counter.bytes() > limitBytes) callback(platformError('request.body_too_large', `Imports are limited to ${limitBytes} bytes`));
          else callback(null, chunk);
        },
      });
      try {
        await pipeline(stream, counter.transform, limiter, fs.createWriteStream(file));
        if (counter.bytes() === 0) throw platformError('import.empty', 'The file is empty');
        await format.check(file, jobOptions);
      } catch (error) {
        fs.rmSync(file, { force: true });
        throw error;
      }
      const sha = counter.digest();
      const now = clock.now();
      const unfinished = await db
        .selectFrom('importJobs')
        .select('id')
        .where('fileSha256', '=', sha)
        .where('kind', '=', kind)
        .where((eb) =>
          eb.or([
            eb('status', 'in', ['queued', 'failed']),
            eb.and([eb('status', '=', 'running'), eb('heartbeatAt', '<=', orphanedBefore(now))]),
          ]),
        )
        .orderBy('createdAt', 'desc')
        .executeTakeFirst();
      if (unfinished && !active.has(unfinished.id)) {
        fs.renameSync(file, fileOf(unfinished.id));
        return { job: await view(unfinished.id), resumed: true };
      }
      await db.transaction().execute(async (tx) => {
        await tx
          .insertInto('importJobs')
          .values({
            id,
            kind,
            status: 'queued',
            checkpointLine: 0,
            options: JSON.stringify(jobOptions),
            fileName: fileName.slice(0, 200),
            fileSha256: sha,
            bytesTotal: counter.bytes(),
            createdBy: actor.keyId ?? actor.name,
            createdAt: now,
          })
          .execute();
        // The options say what the import will do (earn=true creates points): audited with who asked.
        await writeAudit(tx, clock, actor, { action: `${kind}.import.start`, entityType: 'import', entityId: id, details: { bytes: counter.bytes(), options: jobOptions } });
      });
      return { job: await view(id), resumed: false };
    },

    /** Processes a job now (or joins the run already under way) and returns its final state. */
    run: schedule,

    /** Starts jobs left unfinished by a stopped or crashed process. */
    async resumePending(): Promise<string[]> {
      const now = clock.now();
      const pending = await db
        .selectFrom('importJobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb('status', '=', 'queued'),
            eb.and([eb('status', '=', 'running'), eb('heartbeatAt', '<=', orphanedBefore(now))]),
          ]),
        )
        .orderBy('createdAt')
        .execute();
      // Jobs this process runs already are left as they are.
      const started = pending.map((job) => job.id).filter((id) => !active.has(id));
      for (const id of started) void schedule(id);
      await removeCompletedUploads();
      return started;
    },

    get: view,

    /** Newest first (ids are UUIDv7: id order is creation order). */
    async list(limit: number, cursor?: string): Promise<Page<ImportJobView>> {
      const before = decodeCursor(cursor, isIdKey('imp'));
      let query = db.selectFrom('importJobs').select('id').orderBy('id', 'desc').limit(limit + 1);
      if (before !== undefined) query = query.where('id', '<', before);
      const page = pageOf(await query.execute(), limit, (row) => row.id);
      return { items: await Promise.all(page.items.map((row) => view(row.id, 0))), nextCursor: page.nextCursor };
    },

    /** Asks running jobs to stop after their current batch and waits for them (graceful shutdown). */
    async stop(): Promise<void> {
      for (const controller of controllers.values()) controller.abort();
      await Promise.allSettled([...active.values()]);
    },

    async idle(): Promise<void> {
      await Promise.allSettled([...active.values()]);
    },
  };
}

export type ImportRunner = ReturnType<typeof createImportRunner>;

/** Runs at most `size` pieces of work at once; the rest wait their turn, first come first served. */
function createSlots(size: number) {
  let busy = 0;
  const waiting: Array<() => void> = [];
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (busy >= size) await new Promise<void>((resolve) => waiting.push(resolve));
      else busy++;
      try {
        return await work();
      } finally {
        // The slot passes straight to the next in line, or is freed.
        const next = waiting.shift();
        if (next) next();
        else busy--;
      }
    },
  };
}

/** SQLSTATE class 22 (data exception) or 23 (constraint) other than a unique race: a bad value. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || (code.startsWith('23') && code !== '23505'));
}
