import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyReply } from 'fastify';
import { html, trusted, type Html } from './html.ts';
import { LOCALE_COOKIE, type PageLocale } from './i18n.ts';

/**
 * The shell of every page a customer sees: server-rendered HTML with its few rules of CSS and
 * one small script inline (and a page's own, such as the account page's camera scan), allowed by
 * their hashes in the page's Content-Security-Policy (no other script, style or frame can run),
 * so a phone gets the whole page in one answer.
 */
const CSS = readFileSync(new URL('./assets/pages.css', import.meta.url), 'utf8');
const JS = readFileSync(new URL('./assets/pages.js', import.meta.url), 'utf8');
const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const STYLE_HASH = hash(CSS);
const SCRIPT_HASH = hash(JS);

export type PageVariant = 'page' | 'kiosk' | 'embed';

/**
 * A page's own script beside the common one (the account page's QR scanner), inline and allowed
 * by its hash like the common one. `workers`: it may start Web Workers from this origin's files
 * (`worker-src 'self'`: a worker's script must be served as JavaScript, so no JSON answer of the
 * API can pass for one).
 */
export type PageScript = { source: string; hash: string; workers: boolean };

export function pageScript(source: string, { workers = false }: { workers?: boolean } = {}): PageScript {
  return { source, hash: hash(source), workers };
}

export type PageOptions = {
  locale: PageLocale;
  title: string;
  /** The program's name, in the header and the title. */
  brand: string;
  body: Html;
  status?: number;
  variant?: PageVariant;
  /** The page's own address for the language switch (path and query, without `lang`). */
  path: string;
  /** Sites allowed to frame the page (the join form in a pop-up); none: no framing. */
  frameAncestors?: readonly string[];
  /** Data for the script: a kiosk's idle reset, the pop-up's "joined" notice. */
  data?: Record<string, string | number>;
  /** Seconds, then the browser goes to `url` (a kiosk's welcome screen back to the form). */
  refresh?: { seconds: number; url: string };
  /** The page's own script, after the common one. */
  script?: PageScript;
};

const labels = { ru: { skip: 'К содержанию', language: 'Язык' }, en: { skip: 'Skip to content', language: 'Language' } };

function languageSwitch(locale: PageLocale, path: string): Html {
  const link = (to: PageLocale, text: string) => {
    const url = new URL(path, 'http://page.invalid');
    url.searchParams.set('lang', to);
    const href = `${url.pathname}${url.search}`;
    return to === locale ? html`<a href="${href}" aria-current="true" lang="${to}">${text}</a>` : html`<a href="${href}" lang="${to}">${text}</a>`;
  };
  return html`<nav class="lang" aria-label="${labels[locale].language}">${link('ru', 'Рус')}${link('en', 'Eng')}</nav>`;
}

export function renderPage(options: PageOptions): string {
  const { locale, variant = 'page' } = options;
  const data = Object.entries(options.data ?? {}).map(([key, value]) => html` data-${key}="${value}"`);
  const refresh = options.refresh ? html`<meta http-equiv="refresh" content="${options.refresh.seconds};url=${options.refresh.url}">` : '';
  const page = html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">${refresh}
<title>${options.title} — ${options.brand}</title><style>${trusted(CSS)}</style></head>
<body class="${variant}"${data}><a class="skip" href="#main">${labels[locale].skip}</a>
<header><span class="brand">${options.brand}</span>${languageSwitch(locale, options.path)}</header>
<main id="main">${options.body}</main><script>${trusted(JS)}</script>${options.script ? html`<script>${trusted(options.script.source)}</script>` : ''}</body></html>`;
  return page.markup;
}

/** Sends a page with the headers that keep it safe: its CSP, no caching, framing only where allowed. */
export function sendPage(reply: FastifyReply, options: PageOptions): FastifyReply {
  const ancestors = options.variant === 'embed' && options.frameAncestors?.length ? options.frameAncestors.join(' ') : "'none'";
  const scripts = options.script ? `${SCRIPT_HASH} ${options.script.hash}` : SCRIPT_HASH;
  const workers = options.script?.workers ? "; worker-src 'self'" : '';
  reply.header(
    'content-security-policy',
    `default-src 'none'; script-src ${scripts}; style-src ${STYLE_HASH}; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors ${ancestors}${workers}`,
  );
  reply.header('cache-control', 'no-store');
  // Same-origin, not no-referrer: the browser then sends the Origin of our own forms' posts.
  reply.header('referrer-policy', 'same-origin');
  return reply.status(options.status ?? 200).type('text/html; charset=utf-8').send(renderPage(options));
}

/** Remembers the language a customer chose with the switch (a year; not personal data). */
export function rememberLocale(reply: FastifyReply, locale: PageLocale): void {
  reply.setCookie(LOCALE_COOKIE, locale, { path: '/', maxAge: 31_536_000, sameSite: 'lax' });
}
