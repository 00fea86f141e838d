import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Db, Tx } from './touchpoints.db.ts';
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
const QUARTER_MS = 15 * 60_000;
const HOUR_MS = 3600_000;
const DAY_MS = 86_400_000;

export type CodeRequest = { purpose: OtpPurpose; phone: string; customerId: string | null; payload: Record<string, unknown> | null; ip: string | null };
export type IssuedCode = { challengeId: string; code: string; expiresAt: Date };
export type CodeRefusal = { refused: 'too_many'; retryAfterSeconds: number };

/**
 * When the codes were asked for from one phone or one address since `since`, newest first: at
 * most `limit` of them, as no limit looks further back than its own count.
 */
async function askedSince(tx: Tx, by: 'phone' | 'ip', value: string, since: Date, limit: number): Promise<Date[]> {
  const rows = await tx.selectFrom('otpChallenges').select('createdAt').where(by, '=', value).where('createdAt', '>', since).orderBy('createdAt', 'desc').limit(limit).execute();
  return rows.map((row) => row.createdAt);
}

/** Seconds until the oldest of the last `limit` asks (newest first) leaves the window; null while under the limit. */
function waitFor(asked: Date[], limit: number, windowMs: number, now: Date): number | null {
  const inWindow = asked.filter((at) => at.getTime() > now.getTime() - windowMs);
  return inWindow.length >= limit ? Math.ceil((inWindow[limit - 1]!.getTime() + windowMs - now.getTime()) / 1000) : null;
}

const hashOf = (secret: string, challengeId: string, code: string) => createHmac('sha256', secret).update(`otp\n${challengeId}\n${code}`).digest('base64url');

export async function issueCode(db: Db, clock: Clock, ids: Ids, secret: string, request: CodeRequest): Promise<IssuedCode | CodeRefusal> {
  const now = clock.now();
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`otp:${request.phone}`}, 0))`.execute(tx);
    const fromPhone = await askedSince(tx, 'phone', request.phone, new Date(now.getTime() - DAY_MS), LIMITS.phonePerDay);
    const wait =
      waitFor(fromPhone, LIMITS.phonePer15Min, QUARTER_MS, now) ??
      waitFor(fromPhone, LIMITS.phonePerDay, DAY_MS, now) ??
      (request.ip ? waitFor(await askedSince(tx, 'ip', request.ip, new Date(now.getTime() - HOUR_MS), LIMITS.addressPerHour), LIMITS.addressPerHour, HOUR_MS, now) : null);
    if (wait !== null) return { refused: 'too_many', retryAfterSeconds: wait };
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
