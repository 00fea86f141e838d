/**
 * Money and points arithmetic, in integers only: money in minor units (kopecks), points as
 * whole numbers, quantities in thousandths (0.455 kg = 455).
 *
 * The rounding rules (docs/loyalty.md):
 * - a line's total is quantity × unit price rounded half-up to the minor unit
 *   (0.455 × 349.90 = 159.2045 → 159.20);
 * - points a rule gives on a line are rounded down by default (a program setting may choose
 *   half-up): a customer never gets a point the rate did not earn;
 * - an amount spread over lines (redeemed points, a receipt discount) goes by largest remainder,
 *   ties to the earlier line, so the parts always add up to the whole.
 */
import { platformError } from './errors.ts';

export type Rounding = 'floor' | 'half_up';

export const QTY_SCALE = 1000;

/** n / d rounded, for n ≥ 0 and d > 0; BigInt inside so products of large numbers stay exact. */
export function divide(n: number | bigint, d: number | bigint, rounding: Rounding): number {
  if (typeof n === 'number' && typeof d === 'number' && Number.isSafeInteger(n) && Number.isSafeInteger(d)) return divideSafe(n, d, rounding);
  const num = BigInt(n);
  const den = BigInt(d);
  if (den <= 0n) throw new RangeError('divide: the divisor must be positive');
  if (num < 0n) throw new RangeError('divide: the dividend must not be negative');
  const quotient = num / den;
  if (rounding === 'floor') return Number(quotient);
  return Number((num % den) * 2n >= den ? quotient + 1n : quotient);
}

/**
 * divide for safe integers, in doubles: exact, since below 2^53 the double nearest n / d never
 * reaches the next whole number (it is at least 1/d away, more than the rounding error), and
 * n % d is exact. BigInt costs a few hundred nanoseconds an operation; a receipt asks dozens.
 */
function divideSafe(n: number, d: number, rounding: Rounding): number {
  if (d <= 0) throw new RangeError('divide: the divisor must be positive');
  if (n < 0) throw new RangeError('divide: the dividend must not be negative');
  const quotient = Math.floor(n / d);
  if (rounding === 'floor') return quotient;
  return (n % d) * 2 >= d ? quotient + 1 : quotient;
}

/** a × b / d rounded, for a, b ≥ 0 and d > 0: in doubles when the product is a safe integer, else in BigInt. */
export function mulDiv(a: number, b: number, d: number, rounding: Rounding): number {
  const product = a * b;
  return Number.isSafeInteger(product) && Number.isSafeInteger(a) && Number.isSafeInteger(b) ? divide(product, d, rounding) : divide(BigInt(a) * BigInt(b), d, rounding);
}

/** Quantity as thousandths; null when it has more than three decimals or is not positive. */
export function toQtyMilli(qty: number): number | null {
  const milli = Math.round(qty * QTY_SCALE);
  if (!(qty > 0) || milli <= 0 || Math.abs(milli - qty * QTY_SCALE) > 1e-6) return null;
  return milli;
}

/** The most lines a receipt may have (the checkout and receipt-import schemas' maxItems). */
export const MAX_RECEIPT_LINES = 1000;

/**
 * The largest total one line may come to: a receipt of MAX_RECEIPT_LINES such lines still sums
 * to at most Number.MAX_SAFE_INTEGER, so every total, sum and share computed from line totals in
 * plain numbers is exact (9,007,199,254,740 minor units: 90 billion roubles a line).
 */
export const MAX_LINE_TOTAL_MINOR = Math.floor(Number.MAX_SAFE_INTEGER / MAX_RECEIPT_LINES);

/** quantity × unit price; a line past MAX_LINE_TOTAL_MINOR is refused (400 request.out_of_range). */
export function lineTotal(qtyMilli: number, priceMinor: number): number {
  const total = mulDiv(qtyMilli, priceMinor, QTY_SCALE, 'half_up');
  if (total > MAX_LINE_TOTAL_MINOR) {
    throw platformError(
      'request.out_of_range',
      `A line's qty × price comes to more than ${MAX_LINE_TOTAL_MINOR} minor units, the most one line may total (so that a receipt of up to ${MAX_RECEIPT_LINES} lines adds up exactly)`,
      [{ field: 'lines', reason: `qty × price must be at most ${MAX_LINE_TOTAL_MINOR}` }],
    );
  }
  return total;
}

/**
 * Splits `amount` over parts in proportion to `weights` (largest remainder). Parts with zero
 * weight get zero; if every weight is zero, everything is zero.
 */
export function allocate(amount: number, weights: number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (amount === 0 || total === 0) return weights.map(() => 0);
  // In doubles when every product amount × weight is a safe integer (then each is exact, and so
  // are the quotients and remainders: see divideSafe); else in BigInt. The same parts either way.
  const safe = Number.isSafeInteger(total) && Number.isSafeInteger(amount) && weights.every((w) => Number.isSafeInteger(w) && Number.isSafeInteger(amount * w));
  const parts: number[] = weights.map((w) => (safe ? Math.trunc((amount * w) / total) : Number((BigInt(amount) * BigInt(w)) / BigInt(total))));
  let left = amount - parts.reduce((sum, p) => sum + p, 0);
  // What the truncation left goes a unit at a time to the largest remainders (ties: the earlier
  // line). An allocation that divides exactly needs no remainders worked out or sorted.
  if (left > 0) {
    const remainders = weights.map((w, index) => ({ index, rest: safe ? (amount * w) % total : (BigInt(amount) * BigInt(w)) % BigInt(total) }));
    remainders.sort((a, b) => (a.rest === b.rest ? a.index - b.index : a.rest > b.rest ? -1 : 1));
    for (const { index } of remainders) {
      if (left <= 0) break;
      parts[index]! += 1;
      left--;
    }
  }
  return parts;
}

/** The cumulative share rule: the k-th of several partial returns gets exactly its part of the whole. */
export function proportionalPart(whole: number, doneBefore: number, doneNow: number, of: number): number {
  const after = mulDiv(whole, doneBefore + doneNow, of, 'floor');
  const before = mulDiv(whole, doneBefore, of, 'floor');
  return doneBefore + doneNow >= of ? whole - before : after - before;
}
