import type { FieldProblem } from '../../platform/errors.ts';
import { isTimezone } from '../../platform/time-zones.ts';

export type Gender = 'female' | 'male' | 'other';

/** The plain profile fields; null clears a field on update. */
export type ProfileInput = {
  firstName?: string | null;
  lastName?: string | null;
  birthDate?: string | null;
  gender?: Gender | null;
  city?: string | null;
  timezone?: string | null;
  locale?: string | null;
  tags?: string[];
};

export function canonicalLocale(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/** Birth dates are calendar dates from 1900 up to today (in UTC; a day's slack for timezones). */
export function checkBirthDate(text: string, today: Date): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return 'must be a date YYYY-MM-DD';
  const date = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) return 'is not a calendar date';
  if (text < '1900-01-01') return 'must be in 1900 or later';
  if (date.getTime() > today.getTime() + 24 * 3600 * 1000) return 'is in the future';
  return null;
}

export function normalizeTags(tags: string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim()).filter((tag) => tag !== ''))].sort();
}

/** Checks and tidies profile fields; the schema already checked types and lengths. */
export function checkProfile(input: ProfileInput, today: Date): { profile: ProfileInput; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const profile: ProfileInput = { ...input };
  for (const field of ['firstName', 'lastName', 'city'] as const) {
    const value = input[field];
    if (typeof value === 'string') profile[field] = value.trim() === '' ? null : value.trim();
  }
  if (typeof input.birthDate === 'string') {
    const problem = checkBirthDate(input.birthDate, today);
    if (problem) problems.push({ field: 'birthDate', reason: problem });
  }
  if (typeof input.timezone === 'string' && !isTimezone(input.timezone)) {
    problems.push({ field: 'timezone', reason: 'is not an IANA timezone such as Europe/Moscow' });
  }
  if (typeof input.locale === 'string') {
    const locale = canonicalLocale(input.locale);
    if (locale) profile.locale = locale;
    else problems.push({ field: 'locale', reason: 'is not a BCP 47 language tag such as ru-RU' });
  }
  if (input.tags) profile.tags = normalizeTags(input.tags);
  return { profile, problems };
}
