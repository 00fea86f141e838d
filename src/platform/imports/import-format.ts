import type { Readable } from 'node:stream';
import type { TSchema } from 'typebox';
import type { PlatformTx } from '../db-views.ts';
import type { FieldProblem } from '../errors.ts';
import type { Permission } from '../roles.ts';

export type ImportOptionsBag = Record<string, unknown>;

/**
 * What one batch did; rows the database refused are reported in `failed`. `totals` are counts
 * worth an audit entry (points a receipt load created): the runner audits each batch's totals
 * in the batch's transaction and adds them up in the import's completion entry.
 */
export type BatchOutcome = {
  created: number;
  updated: number;
  failed: Array<{ line: number; problems: FieldProblem[] }>;
  totals?: Record<string, number>;
};

/** A record of the file: a parsed row, or why it cannot be one. Lines are the file's lines. */
export type ImportRecord<Row> = { line: number; row: Row } | { line: number; problems: FieldProblem[] };

/**
 * A file format a module imports (customers read CSV, loyalty NDJSON). `read` yields records in
 * line order; `write` stores a batch of good rows in the runner's transaction, set-based, seen
 * through the module's own view `T`; a concurrent writer's race is reported by throwing
 * `BatchRaceError`.
 */
export type ImportFormat<Row, T = PlatformTx> = {
  check(file: string, options: ImportOptionsBag): Promise<void>;
  read(input: Readable, options: ImportOptionsBag): AsyncIterable<ImportRecord<Row>>;
  write(tx: T, importId: string, rows: Row[], options: ImportOptionsBag): Promise<BatchOutcome>;
};

/** Raised when a concurrent writer took something mid-batch; the batch is simply run again. */
export class BatchRaceError extends Error {}

/** The upload route of an import type: `POST {url}` with the file as the body, answered 202 with the job. */
export type ImportUpload = {
  url: string;
  permission: Permission;
  /** The content types the route takes; the first is the one to send. */
  contentTypes: string[];
  /** The file name's extension when the upload names none (`upload.csv`). */
  extension: string;
  tag: string;
  summary: string;
  /** Query parameters besides `fileName`, which every upload takes. */
  query?: Record<string, TSchema>;
  /** The job's options, from the validated query string. */
  options?: (query: Record<string, unknown>) => ImportOptionsBag;
  /**
   * A permission some options need beyond the route's own, and what they do in plain words
   * (`earn=true` creates points: receipts:import-earn). Checked before the file is read.
   */
  optionPermission?: (options: ImportOptionsBag) => { permission: Permission; doing: string } | null;
};

/** What a module registers for one kind of file: the job's kind, its format and its upload route. */
export type ImportType = {
  /** Stored as import_jobs.kind and naming the audit actions (`customers.import.start`). */
  kind: string;
  format: ImportFormat<unknown>;
  upload: ImportUpload;
};

/**
 * Makes a module's import type. `view` is the module's claim of its own view of the runner's
 * transaction (its `<module>.db.ts`), so the format's `write` names only the module's tables.
 */
export function defineImportType<Row, T>(spec: { kind: string; format: ImportFormat<Row, T>; view: (tx: PlatformTx) => T; upload: ImportUpload }): ImportType {
  const { kind, format, view, upload } = spec;
  return {
    kind,
    upload,
    format: {
      check: (file, options) => format.check(file, options),
      read: (input, options) => format.read(input, options),
      // The runner hands back exactly the rows this format's read() produced.
      write: (tx, importId, rows, options) => format.write(view(tx), importId, rows as Row[], options),
    },
  };
}
