import type { ColumnType, Generated } from 'kysely';

/**
 * The platform's tables, as Kysely sees them (camel-cased; CamelCasePlugin maps to snake_case).
 * Each module declares its own tables beside its code (`<module>.tables.ts`); a module's view
 * of the database is its tables plus these (see db-views.ts).
 */

/** Column helpers every table file uses. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type Json<T = unknown> = ColumnType<T, string, string>;

export type SystemSettingsTable = { key: string; value: Json; updatedAt: Timestamp };

export type ApiKeysTable = {
  id: string;
  name: string;
  role: string;
  secretHash: string;
  hint: string;
  source: 'api' | 'cli' | 'env' | 'bootstrap';
  createdAt: Timestamp;
  createdBy: string | null;
  lastUsedAt: Timestamp | null;
  revokedAt: Timestamp | null;
  /** A partner key's partner (migration 0017): it acts only at that partner's stores. */
  partnerId: ColumnType<string | null, string | null | undefined, string | null>;
};

/** A person who signs in to the console (migration 0036); roles as API keys', pos and partner aside. */
export type StaffUsersTable = {
  id: string;
  email: string;
  name: string;
  role: string;
  passwordHash: string;
  failedAttempts: ColumnType<number, number | undefined, number>;
  lockedUntil: Timestamp | null;
  disabledAt: Timestamp | null;
  createdAt: Timestamp;
  createdBy: string | null;
  passwordChangedAt: Timestamp;
  lastSignInAt: Timestamp | null;
};

/** A console sign-in: the cookie's token by its SHA-256, with the CSRF token the console echoes. */
export type StaffSessionsTable = {
  tokenHash: string;
  staffUserId: string;
  csrfToken: string;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  expiresAt: Timestamp;
};

export type AuditLogTable = {
  id: Generated<number>;
  occurredAt: Timestamp;
  actorKeyId: string | null;
  actorName: string;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  details: Json<Record<string, unknown>>;
  requestId: string | null;
};

export type OutboxEventsTable = {
  id: Generated<number>;
  eventId: string;
  type: string;
  customerId: string | null;
  payload: Json<Record<string, unknown>>;
  occurredAt: Timestamp;
  publishedAt: Timestamp | null;
};

/** Where each outbox consumer stopped (outbox-consumer.ts), and the newer events it handled already. */
export type OutboxCursorsTable = { name: string; position: string; updatedAt: Timestamp };
export type OutboxSeenTable = { consumer: string; outboxId: number; seenAt: Timestamp };
/** Events a consumer failed to handle: retried with backoff, then dead letters (migration 0029). */
export type OutboxFailuresTable = {
  consumer: string;
  outboxId: number;
  attempts: number;
  firstFailedAt: Timestamp;
  nextAttemptAt: Timestamp;
  lastError: string;
  deadAt: Timestamp | null;
};
/** Which instance runs a job or reads a consumer now (leases.ts). */
export type LeasesTable = { name: string; holder: string; expiresAt: Timestamp; acquiredAt: Timestamp };

/** When each daily task last finished (scheduler.ts), whichever process ran it. */
export type ScheduledTaskRunsTable = { name: string; lastFinishedAt: Timestamp };

export type ImportJobsTable = {
  id: string;
  /** The import type's kind, as a module registered it (`customers`, `receipts`, …). */
  kind: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  options: ColumnType<Record<string, unknown>, string | undefined, string>;
  fileName: string;
  fileSha256: string;
  bytesTotal: number;
  bytesDone: Generated<number>;
  checkpointLine: Generated<number>;
  rowsDone: Generated<number>;
  rowsFailed: Generated<number>;
  rowsCreated: Generated<number>;
  rowsUpdated: Generated<number>;
  failure: string | null;
  createdBy: string | null;
  createdAt: Timestamp;
  startedAt: Timestamp | null;
  heartbeatAt: Timestamp | null;
  finishedAt: Timestamp | null;
};

export type ImportErrorsTable = { importId: string; line: number; field: string; reason: string };

export type PlatformTables = {
  systemSettings: SystemSettingsTable;
  apiKeys: ApiKeysTable;
  staffUsers: StaffUsersTable;
  staffSessions: StaffSessionsTable;
  auditLog: AuditLogTable;
  outboxEvents: OutboxEventsTable;
  outboxCursors: OutboxCursorsTable;
  outboxSeen: OutboxSeenTable;
  outboxFailures: OutboxFailuresTable;
  leases: LeasesTable;
  scheduledTaskRuns: ScheduledTaskRunsTable;
  importJobs: ImportJobsTable;
  importErrors: ImportErrorsTable;
};
