import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';

/** The rewards module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type RewardKind = 'goods' | 'partner_voucher' | 'privilege';
export type RewardStatus = 'draft' | 'active' | 'paused' | 'archived';
export type OrderStatus = 'issued' | 'redeemed' | 'cancelled';
export type OrderSource = 'purchase' | 'prize';

export type RewardsTable = {
  id: string;
  name: string;
  description: string | null;
  kind: RewardKind;
  status: RewardStatus;
  pointsCost: number;
  /** Units in all; null: unlimited. Left: stock − (issued − cancelled). */
  stock: number | null;
  issued: WithDefault<number>;
  cancelled: WithDefault<number>;
  redeemed: WithDefault<number>;
  perCustomer: number | null;
  validFrom: Timestamp | null;
  validTo: Timestamp | null;
  tiers: Json<string[]> | null;
  validDays: number | null;
  privilege: string | null;
  partner: string | null;
  version: WithDefault<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type RewardVouchersTable = {
  rewardId: string;
  code: string;
  seq: ColumnType<string, never, never>;
  status: WithDefault<'free' | 'issued' | 'void'>;
  validUntil: Timestamp | null;
  orderId: string | null;
  uploadedAt: Timestamp;
  issuedAt: Timestamp | null;
};

export type RewardOrdersTable = {
  id: string;
  customerId: string;
  rewardId: string;
  kind: RewardKind;
  rewardName: string;
  source: OrderSource;
  points: number;
  status: OrderStatus;
  code: string | null;
  privilege: string | null;
  validUntil: Timestamp | null;
  idempotencyKey: string | null;
  grantReference: string | null;
  actor: string | null;
  createdAt: Timestamp;
  redeemedAt: Timestamp | null;
  cancelledAt: Timestamp | null;
};

export type RewardCodesTable = {
  code: string;
  customerId: string;
  orderId: string;
  createdAt: Timestamp;
};

export type RewardsTables = {
  rewards: RewardsTable;
  rewardVouchers: RewardVouchersTable;
  rewardOrders: RewardOrdersTable;
  rewardCodes: RewardCodesTable;
};
