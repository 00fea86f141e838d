import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

/**
 * Cross-site request forgery, kept out of the customer pages' forms two ways. Every form carries
 * a token signed with the server's secret, bound to what the form acts on (the signed-in session,
 * or the form's name before sign-in) and to when it was made, so a token is good for a few hours
 * and for that one thing. And a POST whose Origin (or Sec-Fetch-Site) names another site is
 * refused before anything else: a browser cannot be made to forge either. No cookie is needed
 * before sign-in, so the join form works inside a site's pop-up, where third-party cookies are blocked.
 */
const MAX_AGE_MS = 6 * 3600_000;

function mac(secret: string, binding: string, issuedAt: string): string {
  return createHmac('sha256', secret).update(`form\n${binding}\n${issuedAt}`).digest('base64url').slice(0, 32);
}

export function formToken(secret: string, binding: string, now: Date): string {
  const issuedAt = Math.floor(now.getTime() / 1000).toString(36);
  return `${issuedAt}.${mac(secret, binding, issuedAt)}`;
}

export function formTokenValid(secret: string, binding: string, token: unknown, now: Date): boolean {
  if (typeof token !== 'string' || token.length > 64) return false;
  const [issuedAt, signature] = token.split('.');
  if (!issuedAt || !signature || !/^[0-9a-z]{1,10}$/.test(issuedAt)) return false;
  const age = now.getTime() - parseInt(issuedAt, 36) * 1000;
  if (age < -60_000 || age > MAX_AGE_MS) return false;
  const expected = Buffer.from(mac(secret, binding, issuedAt));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * False when the browser says the form was sent from another site. Browsers of the last years
 * send Sec-Fetch-Site, which says so outright; for older ones the Origin must be this host (a
 * page whose referrer policy hides its origin sends "null", so pages keep `same-origin`).
 */
export function sameSiteRequest(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  // The host, not the scheme: behind a proxy that ends TLS the server may see http.
  try {
    return new URL(origin).host === request.host;
  } catch {
    return false;
  }
}
