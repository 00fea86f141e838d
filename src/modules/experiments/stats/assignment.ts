import { createHash } from 'node:crypto';

/**
 * Deterministic assignment: the same customer, salt and arms always give the same arm, on any
 * server and after any restart, with nothing stored. Each experiment has its own salt, so a
 * customer's arm in one experiment says nothing about their arm in another.
 */

/** An arm and its share in basis points (integers summing to 10,000: 1,000 is 10 %). */
export type Arm = { key: string; weight: number };

export const BASIS_POINTS = 10_000;

const TWO_POW_52 = 2 ** 52;

/** The first 52 bits of SHA-256(`${salt}:${customerId}`), an integer in [0, 2⁵²). */
function hashBits(customerId: string, salt: string): bigint {
  const digest = createHash('sha256').update(`${salt}:${customerId}`).digest();
  return digest.readBigUInt64BE(0) >> 12n;
}

/** The customer's uniform number in [0, 1) for this salt: 52 bits fill a double's mantissa exactly. */
export function hashUnit(customerId: string, salt: string): number {
  return Number(hashBits(customerId, salt)) / TWO_POW_52;
}

/** The customer's bucket in [0, 10,000), in integers so that no rounding moves a boundary. */
function bucket(customerId: string, salt: string): number {
  return Number((hashBits(customerId, salt) * BigInt(BASIS_POINTS)) >> 52n);
}

function checkArms(arms: readonly Arm[]): void {
  if (arms.length === 0) throw new RangeError('An experiment needs at least one arm');
  let total = 0;
  for (const arm of arms) {
    if (!Number.isInteger(arm.weight) || arm.weight < 0) throw new RangeError(`Arm ${arm.key}: weight must be a non-negative integer (basis points)`);
    total += arm.weight;
  }
  if (total !== BASIS_POINTS) throw new RangeError(`Arm weights must sum to ${BASIS_POINTS} basis points, not ${total}`);
}

/**
 * The arm of a customer: their bucket falls in the arm whose cumulative weights cover it. Arms
 * keep their order: appending an arm of weight 0 or changing a later arm's weight does not move
 * customers of the arms before it.
 */
export function assignVariant(customerId: string, salt: string, arms: readonly Arm[]): string {
  checkArms(arms);
  const at = bucket(customerId, salt);
  let cumulative = 0;
  for (const arm of arms) {
    cumulative += arm.weight;
    if (at < cumulative) return arm.key;
  }
  // Unreachable: the weights sum to 10,000 and the bucket is below it.
  throw new Error('assignVariant: bucket beyond the arms');
}

/**
 * Whether a customer is in the global control group (held out of every campaign and journey).
 * Use a salt of its own, never an experiment's, so membership is independent of every split.
 */
export function inGlobalControl(customerId: string, salt: string, shareBp: number): boolean {
  if (!Number.isInteger(shareBp) || shareBp < 0 || shareBp > BASIS_POINTS) throw new RangeError(`Global control share must be an integer from 0 to ${BASIS_POINTS} basis points`);
  return bucket(customerId, salt) < shareBp;
}
