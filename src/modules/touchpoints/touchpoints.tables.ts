import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { JoinForm } from './join-form.ts';

/** The touchpoints module's tables (Kysely's view, camel-cased). Only this module names them. */
export type TouchpointSettingsTable = {
  id: number;
  joinForm: Json<JoinForm> | null;
  secret: string;
  version: number;
  updatedAt: Timestamp;
};

export type OtpPurpose = 'join' | 'sign_in';

export type OtpChallengesTable = {
  id: string;
  purpose: OtpPurpose;
  phone: string;
  customerId: string | null;
  codeHash: string;
  attempts: number;
  payload: Json<Record<string, unknown>> | null;
  ip: string | null;
  createdAt: Timestamp;
  expiresAt: Timestamp;
  consumedAt: Timestamp | null;
};

export type CustomerSessionsTable = {
  tokenHash: string;
  customerId: string;
  createdAt: Timestamp;
  lastSeenAt: Timestamp;
  expiresAt: Timestamp;
};

export type TouchpointsTables = {
  touchpointSettings: TouchpointSettingsTable;
  otpChallenges: OtpChallengesTable;
  customerSessions: CustomerSessionsTable;
};
