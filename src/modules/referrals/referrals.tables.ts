import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';

/** The referrals module's tables (Kysely's view, camel-cased). Only this module names them. */
export type ReferralStatus = 'invited' | 'qualified' | 'rewarded' | 'expired' | 'void';
export type FingerprintKind = 'phone' | 'email' | 'card' | 'device' | 'payment';

export type ReferralSettingsTable = {
  id: ColumnType<boolean, boolean | undefined, boolean>;
  version: number;
  body: Json<Record<string, unknown>>;
  updatedAt: Timestamp | null;
  updatedBy: string | null;
};

export type ReferralCodesTable = {
  code: string;
  customerId: string;
  madeFor: string;
  createdAt: Timestamp;
};

export type ReferralsTable = {
  id: string;
  customerId: string;
  referrerId: string;
  code: string;
  status: ReferralStatus;
  referrerPoints: number;
  refereePoints: number;
  thresholdMinor: number;
  qualifyBy: Timestamp;
  deviceHash: string | null;
  paymentHash: string | null;
  receiptId: string | null;
  qualifiedAt: Timestamp | null;
  rewardDueAt: Timestamp | null;
  rewardedAt: Timestamp | null;
  voidReason: string | null;
  mergedFrom: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type ReferralFingerprintsTable = {
  customerId: string;
  kind: FingerprintKind;
  hash: string;
  createdAt: Timestamp;
};

export type ReferralsTables = {
  referralSettings: ReferralSettingsTable;
  referralCodes: ReferralCodesTable;
  referrals: ReferralsTable;
  referralFingerprints: ReferralFingerprintsTable;
};
