import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOCALE_COOKIE, asPageLocale, pickLocale, type PageLocale } from './i18n.ts';
import { rememberLocale, sendPage, type PageOptions } from './layout.ts';

/**
 * What a route says of its page; the responder adds the language, the brand and the switch's
 * path. A route that has read the brand already (with the rest of the settings it needs) passes
 * it, and the responder reads it no second time.
 */
export type PageContent = Omit<PageOptions, 'locale' | 'brand' | 'path'> & { brand?: string };

export type PageResponderOptions = {
  /** The program's name in the header, read for each page (a marketer may rename the program). */
  brand: () => Promise<string>;
  /**
   * The query parameters the language switch keeps, each with what of its value may be kept
   * (null: dropped). Anything else the query held is never written back into the page's links.
   */
  keep?: Record<string, (value: string) => string | null>;
  /**
   * The customer's pages remember a language chosen with the switch in a cookie and read it back
   * (join, account, and the pages of links from messages: the preference centre, surveys), so a
   * customer who chose English on /me gets English behind a message's link too. Off: `?lang=`
   * and the browser only.
   */
  remembered?: boolean;
};

export type PageResponder = {
  /** The page's language: `?lang=`, then (remembered pages) the cookie and the signed-in customer's, then the browser's. */
  locale(request: FastifyRequest, customerLocale?: string | null): PageLocale;
  send(request: FastifyRequest, reply: FastifyReply, locale: PageLocale, content: PageContent): Promise<FastifyReply>;
};

/** One way for every server-rendered page to pick its language and link the switch back to itself. */
export function pageResponder({ brand, keep = {}, remembered = false }: PageResponderOptions): PageResponder {
  const queryLang = (request: FastifyRequest) => (request.query as { lang?: string } | undefined)?.lang;
  return {
    locale(request, customerLocale) {
      return pickLocale({
        query: queryLang(request),
        ...(remembered ? { cookie: request.cookies[LOCALE_COOKIE], customer: customerLocale ?? null } : {}),
        acceptLanguage: request.headers['accept-language'],
      });
    },
    async send(request, reply, locale, content) {
      if (remembered && asPageLocale(queryLang(request))) rememberLocale(reply, locale);
      const { brand: known, ...rest } = content;
      return sendPage(reply, { ...rest, locale, brand: known ?? (await brand()), path: switchPath(request.url, keep) });
    },
  };
}

/** The page's own path with only the kept query parameters (the switch adds `lang`). */
export function switchPath(requestUrl: string, keep: Record<string, (value: string) => string | null>): string {
  const url = new URL(requestUrl, 'http://page.invalid');
  const kept = new URLSearchParams();
  for (const [name, allowed] of Object.entries(keep)) {
    const raw = url.searchParams.get(name);
    const value = raw === null ? null : allowed(raw);
    if (value !== null) kept.set(name, value);
  }
  const query = kept.toString();
  return query === '' ? url.pathname : `${url.pathname}?${query}`;
}
