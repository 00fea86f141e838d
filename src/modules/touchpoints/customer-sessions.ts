import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Db, DbOrTx } from './touchpoints.db.ts';

/**
 * Customers signed in to their account page. The browser holds a random token in an httpOnly
 * cookie; the table holds its SHA-256. A session lasts 30 days from the last visit (renewed at
 * most once an hour, so a page view rarely writes) and ends at sign-out or erase; signing in on
 * another device does not end it (a phone and a laptop are normal).
 */
export const SESSION_COOKIE = 'patron_session';
const LIFETIME_MS = 30 * 86_400_000;
const RENEW_AFTER_MS = 3600_000;

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function startSession(db: Db, clock: Clock, customerId: string): Promise<{ token: string; maxAgeSeconds: number }> {
  const now = clock.now();
  const token = randomBytes(32).toString('base64url');
  await db.insertInto('customerSessions').values({ tokenHash: tokenHash(token), customerId, createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + LIFETIME_MS) }).execute();
  return { token, maxAgeSeconds: LIFETIME_MS / 1000 };
}

/** The session a cookie names, if it is still good: its hash (what forms are bound to) and customer. */
export async function findSession(db: Db, clock: Clock, token: string | undefined): Promise<{ hash: string; customerId: string } | null> {
  if (!token || token.length > 100) return null;
  const now = clock.now();
  const hash = tokenHash(token);
  const row = await db.selectFrom('customerSessions').select(['customerId', 'lastSeenAt']).where('tokenHash', '=', hash).where('expiresAt', '>', now).executeTakeFirst();
  if (!row) return null;
  if (now.getTime() - row.lastSeenAt.getTime() > RENEW_AFTER_MS) {
    await db.updateTable('customerSessions').set({ lastSeenAt: now, expiresAt: new Date(now.getTime() + LIFETIME_MS) }).where('tokenHash', '=', hash).execute();
  }
  return { hash, customerId: row.customerId };
}

export async function endSession(db: Db, hash: string): Promise<void> {
  await db.deleteFrom('customerSessions').where('tokenHash', '=', hash).execute();
}

/** Erase signs the customers out everywhere; a merge moves the duplicate's sessions to the survivor. */
export async function endSessionsOf(tx: DbOrTx, customerIds: string[]): Promise<void> {
  if (customerIds.length > 0) await tx.deleteFrom('customerSessions').where('customerId', 'in', customerIds).execute();
}

export async function moveSessions(tx: DbOrTx, fromId: string, intoId: string): Promise<void> {
  await tx.updateTable('customerSessions').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
}
