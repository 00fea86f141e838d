/** What the rewards and partners routes answer, as far as these pages read them. */
export type RewardKind = 'goods' | 'partner_voucher' | 'privilege';
export type RewardStatus = 'draft' | 'active' | 'paused' | 'archived';
export const rewardKinds: RewardKind[] = ['goods', 'partner_voucher', 'privilege'];
export const rewardStatuses: RewardStatus[] = ['draft', 'active', 'paused', 'archived'];

export type Reward = {
  id: string;
  name: string;
  description?: string;
  kind: RewardKind;
  status: RewardStatus;
  pointsCost: number;
  stock?: number;
  perCustomer?: number;
  validFrom?: string;
  validTo?: string;
  tiers?: string[];
  validDays?: number;
  privilege?: string;
  partner?: string;
  usage: { issued: number; cancelled: number; redeemed: number; stockLeft: number | null; vouchersFree: number | null };
  version: number;
  createdAt: string;
  updatedAt: string;
};

export type RewardOrder = {
  id: string;
  customerId: string;
  reward: { id: string; name: string; kind: RewardKind };
  source: 'purchase' | 'prize';
  points: number;
  status: 'issued' | 'redeemed' | 'cancelled';
  code?: string;
  privilege?: string;
  validUntil?: string;
  createdAt: string;
  redeemedAt?: string;
  cancelledAt?: string;
};

export type VoucherUploadResult = { added: number; duplicates: number; vouchersFree: number };

export type Partner = {
  id: string;
  name: string;
  status: 'active' | 'suspended';
  storeIds: string[];
  earnRateBp: number;
  issuedPer100PointsMinor: number;
  redeemedPer100PointsMinor: number;
  version: number;
  createdAt: string;
  updatedAt: string;
};

export type SettlementFigures = {
  pointsEarned: number;
  pointsReversed: number;
  pointsIssued: number;
  pointsRedeemed: number;
  pointsReturned: number;
  pointsRedeemedNet: number;
  partnerOwesMinor: number;
  operatorOwesMinor: number;
  netMinor: number;
};
export type Settlement = {
  partnerId: string;
  partnerName: string;
  currency: string;
  from: string;
  to: string;
  rates: { earnRateBp: number; issuedPer100PointsMinor: number; redeemedPer100PointsMinor: number };
  totals: SettlementFigures;
  days: Array<SettlementFigures & { date: string }>;
  stores: Array<SettlementFigures & { storeId: string }>;
};
