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

const formatters = new Map<string, Intl.DateTimeFormat>();
type LocalTime = { weekday: number; minutes: number; date: string };
// formatToParts costs tens of microseconds and a receipt asks several times (each timed rule,
// the birthday); receipts arrive at "now", so the last minute asked per zone almost always hits.
const lastMinute = new Map<string, { minute: number; local: LocalTime }>();

/** ISO weekday (1 = Monday) and minutes since midnight of an instant in a timezone. */
export function localTime(at: Date, timezone: string): LocalTime {
  const minute = Math.floor(at.getTime() / 60_000);
  const last = lastMinute.get(timezone);
  if (last && last.minute === minute) return last.local;
  const local = formatLocalTime(at, timezone);
  lastMinute.set(timezone, { minute, local });
  return local;
}

function formatLocalTime(at: Date, timezone: string): LocalTime {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timezone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(at).map((p) => [p.type, p.value]));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday ?? '') + 1;
  return {
    weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
    date: `${parts.year}-${parts.month}-${parts.day}`,
  };
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function withinTime(minutes: number, from: string | undefined, to: string | undefined): boolean {
  if (!from && !to) return true;
  const start = from ? minutesOf(from) : 0;
  const end = to ? minutesOf(to) : 24 * 60;
  return start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

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
