import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The links in messages: an open pixel, each link of an e-mail through a click redirect, and
 * the unsubscribe link. Each carries the message id and a signature (HMAC-SHA256 with the
 * program's link key): a forged or altered link is refused, and the click redirect goes only to
 * the URL that was signed with the message — never to one a visitor puts in, so it is no open
 * redirect.
 */
export type LinkKind = 'open' | 'click' | 'unsubscribe';
const prefix: Record<LinkKind, string> = { open: 'o', click: 'c', unsubscribe: 'u' };

function mac(secret: string, kind: LinkKind, messageId: string, url = ''): string {
  return createHmac('sha256', secret).update(`${kind}\n${messageId}\n${url}`).digest('base64url').slice(0, 27);
}

/** `<messageId>.<signature>` */
export function linkToken(secret: string, kind: LinkKind, messageId: string, url?: string): string {
  return `${messageId}.${mac(secret, kind, messageId, url)}`;
}

/** The message a token names when its signature holds; null otherwise. */
export function verifyToken(secret: string, kind: LinkKind, token: string, url?: string): string | null {
  const dot = token.lastIndexOf('.');
  if (dot <= 0) return null;
  const messageId = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(secret, kind, messageId, url));
  return given.length === expected.length && timingSafeEqual(given, expected) ? messageId : null;
}

export function trackingUrl(base: string, secret: string, kind: LinkKind, messageId: string, url?: string): string {
  const path = `${base}/t/${prefix[kind]}/${linkToken(secret, kind, messageId, url)}`;
  return kind === 'click' ? `${path}?u=${encodeURIComponent(url ?? '')}` : kind === 'open' ? `${path}.gif` : path;
}

const HREF = /(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"']+)\2/gi;

/** Rewrites every http(s) link of an HTML part through the click redirect and adds the open pixel. */
export function trackHtml(html: string, base: string, secret: string, messageId: string, unsubscribeUrl: string): string {
  const rewritten = html.replace(HREF, (_all, head: string, quote: string, url: string) => {
    const target = url.replace(/&amp;/g, '&');
    // The unsubscribe link is left as it is: it must work even where a click is not counted.
    if (target === unsubscribeUrl) return `${head}${quote}${url}${quote}`;
    return `${head}${quote}${trackingUrl(base, secret, 'click', messageId, target).replace(/&/g, '&amp;')}${quote}`;
  });
  const pixel = `<img src="${trackingUrl(base, secret, 'open', messageId)}" width="1" height="1" alt="" style="display:none">`;
  return /<\/body>/i.test(rewritten) ? rewritten.replace(/<\/body>/i, `${pixel}</body>`) : `${rewritten}${pixel}`;
}

/** The 1×1 transparent GIF an open pixel answers. */
export const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
