/** An import job as GET /v1/imports/{id} answers it. */
export type ImportJob = {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  fileName: string;
  bytesTotal: number;
  bytesDone: number;
  progress: number;
  rowsDone: number;
  rowsFailed: number;
  rowsCreated: number;
  rowsUpdated: number;
  errors: { line: number; field: string; reason: string }[];
  errorsTotal: number;
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

export const isRunning = (job: ImportJob) => job.status === 'queued' || job.status === 'running';
