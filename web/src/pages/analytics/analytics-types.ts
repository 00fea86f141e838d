/** The analytics reports as the API answers them (docs/analytics.md, docs/clv.md, docs/surveys.md). */
export type Period = { from: string; to: string; timezone: string; start: string; end: string };

export type Kpis = {
  revenueMinor: number;
  receipts: number;
  averageCheckMinor: number | null;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
  repeatPurchaseRate: number | null;
  retentionRate: number | null;
  identifiedReceipts: number;
  tillReceipts: number;
  tillIdentifiedReceipts: number;
  recognitionRate: number | null;
  members: number | null;
  activeMembers: number | null;
  loyaltyActivityRate: number | null;
  /** Answers to NPS surveys in the period and their score; null split by store or channel. */
  npsRespondents: number | null;
  nps: number | null;
};
export type KpiRow = {
  group: { store?: string; register?: string | null; channel?: string; period?: string };
  current: Kpis;
  previous?: Kpis | null;
  change?: { previous?: Record<string, number | null> };
};
export type KpiReport = { period: Period; groupBy: string; compared: { previous?: Period }; overall: KpiRow; rows: KpiRow[] };

export type CohortReport = {
  period: Period;
  unit: 'month' | 'week';
  cohorts: Array<{
    cohort: string;
    group: string | null;
    size: number;
    periods: Array<{ index: number; customers: number; retention: number; revenueMinor: number; cumulativeRevenuePerCustomerMinor: number }>;
  }>;
  average: Array<{ index: number; cohorts: number; customers: number; retention: number; cumulativeRevenuePerCustomerMinor: number }>;
};

export type FunnelStep = { step: string; customers: number; conversionFromPrevious: number | null; conversionFromFirst: number | null; medianHoursFromPrevious: number | null };
export type FunnelReport = { period: Period; steps: string[]; withinDays: number | null; by: 'none' | 'source'; groups: Array<{ group: string | null; steps: FunnelStep[] }>; overall: { group: null; steps: FunnelStep[] } };

export type Flows = { issued: number; awarded: number; adjusted: number; reversed: number; redeemedAtTill: number; redeemedOnRewards: number; returned: number; expired: number };
export type EconomicsReport = {
  period: Period;
  currency: string;
  pointValueMinor: number;
  points: Flows & { netRedeemed: number; outstandingAtStart: number; outstandingAtEnd: number };
  liability: { atStartMinor: number; atEndMinor: number; changeMinor: number };
  liabilityByExpiryMonth: { asOf: string; months: Array<{ month: string; points: number; valueMinor: number }> };
  breakage: { rate: number | null; historicalRate: number | null; outstandingExpiring: number; expectedPoints: number | null; expectedMinor: number | null };
  revenue: { revenueMinor: number; receipts: number; discountMinor: number };
  cost: { redeemedValueMinor: number; discountMinor: number; cashMinor: number; accrualMinor: number | null; shareOfRevenue: number | null; accrualShareOfRevenue: number | null };
  roi: { value: number; ci: { lower: number; upper: number } | null; incrementalRevenueMinor: number; complete: boolean } | null;
  roiReason: string | null;
  series?: Array<Flows & { period: string; valueIssuedMinor: number; valueRedeemedMinor: number }>;
};

export type ClvRun = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  phase: 'summary' | 'fitting' | 'predicting' | 'writing' | 'done';
  params: { calibrationEnd: string; unit: 'week' | 'day'; horizon: number; discountRatePerYear: number; marginPercent: number };
  customers: number;
  repeatCustomers: number;
  processed: number;
  failure?: string;
  startedAt: string;
  finishedAt?: string;
};
export type ClvReport = {
  run: ClvRun;
  fittedAt: string;
  bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number; converged: boolean };
  gammaGamma: { p: number; q: number; v: number; logLikelihood: number; converged: boolean };
  distribution: {
    clvMinorTotal: number;
    clvMinorMean: number;
    expectedPurchasesMean: number;
    pAliveMean: number;
    deciles: Array<{ decile: number; customers: number; clvMinorFrom: number; clvMinorTo: number; clvMinorTotal: number; pAliveMean: number; expectedPurchasesMean: number }>;
    pAlive: Array<{ from: number; to: number; customers: number }>;
  };
};

export type Texts = { ru?: string; en?: string };
export type Survey = { id: string; kind: string; status: 'draft' | 'open' | 'closed'; title: Texts; respondents: number; createdAt: string };
export type NpsPart = {
  promoters: number;
  passives: number;
  detractors: number;
  nps: number | null;
  marginOfError: number | null;
  interval: { lower: number; upper: number } | null;
  trend: Array<{ periodStart: string; respondents: number; promoters: number; passives: number; detractors: number; nps: number; marginOfError: number }>;
};
export type SurveyReport = {
  surveyId: string;
  respondents: number;
  targetRespondents: number | null;
  targetReached: boolean | null;
  questions: Array<{ questionId: string; type: string; text: Texts; respondents: number; nps?: NpsPart }>;
};

/** A text in the reader's language, else the other one. */
export const inLocale = (texts: Texts, locale: 'ru' | 'en') => texts[locale] ?? texts.en ?? texts.ru ?? '';
