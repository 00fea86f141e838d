import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables, camel-cased (CamelCasePlugin maps to snake_case). */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;

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

export type AttributeDefinitionsTable = {
  key: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'enum';
  label: string;
  options: string[] | null;
  personal: boolean;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type CustomersTable = {
  id: string;
  status: 'active' | 'merged' | 'erased';
  mergedInto: string | null;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  gender: 'female' | 'male' | 'other' | null;
  city: string | null;
  timezone: string | null;
  locale: string | null;
  tags: string[];
  attributes: Json<Record<string, unknown>>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  mergedAt: Timestamp | null;
  erasedAt: Timestamp | null;
};

export type CustomerIdentifiersTable = {
  kind: 'phone' | 'email' | 'card' | 'external';
  source: string;
  value: string;
  customerId: string;
  isPrimary: boolean;
  createdAt: Timestamp;
};

export type ConsentEventsTable = {
  id: string;
  customerId: string;
  channel: string;
  purpose: string;
  granted: boolean;
  source: string;
  occurredAt: Timestamp;
  recordedAt: Timestamp;
  evidence: Json<Record<string, unknown>>;
};

export type ImportJobsTable = {
  id: string;
  kind: 'customers';
  status: 'queued' | 'running' | 'completed' | 'failed';
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

export type DB = {
  systemSettings: SystemSettingsTable;
  apiKeys: ApiKeysTable;
  auditLog: AuditLogTable;
  outboxEvents: OutboxEventsTable;
  attributeDefinitions: AttributeDefinitionsTable;
  customers: CustomersTable;
  customerIdentifiers: CustomerIdentifiersTable;
  consentEvents: ConsentEventsTable;
  importJobs: ImportJobsTable;
  importErrors: ImportErrorsTable;
};
