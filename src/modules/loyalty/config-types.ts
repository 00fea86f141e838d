/**
 * The program's configuration: settings, earning rules and tiers. Each is stored as versioned
 * JSON (loyalty_config), so a change is a new version and a receipt can say which it used.
 */
export type ExpiryPolicy =
  | { kind: 'never' }
  | { kind: 'days'; days: number }
  | { kind: 'end_of_period'; period: 'month' | 'quarter' | 'year'; periodsAfter: number };

export type ProgramSettings = {
  currency: string;
  /** What one point is worth when redeemed, in minor units (100 = 1.00). */
  pointValueMinor: number;
  /** The largest share of a receipt payable with points, in basis points (3000 = 30%). */
  maxRedeemShareBp: number;
  minRedeemPoints: number;
  /** Days an earned lot waits (for returns) before it can be spent. */
  pendingDays: number;
  expiry: ExpiryPolicy;
  /** Whether the part of a receipt paid with points earns points. */
  earnOnRedeemedPart: boolean;
  /** Categories that neither earn nor burn (tobacco: Russian law forbids bonuses on it). */
  excludedCategories: string[];
  pointsRounding: 'floor' | 'half_up';
  /** When a refund reverses points already spent: let the balance go negative, or forgive. */
  refundShortfall: 'negative_balance' | 'forgive';
  /** Points redeemed on returned goods come back with their original expiry, or this many days more. */
  returnedPointsExtraDays: number;
  /** How many days ahead `points.expiring` is announced. */
  expiringNoticeDays: number;
  /** Cashier messages: warn of points expiring within this many days. */
  cashierExpiryWarningDays: number;
};

export const defaultProgramSettings: ProgramSettings = {
  currency: 'RUB',
  pointValueMinor: 100,
  maxRedeemShareBp: 3000,
  minRedeemPoints: 1,
  pendingDays: 14,
  expiry: { kind: 'days', days: 365 },
  earnOnRedeemedPart: false,
  excludedCategories: ['tobacco'],
  pointsRounding: 'floor',
  refundShortfall: 'negative_balance',
  returnedPointsExtraDays: 0,
  expiringNoticeDays: 7,
  cashierExpiryWarningDays: 7,
};

export type RuleConditions = {
  categories?: string[];
  skus?: string[];
  brands?: string[];
  tiers?: string[];
  stores?: string[];
  channels?: Array<'offline' | 'online'>;
  /** ISO weekdays, 1 = Monday … 7 = Sunday, in the store's timezone. */
  weekdays?: number[];
  /** 'HH:MM' in the store's timezone; from ≤ time < to (wraps past midnight if to < from). */
  timeFrom?: string;
  timeTo?: string;
  /** The receipt's total (minor units) must reach this. */
  minReceiptTotal?: number;
  /** Segment ids; filled by the segments module (until then such rules never apply). */
  segments?: string[];
};

export type EarningRule = {
  id: string;
  name: string;
  /**
   * percent: rateBp of the paid amount (500 = 5%); multiplier: multiplies the percent points
   * of matching lines (factor 3 = ×3); per_item: points for each whole item; per_receipt:
   * points once per receipt whose matching lines reach minReceiptTotal.
   */
  kind: 'percent' | 'multiplier' | 'per_item' | 'per_receipt';
  rateBp?: number;
  factor?: number;
  points?: number;
  conditions: RuleConditions;
  priority: number;
  /** highest: the best rule of its kind on a line wins; sum: adds to the others; exclusive: only it applies. */
  stacking: 'highest' | 'sum' | 'exclusive';
  validFrom?: string;
  validTo?: string;
  active: boolean;
};

export type EarningRuleSet = { rules: EarningRule[] };

export const defaultEarningRules: EarningRuleSet = {
  rules: [
    { id: 'base', name: 'Base rate 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true },
  ],
};

export type Tier = {
  id: string;
  name: string;
  /** Spend (minor units) or points earned in the window needed to reach the tier. */
  threshold: number;
  /** Replaces the base rate for members, in basis points. */
  earnRateBp?: number;
  earnMultiplier?: number;
  maxRedeemShareBp?: number;
  /** Non-material privileges the till and the app show: free delivery, priority service, … */
  privileges: string[];
};

export type TierConfig = {
  metric: 'spend' | 'points_earned';
  window: { kind: 'rolling'; days: number } | { kind: 'calendar'; period: 'month' | 'quarter' | 'year' };
  downgrade: 'one_level' | 'to_earned';
  /** Ordered from the entry tier (threshold 0) up. */
  tiers: Tier[];
};

export const defaultTierConfig: TierConfig = {
  metric: 'spend',
  window: { kind: 'rolling', days: 365 },
  downgrade: 'one_level',
  tiers: [{ id: 'base', name: 'Member', threshold: 0, privileges: [] }],
};
