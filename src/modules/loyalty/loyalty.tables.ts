import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';

/** The loyalty module's tables (Kysely's view, camel-cased). Only this module names them. */
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
  /** A hash of each top-level field of the confirm body (null before migration 0008, and for imports). */
  requestFields: Json<Record<string, string>> | null;
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
  /** Set when the customer was merged: the row stays, emptied, naming the survivor (migration 0009). */
  mergedInto: ColumnType<string | null, string | null | undefined, string | null>;
};

export type PointLotsTable = {
  id: string;
  customerId: string;
  source: 'receipt' | 'adjustment' | 'return' | 'bulk' | 'award';
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
  kind: 'earn' | 'activate' | 'redeem' | 'expire' | 'reverse_earn' | 'return_redeemed' | 'adjust' | 'award';
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

export type ReceiptAdjustmentsTable = {
  receiptId: string;
  seq: number;
  customerId: string | null;
  adjuster: string;
  adjustmentId: string;
  name: string;
  discountMinor: number;
  lines: Json<Array<{ line: number; discountMinor: number }>>;
  data: Json<Record<string, unknown>>;
};

export type LoyaltyCacheVersionTable = { id: boolean; version: number };

export type LoyaltyTables = {
  receiptAdjustments: ReceiptAdjustmentsTable;
  loyaltyCacheVersion: LoyaltyCacheVersionTable;
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
};
