import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { FiscalSettingsBody, ReceiptLine } from './fiscal-types.ts';

/** The fiscal-receipts module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;
type BigIntColumn = ColumnType<string | number, number | string, number | string>;

export type FiscalReceiptSettingsTable = {
  id: WithDefault<boolean>;
  body: Json<FiscalSettingsBody>;
  /** Write-only: sent to the verification service, never answered or logged. */
  token: string | null;
  version: WithDefault<number>;
  updatedAt: Timestamp;
};

export type FiscalReceiptStatus = 'pending' | 'earned' | 'rejected';

export type FiscalReceiptsTable = {
  id: string;
  customerId: string;
  fn: string;
  i: BigIntColumn;
  fp: BigIntColumn;
  operation: number;
  totalMinor: BigIntColumn;
  localTime: string;
  purchasedAt: Timestamp;
  qr: string;
  status: FiscalReceiptStatus;
  reason: string | null;
  points: number | null;
  receiptId: string | null;
  lines: ColumnType<ReceiptLine[], string | undefined, string>;
  attempts: WithDefault<number>;
  nextAttemptAt: Timestamp | null;
  lockedUntil: Timestamp | null;
  lastError: string | null;
  evidence: ColumnType<Record<string, unknown>, string | undefined, string>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
  verifiedAt: Timestamp | null;
};

export type FiscalReceiptsTables = {
  fiscalReceiptSettings: FiscalReceiptSettingsTable;
  fiscalReceipts: FiscalReceiptsTable;
};
