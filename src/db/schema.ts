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
  kind: 'customers' | 'receipts';
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

export type LoyaltyConfigTable = {
  kind: 'program' | 'earning_rules' | 'tiers';
  version: number;
  body: Json<unknown>;
  createdAt: Timestamp;
  createdBy: string | null;
};

export type StoresTable = {
  id: string;
  name: string;
  region: string | null;
  timezone: string;
  active: boolean;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type ProductsTable = {
  sku: string;
  name: string;
  categoryPath: string[];
  brand: string | null;
  attributes: Json<Record<string, unknown>>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type ReceiptsTable = {
  id: string;
  storeId: string;
  posReceiptId: string;
  registerId: string | null;
  channel: 'offline' | 'online';
  source: 'checkout' | 'bulk';
  customerId: string | null;
  status: 'confirmed' | 'cancelled';
  occurredAt: Timestamp;
  createdAt: Timestamp;
  currency: string;
  totalMinor: number;
  discountMinor: Generated<number>;
  pointsRedeemed: Generated<number>;
  redeemedMinor: Generated<number>;
  paidMinor: number;
  pointsEarned: Generated<number>;
  refundedMinor: Generated<number>;
  requestHash: string;
  response: Json<Record<string, unknown>>;
};

export type ReceiptLinesTable = {
  receiptId: string;
  lineNo: number;
  customerId: string | null;
  sku: string;
  name: string | null;
  category: string | null;
  brand: string | null;
  qtyMilli: number;
  priceMinor: number;
  totalMinor: number;
  discountMinor: number;
  pointsEarned: number;
  pointsRedeemed: number;
  redeemedMinor: number;
  refundedQtyMilli: Generated<number>;
};

export type RefundsTable = {
  receiptId: string;
  refundId: string;
  customerId: string | null;
  requestHash: string;
  response: Json<Record<string, unknown>>;
  createdAt: Timestamp;
};

export type PointBalancesTable = {
  customerId: string;
  available: number;
  pending: number;
  lifetimeEarned: number;
  lifetimeRedeemed: number;
  lifetimeExpired: number;
  updatedAt: Timestamp;
};

export type PointLotsTable = {
  id: string;
  customerId: string;
  source: 'receipt' | 'adjustment' | 'return' | 'bulk';
  receiptId: string | null;
  points: number;
  remaining: number;
  earnedAt: Timestamp;
  activatesAt: Timestamp;
  activatedAt: Timestamp | null;
  expiresAt: Timestamp | null;
  expiredAt: Timestamp | null;
  expiringNotifiedAt: Timestamp | null;
};

export type PointEntriesTable = {
  id: Generated<number>;
  customerId: string;
  kind: 'earn' | 'activate' | 'redeem' | 'expire' | 'reverse_earn' | 'return_redeemed' | 'adjust';
  availableDelta: number;
  pendingDelta: number;
  lotId: string | null;
  receiptId: string | null;
  refundId: string | null;
  reason: string | null;
  actor: string | null;
  occurredAt: Timestamp;
};

export type LotConsumptionsTable = {
  customerId: string;
  lotId: string;
  receiptId: string | null;
  kind: 'redeem' | 'reverse_earn' | 'adjust';
  points: number;
  occurredAt: Timestamp;
};

export type CustomerTiersTable = { customerId: string; tierId: string; since: Timestamp; reviewedAt: Timestamp | null };

export type AdjustmentsTable = {
  customerId: string;
  idempotencyKey: string;
  points: number;
  reason: string;
  response: Json<Record<string, unknown>>;
  createdAt: Timestamp;
};

export type DB = {
  loyaltyConfig: LoyaltyConfigTable;
  stores: StoresTable;
  products: ProductsTable;
  receipts: ReceiptsTable;
  receiptLines: ReceiptLinesTable;
  refunds: RefundsTable;
  pointBalances: PointBalancesTable;
  pointLots: PointLotsTable;
  pointEntries: PointEntriesTable;
  lotConsumptions: LotConsumptionsTable;
  customerTiers: CustomerTiersTable;
  adjustments: AdjustmentsTable;
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
