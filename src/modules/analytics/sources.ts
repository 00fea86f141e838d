import type { RawBuilder } from 'kysely';
import type { PointsLedgerFacts, PurchaseFacts, RollupFacts, TillFacts } from '../loyalty/index.ts';

/**
 * What the analytics module reads, as SQL other modules hand it (buildApp wires them): it never
 * names another module's tables, and each fact keeps the one definition its owner gives it.
 */
export type AnalyticsSources = {
  /** Loyalty: receipts (anonymous ones too), their units, first purchases, who earned or redeemed. */
  till: TillFacts;
  /**
   * Loyalty: the till facts by hour (the rollups), and `forReport`, what a report may read them up
   * to (null: read raw rows): the hours before it from the rollups, the rest raw, one exact answer.
   */
  rollups: { facts: RollupFacts; forReport: () => Promise<Date | null>; cohortGrid: (unit: 'month' | 'week', timezone: string) => Promise<number | null> };
  /** Loyalty: purchases (identified receipts not wholly returned), the one definition RFM and clusters use too. */
  purchases: PurchaseFacts;
  /** Loyalty: the points ledger's flows, lots by expiry, breakage history and the point's value. */
  points: PointsLedgerFacts;
  /** Customers: one row per active customer, `customer_id, created_at, signup_source`. */
  members: RawBuilder<unknown>;
  /** Customers: those who are no members, or joined at `since` or later, `customer_id, created_at, member` (few). */
  memberExceptions: (since: Date) => RawBuilder<unknown>;
  /** Segments: current membership, `segment_id, customer_id`. */
  segmentMembers: RawBuilder<unknown>;
  /** Clusters: the latest completed run's assignment, `cluster` (text), `customer_id`. */
  clusterMembers: RawBuilder<unknown>;
  /** Whether a store (loyalty) or a segment (segments) a report is filtered by exists: an unknown one is refused in words, not answered with zeros. */
  known: { store: (id: string) => Promise<boolean>; segment: (id: string) => Promise<boolean> };
  /** Engagement: custom events, `customer_id, type, occurred_at`. */
  customerEvents: RawBuilder<unknown>;
  /** Surveys: answers to NPS surveys, `customer_id` (null: anonymous), `answered_at`, `score` 0–10. */
  npsAnswers: RawBuilder<unknown>;
  /** Messaging: each message to a customer sent, opened, clicked, `customer_id, message_id, source_id, status, at`. */
  messageInteractions: RawBuilder<unknown>;
};

/**
 * An experiment with a control group whose attribution starts in a period, and what its
 * treatment added to revenue against the control (messaging measures campaigns and journeys;
 * buildApp registers it, so analytics never reads messaging's tables).
 */
export type UpliftExperiment = {
  kind: string;
  id: string;
  name: string;
  treated: number;
  control: number;
  incrementalRevenueMinor: number | null;
  ci: { lower: number; upper: number } | null;
  standardError: number | null;
  /** Points the experiment gave the treated as rewards. */
  rewardPoints: number;
  complete: boolean;
};
export type UpliftSource = (period: { from: Date; to: Date }) => Promise<UpliftExperiment[]>;
