import type { Role } from './platform/roles.ts';
import type { RouteKey } from './route-access.ts';
import { rfmCells, rfmGroupMapping } from './modules/segments/index.ts';
import { feedbackExampleIds, feedbackExamples } from './docs-examples-feedback.ts';
import { messagingDrawnValues, messagingExampleIds, messagingExamples } from './docs-examples-messaging.ts';
import { topicExampleIds, topicExamples } from './docs-examples-topics.ts';
import { surveyPageExamples, touchpointExamples } from './docs-examples-touchpoints.ts';
import { fiscalExampleIds, fiscalExamples } from './docs-examples-fiscal.ts';
import { consoleDrawnValues, consoleExampleIds, consoleExamples } from './docs-examples-console.ts';
import { surveyExampleIds, surveyExamples } from './docs-examples-surveys.ts';

/**
 * The worked examples of the API: one scenario — a coffee shop in Moscow, its catalog and
 * rules, a customer signed up at the till, a two-phase checkout, a return and a void — as the
 * requests an integrator sends and the answers Patron gives. They are what /docs shows on each
 * route (`addRouteExamples`), tests/openapi-examples.test.ts checks every request against its
 * route's schema, and a "docs that run" test can send them, in order, to a demo server.
 *
 * Running them: start from an empty database at 2026-03-01T09:00:00Z (the answers' times), send
 * each entry in order with a key of its `role`. Ids the server makes differ from run to run:
 * `exampleIds` are the ones these answers show, so a runner maps each to the id its server
 * returned at the same place (the customer created first is `exampleIds.anna`, …) and then
 * compares. Amounts are in kopecks (`price: 149000` is 1,490.00 ₽), quantities of weighed goods
 * in kilograms.
 */
export type DocExample = {
  /** The route, as src/route-access.ts names it. */
  route: RouteKey;
  summary: string;
  /** The role of the key the request is sent with; null: no key (a public route, a link a customer follows). */
  role: Role | null;
  /**
   * Sent as the console sends it: with the session cookie the last sign-in example
   * (POST /v1/console/session) set, and its CSRF token in X-CSRF-Token.
   */
  session?: true;
  /** A step the later examples need (a second customer, a receipt to void); the route's documented example is another entry. */
  step?: true;
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  /** The body's media type when it is not JSON (a bounce as it arrived: message/rfc822; a page's form): `body` is then its text. */
  requestType?: 'message/rfc822' | 'text/csv' | 'application/x-www-form-urlencoded';
  status: number;
  /**
   * The answer's media type when it is not JSON (a page, an image): `response` is then its text,
   * an image's in base64; 'redirect': no body, `response` is the Location it sends the browser to.
   */
  responseType?: 'text/html' | 'image/gif' | 'text/plain' | 'redirect';
  /**
   * A customer page's answer is shown by its `<main>`: the shell around it (the head with its
   * style and script) is every page's. A form's signed token (`name="form" value="…"`), made
   * with the server's own secret, is written `FORM_TOKEN`.
   */
  responsePart?: 'main';
  response: unknown;
};

export const exampleIds = {
  anna: 'cus_0195f3c2a8e07d3b9c41e2a6f5d8b701',
  smsConsent: 'cns_0195f3c2a8f17c2e9b3d4a5f6e7d8c90',
  emailConsent: 'cns_0195f3c2ab3c7d4f8e9a0b1c2d3e4f50',
  duplicate: 'cus_0195f3c2b1147a52a3e09c7d4b6e2f18',
  ivan: 'cus_0195f3c2b5d97c10b8f4e1a2c3d4e5f6',
  receipt: 'rcp_0195f3c2c0a17e4f8d2b6a9c1e3f5a70',
  cancelledReceipt: 'rcp_0195f3c2c4b27f01a9e8d7c6b5a4f3e2',
  posKey: 'key_0195f3c29e6a7b8c9d0e1f2a3b4c5d6e',
  cancelledLot: 'lot_0195f3c2c4b97a1b2c3d4e5f60718293',
  returnedLot: 'lot_0195f3c2c3e47b5c6d7e8f9012345678',
  receiptLot: 'lot_0195f3c2c0b87c9d0e1f2a3b4c5d6e7f',
  adjustmentLot: 'lot_0195f3c2bf107d2e3f4a5b6c7d8e9f01',
  ownerKey: 'key_0195f3c29d5e7a6b5c4d3e2f1a0b9c8d',
  promotion: 'prm_0195f3c2d1a27b3c4d5e6f708192a3b4',
  batch: 'pcb_0195f3c2d2b37c4d5e6f708192a3b4c5',
  giftCard: 'gcd_0195f3c2f1a27b3c4d5e6f708192a3b4',
  giftCardBatch: 'gcb_0195f3c2f2b37c4d5e6f708192a3b4c5',
  giftCardReceipt: 'rcp_0195f3c2f3c47d5e6f708192a3b4c5d6',
  rewardMug: 'rwd_0195f3c2e1a27b3c4d5e6f708192a3c1',
  rewardCinema: 'rwd_0195f3c2e2b37c4d5e6f708192a3c2d2',
  rewardPriority: 'rwd_0195f3c2e3c47d5e6f708192a3c2d3e3',
  cinemaOrder: 'rwo_0195f3c2e5e67f708192a3c2d3e4f505',
  priorityOrder: 'rwo_0195f3c2e6f7708192a3c2d3e4f50616',
  olga: 'cus_0195f3c2e0b17a2b3c4d5e6f70819203',
  referral: 'rfl_0195f3c2e1a27b3c4d5e6f708192a3b4',
  partner: 'prt_0195f3c2f8a17b2c3d4e5f60718293a4',
  mila: 'cus_0195f3c2d7a17b2c3d4e5f60718293b5',
  actionRule: 'acr_0195f3c2d8b27c3d4e5f60718293a4c6',
  partnerKey: 'key_0195f3c2f8b27c3d4e5f60718293a4b5',
  partnerCustomer: 'cus_0195f3c2f8c37d4e5f60718293a4b5c6',
  olgaReceipt: 'rcp_0195f3c2f9d47e5f60718293a4b5c6d7',
  clusterRun: 'clr_0195f3c2fae57f60718293a4b5c6d7e8',
  partnerReceipt: 'rcp_0195f3c2f8d47e5f60718293a4b5c6d7',
  lottery: 'ltr_0195f3c2d3a17b2c3d4e5f60718293c1',
  pastLottery: 'ltr_0195f3c2d3b27c3d4e5f60718293c2d2',
  upcomingLottery: 'ltr_0195f3c2d3c37d4e5f60718293c2d3e3',
  segment: 'seg_0195f3c2c5d17e2f3a4b5c6d7e8f9a01',
  segmentRecompute: 'sgr_0195f3c2c5e27f3a4b5c6d7e8f9a0b12',
  rfmRun: 'rfm_0195f3c2c6f37a4b5c6d7e8f9a0b1c23',
  recommendationRun: 'rcr_0195f3c2c6a17b2c3d4e5f60718293d4',
  basketReceipt: 'rcp_0195f3c2c6b27c3d4e5f60718293d4e5',
  marketerKey: 'key_0195f3c2c6c37d4e5f60718293d4e5f6',
  whatIfRun: 'wif_0195f3c2c7d47e5f60718293d4e5f607',
  alertRule: 'alr_0195f3c2c7e57f60718293d4e5f60718',
  report: 'rpt_0195f3c2c7f67f60718293d4e5f60729',
  averageCheckAlertRule: 'alr_0195f3c2c8a17b2c3d4e5f60718293f1',
  alert: 'alt_0195f3c2c8b27c3d4e5f60718293f102',
  reportRun: 'rpr_0195f3c2c8c37d4e5f60718293f10213',
  cohortReport: 'rpt_0195f3c2c8d47e5f60718293f1021324',
  clvRun: 'clv_0195f3c2c7a17b2c3d4e5f60718293e5',
  analystKey: 'key_0195f3c2c7e57f60718293e5f6071829',
  annaPastReceipt: 'rcp_0195f3c2c7b27c3d4e5f60718293e5f6',
  milaPastReceipt: 'rcp_0195f3c2c7c37d4e5f60718293e5f607',
  olgaPastReceipt: 'rcp_0195f3c2c7d47e5f60718293e5f60718',
  annaReturnReceipt: 'rcp_0195f3c2c8e57f60718293f102132435',
  ...messagingExampleIds,
  ...topicExampleIds,
  ...feedbackExampleIds,
  ...fiscalExampleIds,
  ...consoleExampleIds,
  ...surveyExampleIds,
} as const;
const ids = exampleIds;

// The gift-card examples' answers (src/docs-examples.ts's gift-card section).
const at = '2026-03-01T09:00:00.000Z';
const GC_ISSUED = { id: ids.giftCard, code: 'CARD7KQ2MXPW4TZN', status: 'issued', balanceMinor: 0, currency: 'RUB', batchId: null, customerId: null, expiresAt: null, validDays: 365, activatedAt: null, blockedAt: null, blockReason: null, createdAt: at, updatedAt: at };
const GC_ACTIVE = { ...GC_ISSUED, status: 'active', balanceMinor: 300000, expiresAt: '2027-03-01T09:00:00.000Z', activatedAt: at };
const gcLines = [{ sku: 'COF-1KG', qty: 2, price: 149000, total: 298000, discount: 0, excluded: false, pointsEarned: 0, pointsRedeemed: 0, redeemedMinor: 0, payable: 298000 }];
const gcReceipt = { lines: gcLines, total: 298000, discount: 0, pointsToEarn: 0, maxRedeemable: 0, pointsRedeemed: 0, redeemedMinor: 0, payable: 298000, currency: 'RUB', applied: [], messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1 };
const GC_CALCULATED = { ...gcReceipt, giftCards: [{ code: '************4TZN', amount: 200000, applied: true, reason: null, detail: null, balance: 300000 }], leftToPay: 98000 };
const GC_CONFIRMED = {
  receiptId: ids.giftCardReceipt, storeId: 'msk-01', posReceiptId: 'R-000200', occurredAt: at, ...gcReceipt,
  giftCards: [{ code: '************4TZN', amount: 200000, applied: true, reason: null, detail: null, balance: 100000 }], leftToPay: 98000,
};
const GC_REFUNDED = {
  receiptId: ids.giftCardReceipt, refundId: 'RET-200-1', lines: [{ lineNo: 1, sku: 'COF-1KG', qty: 1, amount: 149000, pointsReversed: 0, pointsReturned: 0 }],
  amount: 149000, pointsReversed: 0, pointsReturned: 0, pointsForgiven: 0, pointsAlreadyExpired: 0, giftCards: [{ code: '************4TZN', amount: 100000, balance: 200000 }],
};
const gcEntry = { receiptId: null, refundId: null, reason: null, createdAt: at };
const GC_ENTRIES = {
  items: [
    { ...gcEntry, id: 3, kind: 'refund', amountMinor: 100000, balanceAfterMinor: 200000, receiptId: ids.giftCardReceipt, refundId: 'RET-200-1' },
    { ...gcEntry, id: 2, kind: 'redeem', amountMinor: -200000, balanceAfterMinor: 100000, receiptId: ids.giftCardReceipt },
    { ...gcEntry, id: 1, kind: 'activate', amountMinor: 300000, balanceAfterMinor: 300000 },
  ],
  nextCursor: null,
};
const GC_BATCH = { id: ids.giftCardBatch, count: 500, amountMinor: 500000, currency: 'RUB', prefix: 'XM', expiresAt: null, validDays: 365, generated: 0, progress: 0, status: 'queued', failure: null, createdAt: at, startedAt: null, finishedAt: null };

/**
 * Values the server draws at random rather than ids (a referral code): like an example id, each
 * stands for the value the server made in its place, and the pattern says what one looks like.
 */
export const exampleDrawnValues: Record<string, RegExp> = {
  KM7TQ4XB: /^[23456789BCDFGHJKMNPQRSTVWXYZ]{8}$/,
  // A partner key's secret (shown once) and its hint.
  patron_Zk3vQ9pXbW2mT7rY4nL8cF1hJ6dS0aGe5uKqVxBzN2o: /^patron_[A-Za-z0-9_-]{43}$/,
  'patron_Zk3v…': /^patron_[A-Za-z0-9_-]{4}…$/,
  // Lotteries' commitments and revealed seeds (docs/lotteries.md): 32 random bytes and their SHA-256, in hex.
  a1a6b7569eef2100f04190589397087bc70e27aea1ce7f6486eaf5356a4cc383: /^[0-9a-f]{64}$/,
  ee427c5cc0c149d6b4229cc11c46e800c255918d1881c66c441a98dcaf58986c: /^[0-9a-f]{64}$/,
  '188f1410760d02a25983e65d98c785b406c4c22f38cf9b2de8b92a2091ab961f': /^[0-9a-f]{64}$/,
  '3c61fc506dd5994262722440218e63731de57d3773d50f8fec98bb7e27b92115': /^[0-9a-f]{64}$/,
  ...messagingDrawnValues,
  ...consoleDrawnValues,
};

