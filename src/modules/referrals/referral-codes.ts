import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DbOrTx } from './referrals.db.ts';

/**
 * Referral codes are read aloud at a till and typed from a friend's message, so they use digits
 * and consonants without look-alikes (no 0/O, 1/I/L) and no vowels at all, so no code spells a
 * word: 28 characters. 8 of them are 28^8 ≈ 3.8·10^11 codes, so at 3 M customers a guessed
 * code names someone about once in 10^5 guesses.
 */
export const REFERRAL_ALPHABET = '23456789BCDFGHJKMNPQRSTVWXYZ';
export const REFERRAL_CODE_LENGTH = 8;

export function randomReferralCode(): string {
  let code = '';
  for (let i = 0; i < REFERRAL_CODE_LENGTH; i++) code += REFERRAL_ALPHABET[randomInt(REFERRAL_ALPHABET.length)];
  return code;
}

/** What a person typed, as stored: upper case, spaces and dashes dropped ("bcd2-fg34" is BCD2FG34). */
export function normalizeReferralCode(typed: string): string {
  return typed.replace(/[\s-]+/g, '').toUpperCase();
}

/**
 * Codes for customers just signed up (one, or an import batch's thousands): one statement a
 * draw, drawing again only for the few whose code someone took first. Customers that have one
 * keep it (`made_for` is unique).
 */
export async function giveReferralCodes(db: DbOrTx, clock: Clock, customerIds: string[]): Promise<void> {
  let missing = [...new Set(customerIds)];
  for (let attempt = 0; missing.length > 0; attempt++) {
    if (attempt >= 5) throw new Error(`referral codes: five draws left ${missing.length} customers without one`);
    await sql`insert into referral_codes (code, customer_id, made_for, created_at)
      select code, id, id, ${clock.now()} from unnest(${missing.map(() => randomReferralCode())}::text[], ${missing}::text[]) as t(code, id)
      on conflict do nothing`.execute(db);
    const have = new Set((await db.selectFrom('referralCodes').select('madeFor').where('madeFor', 'in', missing).execute()).map((row) => row.madeFor));
    missing = missing.filter((id) => !have.has(id));
  }
}

/**
 * The customer's code. Every customer gets one at sign-up (`giveReferralCodes`, migration 0014
 * for those before it); one made here is the exception (a customer whose code was lost). `made_for` is unique, so asks that race make one
 * code between them; a random code taken by someone else (one in 10^5 at 3 M customers) is drawn again.
 */
export async function ensureReferralCode(db: DbOrTx, clock: Clock, customerId: string): Promise<{ code: string; created: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const existing = await currentCode(db, customerId);
    if (existing) return { code: existing, created: false };
    const made = await db
      .insertInto('referralCodes')
      .values({ code: randomReferralCode(), customerId, madeFor: customerId, createdAt: clock.now() })
      .onConflict((oc) => oc.doNothing())
      .returning('code')
      .executeTakeFirst();
    if (made) return { code: made.code, created: true };
  }
  throw new Error(`referral code: five draws for ${customerId} were all taken`);
}

/** The code a customer shows: the oldest it owns (a survivor of a merge keeps its own, and the duplicate's still works). */
export async function currentCode(db: DbOrTx, customerId: string): Promise<string | null> {
  const row = await db.selectFrom('referralCodes').select('code').where('customerId', '=', customerId).orderBy('createdAt').orderBy('code').limit(1).executeTakeFirst();
  return row?.code ?? null;
}
