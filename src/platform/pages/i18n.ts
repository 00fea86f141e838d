/**
 * The languages of the pages customers see: Russian and English. A page's language comes from,
 * in order, `?lang=` (the switch on every page, remembered in a cookie), that cookie, the
 * signed-in customer's locale, then the browser's Accept-Language; Russian when none says.
 */
export const pageLocales = ['ru', 'en'] as const;
export type PageLocale = (typeof pageLocales)[number];

/** Text in both languages, as marketers write consent texts and questions. */
export type Localized = Partial<Record<PageLocale, string>>;

export const LOCALE_COOKIE = 'patron_lang';

export function asPageLocale(tag: string | null | undefined): PageLocale | null {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'ru' || primary === 'en' ? primary : null;
}

/** The best of `ru`/`en` in an Accept-Language header, by its q-values. */
export function fromAcceptLanguage(header: string | undefined): PageLocale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { locale: asPageLocale(tag), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.locale !== null && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.locale ?? null;
}

export function pickLocale(input: { query?: string; cookie?: string; customer?: string | null; acceptLanguage?: string }): PageLocale {
  return asPageLocale(input.query) ?? asPageLocale(input.cookie) ?? asPageLocale(input.customer) ?? fromAcceptLanguage(input.acceptLanguage) ?? 'ru';
}

/** A marketer's text in the page's language, or the other one when only that was written. */
export function localized(text: Localized | undefined, locale: PageLocale): string {
  if (!text) return '';
  return text[locale] ?? text[locale === 'ru' ? 'en' : 'ru'] ?? '';
}

/**
 * The word form for a count: Russian has three (1 балл, 2 балла, 5 баллов), English two.
 * `forms` are [one, few, many]; English uses [one, other] (few unused).
 */
export function plural(locale: PageLocale, count: number, forms: readonly [string, string, string] | readonly [string, string]): string {
  const rule = new Intl.PluralRules(locale === 'ru' ? 'ru-RU' : 'en-GB').select(count);
  if (locale === 'en') return rule === 'one' ? forms[0] : forms[forms.length - 1]!;
  return rule === 'one' ? forms[0] : rule === 'few' ? forms[1] : forms[2] ?? forms[1];
}

/** Numbers, dates and money as the page's language writes them. */
export function formatNumber(locale: PageLocale, value: number): string {
  return new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-GB').format(value);
}

export function formatMoney(locale: PageLocale, minor: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { style: 'currency', currency }).format(minor / 10 ** digits);
}

export function formatDate(locale: PageLocale, at: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone }).format(new Date(at));
}
