import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../../platform/platform.tables.ts';

/** The gift-cards module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type GiftCardStatus = 'issued' | 'active' | 'blocked' | 'expired';
export type GiftCardBatchStatus = 'queued' | 'running' | 'completed' | 'failed';
export type GiftCardEntryKind = 'issue' | 'activate' | 'redeem' | 'refund' | 'adjust' | 'expire';

export type GiftCardBatchesTable = {
  id: string;
  count: number;
  amountMinor: number;
  currency: string;
  prefix: WithDefault<string>;
  expiresAt: Timestamp | null;
  validDays: number | null;
  generated: WithDefault<number>;
  status: GiftCardBatchStatus;
  failure: string | null;
  createdBy: string | null;
  createdAt: Timestamp;
  startedAt: Timestamp | null;
  finishedAt: Timestamp | null;
  heartbeatAt: Timestamp | null;
};

export type GiftCardsTable = {
  id: string;
  code: string;
  batchId: string | null;
  status: GiftCardStatus;
  currency: string;
  /** Written only by gift-card-ledger.ts, with its entry. */
  balanceMinor: WithDefault<number>;
  customerId: string | null;
  expiresAt: Timestamp | null;
  validDays: number | null;
  activatedAt: Timestamp | null;
  blockedAt: Timestamp | null;
  blockReason: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type GiftCardEntriesTable = {
  id: Generated<number>;
  cardId: string;
  kind: GiftCardEntryKind;
  amountMinor: number;
  balanceAfterMinor: number;
  receiptId: string | null;
  refundId: string | null;
  reason: string | null;
  actor: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: Timestamp;
};

export type GiftCardPaymentsTable = {
  receiptId: string;
  cardId: string;
  seq: number;
  customerId: string | null;
  amountMinor: number;
  returnedMinor: WithDefault<number>;
  createdAt: Timestamp;
};

/** An Idempotency-Key of issuing (`issue` one card, `batch`): what the first request made. */
export type GiftCardRequestsTable = {
  operation: 'issue' | 'batch';
  idempotencyKey: string;
  requestHash: string;
  entityId: string;
  createdAt: Timestamp;
};

export type GiftCardsTables = {
  giftCardRequests: GiftCardRequestsTable;
  giftCardBatches: GiftCardBatchesTable;
  giftCards: GiftCardsTable;
  giftCardEntries: GiftCardEntriesTable;
  giftCardPayments: GiftCardPaymentsTable;
};
