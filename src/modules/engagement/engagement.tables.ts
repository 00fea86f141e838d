import type { ColumnType } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';

/** The engagement module's tables (Kysely's view, camel-cased). Only this module names them. */
type WithDefault<T> = ColumnType<T, T | undefined, T>;
type DateColumn = ColumnType<string, string, string>;

export type ActionRuleStatus = 'active' | 'paused' | 'archived';
/** Each named property of the event must equal the value (strings, numbers, booleans). */
export type ActionConditions = { properties?: Record<string, string | number | boolean> };

export type ActionRulesTable = {
  id: string;
  name: string;
  eventType: string;
  points: number;
  status: ActionRuleStatus;
  validFrom: Timestamp | null;
  validTo: Timestamp | null;
  oncePerCustomer: WithDefault<boolean>;
  perCustomerPerDay: number | null;
  perCustomerTotal: number | null;
  totalPoints: number | null;
  budgetUsed: WithDefault<number>;
  conditions: Json<ActionConditions>;
  version: WithDefault<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type CustomerEventsTable = {
  eventId: string;
  customerId: string;
  type: string;
  properties: Json<Record<string, unknown>>;
  occurredAt: Timestamp;
  receivedAt: Timestamp;
  requestHash: string;
  source: 'api' | 'patron';
};

export type ActionAwardsTable = { eventId: string; ruleId: string; customerId: string; points: number; awardedAt: Timestamp };

export type ActionRuleCountsTable = { customerId: string; ruleId: string; awards: number; points: number };

export type ActionRuleDailyCountsTable = { customerId: string; ruleId: string; day: DateColumn; awards: number };

export type BirthdayOfferSettingsTable = { id: WithDefault<boolean>; body: Json; version: number; updatedAt: Timestamp };

export type BirthdayOffersTable = {
  id: string;
  customerId: string;
  year: number;
  birthday: DateColumn | null;
  validFrom: Timestamp | null;
  validTo: Timestamp | null;
  kind: 'points' | 'promo_code';
  points: number | null;
  promotionId: string | null;
  code: string | null;
  mergedFrom: string | null;
  issuedAt: Timestamp;
};

export type EngagementJobStateTable = { name: string; position: string | null; day: DateColumn | null; updatedAt: Timestamp };

export type EngagementTables = {
  actionRules: ActionRulesTable;
  customerEvents: CustomerEventsTable;
  actionAwards: ActionAwardsTable;
  actionRuleCounts: ActionRuleCountsTable;
  actionRuleDailyCounts: ActionRuleDailyCountsTable;
  birthdayOfferSettings: BirthdayOfferSettingsTable;
  birthdayOffers: BirthdayOffersTable;
  engagementJobState: EngagementJobStateTable;
};
