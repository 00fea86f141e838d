import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from './touchpoints.db.ts';
import type { Ids } from './touchpoints.ids.ts';
import type { OtpPurpose } from './touchpoints.tables.ts';

/**
 * One-time codes sent by SMS to prove a phone: six digits, good for five minutes and five
 * tries, then gone. Only an HMAC of the code is stored. Limits per phone (a stranger cannot
 * flood someone's phone or run up the SMS bill) and per address (one visitor cannot try many
 * phones) are counted in the database under an advisory lock on the phone, so they hold with
 * several instances and under concurrent requests.
 */
export const CODE_TTL_MS = 5 * 60_000;
export const MAX_ATTEMPTS = 5;
const LIMITS = { phonePer15Min: 3, phonePerDay: 10, addressPerHour: 20 };

export type CodeRequest = { purpose: OtpPurpose; phone: string; customerId: string | null; payload: Record<string, unknown> | null; ip: string | null };
export type IssuedCode = { challengeId: string; code: string; expiresAt: Date };
export type CodeRefusal = { refused: 'too_many'; retryAfterSeconds: number };

const hashOf = (secret: string, challengeId: string, code: string) => createHmac('sha256', secret).update(`otp\n${challengeId}\n${code}`).digest('base64url');

export async function issueCode(db: Db, clock: Clock, ids: Ids, secret: string, request: CodeRequest): Promise<IssuedCode | CodeRefusal> {
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`otp:${request.phone}`}, 0))`.execute(tx);
    const dayAgo = new Date(now.getTime() - 86_400_000);
    const recent = await tx
      .selectFrom('otpChallenges')
      .select(['createdAt'])
      .where('phone', '=', request.phone)
      .where('createdAt', '>', dayAgo)
      .orderBy('createdAt', 'desc')
      .limit(LIMITS.phonePerDay)
      .execute();
    const quarterAgo = now.getTime() - 15 * 60_000;
    const inQuarter = recent.filter((row) => row.createdAt.getTime() > quarterAgo);
    if (inQuarter.length >= LIMITS.phonePer15Min) {
      return { refused: 'too_many', retryAfterSeconds: Math.ceil((inQuarter[LIMITS.phonePer15Min - 1]!.createdAt.getTime() + 15 * 60_000 - now.getTime()) / 1000) };
    }
    if (recent.length >= LIMITS.phonePerDay) {
      return { refused: 'too_many', retryAfterSeconds: Math.ceil((recent[LIMITS.phonePerDay - 1]!.createdAt.getTime() + 86_400_000 - now.getTime()) / 1000) };
    }
    if (request.ip) {
      const hourAgo = new Date(now.getTime() - 3600_000);
      const fromAddress = await tx
        .selectFrom('otpChallenges')
        .select(['createdAt'])
        .where('ip', '=', request.ip)
        .where('createdAt', '>', hourAgo)
        .orderBy('createdAt', 'desc')
        .limit(LIMITS.addressPerHour)
        .execute();
      if (fromAddress.length >= LIMITS.addressPerHour) {
        return { refused: 'too_many', retryAfterSeconds: Math.ceil((fromAddress[LIMITS.addressPerHour - 1]!.createdAt.getTime() + 3600_000 - now.getTime()) / 1000) };
      }
    }
    const challengeId = ids.next('otp');
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS);
    await tx
      .insertInto('otpChallenges')
      .values({
        id: challengeId,
        purpose: request.purpose,
        phone: request.phone,
        customerId: request.customerId,
        codeHash: hashOf(secret, challengeId, code),
        attempts: 0,
        payload: request.payload === null ? null : JSON.stringify(request.payload),
        ip: request.ip,
        createdAt: now,
        expiresAt,
      })
      .execute();
    return { challengeId, code, expiresAt };
  });
}

export type ConfirmedChallenge = { id: string; purpose: OtpPurpose; phone: string; customerId: string | null; payload: Record<string, unknown> | null };
export type CodeFailure = 'wrong' | 'expired' | 'no_attempts_left';

/**
 * Checks a code. The try is counted first, in one guarded UPDATE, so parallel guesses cannot
 * exceed the limit; a right code is consumed by a second guarded UPDATE, so it signs in once.
 */
export async function confirmCode(db: Db, clock: Clock, secret: string, challengeId: string, purpose: OtpPurpose, code: string): Promise<ConfirmedChallenge | CodeFailure> {
  const now = clock.now();
  const counted = await db
    .updateTable('otpChallenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challengeId)
    .where('purpose', '=', purpose)
    .where('consumedAt', 'is', null)
    .where('expiresAt', '>', now)
    .where('attempts', '<', MAX_ATTEMPTS)
    .returning(['codeHash', 'attempts', 'payload'])
    .executeTakeFirst();
  if (!counted) {
    const row = await db.selectFrom('otpChallenges').select(['attempts', 'expiresAt', 'consumedAt']).where('id', '=', challengeId).where('purpose', '=', purpose).executeTakeFirst();
    return row && row.consumedAt === null && row.expiresAt > now ? 'no_attempts_left' : 'expired';
  }
  const expected = Buffer.from(counted.codeHash);
  const given = Buffer.from(hashOf(secret, challengeId, code.trim()));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return counted.attempts >= MAX_ATTEMPTS ? 'no_attempts_left' : 'wrong';
  const consumed = await db
    .updateTable('otpChallenges')
    .set({ consumedAt: now, payload: null })
    .where('id', '=', challengeId)
    .where('consumedAt', 'is', null)
    .returning(['id', 'purpose', 'phone', 'customerId'])
    .executeTakeFirst();
  if (!consumed) return 'expired';
  // The form's answers were read by the counting UPDATE; consumed, they are not kept.
  return { ...consumed, payload: counted.payload };
}

/** How many tries a challenge has left and its phone (the code page shows both after a wrong code). */
export async function challengeState(db: Db, challengeId: string): Promise<{ attemptsLeft: number; phone: string }> {
  const row = await db.selectFrom('otpChallenges').select(['attempts', 'phone']).where('id', '=', challengeId).executeTakeFirst();
  return row ? { attemptsLeft: Math.max(0, MAX_ATTEMPTS - row.attempts), phone: row.phone } : { attemptsLeft: 0, phone: '' };
}
