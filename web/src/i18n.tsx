import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/**
 * Russian and English, switchable and remembered in this browser. Each page keeps its own words
 * (`defineText`), so pages stay independent; numbers, money, dates and plurals follow the locale
 * through Intl.
 */
export type Locale = 'ru' | 'en';
export const locales: Locale[] = ['ru', 'en'];
const STORAGE_KEY = 'patron.console.locale';

/** A message: plain text with {name} placeholders, or plural forms chosen by Intl.PluralRules. */
export type Message = string | Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Texts<K extends string> = Record<Locale, Record<K, Message>>;

export function defineText<K extends string>(texts: { en: Record<K, Message>; ru: Record<K, Message> }): Texts<K> {
  return texts;
}

function initialLocale(): Locale {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  if (saved === 'ru' || saved === 'en') return saved;
  return (navigator.language ?? '').toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

type LocaleContext = { locale: Locale; setLocale: (locale: Locale) => void; currency: string; setCurrency: (currency: string) => void };
const Context = createContext<LocaleContext | null>(null);

export function LocaleProvider({ children }: { children: ReactNode }) {
  const [locale, setLocaleState] = useState<Locale>(initialLocale);
  const [currency, setCurrency] = useState('RUB');
  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setLocaleState(next);
  }, []);
  document.documentElement.lang = locale;
  const value = useMemo(() => ({ locale, setLocale, currency, setCurrency }), [locale, setLocale, currency]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useLocale(): LocaleContext {
  const context = useContext(Context);
  if (!context) throw new Error('useLocale outside LocaleProvider');
  return context;
}

const fill = (template: string, vars: Record<string, string | number> = {}) =>
  template.replace(/\{(\w+)\}/g, (all, name: string) => (name in vars ? String(vars[name]) : all));

/** The words of one page in the current locale: t('key', {n: 3}); a plural message picks its form by `count`. */
export function useText<K extends string>(texts: Texts<K>) {
  const { locale } = useLocale();
  return useCallback(
    (key: K, vars: Record<string, string | number> = {}): string => {
      const message = texts[locale][key] ?? texts.en[key];
      if (typeof message === 'string') return fill(message, vars);
      const count = Number(vars.count ?? 0);
      const form = new Intl.PluralRules(locale).select(count);
      return fill(message[form] ?? message.other, { ...vars, count: formatNumber(count, locale) });
    },
    [locale, texts],
  );
}

export function formatNumber(value: number, locale: Locale, options: Intl.NumberFormatOptions = {}): string {
  return new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', options).format(value);
}

/** Money is kept in minor units (kopecks); shown in the currency's major units. */
export function formatMoney(minor: number, currency: string, locale: Locale): string {
  return formatNumber(minor / 100, locale, { style: 'currency', currency, maximumFractionDigits: 2 });
}

export function formatPercent(share: number, locale: Locale, digits = 1): string {
  return formatNumber(share, locale, { style: 'percent', maximumFractionDigits: digits });
}

export function formatDate(iso: string | null | undefined, locale: Locale, withTime = false): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }).format(date);
}

/** Formatters bound to the current locale and the program's currency. */
export function useFormat() {
  const { locale, currency } = useLocale();
  return useMemo(
    () => ({
      locale,
      number: (value: number, options?: Intl.NumberFormatOptions) => formatNumber(value, locale, options),
      money: (minor: number, inCurrency = currency) => formatMoney(minor, inCurrency, locale),
      percent: (share: number, digits?: number) => formatPercent(share, locale, digits),
      date: (iso: string | null | undefined) => formatDate(iso, locale),
      dateTime: (iso: string | null | undefined) => formatDate(iso, locale, true),
    }),
    [locale, currency],
  );
}
