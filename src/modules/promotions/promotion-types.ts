/**
 * A promotion: what it gives (the benefit), to whom (the audience), when and where (validity),
 * how it combines with others (stacking) and how much of it there is (limits). Stored as one
 * row of `promotions`, the definition in JSON, the counters in columns the SQL guards check.
 */

/** Which lines a benefit or a condition looks at; nothing named: every line. */
export type LineTarget = { skus?: string[]; categories?: string[]; brands?: string[] };

export type Benefit =
  /** `percentBp` of each target line (1000 = 10%), rounded half-up per line; at most `maxDiscountMinor` in all. */
  | { kind: 'percent_off'; percentBp: number; target?: LineTarget; maxDiscountMinor?: number }
  /** A fixed amount off the target lines together, shared by what each line costs. */
  | { kind: 'amount_off'; amountMinor: number; target?: LineTarget }
  /** N for the price of M: in every `buy` whole units of the target, the cheapest `buy − pay` are free. */
  | { kind: 'n_for_m'; buy: number; pay: number; target?: LineTarget }
  /** Buy `buy.qty` of one thing, get `get.qty` of another `get.percentBp` off (10000 = free), as often as the receipt allows. */
  | { kind: 'buy_x_get_y'; buy: { target: LineTarget; qty: number }; get: { target: LineTarget; qty: number; percentBp: number } }
  /** A set price for a bundle of items (e.g. coffee + croissant for 250.00), as often as the receipt holds it. */
  | { kind: 'bundle_price'; items: Array<{ target: LineTarget; qty: number }>; priceMinor: number }
  /** A gift: `qty` units of `sku` free when the receipt carries them (the till adds the gift line). */
  | { kind: 'free_item'; sku: string; qty: number }
  /** Points, not money: the target lines earn `factor` times their percent points (the extra is the promotion's). */
  | { kind: 'points_multiplier'; factor: number; target?: LineTarget }
  /** Points, not money: `points` once per receipt, shared by the target lines (so returns take back their share). */
  | { kind: 'bonus_points'; points: number; target?: LineTarget };

/** Benefits paid in points: they take nothing off the receipt and add an earning rule for it. */
export type PointsBenefit = Extract<Benefit, { kind: 'points_multiplier' | 'bonus_points' }>;
export const isPointsBenefit = (benefit: Benefit): benefit is PointsBenefit => benefit.kind === 'points_multiplier' || benefit.kind === 'bonus_points';

export type Audience =
  | { kind: 'everyone' }
  | { kind: 'tiers'; tiers: string[] }
  | { kind: 'segments'; segments: string[] }
  | { kind: 'customers'; customerIds: string[] }
  /** Customers without an earlier confirmed receipt. */
  | { kind: 'new_customers' };

export type Validity = {
  from?: string;
  to?: string;
  /** ISO weekdays, 1 = Monday, in the store's timezone. */
  weekdays?: number[];
  /** 'HH:MM' in the store's timezone; from ≤ time < to (wraps past midnight). */
  timeFrom?: string;
  timeTo?: string;
  stores?: string[];
  channels?: Array<'offline' | 'online'>;
};

export type Stacking = {
  /** Applied alone: no other promotion applies to the receipt with it. */
  exclusive: boolean;
  /** At most one promotion of a group applies (the one best for the customer). */
  group?: string;
  /** Higher first: the order combinable promotions apply in, and the tie-break. */
  priority: number;
};

export type Limits = {
  /** Money the promotion may give away in all, minor units. */
  budgetMinor?: number;
  /** Points a points benefit may give in all. */
  budgetPoints?: number;
  /** Receipts it may apply to in all. */
  uses?: number;
  perCustomer?: number;
  perCustomerPerDay?: number;
};

export type PromotionStatus = 'draft' | 'active' | 'paused' | 'archived';

export type PromotionDefinition = {
  id: string;
  name: string;
  description?: string;
  status: PromotionStatus;
  benefit: Benefit;
  /** The receipt (its target lines, when the benefit has a target) must reach this before discounts of this promotion. */
  minSpendMinor?: number;
  audience: Audience;
  validity: Validity;
  stacking: Stacking;
  limits: Limits;
  /** Applies only when the customer presents one of its codes. */
  requiresCode: boolean;
};

/** How much of a promotion is used: the counters the SQL guards keep. */
export type Usage = { usedMinor: number; usedPoints: number; uses: number };
