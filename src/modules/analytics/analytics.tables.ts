import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';

/** The analytics module's tables (Kysely's view, camel-cased). Only this module names them. */
export type ReportKind = 'kpis' | 'cohorts' | 'funnels' | 'economics';
export type ReportSchedule = 'daily' | 'weekly' | 'monthly';
export type AlertKind = 'drop' | 'weekday_band';
export type AlertGrouping = 'none' | 'store' | 'register' | 'channel';

export type AnalyticsReportsTable = {
  id: string;
  name: string;
  kind: ReportKind;
  query: Json<Record<string, string | number>>;
  schedule: ReportSchedule;
  timezone: string;
  /** E-mail addresses each scheduled run is sent to (the CSV attached). */
  recipients: ColumnType<string[], string[] | undefined, string[]>;
  active: Generated<boolean>;
  nextRunAt: Timestamp;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type AnalyticsReportRunsTable = {
  id: string;
  reportId: string;
  periodFrom: string;
  periodTo: string;
  trigger: 'schedule' | 'request';
  status: 'completed' | 'failed';
  result: Json<unknown> | null;
  csv: string | null;
  failure: string | null;
  createdAt: Timestamp;
};

export type AlertParams = { threshold?: number; days?: number; weeks?: number; k?: number; minHistory?: number };

export type AnalyticsAlertRulesTable = {
  id: string;
  name: string;
  kind: AlertKind;
  kpi: string;
  groupBy: AlertGrouping;
  params: Json<AlertParams>;
  timezone: string;
  /** E-mail addresses each alert it fires is sent to. */
  recipients: ColumnType<string[], string[] | undefined, string[]>;
  active: Generated<boolean>;
  checkedThrough: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type AnalyticsAlertsTable = {
  id: string;
  ruleId: string;
  day: string;
  groupKey: Json<Record<string, string | null>>;
  kpi: string;
  value: number;
  message: string;
  evidence: Json<Record<string, unknown>>;
  firedAt: Timestamp;
};

export type AnalyticsTables = {
  analyticsReports: AnalyticsReportsTable;
  analyticsReportRuns: AnalyticsReportRunsTable;
  analyticsAlertRules: AnalyticsAlertRulesTable;
  analyticsAlerts: AnalyticsAlertsTable;
};
