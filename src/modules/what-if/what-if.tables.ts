import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { ReplayCursor, ReplayScenario } from '../loyalty/index.ts';
import type { Sums, WhatIfReport } from './report.ts';

/** The what-if module's tables (Kysely's view, camel-cased). Only this module names them. */
export type WhatIfRunStatus = 'running' | 'completed' | 'failed';
export type WhatIfRunPhase = 'counting' | 'replaying' | 'done';
export type WhatIfChanges = { rules: boolean; tiers: boolean; promotions: number };

export type WhatIfRunsTable = {
  id: string;
  status: WhatIfRunStatus;
  phase: WhatIfRunPhase;
  days: number;
  windowFrom: Timestamp;
  windowTo: Timestamp;
  changes: Json<WhatIfChanges>;
  baseline: Json<ReplayScenario>;
  scenario: Json<ReplayScenario>;
  receipts: number;
  processed: number;
  cursor: Json<ReplayCursor> | null;
  sums: Json<Sums>;
  result: Json<WhatIfReport> | null;
  failure: string | null;
  requestedBy: string | null;
  startedAt: Timestamp;
  finishedAt: Timestamp | null;
};

export type WhatIfTables = { whatIfRuns: WhatIfRunsTable };
