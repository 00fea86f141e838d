import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DbOrTx } from './surveys.db.ts';

/**
 * Per-customer survey links: `${publicUrl}/s/{token}`, the token `<surveyId>.<customerId>.<mac>`
 * where mac is HMAC-SHA256 over both ids with the surveys' link key (base64url, 27 characters:
 * 160 bits), as messaging signs its tracking links. A token altered in either id, or made for
 * another survey or customer, does not verify. The key is drawn at first use and kept in
 * survey_settings; it is never answered or logged.
 */
const MAC_LENGTH = 27;

function mac(secret: string, surveyId: string, customerId: string): string {
  return createHmac('sha256', secret).update(`survey\n${surveyId}\n${customerId}`).digest('base64url').slice(0, MAC_LENGTH);
}

export function surveyToken(secret: string, surveyId: string, customerId: string): string {
  return `${surveyId}.${customerId}.${mac(secret, surveyId, customerId)}`;
}

/** The survey and customer a token names when its signature holds; null otherwise. */
export function verifySurveyToken(secret: string, token: string): { surveyId: string; customerId: string } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [surveyId, customerId, given] = parts as [string, string, string];
  if (!/^srv_[0-9a-f]{32}$/.test(surveyId) || !/^cus_[0-9a-f]{32}$/.test(customerId)) return null;
  const expected = Buffer.from(mac(secret, surveyId, customerId));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? { surveyId, customerId } : null;
}

export const surveyLinkUrl = (base: string, token: string) => `${base.replace(/\/+$/, '')}/s/${token}`;

/** The link key: drawn at first use (several instances: the first insert wins, all read the same). */
export async function linkSecret(db: DbOrTx): Promise<string> {
  const found = await db.selectFrom('surveySettings').select('linkSecret').where('id', '=', 1).executeTakeFirst();
  if (found) return found.linkSecret;
  await db.insertInto('surveySettings').values({ id: 1, linkSecret: randomBytes(32).toString('hex') }).onConflict((oc) => oc.column('id').doNothing()).execute();
  return (await db.selectFrom('surveySettings').select('linkSecret').where('id', '=', 1).executeTakeFirstOrThrow()).linkSecret;
}

/** A public answer's address as evidence: a keyed hash, so the address itself is never stored. */
export const addressHash = (secret: string, ip: string | undefined) => createHmac('sha256', secret).update(`ip\n${ip ?? 'unknown'}`).digest('base64url').slice(0, 32);
