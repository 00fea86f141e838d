import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { TimeUnit } from './transactions.ts';

/** The CLV module's tables (Kysely's view, camel-cased). Only this module names them. */
export type ClvRunStatus = 'running' | 'completed' | 'failed';
export type ClvRunPhase = 'summary' | 'fitting' | 'predicting' | 'writing' | 'done';

/** The settings a fit runs with (POST /v1/analytics/clv/fit; every one has a default, calibrationEnd resolved at the start). */
export type ClvParams = {
  /** The last day of the calibration period, YYYY-MM-DD (purchases by their store's local date). */
  calibrationEnd: string;
  unit: TimeUnit;
  /** In units. */
  horizon: number;
  discountRatePerYear: number;
  marginPercent: number;
  minRepeatCustomers: number;
  seed: number;
};

export type ClvDecile = {
  decile: number;
  customers: number;
  clvMinorFrom: number;
  clvMinorTo: number;
  clvMinorTotal: number;
  pAliveMean: number;
  expectedPurchasesMean: number;
};

export type ClvResult = {
  bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number; converged: boolean };
  gammaGamma: { p: number; q: number; v: number; logLikelihood: number; converged: boolean };
  distribution: {
    clvMinorTotal: number;
    clvMinorMean: number;
    expectedPurchasesMean: number;
    pAliveMean: number;
    deciles: ClvDecile[];
    pAlive: Array<{ from: number; to: number; customers: number }>;
  };
  /** Seconds each phase took. */
  seconds: Record<string, number>;
};

export type ClvRunsTable = {
  id: string;
  status: ClvRunStatus;
  phase: ClvRunPhase;
  params: Json<ClvParams>;
  customers: number;
  repeatCustomers: number;
  processed: number;
  result: Json<ClvResult> | null;
  failure: string | null;
  requestedBy: string | null;
  startedAt: Timestamp;
  finishedAt: Timestamp | null;
};

export type CustomerClvTable = {
  customerId: string;
  runId: string;
  x: number;
  recencyDays: number;
  ageDays: number;
  expectedPurchases: number;
  pAlive: number;
  expectedSpendMinor: number;
  clvMinor: number;
};

export type ClvTables = { clvRuns: ClvRunsTable; customerClv: CustomerClvTable };
