/** What the program's routes answer, as far as the console's pages read them. */
export type Versioned = { version: number; updatedAt: string | null };

export type RuleConditions = {
  categories?: string[];
  skus?: string[];
  brands?: string[];
  tiers?: string[];
  stores?: string[];
  channels?: Array<'offline' | 'online'>;
  weekdays?: number[];
  timeFrom?: string;
  timeTo?: string;
  minReceiptTotal?: number;
  segments?: string[];
};

export type EarningRule = {
  id: string;
  name: string;
  kind: 'percent' | 'multiplier' | 'per_item' | 'per_receipt';
  rateBp?: number;
  factor?: number;
  points?: number;
  conditions: RuleConditions;
  priority: number;
  stacking: 'highest' | 'sum' | 'exclusive';
  validFrom?: string;
  validTo?: string;
  active: boolean;
};
export type RuleSet = Versioned & { rules: EarningRule[] };

export type Tier = { id: string; name: string; threshold: number; earnRateBp?: number; earnMultiplier?: number; maxRedeemShareBp?: number; privileges: string[] };
export type TierConfig = Versioned & {
  metric: 'spend' | 'points_earned';
  window: { kind: 'rolling'; days: number } | { kind: 'calendar'; period: 'month' | 'quarter' | 'year' };
  downgrade: 'one_level' | 'to_earned';
  tiers: Tier[];
};

export type Store = { id: string; name: string; region: string | null; timezone: string; active: boolean };
export type Product = { sku: string; name: string; categoryPath: string[]; brand: string | null };

/** One what-if row: what was stored, the replay, and the difference. */
export type Figures = {
  pointsIssued: number;
  pointsBase: number;
  pointsBonus: number;
  discountMinor: number;
  pointsRedeemed: number;
  redeemedMinor: number;
  liabilityChangeMinor: number;
  costMinor: number;
  revenueMinor: number;
};
export type WhatIfRow = { receipts: number; actual: Figures; whatIf: Figures; difference: Figures };
export type WhatIfRun = {
  id: string;
  status: 'running' | 'completed' | 'failed';
  phase: 'counting' | 'replaying' | 'done';
  days: number;
  receipts: number;
  processed: number;
  failure?: string;
  result?: {
    currency: string;
    pointValueMinor: number;
    receipts: number;
    mismatched: number;
    total: WhatIfRow;
    byStore: Array<WhatIfRow & { storeId: string }>;
    byTier: Array<WhatIfRow & { tierId: string | null }>;
  };
};

/** A comma-separated field as a list (empty parts dropped), and back. */
export const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
export const textOf = (list: readonly (string | number)[] | undefined): string => (list ?? []).join(', ');

export type LineTarget = { skus?: string[]; categories?: string[]; brands?: string[] };
export type Benefit =
  | { kind: 'percent_off'; percentBp: number; target?: LineTarget; maxDiscountMinor?: number }
  | { kind: 'amount_off'; amountMinor: number; target?: LineTarget }
  | { kind: 'n_for_m'; buy: number; pay: number; target?: LineTarget }
  | { kind: 'points_multiplier'; factor: number; target?: LineTarget }
  | { kind: 'bonus_points'; points: number; target?: LineTarget }
  | { kind: 'free_item'; sku: string; qty: number }
  | { kind: 'buy_x_get_y' | 'bundle_price'; [key: string]: unknown };
export type Promotion = {
  id: string;
  name: string;
  description?: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  benefit: Benefit;
  minSpendMinor?: number;
  audience: { kind: 'everyone' | 'new_customers' } | { kind: 'tiers'; tiers: string[] } | { kind: 'segments'; segments: string[] } | { kind: 'customers'; customerIds: string[] };
  validity: { from?: string; to?: string; weekdays?: number[]; timeFrom?: string; timeTo?: string; stores?: string[]; channels?: Array<'offline' | 'online'> };
  stacking: { exclusive: boolean; group?: string; priority: number };
  limits: { budgetMinor?: number; budgetPoints?: number; uses?: number; perCustomer?: number; perCustomerPerDay?: number };
  requiresCode: boolean;
  releaseOnReturn: boolean;
  usage: { usedMinor: number; uses: number; budgetLeftMinor: number | null; usedPoints: number; budgetLeftPoints: number | null; usesLeft: number | null };
  version: number;
  createdAt: string;
  updatedAt: string;
};
export type CodeBatch = {
  id: string;
  promotionId: string;
  count: number;
  length: number;
  prefix: string;
  checkCharacter: boolean;
  usesPerCode: number;
  generated: number;
  progress: number;
  status: 'queued' | 'running' | 'completed' | 'failed';
  failure: string | null;
  createdAt: string;
  finishedAt: string | null;
};

/** A number typed in a field, scaled (100: major units to minor); what is not a number goes to the server as typed, so it answers in words. */
export const numberOf = (value: string, scale = 1): number | string | undefined => {
  const trimmed = value.trim().replace(',', '.');
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? Math.round(n * scale * 100) / 100 : trimmed;
};
/** A datetime-local field's value from an ISO time, in this browser's zone. */
export const localDateTime = (iso: string | undefined) => (iso ? new Date(new Date(iso).getTime() - new Date(iso).getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');
