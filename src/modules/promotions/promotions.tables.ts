import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { PromotionDefinition, PromotionStatus } from './promotion-types.ts';

/** The promotions module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;

/** The definition's parts that live in columns (limits, status, name) are not repeated in the JSON. */
export type StoredDefinition = Omit<PromotionDefinition, 'id' | 'name' | 'status' | 'limits'> & { releaseOnReturn?: boolean };

export type PromotionsTable = {
  id: string;
  name: string;
  status: PromotionStatus;
  definition: Json<StoredDefinition>;
  budgetMinor: number | null;
  usedMinor: WithDefault<number>;
  budgetPoints: WithDefault<number | null>;
  usedPoints: WithDefault<number>;
  usesLimit: number | null;
  uses: WithDefault<number>;
  perCustomer: number | null;
  perCustomerPerDay: number | null;
  releaseOnReturn: WithDefault<boolean>;
  version: WithDefault<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type PromotionRedemptionsTable = {
  receiptId: string;
  promotionId: string;
  customerId: string | null;
  code: string | null;
  day: ColumnType<string, string, string>;
  discountMinor: number;
  releasedMinor: WithDefault<number>;
  points: WithDefault<number>;
  releasedPoints: WithDefault<number>;
  useReleased: WithDefault<boolean>;
  createdAt: Timestamp;
};

export type PromoCodeBatchStatus = 'queued' | 'running' | 'completed' | 'failed';

export type PromoCodeBatchesTable = {
  id: string;
  promotionId: string;
  count: number;
  length: number;
  prefix: WithDefault<string>;
  checkCharacter: WithDefault<boolean>;
  usesPerCode: WithDefault<number>;
  generated: WithDefault<number>;
  status: PromoCodeBatchStatus;
  failure: string | null;
  createdBy: string | null;
  createdAt: Timestamp;
  startedAt: Timestamp | null;
  finishedAt: Timestamp | null;
  heartbeatAt: Timestamp | null;
};

export type PromoCodesTable = {
  code: string;
  promotionId: string;
  batchId: string | null;
  customerId: string | null;
  usesLimit: number | null;
  uses: WithDefault<number>;
  perCustomer: number | null;
  validFrom: Timestamp | null;
  validTo: Timestamp | null;
  createdAt: Timestamp;
};

export type PromotionsTables = {
  promotions: PromotionsTable;
  promotionRedemptions: PromotionRedemptionsTable;
  promoCodeBatches: PromoCodeBatchesTable;
  promoCodes: PromoCodesTable;
};
