import type { Locale } from '../../i18n.tsx';
import type { Localized } from './messaging-types.ts';

/** A topic's name or description in the page's language, else the other one, else the fallback (the key). */
export const inLocale = (words: Localized | undefined, locale: Locale, fallback = ''): string => words?.[locale]?.trim() || words?.[locale === 'ru' ? 'en' : 'ru']?.trim() || fallback;
