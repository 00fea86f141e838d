import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../platform/platform.tables.ts';

/** The partners module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;

export type PartnerStatus = 'active' | 'suspended';

export type PartnersTable = {
  id: string;
  name: string;
  status: PartnerStatus;
  earnRateBp: number;
  /** Minor units per 100 points issued (the API's issuedPer100PointsMinor). */
  issuedRateMinor: number;
  /** Minor units per 100 points redeemed (the API's redeemedPer100PointsMinor). */
  redeemedRateMinor: number;
  version: WithDefault<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type PartnerStoresTable = {
  storeId: string;
  partnerId: string;
  addedAt: Timestamp;
};

export type PartnersTables = {
  partners: PartnersTable;
  partnerStores: PartnerStoresTable;
};
