import { randomInt } from 'node:crypto';
import type { Tx } from './rewards.db.ts';

/**
 * Redemption codes of goods rewards: `RWC-` and eight characters of an alphabet without
 * look-alikes (no 0/O, no 1/I), in two groups of four a cashier can read out. 32^8 ≈ 1.1·10^12
 * codes, drawn by a cryptographic generator, so a guessed code is practically never someone's.
 * The fixed `RWC-` lets a till tell a reward code from a promo code it scans.
 */
export const REWARD_CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const PREFIX = 'RWC';

export function newRewardCode(): string {
  const chars = Array.from({ length: 8 }, () => REWARD_CODE_ALPHABET[randomInt(REWARD_CODE_ALPHABET.length)]).join('');
  return `${PREFIX}-${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** A code as typed or scanned (lower case, spaces or dashes anywhere) in its stored form, or null when it cannot be one. */
export function normalizeRewardCode(input: string): string | null {
  const plain = input.toUpperCase().replace(/[\s-]+/g, '');
  if (!/^RWC[0-9A-Z]{8}$/.test(plain)) return null;
  return `${PREFIX}-${plain.slice(3, 7)}-${plain.slice(7)}`;
}

/** Stores a fresh code for the order in the lookup table; a collision (about one in 10^12 per code) draws again. */
export async function issueRewardCode(tx: Tx, customerId: string, orderId: string, now: Date): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = newRewardCode();
    const stored = await tx
      .insertInto('rewardCodes')
      .values({ code, customerId, orderId, createdAt: now })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('code')
      .executeTakeFirst();
    if (stored) return stored.code;
  }
  throw new Error('reward codes: five collisions in a row; the code space is exhausted or the generator is broken');
}
