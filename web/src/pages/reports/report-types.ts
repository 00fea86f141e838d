/** Scheduled reports and alerts as the API answers them (docs/analytics.md, "Scheduled reports" and "Alerts"). */
export type ReportKind = 'kpis' | 'cohorts' | 'funnels' | 'economics';
export type ReportSchedule = 'daily' | 'weekly' | 'monthly';
export type ReportQuery = Record<string, string | number>;

export type ScheduledReport = {
  id: string;
  name: string;
  kind: ReportKind;
  query: ReportQuery;
  schedule: ReportSchedule;
  timezone: string;
  /** E-mailed each scheduled run, its CSV attached. */
  recipients: string[];
  active: boolean;
  nextRunAt: string;
  /** The newest run, without its answer; null before the first. */
  lastRun: Pick<ReportRun, 'id' | 'from' | 'to' | 'trigger' | 'status' | 'createdAt'> | null;
  createdAt: string;
  updatedAt: string;
};

export type ReportRun = {
  id: string;
  reportId: string;
  from: string;
  to: string;
  trigger: 'schedule' | 'request';
  status: 'completed' | 'failed';
  failure: string | null;
  createdAt: string;
  result?: unknown;
};

export type AlertKind = 'drop' | 'weekday_band';
export type AlertKpi = 'revenueMinor' | 'receipts' | 'averageCheckMinor' | 'recognitionRate' | 'identifiedReceipts' | 'tillReceipts' | 'customers';
export type AlertGrouping = 'none' | 'store' | 'register' | 'channel';
export type AlertParams = { threshold: number; days: number; weeks: number; k: number; minHistory: number };

export type AlertRule = {
  id: string;
  name: string;
  kind: AlertKind;
  kpi: AlertKpi;
  groupBy: AlertGrouping;
  params: AlertParams;
  timezone: string;
  /** E-mailed each alert the rule fires. */
  recipients: string[];
  active: boolean;
  checkedThrough: string | null;
  createdAt: string;
  updatedAt: string;
};

export type AlertGroup = Record<string, string | null>;

export type FiredAlert = {
  id: string;
  ruleId: string;
  day: string;
  group: AlertGroup;
  kpi: AlertKpi;
  value: number;
  message: string;
  evidence: { median?: number; low?: number; high?: number | null; rule?: { kind: AlertKind } };
  firedAt: string;
};

export type AlertCheck = {
  ruleId: string;
  day: string;
  fired: FiredAlert[];
  judged: Array<{ group: AlertGroup; value: number | null; median: number | null; low: number | null; high: number | null; historyDays: number; fired: boolean }>;
};

export const reportKinds: ReportKind[] = ['kpis', 'cohorts', 'funnels', 'economics'];
export const reportSchedules: ReportSchedule[] = ['daily', 'weekly', 'monthly'];
export const alertKpis: AlertKpi[] = ['revenueMinor', 'receipts', 'averageCheckMinor', 'recognitionRate', 'identifiedReceipts', 'tillReceipts', 'customers'];
export const alertGroupings: AlertGrouping[] = ['none', 'store', 'register', 'channel'];