// The lottery examples' answers (docs/lotteries.md).
const LOTTERY_BODY = {
  name: 'Spring draw',
  entryPeriod: { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' },
  rules: [{ kind: 'spend', perMinor: 100000, tierMultipliers: { gold: 2 } }, { kind: 'action', eventType: 'survey.answered', entries: 1 }],
  prizes: [{ name: 'Coffee machine', count: 1 }, { name: 'A year of coffee', rewardId: 'rwd_0195f3c2e9a17b2c3d4e5f60718293f1', count: 3 }],
};
const LOTTERY = {
  id: ids.lottery, ...LOTTERY_BODY, description: null, status: 'open', algorithm: 'patron-lottery-v1',
  commitment: 'a1a6b7569eef2100f04190589397087bc70e27aea1ce7f6486eaf5356a4cc383', seed: null, entriesDigest: null, entrants: null, totalEntries: null, winners: [],
  version: 1, createdAt: at, updatedAt: at, drawnAt: null,
};
const PAST_LOTTERY_BODY = { ...LOTTERY_BODY, name: 'February draw', entryPeriod: { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' } };
const PAST_LOTTERY = { ...LOTTERY, ...PAST_LOTTERY_BODY, id: ids.pastLottery, status: 'closed', commitment: 'ee427c5cc0c149d6b4229cc11c46e800c255918d1881c66c441a98dcaf58986c' };
const referralCode = 'KM7TQ4XB';
const referralSettings = { enabled: true, referrerPoints: 500, refereePoints: 300, qualifyingPurchaseMinor: 100000, joinWindowDays: 30, qualifyWithinDays: 90, capPerReferrerPerMonth: 10, capPerReferrerTotal: 100 };

// The partner examples' answers (docs/partners.md).
const PARTNER = { id: ids.partner, name: 'Neft', status: 'active', storeIds: ['azs-01'], earnRateBp: 300, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8500, version: 1, createdAt: at, updatedAt: at };
const PARTNER_V2 = { ...PARTNER, issuedPer100PointsMinor: 9500, version: 2 };
const PARTNER_RECEIPT = {
  receiptId: ids.partnerReceipt, storeId: 'azs-01', posReceiptId: 'AZS-1-0001', occurredAt: at,
  lines: [{ sku: 'AI-95', qty: 40, price: 6150, total: 246000, discount: 0, excluded: false, pointsEarned: 73, pointsRedeemed: 0, redeemedMinor: 0, payable: 246000 }],
  total: 246000, discount: 0, pointsToEarn: 73, maxRedeemable: 0, pointsRedeemed: 0, redeemedMinor: 0, payable: 246000, currency: 'RUB',
  applied: [{ ruleId: `partner:${ids.partner}`, kind: 'percent', name: 'Neft rate', points: 73, lines: [0] }],
  messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1,
  customer: { id: ids.partnerCustomer, balance: 0, pendingPoints: 73, tier: { id: 'silver', name: 'Silver' } },
};
// 73 points issued × 95.00 per 100 points = 69.35 owed by the partner; nothing redeemed.
const settled = { pointsEarned: 73, pointsReversed: 0, pointsIssued: 73, pointsRedeemed: 0, pointsReturned: 0, pointsRedeemedNet: 0, partnerOwesMinor: 6935, operatorOwesMinor: 0, netMinor: 6935 };
const SETTLEMENT = {
  partnerId: ids.partner, partnerName: 'Neft', currency: 'RUB', from: '2026-03-01', to: '2026-03-01',
  rates: { earnRateBp: 300, issuedPer100PointsMinor: 9500, redeemedPer100PointsMinor: 8500 },
  totals: settled, days: [{ date: '2026-03-01', ...settled }], stores: [{ storeId: 'azs-01', ...settled }],
};

// The segment examples (docs/segments.md explains the rules): Anna's coffee, paid partly with points, counts net of them.
const SEGMENT_RULES = {
  all: [
    { field: 'purchases.spentMinor', window: { days: 30 }, filter: { brands: ['Roastery'] }, op: 'gte', value: 100000 },
    { field: 'consent', channel: 'email', purpose: 'marketing', op: 'eq', value: true },
  ],
};
const SEGMENT = {
  id: ids.segment, name: 'Roastery regulars on e-mail', description: 'Spent 1,000.00 on Roastery coffee in 30 days, e-mail marketing allowed', rules: SEGMENT_RULES,
  memberCount: 0, computedAt: null, version: 1, createdAt: at, updatedAt: at,
};
const RFM_RUN = { id: ids.rfmRun, status: 'running', phase: 'scoring', windowDays: 365, asOf: at, scored: 0, startedAt: at };
// Three customers bought once, all today: relative scores say little with so few (docs/rfm.md), and ties share the lowest place, so all are R 1 F 1, "Lost".
const rfmCell = (recency: number, frequency: number) => (recency === 1 && frequency === 1 ? { customers: 3, revenueMinor: 797369, purchases: 3, averageCheckMinor: 265789 } : { customers: 0, revenueMinor: 0, purchases: 0, averageCheckMinor: null });
const RFM_REPORT = {
  customers: 3,
  notScored: 1,
  revenueMinor: 797369,
  scores: {
    recency: [{ score: 1, customers: 3, min: 0, max: 0 }],
    frequency: [{ score: 1, customers: 3, min: 1, max: 1 }],
    monetary: [{ score: 1, customers: 1, min: 104369, max: 104369 }, { score: 2, customers: 1, min: 246000, max: 246000 }, { score: 4, customers: 1, min: 447000, max: 447000 }],
  },
  grid: rfmCells().map(({ recency, frequency, group }) => ({ recency, frequency, group, ...rfmCell(recency, frequency) })),
  groups: rfmGroupMapping().map(({ group, meaning, cells }) =>
    group === 'Lost'
      ? { group, meaning, cells, customers: 3, share: 1, revenueMinor: 797369, averageCheckMinor: 265789, averageRecencyDays: 0, averageFrequency: 1 }
      : { group, meaning, cells, customers: 0, share: 0, revenueMinor: 0, averageCheckMinor: null, averageRecencyDays: null, averageFrequency: null },
  ),
  transitions: { previousRunId: null, moves: [] },
};
// The recommendation run's answer as it starts (docs/recommendations.md); requestedBy is the marketer's key.
const RECOMMENDATION_RUN = {
  id: ids.recommendationRun, status: 'running', phase: 'queued', phasesDone: 0, phases: 3, asOf: at,
  settings: { windowDays: 365, holdoutDays: 30, topN: 3, minPairCount: 1, neighbours: 20 }, model: null, evaluation: null, requestedBy: ids.marketerKey, startedAt: at,
};
const NO_HOLDOUT = { customers: 0, modelHits: 0, popularityHits: 0, modelHitRate: 0, popularityHitRate: 0 };
const SEGMENT_RECOMPUTE = { id: ids.segmentRecompute, segmentId: ids.segment, status: 'running', customers: 1, processed: 0, entered: 0, left: 0, startedAt: at };

const CLUSTER_PARAMS = { windowDays: 365, kMin: 2, kMax: 8, seed: 7, bootstrapSamples: 10, stabilityThreshold: 0.75, sampleSize: 20000, silhouetteSampleSize: 2000, categories: 5 };
const CLUSTER_RUN_DONE = { id: ids.clusterRun, status: 'completed', phase: 'done', params: CLUSTER_PARAMS, customers: 3, processed: 3, chosenK: 2, silhouettes: [{ k: 2, silhouette: 0.1301 }], meanAdjustedRand: 0.9, startedAt: at, finishedAt: at };

/** A what-if row's figures (docs/what-if.md): liability and cost follow from the others at 1 point = 1.00. */
const figures = (pointsIssued: number, pointsBase: number, pointsRedeemed: number, redeemedMinor: number, revenueMinor: number, discountMinor = 0) => ({
  pointsIssued, pointsBase, pointsBonus: pointsIssued - pointsBase, discountMinor, pointsRedeemed, redeemedMinor,
  liabilityChangeMinor: (pointsIssued - pointsRedeemed) * 100, costMinor: redeemedMinor + discountMinor + (pointsIssued - pointsRedeemed) * 100, revenueMinor,
});
const whatIfRow = (receipts: number, actual: ReturnType<typeof figures>, whatIf: ReturnType<typeof figures>) => ({
  receipts, actual, whatIf,
  difference: Object.fromEntries(Object.entries(whatIf).map(([key, value]) => [key, value - actual[key as keyof typeof actual]])),
});
const WHAT_IF_REPORT = {
  currency: 'RUB', pointValueMinor: 100, receipts: 6, mismatched: 0,
  total: whatIfRow(6, figures(1130, 430, 446, 44631, 1113349), figures(2190, 790, 446, 44631, 1113349)),
  byStore: [
    { storeId: 'azs-01', ...whatIfRow(1, figures(73, 73, 0, 0, 246000), figures(73, 73, 0, 0, 246000)) },
    { storeId: 'msk-01', ...whatIfRow(5, figures(1057, 357, 446, 44631, 867349), figures(2117, 717, 446, 44631, 867349)) },
  ],
  byTier: [
    { tierId: 'silver', ...whatIfRow(5, figures(1130, 430, 446, 44631, 964349), figures(2190, 790, 446, 44631, 964349)) },
    { tierId: null, ...whatIfRow(1, figures(0, 0, 0, 0, 149000), figures(0, 0, 0, 0, 149000)) },
  ],
};
const WHAT_IF_RUN = { id: ids.whatIfRun, status: 'running', phase: 'counting', days: 30, window: { from: '2026-01-30T09:00:00.000Z', to: '2026-03-01T09:00:00.001Z' }, changes: { rules: true, tiers: false, promotions: 0 }, receipts: 0, processed: 0, startedAt: at };
// The CLV fit's answer as it starts (docs/clv.md); requestedBy is the analyst's key.
const CLV_RUN = { id: ids.clvRun, status: 'running', phase: 'summary', params: { calibrationEnd: '2026-03-01', unit: 'week', horizon: 52, discountRatePerYear: 0.1, marginPercent: 30, minRepeatCustomers: 3, seed: 1 }, customers: 0, repeatCustomers: 0, processed: 0, requestedBy: ids.analystKey, startedAt: at };

// The analytics examples' answers: the alert rules, the alert one fired, the scheduled report and the KPIs of its February run (by till, beside the 28 days before).
const RECOGNITION_RULE = { id: ids.alertRule, name: 'Tills stop asking for the card', kind: 'drop', kpi: 'recognitionRate', groupBy: 'store', params: { threshold: 0.2, days: 28, weeks: 8, k: 3, minHistory: 7 }, timezone: 'UTC', recipients: ['retail.manager@shop.example'], active: true, checkedThrough: null, createdAt: at, updatedAt: at };
const AVERAGE_CHECK_RULE = { id: ids.averageCheckAlertRule, name: 'Average check falls', kind: 'drop', kpi: 'averageCheckMinor', groupBy: 'none', params: { threshold: 0.2, days: 90, weeks: 8, k: 3, minHistory: 2 }, timezone: 'UTC', recipients: [], active: true, checkedThrough: null, createdAt: at, updatedAt: at };
const ALERT = { id: ids.alert, ruleId: ids.averageCheckAlertRule, day: '2026-02-05', group: {}, kpi: 'averageCheckMinor', value: 139000, message: 'Average check (minor units) in total on 2026-02-05 was 139000, 37.8076 % below the median of 223500 over the 90 days before (alert below 178800)', evidence: { rule: { kind: 'drop', kpi: 'averageCheckMinor', params: { threshold: 0.2, days: 90, weeks: 8, k: 3, minHistory: 2 } }, value: 139000, median: 223500, low: 178800, high: null, history: [{ day: '2025-12-15', value: 149000 }, { day: '2026-01-20', value: 298000 }] }, firedAt: at };
const REPORT = { id: ids.report, name: 'Recognition by till, weekly', kind: 'kpis', query: { groupBy: 'register', compare: 'previous' }, schedule: 'weekly', timezone: 'Europe/Moscow', recipients: ['analyst@shop.example'], active: true, nextRunAt: '2026-03-01T21:00:00.000Z', lastRun: null, createdAt: at, updatedAt: at };
const FEBRUARY_KPIS = { revenueMinor: 288000, receipts: 2, averageCheckMinor: 144000, itemsPerReceipt: 1, grossMinor: 288000, discountMinor: 0, redeemedMinor: 0, discountShare: 0, pointsShare: 0, customers: 2, newCustomers: 1, returningCustomers: 1, purchaseFrequency: 1, repeatPurchaseRate: 0, previousCustomers: 1, retainedCustomers: 0, retentionRate: 0, churnRate: 1, identifiedReceipts: 2, tillReceipts: 2, tillIdentifiedReceipts: 2, recognitionRate: 1, members: 0, activeMembers: 0, loyaltyActivityRate: null, npsRespondents: 0, nps: null };
const JANUARY_KPIS = { revenueMinor: 298000, receipts: 1, averageCheckMinor: 298000, itemsPerReceipt: 2, grossMinor: 298000, discountMinor: 0, redeemedMinor: 0, discountShare: 0, pointsShare: 0, customers: 1, newCustomers: 1, returningCustomers: 0, purchaseFrequency: 1, repeatPurchaseRate: 0, previousCustomers: 1, retainedCustomers: 0, retentionRate: 0, churnRate: 1, identifiedReceipts: 1, tillReceipts: 1, tillIdentifiedReceipts: 1, recognitionRate: 1, members: 0, activeMembers: 0, loyaltyActivityRate: null, npsRespondents: 0, nps: null };
const FEBRUARY_CHANGE = { previous: { revenueMinor: -0.0336, receipts: 1, averageCheckMinor: -0.5168, itemsPerReceipt: -0.5, discountShare: null, pointsShare: null, customers: 1, newCustomers: 0, purchaseFrequency: 0, repeatPurchaseRate: null, retentionRate: null, recognitionRate: 0, loyaltyActivityRate: null } };
const MONTHLY_REPORT = { ...REPORT, name: 'Recognition by till, monthly', schedule: 'monthly', nextRunAt: '2026-03-31T21:00:00.000Z' };
const COHORT_REPORT = { id: ids.cohortReport, name: 'Cohorts by store, monthly', kind: 'cohorts', query: { by: 'store' }, schedule: 'monthly', timezone: 'Europe/Moscow', recipients: [], active: true, nextRunAt: '2026-03-31T21:00:00.000Z', lastRun: null, createdAt: at, updatedAt: at };
const REPORT_RUN = { id: ids.reportRun, reportId: ids.report, from: '2026-02-01', to: '2026-02-28', trigger: 'request', status: 'completed', failure: null, createdAt: at };
const REPORT_RUN_RESULT = {
  period: { from: '2026-02-01', to: '2026-02-28', timezone: 'Europe/Moscow', start: '2026-01-31T21:00:00.000Z', end: '2026-02-28T21:00:00.000Z' }, groupBy: 'register', filters: {}, compared: { previous: { from: '2026-01-04', to: '2026-01-31', timezone: 'Europe/Moscow', start: '2026-01-03T21:00:00.000Z', end: '2026-01-31T21:00:00.000Z' } },
  asOf: '2026-03-01T09:00:00.000Z', rolledUpTo: null,
  overall: { group: {}, current: FEBRUARY_KPIS, previous: JANUARY_KPIS, change: FEBRUARY_CHANGE },
  rows: [{ group: { store: 'msk-01', register: null }, current: { ...FEBRUARY_KPIS, members: null, activeMembers: null, npsRespondents: null, nps: null }, previous: { ...JANUARY_KPIS, members: null, activeMembers: null, npsRespondents: null, nps: null }, change: FEBRUARY_CHANGE }],
};

export const docExamples: DocExample[] = [
  {
    route: 'PUT /v1/stores/{id}',
    summary: 'A store in Moscow',
    role: 'owner',
    params: { id: 'msk-01' },
    body: { name: 'Moscow, Tverskaya', region: 'Moscow', timezone: 'Europe/Moscow' },
    status: 200,
    response: { id: 'msk-01', name: 'Moscow, Tverskaya', region: 'Moscow', timezone: 'Europe/Moscow', active: true },
  },
  {
    route: 'PUT /v1/products',
    summary: 'A product: coffee beans',
    role: 'owner',
    body: [{ sku: 'COF-1KG', name: 'Arabica 1 kg', categoryPath: ['grocery', 'coffee'], brand: 'Roastery' }],
    status: 200,
    response: { upserted: 1 },
  },
  {
    route: 'PUT /v1/earning-rules',
    summary: '5% base rate, coffee ×3',
    role: 'owner',
    body: { rules: [{ id: 'base', name: 'Base rate 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true }, { id: 'coffee-x3', name: 'Coffee ×3', kind: 'multiplier', factor: 3, conditions: { categories: ['coffee'] }, priority: 10, stacking: 'highest', active: true }] },
    status: 200,
    response: { rules: [{ id: 'base', name: 'Base rate 5%', kind: 'percent', conditions: {}, stacking: 'highest', rateBp: 500, priority: 0, active: true }, { id: 'coffee-x3', name: 'Coffee ×3', kind: 'multiplier', conditions: { categories: ['coffee'] }, stacking: 'highest', factor: 3, priority: 10, active: true }], version: 1, updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'PUT /v1/tiers',
    summary: 'Silver, Gold and Platinum by spend over a year',
    role: 'owner',
    body: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'silver', name: 'Silver', threshold: 0, privileges: [] }, { id: 'gold', name: 'Gold', threshold: 3000000, earnRateBp: 700, privileges: ['free delivery'] }, { id: 'platinum', name: 'Platinum', threshold: 8000000, earnRateBp: 1000, maxRedeemShareBp: 5000, privileges: ['free delivery', 'personal manager'] }] },
    status: 200,
    response: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'silver', name: 'Silver', threshold: 0, privileges: [] }, { id: 'gold', name: 'Gold', threshold: 3000000, earnRateBp: 700, privileges: ['free delivery'] }, { id: 'platinum', name: 'Platinum', threshold: 8000000, earnRateBp: 1000, maxRedeemShareBp: 5000, privileges: ['free delivery', 'personal manager'] }], version: 1, updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers',
    summary: 'Sign up a customer with a phone, a card and an SMS consent',
    role: 'owner',
    body: { phone: '+79123456789', email: 'anna.petrova@example.com', cardNumber: '7770 0001', firstName: 'Anna', lastName: 'Petrova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', evidence: { operator: 'Maria K.', textVersion: 'sms-2026-01' } }] },
    status: 201,
    response: { id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.petrova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'email', value: 'anna.petrova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Petrova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'GET /v1/customers/{id}',
    summary: 'The profile',
    role: 'owner',
    params: { id: ids.anna },
    status: 200,
    response: { id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.petrova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'email', value: 'anna.petrova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Petrova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z', segments: [], rfm: null, cluster: null, clv: null },
  },
  {
    route: 'GET /v1/customers/lookup',
    summary: 'A till finds the customer by phone: the till view',
    role: 'pos',
    query: { phone: '+79123456789' },
    status: 200,
    response: { id: ids.anna, phone: '+7912*****89', email: 'a***@example.com', card: null, balance: 0, pendingPoints: 0, tier: { id: 'silver', name: 'Silver' } },
  },
  {
    route: 'PATCH /v1/customers/{id}',
    summary: 'A new e-mail and surname',
    role: 'owner',
    params: { id: ids.anna },
    body: { email: 'anna.smirnova@example.com', lastName: 'Smirnova' },
    status: 200,
    response: { id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.smirnova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'email', value: 'anna.smirnova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Smirnova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z', segments: [], rfm: null, cluster: null, clv: null },
  },
  {
    route: 'GET /v1/customers',
    summary: 'Search by the start of a phone',
    role: 'owner',
    query: { q: '+7912', limit: '20' },
    status: 200,
    response: { items: [{ id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.smirnova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'email', value: 'anna.smirnova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Smirnova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' }], nextCursor: null },
  },
  {
    route: 'PUT /v1/customers/{id}/consents',
    summary: 'E-mail marketing consent given on the website',
    role: 'owner',
    params: { id: ids.anna },
    body: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', evidence: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', textVersion: 'email-2026-01' } }],
    status: 200,
    response: { current: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2026-03-01T09:00:00.000Z' }, { channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', at: '2026-03-01T09:00:00.000Z' }], history: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', at: '2026-03-01T09:00:00.000Z', id: ids.smsConsent, recordedAt: '2026-03-01T09:00:00.000Z', evidence: { operator: 'Maria K.', textVersion: 'sms-2026-01' } }, { channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2026-03-01T09:00:00.000Z', id: ids.emailConsent, recordedAt: '2026-03-01T09:00:00.000Z', evidence: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', textVersion: 'email-2026-01' } }] },
  },
  {
    route: 'GET /v1/customers/{id}/consents',
    summary: 'Current consents and their history',
    role: 'owner',
    params: { id: ids.anna },
    status: 200,
    response: { current: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2026-03-01T09:00:00.000Z' }, { channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', at: '2026-03-01T09:00:00.000Z' }], history: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', at: '2026-03-01T09:00:00.000Z', id: ids.smsConsent, recordedAt: '2026-03-01T09:00:00.000Z', evidence: { operator: 'Maria K.', textVersion: 'sms-2026-01' } }, { channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2026-03-01T09:00:00.000Z', id: ids.emailConsent, recordedAt: '2026-03-01T09:00:00.000Z', evidence: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', textVersion: 'email-2026-01' } }] },
  },
  {
    route: 'POST /v1/customers',
    summary: 'A duplicate signed up with a second card (merged below)',
    role: 'owner',
    step: true,
    body: { cardNumber: '7770 0002', firstName: 'Anna' },
    status: 201,
    response: { id: ids.duplicate, status: 'active', phone: null, email: null, cardNumber: '77700002', externalIds: {}, identifiers: [{ kind: 'card', value: '77700002', primary: true }], firstName: 'Anna', lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/merge',
    summary: 'Merge the duplicate: its card joins the survivor',
    role: 'owner',
    params: { id: ids.anna },
    body: { from: ids.duplicate },
    status: 200,
    response: { id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.smirnova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'card', value: '77700002', primary: false }, { kind: 'email', value: 'anna.smirnova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Smirnova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers',
    summary: 'A customer who will ask to be forgotten',
    role: 'owner',
    step: true,
    body: { phone: '+79035550101', firstName: 'Ivan' },
    status: 201,
    response: { id: ids.ivan, status: 'active', phone: '+79035550101', email: null, cardNumber: null, externalIds: {}, identifiers: [{ kind: 'phone', value: '+79035550101', primary: true }], firstName: 'Ivan', lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/erase',
    summary: 'Erase personal data',
    role: 'owner',
    params: { id: ids.ivan },
    status: 200,
    response: { id: ids.ivan, status: 'erased', phone: null, email: null, cardNumber: null, externalIds: {}, identifiers: [], firstName: null, lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z', erasedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/points/adjustments',
    summary: 'Points moved from an old card',
    role: 'owner',
    params: { id: ids.anna },
    headers: { 'idempotency-key': 'ticket-4711' },
    body: { points: 1000, reason: 'Points moved from the old card (ticket 4711)' },
    status: 201,
    response: { customerId: ids.anna, points: 1000, reason: 'Points moved from the old card (ticket 4711)', balance: 1000, pendingPoints: 0 },
  },
  {
    route: 'POST /v1/checkout/calculate',
    summary: 'Coffee and cheese by weight, 500 points asked (cut to the 30% cap)',
    role: 'pos',
    body: { storeId: 'msk-01', customer: { phone: '8 912 345-67-89' }, lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }, { sku: 'cheese', category: 'dairy', qty: 0.455, price: 34990 }], redeemPoints: 500 },
    status: 200,
    response: { lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 0, excluded: false, pointsEarned: 156, pointsRedeemed: 446, redeemedMinor: 44631, payable: 104369 }, { sku: 'cheese', qty: 0.455, price: 34990, total: 15920, discount: 0, excluded: false, pointsEarned: 5, pointsRedeemed: 48, redeemedMinor: 4769, payable: 11151 }], total: 164920, discount: 0, pointsToEarn: 161, maxRedeemable: 494, pointsRedeemed: 494, redeemedMinor: 49400, payable: 115520, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 57, lines: [0, 1] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 104, lines: [0] }], messages: ['At most 494 points can pay for this receipt (30% of eligible goods)'], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 1000, pendingPoints: 0, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'POST /v1/checkout/simulate',
    summary: "A marketer tries the same receipt in the console's simulator: calculate's answer, nothing confirmed",
    role: 'marketer',
    body: { storeId: 'msk-01', customer: { phone: '8 912 345-67-89' }, lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }, { sku: 'cheese', category: 'dairy', qty: 0.455, price: 34990 }], redeemPoints: 500 },
    status: 200,
    response: { lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 0, excluded: false, pointsEarned: 156, pointsRedeemed: 446, redeemedMinor: 44631, payable: 104369 }, { sku: 'cheese', qty: 0.455, price: 34990, total: 15920, discount: 0, excluded: false, pointsEarned: 5, pointsRedeemed: 48, redeemedMinor: 4769, payable: 11151 }], total: 164920, discount: 0, pointsToEarn: 161, maxRedeemable: 494, pointsRedeemed: 494, redeemedMinor: 49400, payable: 115520, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 57, lines: [0, 1] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 104, lines: [0] }], messages: ['At most 494 points can pay for this receipt (30% of eligible goods)'], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 1000, pendingPoints: 0, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'The same receipt committed under its POS receipt id',
    role: 'pos',
    body: { storeId: 'msk-01', posReceiptId: 'R-000123', registerId: 'msk-01-R1', customer: { phone: '8 912 345-67-89' }, lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }, { sku: 'cheese', category: 'dairy', qty: 0.455, price: 34990 }], redeemPoints: 500 },
    status: 201,
    response: { receiptId: ids.receipt, storeId: 'msk-01', posReceiptId: 'R-000123', occurredAt: '2026-03-01T09:00:00.000Z', lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 0, excluded: false, pointsEarned: 156, pointsRedeemed: 446, redeemedMinor: 44631, payable: 104369 }, { sku: 'cheese', qty: 0.455, price: 34990, total: 15920, discount: 0, excluded: false, pointsEarned: 5, pointsRedeemed: 48, redeemedMinor: 4769, payable: 11151 }], total: 164920, discount: 0, pointsToEarn: 161, maxRedeemable: 494, pointsRedeemed: 494, redeemedMinor: 49400, payable: 115520, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 57, lines: [0, 1] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 104, lines: [0] }], messages: ['At most 494 points can pay for this receipt (30% of eligible goods)'], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 506, pendingPoints: 161, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'POST /v1/receipts/{id}/refunds',
    summary: 'The cheese comes back',
    role: 'pos',
    params: { id: ids.receipt },
    body: { refundId: 'RF-1', lines: [{ sku: 'cheese', qty: 0.455 }] },
    status: 201,
    response: { receiptId: ids.receipt, refundId: 'RF-1', lines: [{ lineNo: 2, sku: 'cheese', qty: 0.455, amount: 11151, pointsReversed: 5, pointsReturned: 48 }], amount: 11151, pointsReversed: 5, pointsReturned: 48, pointsForgiven: 0, pointsAlreadyExpired: 0, customer: { id: ids.anna, balance: 554, pendingPoints: 156 } },
  },
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'Two packs of coffee by card (voided below)',
    role: 'pos',
    step: true,
    body: { storeId: 'msk-01', posReceiptId: 'R-000124', registerId: 'msk-01-R1', customer: { card: '7770 0001' }, lines: [{ sku: 'COF-1KG', qty: 2, price: 149000 }] },
    status: 201,
    response: { receiptId: ids.cancelledReceipt, storeId: 'msk-01', posReceiptId: 'R-000124', occurredAt: '2026-03-01T09:00:00.000Z', lines: [{ sku: 'COF-1KG', qty: 2, price: 149000, total: 298000, discount: 0, excluded: false, pointsEarned: 447, pointsRedeemed: 0, redeemedMinor: 0, payable: 298000 }], total: 298000, discount: 0, pointsToEarn: 447, maxRedeemable: 554, pointsRedeemed: 0, redeemedMinor: 0, payable: 298000, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 149, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 298, lines: [0] }], messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 554, pendingPoints: 603, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'POST /v1/checkout/cancel',
    summary: 'Void receipt R-000124',
    role: 'pos',
    body: { storeId: 'msk-01', posReceiptId: 'R-000124' },
    status: 200,
    response: { receiptId: ids.cancelledReceipt, refundId: 'cancel:R-000124', lines: [{ lineNo: 1, sku: 'COF-1KG', qty: 2, amount: 298000, pointsReversed: 447, pointsReturned: 0 }], amount: 298000, pointsReversed: 447, pointsReturned: 0, pointsForgiven: 0, pointsAlreadyExpired: 0, customer: { id: ids.anna, balance: 554, pendingPoints: 156 } },
  },
  {
    route: 'GET /v1/customers/{id}/balance',
    summary: 'Available, pending and expiring points, tier progress',
    role: 'pos',
    params: { id: ids.anna },
    status: 200,
    response: { customerId: ids.anna, available: 554, pendingPoints: 156, pending: [{ points: 156, activatesAt: '2026-03-15T09:00:00.000Z' }], expiring: { points: 554, at: '2027-03-01T09:00:00.000Z' }, lifetime: { earned: 1156, redeemed: 446, expired: 0 }, tier: { id: 'silver', name: 'Silver', privileges: [], progress: { metric: 'spend', value: 104369, windowStart: '2025-03-01T09:00:00.000Z', next: { id: 'gold', name: 'Gold', threshold: 3000000, remaining: 2895631 } } } },
  },
  {
    route: 'GET /v1/customers/{id}/ledger',
    summary: 'Every change, newest first',
    role: 'owner',
    params: { id: ids.anna },
    query: { limit: '20' },
    status: 200,
    response: { items: [{ id: 7, kind: 'reverse_earn', available: 0, pending: -447, lotId: null, receiptId: ids.cancelledReceipt, refundId: 'cancel:R-000124', reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 6, kind: 'earn', available: 0, pending: 447, lotId: ids.cancelledLot, receiptId: ids.cancelledReceipt, refundId: null, reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 5, kind: 'return_redeemed', available: 48, pending: 0, lotId: ids.returnedLot, receiptId: ids.receipt, refundId: 'RF-1', reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 4, kind: 'reverse_earn', available: 0, pending: -5, lotId: null, receiptId: ids.receipt, refundId: 'RF-1', reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 3, kind: 'earn', available: 0, pending: 161, lotId: ids.receiptLot, receiptId: ids.receipt, refundId: null, reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 2, kind: 'redeem', available: -494, pending: 0, lotId: null, receiptId: ids.receipt, refundId: null, reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 1, kind: 'adjust', available: 1000, pending: 0, lotId: ids.adjustmentLot, receiptId: null, refundId: null, reason: 'Points moved from the old card (ticket 4711)', actor: ids.ownerKey, at: '2026-03-01T09:00:00.000Z' }], nextCursor: null },
  },
  {
    route: 'POST /v1/segments/preview',
    summary: 'Who spent 1,000.00 on Roastery coffee in 30 days (net of points and refunds) and takes e-mail: a count and the first few, nothing saved',
    role: 'marketer',
    body: { rules: SEGMENT_RULES },
    status: 200,
    response: { count: 1, sample: [{ customerId: ids.anna, enteredAt: at, firstName: 'Anna', lastName: 'Smirnova', phone: '+79123456789', email: 'anna.smirnova@example.com' }] },
  },
  {
    route: 'POST /v1/segments',
    summary: 'Save it as a segment: its first recompute starts at once (lastRecompute), live updates follow',
    role: 'marketer',
    body: { name: SEGMENT.name, description: SEGMENT.description, rules: SEGMENT_RULES },
    status: 201,
    response: { ...SEGMENT, lastRecompute: SEGMENT_RECOMPUTE },
  },
  {
    route: 'POST /v1/promotions',
    summary: 'Coffee 15% off with a code, 100,000.00 budget, once per customer',
    role: 'owner',
    body: { name: 'Coffee week', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 1500, target: { categories: ['coffee'] } }, validity: { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' }, limits: { budgetMinor: 10000000, perCustomer: 1 } },
    status: 201,
    response: { id: ids.promotion, name: 'Coffee week', status: 'active', benefit: { kind: 'percent_off', percentBp: 1500, target: { categories: ['coffee'] } }, audience: { kind: 'everyone' }, validity: { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' }, stacking: { exclusive: false, priority: 0 }, limits: { budgetMinor: 10000000, perCustomer: 1 }, requiresCode: true, releaseOnReturn: true, usage: { usedMinor: 0, uses: 0, budgetLeftMinor: 10000000, usedPoints: 0, budgetLeftPoints: null, usesLeft: null }, version: 1, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/promo-codes',
    summary: 'A public code for it',
    role: 'owner',
    body: { promotionId: ids.promotion, code: 'COFFEE-15' },
    status: 201,
    response: { code: 'COFFEE15', promotionId: ids.promotion, batchId: null, customerId: null, usesLimit: null, uses: 0, perCustomer: null, validFrom: null, validTo: null, createdAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/checkout/calculate',
    summary: 'A till applies the code: the discount comes off before points',
    role: 'pos',
    body: { storeId: 'msk-01', customer: { phone: '+79123456789' }, lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }], promoCodes: ['coffee-15', 'NOSUCHCODE'] },
    status: 200,
    response: { lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 22350, excluded: false, pointsEarned: 189, pointsRedeemed: 0, redeemedMinor: 0, payable: 126650 }], total: 149000, discount: 22350, pointsToEarn: 189, maxRedeemable: 379, pointsRedeemed: 0, redeemedMinor: 0, payable: 126650, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 63, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 126, lines: [0] }], messages: [], adjustments: { applied: [{ adjuster: 'promotions', id: ids.promotion, name: 'Coffee week', discountMinor: 22350, lines: [{ line: 0, discountMinor: 22350 }] }], rejected: [{ adjuster: 'promotions', id: 'NOSUCHCODE', reason: 'unknown', detail: 'Code NOSUCHCODE: no such promo code' }] }, promotions: [{ id: ids.promotion, name: 'Coffee week', code: 'COFFEE15', applied: true, discount: 22350, points: 0, reason: null, detail: null }, { id: 'NOSUCHCODE', name: null, code: 'NOSUCHCODE', applied: false, discount: 0, points: 0, reason: 'unknown', detail: 'Code NOSUCHCODE: no such promo code' }], rulesVersion: 1, customer: { id: ids.anna, balance: 554, pendingPoints: 156, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'PATCH /v1/promotions/{id}',
    summary: 'Pause it (a merge patch: nothing else changes)',
    role: 'owner',
    params: { id: ids.promotion },
    body: { status: 'paused' },
    status: 200,
    response: { id: ids.promotion, name: 'Coffee week', status: 'paused', benefit: { kind: 'percent_off', percentBp: 1500, target: { categories: ['coffee'] } }, audience: { kind: 'everyone' }, validity: { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' }, stacking: { exclusive: false, priority: 0 }, limits: { budgetMinor: 10000000, perCustomer: 1 }, requiresCode: true, releaseOnReturn: true, usage: { usedMinor: 0, uses: 0, budgetLeftMinor: 10000000, usedPoints: 0, budgetLeftPoints: null, usesLeft: null }, version: 2, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/promo-codes/batches',
    summary: '10,000 single-use codes with a prefix and a check character',
    role: 'owner',
    body: { promotionId: ids.promotion, count: 10000, prefix: 'CW', checkCharacter: true },
    status: 202,
    response: { id: ids.batch, promotionId: ids.promotion, count: 10000, length: 6, prefix: 'CW', checkCharacter: true, usesPerCode: 1, generated: 0, progress: 0, status: 'queued', failure: null, createdAt: '2026-03-01T09:00:00.000Z', startedAt: null, finishedAt: null },
  },
  // Lotteries (docs/lotteries.md): a draw whose commitment is published from the start, one drawn, one deleted.
  {
    route: 'POST /v1/lotteries',
    summary: 'A draw for March: one entry per 1,000.00 spent (double for Gold) and one per survey answered',
    role: 'marketer',
    body: LOTTERY_BODY,
    status: 201,
    response: LOTTERY,
  },
  {
    route: 'GET /v1/lotteries/{id}',
    summary: 'Its commitment, published now; the seed stays secret until the draw',
    role: 'analyst',
    params: { id: ids.lottery },
    status: 200,
    response: LOTTERY,
  },
  {
    route: 'PATCH /v1/lotteries/{id}',
    summary: 'A description for the customers (the rules are fixed once entries count)',
    role: 'marketer',
    params: { id: ids.lottery },
    headers: { 'content-type': 'application/merge-patch+json' },
    body: { description: 'Every 1,000.00 you spend in March is a ticket', version: 1 },
    status: 200,
    response: { ...LOTTERY, description: 'Every 1,000.00 you spend in March is a ticket', version: 2 },
  },
  {
    route: 'GET /v1/lotteries',
    summary: 'Lotteries open for entries',
    role: 'analyst',
    query: { status: 'open' },
    status: 200,
    response: { items: [{ ...LOTTERY, description: 'Every 1,000.00 you spend in March is a ticket', version: 2 }], nextCursor: null },
  },
  {
    route: 'GET /v1/customers/{id}/lottery-entries',
    summary: 'A customer\'s entries so far',
    role: 'support',
    params: { id: ids.anna },
    status: 200,
    response: { items: [{ lotteryId: ids.lottery, lotteryName: 'Spring draw', status: 'open', entries: 1, won: false, prizeName: null }], nextCursor: null },
  },
  {
    route: 'POST /v1/lotteries',
    summary: 'A lottery for February, whose entry period has ended',
    role: 'marketer',
    step: true,
    body: PAST_LOTTERY_BODY,
    status: 201,
    response: PAST_LOTTERY,
  },
  {
    route: 'POST /v1/lotteries/{id}/draw',
    summary: 'The draw: entries frozen and hashed, the seed revealed, the winners drawn (nobody bought in February here)',
    role: 'marketer',
    params: { id: ids.pastLottery },
    status: 200,
    response: {
      ...PAST_LOTTERY, status: 'drawn', seed: '188f1410760d02a25983e65d98c785b406c4c22f38cf9b2de8b92a2091ab961f',
      entriesDigest: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', entrants: 0, totalEntries: 0, version: 2, drawnAt: at,
    },
  },
  {
    route: 'GET /v1/lotteries/{id}/entries',
    summary: 'The frozen entries by customer id, the list the digest hashes',
    role: 'analyst',
    params: { id: ids.pastLottery },
    status: 200,
    response: { items: [], nextCursor: null },
  },
  {
    route: 'POST /v1/lotteries',
    summary: 'A summer draw',
    role: 'marketer',
    step: true,
    body: { ...LOTTERY_BODY, name: 'Summer draw', entryPeriod: { from: '2026-06-01T00:00:00.000Z', to: '2026-09-01T00:00:00.000Z' } },
    status: 201,
    response: { ...LOTTERY, name: 'Summer draw', entryPeriod: { from: '2026-06-01T00:00:00.000Z', to: '2026-09-01T00:00:00.000Z' }, id: ids.upcomingLottery, status: 'upcoming', commitment: '3c61fc506dd5994262722440218e63731de57d3773d50f8fec98bb7e27b92115' },
  },
  {
    route: 'DELETE /v1/lotteries/{id}',
    summary: 'Deleted before its entry period starts (later it can only be cancelled)',
    role: 'marketer',
    params: { id: ids.upcomingLottery },
    status: 200,
    response: { ...LOTTERY, name: 'Summer draw', entryPeriod: { from: '2026-06-01T00:00:00.000Z', to: '2026-09-01T00:00:00.000Z' }, id: ids.upcomingLottery, status: 'upcoming', commitment: '3c61fc506dd5994262722440218e63731de57d3773d50f8fec98bb7e27b92115' },
  },
  // Gift cards (docs/gift-cards.md): one sold at the till and spent on part of a receipt, a return, a batch for printing.
  {
    route: 'POST /v1/gift-cards',
    summary: 'A gift card printed with its code, valid a year from its sale',
    role: 'owner',
    body: { code: 'CARD-7KQ2-MXPW-4TZN', validDays: 365 },
    status: 201,
    response: GC_ISSUED,
  },
  {
    route: 'POST /v1/gift-cards/{code}/activate',
    summary: 'The till sells the card for 3,000.00 and activates it',
    role: 'pos',
    params: { code: 'CARD-7KQ2-MXPW-4TZN' },
    headers: { 'idempotency-key': 'msk-01-till-3-sale-81' },
    body: { amountMinor: 300000 },
    status: 200,
    response: GC_ACTIVE,
  },
  {
    route: 'GET /v1/gift-cards/{code}',
    summary: 'The till checks the balance',
    role: 'pos',
    params: { code: 'CARD7KQ2MXPW4TZN' },
    status: 200,
    response: GC_ACTIVE,
  },
  {
    route: 'POST /v1/checkout/calculate',
    summary: 'Paying 2,000.00 of a receipt with a gift card',
    role: 'pos',
    body: { storeId: 'msk-01', lines: [{ sku: 'COF-1KG', qty: 2, price: 149000 }], giftCards: [{ code: 'CARD7KQ2MXPW4TZN', amount: 200000 }] },
    status: 200,
    response: GC_CALCULATED,
  },
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'The card is debited with the receipt',
    role: 'pos',
    body: { storeId: 'msk-01', posReceiptId: 'R-000200', lines: [{ sku: 'COF-1KG', qty: 2, price: 149000 }], giftCards: [{ code: 'CARD7KQ2MXPW4TZN', amount: 200000 }] },
    status: 201,
    response: GC_CONFIRMED,
  },
  {
    route: 'POST /v1/receipts/{id}/refunds',
    summary: 'Half the receipt returned: half of what the card paid goes back to it',
    role: 'pos',
    params: { id: ids.giftCardReceipt },
    body: { refundId: 'RET-200-1', lines: [{ sku: 'COF-1KG', qty: 1 }] },
    status: 201,
    response: GC_REFUNDED,
  },
  {
    route: 'GET /v1/gift-cards/{code}/entries',
    summary: 'The card\'s ledger',
    role: 'owner',
    params: { code: 'CARD7KQ2MXPW4TZN' },
    status: 200,
    response: GC_ENTRIES,
  },
  {
    route: 'POST /v1/gift-cards/batches',
    summary: '500 cards of 5,000.00 for the holiday season, activated when sold',
    role: 'owner',
    body: { count: 500, amountMinor: 500000, prefix: 'XM', validDays: 365 },
    status: 202,
    response: GC_BATCH,
  },
  {
    route: 'GET /v1/referral-program',
    summary: 'The referral program as it starts',
    role: 'owner',
    status: 200,
    response: { ...referralSettings, version: 1, updatedAt: null },
  },
  {
    route: 'PUT /v1/referral-program',
    summary: 'A link for sharing codes, 700 points to the referrer',
    role: 'owner',
    body: { ...referralSettings, referrerPoints: 700, linkTemplate: 'https://coffee.example/r/{code}', version: 1 },
    status: 200,
    response: { ...referralSettings, referrerPoints: 700, linkTemplate: 'https://coffee.example/r/{code}', version: 2, updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'PATCH /v1/referral-program',
    summary: 'At most 5 friends a month per referrer',
    role: 'owner',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: { capPerReferrerPerMonth: 5 },
    status: 200,
    response: { ...referralSettings, referrerPoints: 700, capPerReferrerPerMonth: 5, linkTemplate: 'https://coffee.example/r/{code}', version: 3, updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'GET /v1/customers/{id}/referral',
    summary: 'Anna\'s referral code and her link',
    role: 'owner',
    params: { id: ids.anna },
    status: 200,
    response: { customerId: ids.anna, code: referralCode, link: `https://coffee.example/r/${referralCode}`, referrals: { invited: 0, qualified: 0, rewarded: 0 }, rewardsEarned: 0 },
  },
  {
    route: 'POST /v1/customers/{id}/referral/fingerprints',
    summary: 'Anna\'s app records its device against self-referral (hashes: the device, and the e-mail she added since sign-up)',
    role: 'pos',
    params: { id: ids.anna },
    body: { deviceId: 'ios-5F2C9A0E-anna' },
    status: 200,
    response: { customerId: ids.anna, recorded: 2 },
  },
  {
    route: 'POST /v1/customers',
    summary: 'Olga joins',
    role: 'owner',
    step: true,
    body: { phone: '+79035550202', firstName: 'Olga' },
    status: 201,
    response: { id: ids.olga, status: 'active', phone: '+79035550202', email: null, cardNumber: null, externalIds: {}, identifiers: [{ kind: 'phone', value: '+79035550202', primary: true }], firstName: 'Olga', lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'PUT /v1/customers/{id}/referrer',
    summary: 'Olga names Anna\'s code at the till',
    role: 'pos',
    params: { id: ids.olga },
    body: { code: referralCode, deviceId: 'android-0c41-olga' },
    status: 201,
    response: { id: ids.referral, customerId: ids.olga, referrerId: ids.anna, code: referralCode, status: 'invited', referrerPoints: 700, refereePoints: 300, qualifyingPurchaseMinor: 100000, qualifyBy: '2026-05-30T09:00:00.000Z', receiptId: null, qualifiedAt: null, rewardDueAt: null, rewardedAt: null, voidReason: null, createdAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'GET /v1/customers/{id}/referrals',
    summary: 'Whom Anna brought, contacts masked',
    role: 'owner',
    params: { id: ids.anna },
    query: { limit: '20' },
    status: 200,
    response: { items: [{ id: ids.referral, customerId: ids.olga, referrerId: ids.anna, code: referralCode, status: 'invited', referrerPoints: 700, refereePoints: 300, qualifyingPurchaseMinor: 100000, qualifyBy: '2026-05-30T09:00:00.000Z', receiptId: null, qualifiedAt: null, rewardDueAt: null, rewardedAt: null, voidReason: null, createdAt: '2026-03-01T09:00:00.000Z', referee: { phone: '+7903*****02', email: null } }], nextCursor: null },
  },
  {
    route: 'POST /v1/rewards',
    summary: 'A mug for 200 points: 100 in stock, two per customer, its code valid 30 days',
    role: 'owner',
    body: { name: 'Coffee mug', kind: 'goods', status: 'active', pointsCost: 200, stock: 100, perCustomer: 2, validDays: 30 },
    status: 201,
    response: { id: ids.rewardMug, name: 'Coffee mug', kind: 'goods', status: 'active', pointsCost: 200, stock: 100, perCustomer: 2, validDays: 30, usage: { issued: 0, cancelled: 0, redeemed: 0, stockLeft: 100, vouchersFree: null }, version: 1, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/rewards',
    summary: 'A partner\'s cinema voucher',
    role: 'owner',
    step: true,
    body: { name: 'Cinema ticket', kind: 'partner_voucher', partner: 'Kino Park', status: 'active', pointsCost: 150 },
    status: 201,
    response: { id: ids.rewardCinema, name: 'Cinema ticket', kind: 'partner_voucher', status: 'active', pointsCost: 150, partner: 'Kino Park', usage: { issued: 0, cancelled: 0, redeemed: 0, stockLeft: null, vouchersFree: 0 }, version: 1, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/rewards/{id}/vouchers',
    summary: 'The partner\'s codes for it (CSV works too: code,valid_until)',
    role: 'owner',
    params: { id: ids.rewardCinema },
    body: { vouchers: [{ code: 'KINO-0001', validUntil: '2026-06-30T21:00:00Z' }, { code: 'KINO-0002', validUntil: '2026-06-30T21:00:00Z' }] },
    status: 200,
    response: { added: 2, duplicates: 0, vouchersFree: 2 },
  },
  {
    route: 'POST /v1/rewards',
    summary: 'A privilege: priority service for 30 days',
    role: 'owner',
    step: true,
    body: { name: 'Priority service', kind: 'privilege', privilege: 'priority_service', validDays: 30, status: 'active', pointsCost: 100 },
    status: 201,
    response: { id: ids.rewardPriority, name: 'Priority service', kind: 'privilege', status: 'active', pointsCost: 100, validDays: 30, privilege: 'priority_service', usage: { issued: 0, cancelled: 0, redeemed: 0, stockLeft: null, vouchersFree: null }, version: 1, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/rewards',
    summary: 'Anna buys a cinema ticket: 150 points debited, the first voucher of the pool',
    role: 'pos',
    params: { id: ids.anna },
    headers: { 'idempotency-key': 'app-7f3a' },
    body: { rewardId: ids.rewardCinema },
    status: 201,
    response: { id: ids.cinemaOrder, customerId: ids.anna, reward: { id: ids.rewardCinema, name: 'Cinema ticket', kind: 'partner_voucher' }, source: 'purchase', points: 150, status: 'issued', code: 'KINO-0001', validUntil: '2026-06-30T21:00:00.000Z', createdAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/rewards/{orderId}/cancel',
    summary: 'She changes her mind: the 150 points come back, the voucher is void',
    role: 'support',
    params: { id: ids.anna, orderId: ids.cinemaOrder },
    status: 200,
    response: { id: ids.cinemaOrder, customerId: ids.anna, reward: { id: ids.rewardCinema, name: 'Cinema ticket', kind: 'partner_voucher' }, source: 'purchase', points: 150, status: 'cancelled', code: 'KINO-0001', validUntil: '2026-06-30T21:00:00.000Z', createdAt: '2026-03-01T09:00:00.000Z', cancelledAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/rewards',
    summary: 'Anna takes priority service for 100 points',
    role: 'pos',
    step: true,
    params: { id: ids.anna },
    body: { rewardId: ids.rewardPriority },
    status: 201,
    response: { id: ids.priorityOrder, customerId: ids.anna, reward: { id: ids.rewardPriority, name: 'Priority service', kind: 'privilege' }, source: 'purchase', points: 100, status: 'issued', privilege: 'priority_service', validUntil: '2026-03-31T09:00:00.000Z', createdAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'GET /v1/customers/{id}/privileges',
    summary: 'What the till shows: the privileges she holds now',
    role: 'pos',
    params: { id: ids.anna },
    status: 200,
    response: { items: [{ orderId: ids.priorityOrder, rewardId: ids.rewardPriority, name: 'Priority service', privilege: 'priority_service', since: '2026-03-01T09:00:00.000Z', validUntil: '2026-03-31T09:00:00.000Z' }], nextCursor: null },
  },
  {
    route: 'PATCH /v1/rewards/{id}',
    summary: 'Restock the mug (a merge patch; usage is read-only)',
    role: 'owner',
    params: { id: ids.rewardMug },
    body: { stock: 150 },
    status: 200,
    response: { id: ids.rewardMug, name: 'Coffee mug', kind: 'goods', status: 'active', pointsCost: 200, stock: 150, perCustomer: 2, validDays: 30, usage: { issued: 0, cancelled: 0, redeemed: 0, stockLeft: 150, vouchersFree: null }, version: 2, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  // Coalition partners (docs/partners.md): a fuel-station chain whose station earns at its own rate, its key, its settlement.
  {
    route: 'PUT /v1/stores/{id}',
    summary: "A partner's fuel station",
    role: 'owner',
    step: true,
    params: { id: 'azs-01' },
    body: { name: 'Neft station, Leningradsky 40', region: 'Moscow', timezone: 'Europe/Moscow' },
    status: 200,
    response: { id: 'azs-01', name: 'Neft station, Leningradsky 40', region: 'Moscow', timezone: 'Europe/Moscow', active: true },
  },
  {
    route: 'POST /v1/partners',
    summary: 'A partner with its station: 3% in points there, 0.90 a point issued owed to the operator, 0.85 a point redeemed owed to the partner',
    role: 'owner',
    body: { name: 'Neft', storeIds: ['azs-01'], earnRateBp: 300, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8500 },
    status: 201,
    response: PARTNER,
  },
  {
    route: 'GET /v1/partners',
    summary: 'The partners, a page at a time (filter by status or storeId)',
    role: 'analyst',
    query: { storeId: 'azs-01' },
    status: 200,
    response: { items: [PARTNER], nextCursor: null },
  },
  {
    route: 'PATCH /v1/partners/{id}',
    summary: 'A new settlement rate (a merge patch; the version read guards against a lost change)',
    role: 'owner',
    params: { id: ids.partner },
    body: { issuedPer100PointsMinor: 9500, version: 1 },
    status: 200,
    response: PARTNER_V2,
  },
  {
    route: 'GET /v1/partners/{id}',
    summary: 'A partner with its stores and rates',
    role: 'support',
    params: { id: ids.partner },
    status: 200,
    response: PARTNER_V2,
  },
  {
    route: 'POST /v1/partners/{id}/api-keys',
    summary: "The partner's till key: checkout and returns at its own stations only (the secret is shown once)",
    role: 'owner',
    params: { id: ids.partner },
    body: { name: 'Neft, station 1, till 1' },
    status: 201,
    response: {
      key: { id: ids.partnerKey, name: 'Neft, station 1, till 1', role: 'partner', hint: 'patron_Zk3v…', source: 'api', createdAt: at, lastUsedAt: null, revokedAt: null, partnerId: ids.partner },
      secret: 'patron_Zk3vQ9pXbW2mT7rY4nL8cF1hJ6dS0aGe5uKqVxBzN2o',
    },
  },
  {
    route: 'POST /v1/customers',
    summary: 'A driver joins at the station',
    role: 'owner',
    step: true,
    body: { phone: '+79035550303', firstName: 'Pavel' },
    status: 201,
    response: { id: ids.partnerCustomer, status: 'active', phone: '+79035550303', email: null, cardNumber: null, externalIds: {}, identifiers: [{ kind: 'phone', value: '+79035550303', primary: true }], firstName: 'Pavel', lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: at, updatedAt: at },
  },
  {
    route: 'POST /v1/checkout/confirm',
    summary: "Fuel at the partner's station earns at the partner's rate (3%)",
    role: 'owner',
    step: true,
    body: { storeId: 'azs-01', posReceiptId: 'AZS-1-0001', customer: { customerId: ids.partnerCustomer }, lines: [{ sku: 'AI-95', qty: 40, price: 6150 }] },
    status: 201,
    response: PARTNER_RECEIPT,
  },
  {
    route: 'GET /v1/partners/{id}/settlement',
    summary: "The partner's settlement for a day: points issued at its stations and the money owed each way (JSON; CSV with Accept: text/csv)",
    role: 'owner',
    params: { id: ids.partner },
    query: { from: '2026-03-01', to: '2026-03-01' },
    status: 200,
    response: SETTLEMENT,
  },
  {
    route: 'POST /v1/customers',
    summary: 'Mila joins in the app (the bonus examples are hers)',
    role: 'owner',
    step: true,
    body: { phone: '+79123450777', firstName: 'Mila' },
    status: 201,
    response: { id: ids.mila, status: 'active', phone: '+79123450777', email: null, cardNumber: null, externalIds: {}, identifiers: [{ kind: 'phone', value: '+79123450777', primary: true }], firstName: 'Mila', lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: at, updatedAt: at },
  },
  {
    route: 'POST /v1/action-rules',
    summary: 'A five-star review earns 50 points, once a day, from a budget of 100,000 points',
    role: 'marketer',
    body: { name: 'Five-star review', eventType: 'review.posted', points: 50, conditions: { properties: { rating: 5 } }, limits: { perCustomerPerDay: 1, totalPoints: 100000 } },
    status: 201,
    response: { id: ids.actionRule, name: 'Five-star review', eventType: 'review.posted', points: 50, status: 'active', limits: { perCustomerPerDay: 1, totalPoints: 100000 }, conditions: { properties: { rating: 5 } }, usage: { awards: 0, points: 0, budgetLeft: 100000 }, version: 1, createdAt: at, updatedAt: at },
  },
  {
    route: 'POST /v1/events',
    summary: 'The app tells Patron Mila posted a five-star review',
    role: 'pos',
    body: { eventId: 'review-8812', customer: { phone: '+79123450777' }, type: 'review.posted', properties: { rating: 5, productId: 'COF-1KG' }, occurredAt: '2026-03-01T08:58:00Z' },
    status: 201,
    response: { eventId: 'review-8812', customerId: ids.mila, awards: [{ ruleId: ids.actionRule, points: 50 }], replayed: false },
  },
  {
    route: 'GET /v1/customers/{id}/events',
    summary: "Mila's events and what each earned",
    role: 'marketer',
    params: { id: ids.mila },
    status: 200,
    response: { items: [{ eventId: 'review-8812', customerId: ids.mila, type: 'review.posted', properties: { rating: 5, productId: 'COF-1KG' }, occurredAt: '2026-03-01T08:58:00.000Z', receivedAt: at, source: 'api', awards: [{ ruleId: ids.actionRule, points: 50 }] }], nextCursor: null },
  },
  {
    route: 'PATCH /v1/action-rules/{id}',
    summary: 'Pause the rule (a merge patch; version: the one you read)',
    role: 'marketer',
    params: { id: ids.actionRule },
    body: { status: 'paused', version: 1 },
    status: 200,
    response: { id: ids.actionRule, name: 'Five-star review', eventType: 'review.posted', points: 50, status: 'paused', limits: { perCustomerPerDay: 1, totalPoints: 100000 }, conditions: { properties: { rating: 5 } }, usage: { awards: 1, points: 50, budgetLeft: 99950 }, version: 2, createdAt: at, updatedAt: at },
  },
  {
    route: 'PUT /v1/birthday-offer',
    summary: 'A birthday gift of 500 points, from 3 days before the birthday to 7 after, in each customer\'s timezone',
    role: 'marketer',
    body: { enabled: true, benefit: { kind: 'points', points: 500 }, daysBefore: 3, daysAfter: 7, defaultTimezone: 'Europe/Moscow', version: 1 },
    status: 200,
    response: { enabled: true, benefit: { kind: 'points', points: 500 }, daysBefore: 3, daysAfter: 7, defaultTimezone: 'Europe/Moscow', version: 2, updatedAt: at },
  },
  // The segment saved above has long finished its recompute by now (one customer; every example since ran after it).
  {
    route: 'GET /v1/segments/{id}',
    summary: 'The segment with its member count and its completed recompute',
    role: 'analyst',
    params: { id: ids.segment },
    status: 200,
    response: { ...SEGMENT, memberCount: 1, computedAt: at, lastRecompute: { ...SEGMENT_RECOMPUTE, status: 'completed', processed: 1, entered: 1, finishedAt: at } },
  },
  {
    route: 'GET /v1/segments/{id}/members',
    summary: 'Its members, a page at a time, contacts masked for an analyst (Accept: text/csv for all of them as CSV)',
    role: 'analyst',
    params: { id: ids.segment },
    query: { limit: '100' },
    status: 200,
    response: { items: [{ customerId: ids.anna, enteredAt: at, firstName: 'Anna', lastName: 'Smirnova', phone: '+7912*****89', email: 'a***@example.com' }], nextCursor: null },
  },  // Clusters (docs/clusters.md): Olga's first purchase makes three customers who bought; a run clusters them.
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'Olga buys three packs of coffee',
    role: 'pos',
    step: true,
    body: { storeId: 'msk-01', posReceiptId: 'R-000301', registerId: 'msk-01-R1', customer: { customerId: ids.olga }, lines: [{ sku: 'COF-1KG', qty: 3, price: 149000 }] },
    status: 201,
    response: { receiptId: ids.olgaReceipt, storeId: 'msk-01', posReceiptId: 'R-000301', occurredAt: at, lines: [{ sku: 'COF-1KG', qty: 3, price: 149000, total: 447000, discount: 0, excluded: false, pointsEarned: 670, pointsRedeemed: 0, redeemedMinor: 0, payable: 447000 }], total: 447000, discount: 0, pointsToEarn: 670, maxRedeemable: 0, pointsRedeemed: 0, redeemedMinor: 0, payable: 447000, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 223, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 447, lines: [0] }], messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.olga, balance: 0, pendingPoints: 670, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'POST /v1/clusters/runs',
    summary: 'Cluster the customers who bought in the last year (seed 7, 10 bootstrap samples): a job with progress',
    role: 'marketer',
    body: { seed: 7, bootstrapSamples: 10 },
    status: 202,
    response: { id: ids.clusterRun, status: 'running', phase: 'features', params: CLUSTER_PARAMS, customers: 0, processed: 0, chosenK: null, silhouettes: [], meanAdjustedRand: null, startedAt: at },
  },
  {
    route: 'GET /v1/clusters/runs/{id}',
    summary: 'The run, completed: k chosen by silhouette, every customer given a cluster',
    role: 'analyst',
    params: { id: ids.clusterRun },
    status: 200,
    response: CLUSTER_RUN_DONE,
  },
  {
    route: 'GET /v1/clusters',
    summary: 'The clusters of the latest run: what stands out, size, revenue, centroid, stability (Accept: text/csv for a CSV)',
    role: 'analyst',
    status: 200,
    response: {
      run: CLUSTER_RUN_DONE,
      features: ['recencyDays', 'frequency', 'monetaryMinor', 'averageBasketMinor', 'linesPerBasket', 'onlineShare', 'stores', 'topStoreShare', 'morningShare', 'afternoonShare', 'eveningShare', 'discountShare', 'pointsShare', 'share.grocery', 'share.other'],
      clusters: [
        {
          cluster: 1, description: 'large baskets', size: 2, revenueMinor: 693000, stability: 0.95, unstable: false,
          centroid: { recencyDays: 0, frequency: 1, monetaryMinor: 346500, averageBasketMinor: 346500, linesPerBasket: 1, onlineShare: 0, stores: 1, topStoreShare: 1, morningShare: 0, afternoonShare: 1, eveningShare: 0, discountShare: 0, pointsShare: 0, 'share.grocery': 0.5, 'share.other': 0.5 },
          zScores: { recencyDays: 0, frequency: 0, monetaryMinor: 0.645, averageBasketMinor: 0.645, linesPerBasket: 0, onlineShare: 0, stores: 0, topStoreShare: 0, morningShare: 0, afternoonShare: 0, eveningShare: 0, discountShare: 0, pointsShare: -0.707, 'share.grocery': -0.354, 'share.other': 0.354 },
        },
        {
          cluster: 2, description: 'small baskets, grocery, uses points', size: 1, revenueMinor: 104369, stability: 1, unstable: false,
          centroid: { recencyDays: 0, frequency: 1, monetaryMinor: 104369, averageBasketMinor: 104369, linesPerBasket: 1, onlineShare: 0, stores: 1, topStoreShare: 1, morningShare: 0, afternoonShare: 1, eveningShare: 0, discountShare: 0, pointsShare: 0.2995, 'share.grocery': 1, 'share.other': 0 },
          zScores: { recencyDays: 0, frequency: 0, monetaryMinor: -1.291, averageBasketMinor: -1.291, linesPerBasket: 0, onlineShare: 0, stores: 0, topStoreShare: 0, morningShare: 0, afternoonShare: 0, eveningShare: 0, discountShare: 0, pointsShare: 1.414, 'share.grocery': 0.707, 'share.other': -0.707 },
        },
      ],
    },
  },
  {
    route: 'POST /v1/analytics/rfm/runs',
    summary: 'Score every customer who bought in the last 365 days by recency, frequency and money: a job',
    role: 'marketer',
    body: { windowDays: 365 },
    status: 202,
    response: RFM_RUN,
  },
  {
    route: 'GET /v1/analytics/rfm/runs/{id}',
    summary: 'The run, done',
    role: 'analyst',
    params: { id: ids.rfmRun },
    status: 200,
    response: { ...RFM_RUN, status: 'completed', phase: 'done', scored: 3, finishedAt: at },
  },
  {
    route: 'GET /v1/analytics/rfm',
    summary: 'The report: score ranges, the 5×5 grid, the groups (Accept: text/csv and table=grid, groups or transitions for one as CSV)',
    role: 'analyst',
    status: 200,
    response: { ...RFM_RUN, status: 'completed', phase: 'done', scored: 3, finishedAt: at, report: RFM_REPORT },
  },
  // Next best offers (docs/recommendations.md): before any run, popularity counted live; then a run builds the model and evaluates it.
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'Mila buys coffee with croissants (a basket the co-purchase model learns from)',
    role: 'pos',
    step: true,
    body: { storeId: 'msk-01', posReceiptId: 'R-000300', customer: { customerId: ids.mila }, lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }, { sku: 'CROISSANT', category: 'bakery', qty: 2, price: 8990 }] },
    status: 201,
    response: {
      receiptId: ids.basketReceipt, storeId: 'msk-01', posReceiptId: 'R-000300', occurredAt: at,
      lines: [
        { sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 0, excluded: false, pointsEarned: 223, pointsRedeemed: 0, redeemedMinor: 0, payable: 149000 },
        { sku: 'CROISSANT', qty: 2, price: 8990, total: 17980, discount: 0, excluded: false, pointsEarned: 8, pointsRedeemed: 0, redeemedMinor: 0, payable: 17980 },
      ],
      total: 166980, discount: 0, pointsToEarn: 231, maxRedeemable: 50, pointsRedeemed: 0, redeemedMinor: 0, payable: 166980, currency: 'RUB',
      applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 82, lines: [0, 1] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 149, lines: [0] }],
      messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.mila, balance: 50, pendingPoints: 231, tier: { id: 'silver', name: 'Silver' } },
    },
  },
  {
    route: 'GET /v1/customers/{id}/recommendations',
    summary: 'Before the first run: no model, so both lists are what most customers bought that Anna has not',
    role: 'support',
    params: { id: ids.anna },
    query: { limit: '3' },
    status: 200,
    response: {
      customerId: ids.anna, by: 'product', model: null,
      recommendations: [{ item: 'AI-95', name: null, score: 0.25, source: 'popularity', reasons: [] }, { item: 'CROISSANT', name: null, score: 0.25, source: 'popularity', reasons: [] }],
      popularity: [{ item: 'AI-95', name: null, score: 0.25, customers: 1 }, { item: 'CROISSANT', name: null, score: 0.25, customers: 1 }],
    },
  },
  {
    route: 'POST /v1/recommendations/runs',
    summary: 'Rebuild the co-purchase model over a year of baskets and test it on the last 30 days: a job with progress',
    role: 'marketer',
    body: { windowDays: 365, holdoutDays: 30, topN: 3, minPairCount: 1 },
    status: 202,
    response: RECOMMENDATION_RUN,
  },
  {
    route: 'GET /v1/recommendations/runs/{id}',
    summary: 'The run, completed: the model built and its hit rate at 3 on the holdout against popularity',
    role: 'analyst',
    params: { id: ids.recommendationRun },
    status: 200,
    // The demo scenario's purchases are all from today, so nothing falls before the holdout's cut: no one to evaluate yet.
    response: {
      ...RECOMMENDATION_RUN, status: 'completed', phase: 'done', phasesDone: 3, model: { baskets: 4, items: 3, pairs: 2, categoryPairs: 0 },
      evaluation: { cutAt: '2026-01-30T09:00:00.000Z', topN: 3, products: NO_HOLDOUT, categories: NO_HOLDOUT }, finishedAt: at,
    },
  },
  {
    route: 'GET /v1/recommendations/pairs',
    summary: 'Item pairs of the model: bought together in how many baskets, support, confidence and lift',
    role: 'analyst',
    query: { limit: '3' },
    status: 200,
    response: {
      items: [
        { itemA: 'COF-1KG', itemB: 'CROISSANT', baskets: 1, support: 0.25, confidence: 0.3333, lift: 1.3333, rank: 1 },
        { itemA: 'CROISSANT', itemB: 'COF-1KG', baskets: 1, support: 0.25, confidence: 1, lift: 1.3333, rank: 1 },
      ],
      nextCursor: null,
    },
  },
  {
    route: 'GET /v1/customers/{id}/recommendations',
    summary: "Anna's next best offers from the model, each with the items she bought that led to it, popularity beside them",
    role: 'support',
    params: { id: ids.anna },
    query: { limit: '3' },
    status: 200,
    response: {
      customerId: ids.anna, by: 'product', model: { runId: ids.recommendationRun, builtAt: at, windowDays: 365 },
      recommendations: [
        { item: 'CROISSANT', name: null, score: 0.3333, source: 'co-purchase', reasons: [{ item: 'COF-1KG', name: 'Arabica 1 kg', confidence: 0.3333, lift: 1.3333 }] },
        { item: 'AI-95', name: null, score: 0.25, source: 'popularity', reasons: [] },
      ],
      popularity: [{ item: 'AI-95', name: null, score: 0.25, customers: 1 }, { item: 'CROISSANT', name: null, score: 0.25, customers: 1 }],
    },
  },
  // What-if (docs/what-if.md): the last 30 days of receipts priced again with the base rate doubled, against what happened.
  {
    route: 'POST /v1/analytics/what-if',
    summary: 'What would a 10% base rate have cost over the last 30 days? A job with progress; nothing is written',
    role: 'marketer',
    body: {
      days: 30,
      rules: { rules: [{ id: 'base', name: 'Base rate 10%', kind: 'percent', rateBp: 1000, conditions: {}, priority: 0, stacking: 'highest', active: true }, { id: 'coffee-x3', name: 'Coffee ×3', kind: 'multiplier', factor: 3, conditions: { categories: ['coffee'] }, priority: 10, stacking: 'highest', active: true }] },
    },
    status: 202,
    response: WHAT_IF_RUN,
  },
  {
    route: 'GET /v1/analytics/what-if/{id}',
    summary: 'The run, completed: actual against what-if, in total, by store and by tier (Accept: text/csv for the table)',
    role: 'analyst',
    params: { id: ids.whatIfRun },
    status: 200,
    response: { ...WHAT_IF_RUN, status: 'completed', phase: 'done', receipts: 6, processed: 6, finishedAt: at, result: WHAT_IF_REPORT },
  },
  // Predicted CLV (docs/clv.md): three customers who bought before today, so each has a repeat purchase; a fit on every customer's purchase days.
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'Anna bought coffee in December (a receipt the till sends late, with its time)',
    role: 'pos',
    step: true,
    body: { storeId: 'msk-01', posReceiptId: 'R-000090', customer: { customerId: ids.anna }, occurredAt: '2025-12-15T10:00:00Z', lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }] },
    status: 201,
    response: { receiptId: ids.annaPastReceipt, storeId: 'msk-01', posReceiptId: 'R-000090', occurredAt: '2025-12-15T10:00:00.000Z', lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 0, excluded: false, pointsEarned: 223, pointsRedeemed: 0, redeemedMinor: 0, payable: 149000 }], total: 149000, discount: 0, pointsToEarn: 223, maxRedeemable: 447, pointsRedeemed: 0, redeemedMinor: 0, payable: 149000, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 74, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 149, lines: [0] }], messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 677, pendingPoints: 156, tier: { id: 'silver', name: 'Silver' }}},
  },
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'Mila bought coffee in January',
    role: 'pos',
    step: true,
    body: { storeId: 'msk-01', posReceiptId: 'R-000091', customer: { customerId: ids.mila }, occurredAt: '2026-01-20T10:00:00Z', lines: [{ sku: 'COF-1KG', qty: 2, price: 149000 }] },
    status: 201,
    response: { receiptId: ids.milaPastReceipt, storeId: 'msk-01', posReceiptId: 'R-000091', occurredAt: '2026-01-20T10:00:00.000Z', lines: [{ sku: 'COF-1KG', qty: 2, price: 149000, total: 298000, discount: 0, excluded: false, pointsEarned: 447, pointsRedeemed: 0, redeemedMinor: 0, payable: 298000 }], total: 298000, discount: 0, pointsToEarn: 447, maxRedeemable: 50, pointsRedeemed: 0, redeemedMinor: 0, payable: 298000, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 149, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 298, lines: [0] }], messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.mila, balance: 497, pendingPoints: 231, tier: { id: 'silver', name: 'Silver' }}},
  },
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'Olga bought coffee in February',
    role: 'pos',
    step: true,
    body: { storeId: 'msk-01', posReceiptId: 'R-000092', customer: { customerId: ids.olga }, occurredAt: '2026-02-05T10:00:00Z', lines: [{ sku: 'COF-1KG', qty: 1, price: 139000 }] },
    status: 201,
    response: { receiptId: ids.olgaPastReceipt, storeId: 'msk-01', posReceiptId: 'R-000092', occurredAt: '2026-02-05T10:00:00.000Z', lines: [{ sku: 'COF-1KG', qty: 1, price: 139000, total: 139000, discount: 0, excluded: false, pointsEarned: 208, pointsRedeemed: 0, redeemedMinor: 0, payable: 139000 }], total: 139000, discount: 0, pointsToEarn: 208, maxRedeemable: 0, pointsRedeemed: 0, redeemedMinor: 0, payable: 139000, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 69, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 139, lines: [0] }], messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.olga, balance: 208, pendingPoints: 670, tier: { id: 'silver', name: 'Silver' }}},
  },
  {
    route: 'POST /v1/analytics/clv/fit',
    summary: 'Fit the CLV models on every customer\'s purchase days up to today, CLV over a year at a 30% margin: a job',
    role: 'analyst',
    body: { horizon: 52, marginPercent: 30, minRepeatCustomers: 3 },
    status: 202,
    response: CLV_RUN,
  },
  {
    route: 'GET /v1/analytics/clv/fit/{id}',
    summary: 'The fit, completed: every customer with a purchase given a prediction',
    role: 'analyst',
    params: { id: ids.clvRun },
    status: 200,
    response: { ...CLV_RUN, status: 'completed', phase: 'done', customers: 4, repeatCustomers: 3, processed: 4, finishedAt: at },
  },
  {
    route: 'GET /v1/analytics/clv',
    summary: 'The latest fit: BG/NBD and Gamma-Gamma parameters, log-likelihoods, customers by CLV in tenths, P(alive) (Accept: text/csv for the tenths)',
    role: 'analyst',
    status: 200,
    response: { run: { ...CLV_RUN, status: 'completed', phase: 'done', customers: 4, repeatCustomers: 3, processed: 4, finishedAt: at }, fittedAt: at, bgnbd: { r: 490360.913349, alpha: 3269017.372472, a: 0.002884, b: 1e-06, logLikelihood: -8.6914, converged: true }, gammaGamma: { p: 3255267.161302, q: 3.230453, v: 0.167187, logLikelihood: -39.2434, converged: true }, distribution: { clvMinorTotal: 72441, clvMinorMean: 18110, expectedPurchasesMean: 0.2516, pAliveMean: 0.2502, deciles: [{ decile: 3, customers: 1, clvMinorFrom: 72083, clvMinorTo: 72083, clvMinorTotal: 72083, pAliveMean: 1, expectedPurchasesMean: 1.0011 }, { decile: 5, customers: 1, clvMinorFrom: 223, clvMinorTo: 223, clvMinorTotal: 223, pAliveMean: 0.0002, expectedPurchasesMean: 0.0018 }, { decile: 8, customers: 1, clvMinorFrom: 83, clvMinorTo: 83, clvMinorTotal: 83, pAliveMean: 0.0002, expectedPurchasesMean: 0.0018 }, { decile: 10, customers: 1, clvMinorFrom: 52, clvMinorTo: 52, clvMinorTotal: 52, pAliveMean: 0.0002, expectedPurchasesMean: 0.0018 }], pAlive: [{ from: 0, to: 0.1, customers: 3 }, { from: 0.1, to: 0.2, customers: 0 }, { from: 0.2, to: 0.3, customers: 0 }, { from: 0.3, to: 0.4, customers: 0 }, { from: 0.4, to: 0.5, customers: 0 }, { from: 0.5, to: 0.6, customers: 0 }, { from: 0.6, to: 0.7, customers: 0 }, { from: 0.7, to: 0.8, customers: 0 }, { from: 0.8, to: 0.9, customers: 0 }, { from: 0.9, to: 1, customers: 1 }] }},
  },
  // Analytics (docs/analytics.md): the day's key figures by store, the economics of the points, cohorts and a funnel, alert rules and the alert one fired, a scheduled report and its run.
  {
    route: 'GET /v1/analytics/kpis',
    summary: "The day's key figures by store: revenue, receipts, buyers, recognition rate at the till (Accept: text/csv for a table)",
    role: 'analyst',
    query: { from: '2026-03-01', to: '2026-03-01', groupBy: 'store' },
    status: 200,
    response: {"period": {"from": "2026-03-01", "to": "2026-03-01", "timezone": "UTC", "start": "2026-03-01T00:00:00.000Z", "end": "2026-03-02T00:00:00.000Z"}, "groupBy": "store", "filters": {}, "compared": {}, "asOf": "2026-03-01T09:00:00.000Z", "rolledUpTo": null, "overall": {"group": {}, "current": {"revenueMinor": 1113349, "receipts": 5, "averageCheckMinor": 222670, "itemsPerReceipt": 9.6, "grossMinor": 1322900, "discountMinor": 0, "redeemedMinor": 49400, "discountShare": 0, "pointsShare": 0.0373, "customers": 4, "newCustomers": 1, "returningCustomers": 3, "purchaseFrequency": 1, "repeatPurchaseRate": 0, "previousCustomers": 0, "retainedCustomers": 0, "retentionRate": null, "churnRate": null, "identifiedReceipts": 4, "tillReceipts": 5, "tillIdentifiedReceipts": 4, "recognitionRate": 0.8, "members": 4, "activeMembers": 4, "loyaltyActivityRate": 1, "npsRespondents": 0, "nps": null}}, "rows": [{"group": {"store": "azs-01"}, "current": {"revenueMinor": 246000, "receipts": 1, "averageCheckMinor": 246000, "itemsPerReceipt": 40, "grossMinor": 246000, "discountMinor": 0, "redeemedMinor": 0, "discountShare": 0, "pointsShare": 0, "customers": 1, "newCustomers": 1, "returningCustomers": 0, "purchaseFrequency": 1, "repeatPurchaseRate": 0, "previousCustomers": 0, "retainedCustomers": 0, "retentionRate": null, "churnRate": null, "identifiedReceipts": 1, "tillReceipts": 1, "tillIdentifiedReceipts": 1, "recognitionRate": 1, "members": null, "activeMembers": null, "loyaltyActivityRate": null, "npsRespondents": null, "nps": null}}, {"group": {"store": "msk-01"}, "current": {"revenueMinor": 867349, "receipts": 4, "averageCheckMinor": 216837, "itemsPerReceipt": 2, "grossMinor": 1076900, "discountMinor": 0, "redeemedMinor": 49400, "discountShare": 0, "pointsShare": 0.0459, "customers": 3, "newCustomers": 0, "returningCustomers": 3, "purchaseFrequency": 1, "repeatPurchaseRate": 0, "previousCustomers": 0, "retainedCustomers": 0, "retentionRate": null, "churnRate": null, "identifiedReceipts": 3, "tillReceipts": 4, "tillIdentifiedReceipts": 3, "recognitionRate": 0.75, "members": null, "activeMembers": null, "loyaltyActivityRate": null, "npsRespondents": null, "nps": null}}]},
  },
  {
    route: 'GET /v1/analytics/economics',
    summary: 'The points of the day: issued, redeemed, expired, outstanding, the liability, breakage and the cost against revenue',
    role: 'analyst',
    query: { from: '2026-03-01', to: '2026-03-01' },
    status: 200,
    response: {"period": {"from": "2026-03-01", "to": "2026-03-01", "timezone": "UTC", "start": "2026-03-01T00:00:00.000Z", "end": "2026-03-02T00:00:00.000Z"}, "currency": "RUB", "pointValueMinor": 100, "points": {"issued": 2460, "awarded": 50, "adjusted": 1000, "reversed": 452, "redeemedAtTill": 494, "redeemedOnRewards": 250, "returned": 198, "expired": 0, "netRedeemed": 546, "outstandingAtStart": 0, "outstandingAtEnd": 2512}, "liability": {"atStartMinor": 0, "atEndMinor": 251200, "changeMinor": 251200}, "liabilityByExpiryMonth": {"asOf": "2026-03-01T09:00:00.000Z", "months": [{"month": "2026-12", "points": 223, "valueMinor": 22300}, {"month": "2027-01", "points": 447, "valueMinor": 44700}, {"month": "2027-02", "points": 208, "valueMinor": 20800}, {"month": "2027-03", "points": 1634, "valueMinor": 163400}]}, "breakage": {"rate": 0, "historicalRate": null, "settledPoints": 0, "settledExpired": 0, "outstandingExpiring": 2512, "expectedPoints": null, "expectedMinor": null}, "revenue": {"revenueMinor": 1113349, "grossMinor": 1322900, "receipts": 5, "discountMinor": 0, "redeemedAtTillMinor": 49400}, "cost": {"redeemedValueMinor": 54600, "discountMinor": 0, "cashMinor": 54600, "accruedPointsMinor": null, "accrualMinor": null, "shareOfRevenue": 0.049, "accrualShareOfRevenue": null}, "roi": null, "roiReason": "No campaign or journey with a control group had its attribution start in the period, so no incremental revenue was measured", "asOf": "2026-03-01T09:00:00.000Z", "rolledUpTo": null},
  },
  {
    route: 'POST /v1/alert-rules',
    summary: "Alert when a store's recognition rate falls 20 % below its 28-day median, e-mailed to the retail manager",
    role: 'analyst',
    body: { name: 'Tills stop asking for the card', kind: 'drop', kpi: 'recognitionRate', groupBy: 'store', params: { threshold: 0.2, days: 28 }, recipients: ['retail.manager@shop.example'] },
    status: 201,
    response: RECOGNITION_RULE,
  },
  {
    route: 'POST /v1/alert-rules/{id}/check',
    summary: 'Judge a day now: each store against its history (too little history here, so nothing is judged)',
    role: 'analyst',
    params: { id: ids.alertRule },
    body: { day: '2026-03-01' },
    status: 200,
    response: { ruleId: ids.alertRule, day: '2026-03-01', fired: [], judged: [{ group: { store: 'azs-01' }, value: 1, median: null, low: null, high: null, historyDays: 0, fired: false }, { group: { store: 'msk-01' }, value: 0.75, median: null, low: null, high: null, historyDays: 1, fired: false }] },
  },
  // Cohorts and funnels follow customers over months: Anna, who first bought in December, came back in February.
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'Anna bought coffee again on 20 February (a receipt the till sends late, with its time)',
    role: 'pos',
    step: true,
    body: { storeId: 'msk-01', posReceiptId: 'R-000093', customer: { customerId: ids.anna }, occurredAt: '2026-02-20T10:00:00Z', lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }] },
    status: 201,
    response: { receiptId: ids.annaReturnReceipt, storeId: 'msk-01', posReceiptId: 'R-000093', occurredAt: '2026-02-20T10:00:00.000Z', lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 0, excluded: false, pointsEarned: 223, pointsRedeemed: 0, redeemedMinor: 0, payable: 149000 }], total: 149000, discount: 0, pointsToEarn: 223, maxRedeemable: 447, pointsRedeemed: 0, redeemedMinor: 0, payable: 149000, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 74, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 149, lines: [0] }], messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 677, pendingPoints: 379, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'GET /v1/analytics/cohorts',
    summary: 'Customers by the month of their first purchase, December to February: how many bought again each month since, and what they spent per head (Accept: text/csv for a table)',
    role: 'analyst',
    query: { from: '2025-12-01', to: '2026-02-28', unit: 'month' },
    status: 200,
    // Anna's cohort (December) came back in its third month; today's purchases fall at the answer's very instant, so they are not counted yet.
    response: { period: { from: '2025-12-01', to: '2026-02-28', timezone: 'UTC', start: '2025-12-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' }, unit: 'month', by: 'none', asOf: '2026-03-01T09:00:00.000Z', rolledUpTo: null, cohorts: [{ cohort: '2025-12-01', group: null, size: 1, periods: [{ index: 0, customers: 1, retention: 1, revenueMinor: 149000, cumulativeRevenuePerCustomerMinor: 149000 }, { index: 1, customers: 0, retention: 0, revenueMinor: 0, cumulativeRevenuePerCustomerMinor: 149000 }, { index: 2, customers: 1, retention: 1, revenueMinor: 149000, cumulativeRevenuePerCustomerMinor: 298000 }, { index: 3, customers: 0, retention: 0, revenueMinor: 0, cumulativeRevenuePerCustomerMinor: 298000 }] }, { cohort: '2026-01-01', group: null, size: 1, periods: [{ index: 0, customers: 1, retention: 1, revenueMinor: 298000, cumulativeRevenuePerCustomerMinor: 298000 }, { index: 1, customers: 0, retention: 0, revenueMinor: 0, cumulativeRevenuePerCustomerMinor: 298000 }, { index: 2, customers: 0, retention: 0, revenueMinor: 0, cumulativeRevenuePerCustomerMinor: 298000 }] }, { cohort: '2026-02-01', group: null, size: 1, periods: [{ index: 0, customers: 1, retention: 1, revenueMinor: 139000, cumulativeRevenuePerCustomerMinor: 139000 }, { index: 1, customers: 0, retention: 0, revenueMinor: 0, cumulativeRevenuePerCustomerMinor: 139000 }] }], average: [{ index: 0, cohorts: 3, customers: 3, retention: 1, cumulativeRevenuePerCustomerMinor: 195333 }, { index: 1, cohorts: 3, customers: 3, retention: 0, cumulativeRevenuePerCustomerMinor: 195333 }, { index: 2, cohorts: 2, customers: 2, retention: 0.5, cumulativeRevenuePerCustomerMinor: 298000 }, { index: 3, cohorts: 1, customers: 1, retention: 0, cumulativeRevenuePerCustomerMinor: 298000 }] },
  },
  {
    route: 'GET /v1/analytics/funnels',
    summary: 'Of the customers whose first purchase fell in December to February: how many came back for a second, and how long after (Accept: text/csv for a table)',
    role: 'analyst',
    query: { from: '2025-12-01', to: '2026-02-28', steps: 'purchase,purchase' },
    status: 200,
    response: { period: { from: '2025-12-01', to: '2026-02-28', timezone: 'UTC', start: '2025-12-01T00:00:00.000Z', end: '2026-03-01T00:00:00.000Z' }, steps: ['purchase', 'purchase'], withinDays: null, by: 'none', groups: [], overall: { group: null, steps: [{ step: 'purchase', customers: 3, conversionFromPrevious: null, conversionFromFirst: null, medianHoursFromPrevious: null }, { step: 'purchase', customers: 1, conversionFromPrevious: 0.3333, conversionFromFirst: 0.3333, medianHoursFromPrevious: 1608 }] } },
  },
  {
    route: 'GET /v1/alert-rules/{id}',
    summary: 'The rule; checkedThrough is the last day the daily check judged (none yet)',
    role: 'analyst',
    params: { id: ids.alertRule },
    status: 200,
    response: RECOGNITION_RULE,
  },
  {
    route: 'PATCH /v1/alert-rules/{id}',
    summary: 'Pause the rule (a merge patch: nothing else changes)',
    role: 'analyst',
    params: { id: ids.alertRule },
    headers: { 'content-type': 'application/merge-patch+json' },
    body: { active: false },
    status: 200,
    response: { ...RECOGNITION_RULE, active: false },
  },
  {
    route: 'POST /v1/alert-rules',
    summary: "Alert when the day's average check falls 20 % below its median over 90 days, judged from two days of history",
    role: 'analyst',
    step: true,
    body: { name: 'Average check falls', kind: 'drop', kpi: 'averageCheckMinor', params: { days: 90, minHistory: 2 } },
    status: 201,
    response: AVERAGE_CHECK_RULE,
  },
  {
    route: 'POST /v1/alert-rules/{id}/check',
    summary: 'Judge 5 February: the average check fell below the line drawn from the days before, so an alert fires',
    role: 'analyst',
    params: { id: ids.averageCheckAlertRule },
    body: { day: '2026-02-05' },
    status: 200,
    response: { ruleId: ids.averageCheckAlertRule, day: '2026-02-05', fired: [ALERT], judged: [{ group: {}, value: 139000, median: 223500, low: 178800, high: null, historyDays: 2, fired: true }] },
  },
  {
    route: 'GET /v1/alerts',
    summary: "Alerts fired, newest first (ruleId= for one rule's)",
    role: 'analyst',
    status: 200,
    response: { items: [ALERT], nextCursor: null },
  },
  {
    route: 'GET /v1/alerts/{id}',
    summary: 'An alert: the rule, the value, the line it fell below and the history it was judged against',
    role: 'analyst',
    params: { id: ids.alert },
    status: 200,
    response: ALERT,
  },
  {
    route: 'GET /v1/alert-rules',
    summary: 'The alert rules, by id',
    role: 'analyst',
    status: 200,
    response: { items: [{ ...RECOGNITION_RULE, active: false }, AVERAGE_CHECK_RULE], nextCursor: null },
  },
  {
    route: 'DELETE /v1/alert-rules/{id}',
    summary: 'Delete the paused rule and the alerts it fired; answers the rule as it was',
    role: 'analyst',
    params: { id: ids.alertRule },
    status: 200,
    response: { ...RECOGNITION_RULE, active: false },
  },
  {
    route: 'POST /v1/reports',
    summary: 'The key figures by till every Monday for the week before, kept as CSV and e-mailed to the analyst',
    role: 'analyst',
    body: { name: 'Recognition by till, weekly', kind: 'kpis', query: { groupBy: 'register', compare: 'previous' }, schedule: 'weekly', timezone: 'Europe/Moscow', recipients: ['analyst@shop.example'] },
    status: 201,
    response: REPORT,
  },
  {
    route: 'GET /v1/reports/{id}',
    summary: 'The report and when it runs next',
    role: 'analyst',
    params: { id: ids.report },
    status: 200,
    response: REPORT,
  },
  {
    route: 'PATCH /v1/reports/{id}',
    summary: 'Monthly instead (a merge patch): the next run moves to the end of March',
    role: 'analyst',
    params: { id: ids.report },
    headers: { 'content-type': 'application/merge-patch+json' },
    body: { name: 'Recognition by till, monthly', schedule: 'monthly' },
    status: 200,
    response: MONTHLY_REPORT,
  },
  {
    route: 'POST /v1/reports/{id}/runs',
    summary: 'Run it now over its last complete period: February, beside the 28 days before',
    role: 'analyst',
    params: { id: ids.report },
    status: 201,
    response: { ...REPORT_RUN, result: REPORT_RUN_RESULT },
  },
  {
    route: 'GET /v1/reports/{id}/runs',
    summary: "The report's runs, newest first, without their answers",
    role: 'analyst',
    params: { id: ids.report },
    status: 200,
    response: { items: [REPORT_RUN], nextCursor: null },
  },
  {
    route: 'GET /v1/reports/{id}/runs/{runId}',
    summary: 'A run with the report it made (Accept: text/csv or format=csv for its CSV)',
    role: 'analyst',
    params: { id: ids.report, runId: ids.reportRun },
    status: 200,
    response: { ...REPORT_RUN, result: REPORT_RUN_RESULT },
  },
  {
    route: 'POST /v1/reports',
    summary: 'Monthly acquisition cohorts, by store',
    role: 'analyst',
    step: true,
    body: { name: 'Cohorts by store, monthly', kind: 'cohorts', query: { by: 'store' }, schedule: 'monthly', timezone: 'Europe/Moscow' },
    status: 201,
    response: COHORT_REPORT,
  },
  {
    route: 'GET /v1/reports',
    summary: 'The scheduled reports, by id',
    role: 'analyst',
    status: 200,
    response: { items: [{ ...MONTHLY_REPORT, lastRun: { id: ids.reportRun, from: '2026-02-01', to: '2026-02-28', trigger: 'request', status: 'completed', createdAt: at } }, COHORT_REPORT], nextCursor: null },
  },
  {
    route: 'DELETE /v1/reports/{id}',
    summary: 'Delete the cohort report and its runs; answers the report as it was',
    role: 'analyst',
    params: { id: ids.cohortReport },
    status: 200,
    response: COHORT_REPORT,
  },
  // Subscription topics (src/docs-examples-topics.ts): before messaging, whose template names "offers".
  ...topicExamples(ids),
  // Messaging (src/docs-examples-messaging.ts), on the same shop and customers.
  ...messagingExamples(ids),
  // The customer pages and their settings (src/docs-examples-touchpoints.ts).
  ...touchpointExamples,
  // Feedback (src/docs-examples-feedback.ts): Anna's message to support, after messaging set up the mail relay.
  ...feedbackExamples(ids),
  // Fiscal receipts (src/docs-examples-fiscal.ts), on the same shop and customers.
  ...fiscalExamples(ids),
  // Surveys (src/docs-examples-surveys.ts), after messaging: its policy gives the public address of the links.
  ...surveyExamples(ids),
  // The survey pages customers open (src/docs-examples-touchpoints.ts).
  ...surveyPageExamples,
  // The console's staff users and sign-in (src/docs-examples-console.ts).
  ...consoleExamples(),
];

