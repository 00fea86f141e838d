import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { RfmReport } from './rfm-report.ts';
import type { RuleNode } from './rules.ts';

/** The segments module's tables (Kysely's view, camel-cased). Only this module names them. */
export type SegmentsTable = {
  id: string;
  name: string;
  description: string | null;
  rules: Json<RuleNode>;
  version: number;
  memberCount: Generated<number>;
  computedAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type SegmentMembersTable = { segmentId: string; customerId: string; enteredAt: Timestamp };

export type SegmentChangesTable = {
  id: Generated<string>;
  segmentId: string;
  customerId: string;
  change: 'entered' | 'left';
  cause: 'recompute' | 'event';
  at: Timestamp;
};

export type SegmentRecomputesTable = {
  id: string;
  segmentId: string;
  status: 'running' | 'completed' | 'failed';
  position: string | null;
  total: number;
  processed: Generated<number>;
  entered: Generated<number>;
  leftCount: Generated<number>;
  failure: string | null;
  requestedBy: string | null;
  startedAt: Timestamp;
  finishedAt: Timestamp | null;
  /** When the matches over everyone were found (segment_recompute_matches); null before. */
  matchedAt: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The live-membership cursor then: customers named by later events are looked at afresh. */
  eventsAfter: ColumnType<string | null, string | null | undefined, string | null>;
  /** The rules they were found for. */
  matchedRules: ColumnType<unknown, string | null | undefined, string | null>;
  /** Requests for matches found afresh while it ran (startAfterRunning), and how many of them the matches were found after. */
  rematchRequests: Generated<number>;
  matchedRequests: Generated<number>;
};

export type SegmentRecomputeMatchesTable = {
  recomputeId: string;
  customerId: string;
};

export type RfmRunsTable = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  windowDays: number;
  asOf: Timestamp;
  phase: 'scoring' | 'reporting' | 'done';
  scored: Generated<number>;
  report: Json<RfmReport> | null;
  failure: string | null;
  requestedBy: string | null;
  startedAt: Timestamp;
  finishedAt: Timestamp | null;
  isCurrent: Generated<boolean>;
};

export type RfmScoresTable = {
  customerId: string;
  runId: string;
  recencyDays: number;
  frequency: number;
  monetaryMinor: string | number;
  r: number;
  f: number;
  m: number;
  rfmGroup: string;
};

export type SegmentsTables = {
  segments: SegmentsTable;
  segmentMembers: SegmentMembersTable;
  segmentChanges: SegmentChangesTable;
  segmentRecomputes: SegmentRecomputesTable;
  segmentRecomputeMatches: SegmentRecomputeMatchesTable;
  rfmRuns: RfmRunsTable;
  rfmScores: RfmScoresTable;
};
