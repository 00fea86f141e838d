import { localTime, withinTime } from '../../platform/local-time.ts';
import type { EarningRule, RuleConditions } from './config-types.ts';

/** What a rule may look at about the receipt as a whole. */
export type ReceiptContext = {
  storeId: string;
  storeTimezone: string;
  channel: 'offline' | 'online';
  occurredAt: Date;
  tierId: string | null;
  segments: ReadonlySet<string>;
  receiptTotal: number;
};

/** What a rule may look at about one line. */
export type LineFacts = { sku: string; categories: string[]; brand: string | null };

/** Conditions about the receipt, the time and the customer. */
export function matchesReceipt(rule: EarningRule, context: ReceiptContext): boolean {
  if (!rule.active) return false;
  const at = context.occurredAt.getTime();
  if (rule.validFrom && at < new Date(rule.validFrom).getTime()) return false;
  if (rule.validTo && at >= new Date(rule.validTo).getTime()) return false;
  const c: RuleConditions = rule.conditions;
  if (c.stores?.length && !c.stores.includes(context.storeId)) return false;
  if (c.channels?.length && !c.channels.includes(context.channel)) return false;
  if (c.tiers?.length && (!context.tierId || !c.tiers.includes(context.tierId))) return false;
  if (c.segments?.length && !c.segments.some((segment) => context.segments.has(segment))) return false;
  if (rule.kind !== 'per_receipt' && c.minReceiptTotal !== undefined && context.receiptTotal < c.minReceiptTotal) return false;
  if (c.weekdays?.length || c.timeFrom || c.timeTo) {
    const local = localTime(context.occurredAt, context.storeTimezone);
    if (c.weekdays?.length && !c.weekdays.includes(local.weekday)) return false;
    if (!withinTime(local.minutes, c.timeFrom, c.timeTo)) return false;
  }
  return true;
}

/** Conditions about the goods: category (anywhere in the line's category path), SKU, brand. */
export function matchesLine(rule: EarningRule, line: LineFacts): boolean {
  const c = rule.conditions;
  if (c.skus?.length && !c.skus.includes(line.sku)) return false;
  if (c.brands?.length && (!line.brand || !c.brands.includes(line.brand))) return false;
  if (c.categories?.length && !c.categories.some((category) => line.categories.includes(category))) return false;
  return true;
}

export function hasLineConditions(rule: EarningRule): boolean {
  const c = rule.conditions;
  return Boolean(c.skus?.length || c.brands?.length || c.categories?.length);
}