type MediaType = { schema?: { $ref?: string }; examples?: Record<string, { summary: string; value: unknown }> };
type Operation = { requestBody?: { content?: Record<string, MediaType> }; responses?: Record<string, { content?: Record<string, MediaType> }> };
type OpenApiDocument = { paths?: Record<string, Record<string, Operation> | undefined>; components?: { schemas?: Record<string, { examples?: unknown[] }> } };

const exampleKey = (summary: string) =>
  summary
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/**
 * The swagger `transformObject`: puts each example (the steps aside) on its operation — the
 * request body under the request's JSON media type, the answer under its status's — and the
 * first example of each named schema into that schema's `examples`.
 */
export function addRouteExamples<T>(openapiObject: T): T {
  const doc = openapiObject as OpenApiDocument;
  const schemas = doc.components?.schemas ?? {};
  const addTo = (content: Record<string, MediaType> | undefined, key: string, summary: string, value: unknown, type = 'application/json') => {
    const media = content?.[type];
    if (!content || !media) return;
    // A copy: @fastify/swagger shares one media object between the content types of a route (JSON and CSV products).
    content[type] = { ...media, examples: { ...media.examples, [key]: { summary, value } } };
    const name = media.schema?.$ref?.replace('#/components/schemas/', '');
    const schema = name ? schemas[name] : undefined;
    if (schema && !schema.examples) schema.examples = [value];
  };
  for (const example of docExamples) {
    if (example.step) continue;
    const [method, path] = example.route.split(' ') as [string, string];
    const operation = doc.paths?.[path.split('?')[0]!]?.[method.toLowerCase()];
    if (!operation) continue;
    const key = exampleKey(example.summary);
    // A body that is not JSON (a bounce as it arrived, an audience's CSV) goes under its own media type.
    const bodyType = example.requestType ?? 'application/json';
    // A route reading its file as a stream declares no body schema: the file is text of that type.
    if (bodyType !== 'application/json' && example.body !== undefined && !operation.requestBody?.content?.[bodyType]) {
      operation.requestBody = { ...operation.requestBody, content: { ...operation.requestBody?.content, [bodyType]: { schema: { type: 'string' } as MediaType['schema'] } } };
    }
    if (example.body !== undefined) addTo(operation.requestBody?.content, key, example.summary, example.body, bodyType);
    // A page or an image goes under its own media type; a redirect shows its Location header.
    const answer = operation.responses?.[String(example.status)] as { headers?: Record<string, unknown> } | undefined;
    if (example.responseType === 'redirect') {
      if (answer) answer.headers = { ...answer.headers, Location: { description: 'Where the browser goes next', schema: { type: 'string' }, example: example.response } };
    } else {
      addTo(operation.responses?.[String(example.status)]?.content, key, example.summary, example.response, example.responseType);
    }
  }
  return openapiObject;
}

/** Patron's mark for the Swagger UI top bar (in place of Fastify's), served as a data: image. */
export const docsLogo = {
  type: 'image/svg+xml',
  content: Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="40" viewBox="0 0 180 40">' +
      '<circle cx="20" cy="20" r="16" fill="#e8590c"/><text x="20" y="26" font-family="Arial, sans-serif" font-size="18" font-weight="700" fill="#fff" text-anchor="middle">P</text>' +
      '<text x="44" y="27" font-family="Arial, sans-serif" font-size="20" font-weight="700" fill="#fff">Patron API</text></svg>',
  ),
};
