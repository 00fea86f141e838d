/** A customer as GET /v1/customers/{id} answers (contacts masked for roles that see them masked). */
export type Customer = {
  id: string;
  status: 'active' | 'merged' | 'erased';
  phone: string | null;
  email: string | null;
  cardNumber: string | null;
  externalIds?: Record<string, string>;
  identifiers: Array<{ kind: string; source?: string; value: string; primary: boolean }>;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  gender: string | null;
  city: string | null;
  timezone: string | null;
  locale: string | null;
  tags: string[];
  attributes: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  erasedAt?: string;
  segments?: Array<{ id: string; name: string }> | null;
  rfm?: { recency: number; frequency: number; monetary: number; cell: string; group: string; recencyDays: number; purchases: number; spentMinor: number; windowDays: number; computedAt: string } | null;
  cluster?: { runId: string; cluster: number; description: string; unstable: boolean } | null;
  clv?: { runId: string; expectedPurchases: number; pAlive: number; expectedSpendMinor: number; clvMinor: number; horizon: number; unit: 'week' | 'day'; calibrationEnd: string } | null;
};

export type ConsentState = { channel: string; purpose: string; granted: boolean; source: string; at: string };
export type Consents = { current: ConsentState[]; history: Array<ConsentState & { id: string; recordedAt: string; evidence: Record<string, string | undefined> }> };

/** GET /v1/customers/{id}/balance */
export type Balance = {
  customerId: string;
  available: number;
  pendingPoints: number;
  pending: Array<{ points: number; activatesAt: string }>;
  expiring: { points: number; at: string } | null;
  lifetime: { earned: number; redeemed: number; expired: number };
  tier: {
    id: string;
    name: string;
    privileges: string[];
    progress: { metric: string; value: number; windowStart: string; next: { id: string; name: string; threshold: number; remaining: number } | null };
  };
};

export type LedgerLine = { id: number; kind: string; available: number; pending: number; lotId: string | null; receiptId: string | null; refundId: string | null; reason: string | null; actor: string | null; at: string };

export type AdjustmentResult = { customerId: string; points: number; reason: string; balance: number; pendingPoints: number };

export type ReceiptSummary = {
  id: string;
  storeId: string;
  posReceiptId: string;
  registerId: string | null;
  channel: string;
  source: string;
  status: string;
  occurredAt: string;
  currency: string;
  total: number;
  discount: number;
  pointsRedeemed: number;
  redeemedMinor: number;
  paid: number;
  pointsEarned: number;
  refunded: number;
};

export type Receipt = ReceiptSummary & {
  lines: Array<{ lineNo: number; sku: string; name: string | null; category: string | null; brand: string | null; qty: number; price: number; total: number; discount: number; pointsEarned: number; pointsRedeemed: number; refundedQty: number }>;
  refunds: Array<{ refundId: string; at: string }>;
};

export type Recommendations = {
  customerId: string;
  by: string;
  model: { runId: string; builtAt: string; windowDays: number } | null;
  recommendations: Array<{ item: string; name: string | null; score: number; source: string; reasons: Array<{ item: string; name: string | null; confidence: number; lift: number }> }>;
  popularity: Array<{ item: string; name: string | null; score: number; customers: number }>;
};

export type Message = {
  id: string;
  kind: string;
  purpose: string;
  source: string;
  status: string;
  reason: string | null;
  recipient: string | null;
  content: { subject?: string; text?: string } | null;
  createdAt: string;
  sentAt: string | null;
};

export type SurveyResponse = {
  id: string;
  surveyId: string;
  surveyKind?: string;
  surveyTitle?: Record<string, string>;
  channel: string;
  answers: Record<string, unknown>;
  score: number | null;
  answeredAt: string;
};

export type RewardOrder = {
  id: string;
  reward: { id: string; name: string; kind: string };
  source: string;
  points: number;
  status: 'issued' | 'redeemed' | 'cancelled';
  code?: string;
  privilege?: string;
  validUntil?: string;
  createdAt: string;
};

export type Privilege = { orderId: string; rewardId: string; name: string; privilege: string; since: string; validUntil: string };

export type Referral = { customerId: string; code: string; link: string | null; referrals: { invited: number; qualified: number; rewarded: number }; rewardsEarned: number };
