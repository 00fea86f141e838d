import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import type { FieldProblem } from '../../platform/errors.ts';

/** How identifiers are stored: one row per (kind, source, value), each owned by one customer. */
export type IdentifierKind = 'phone' | 'email' | 'card' | 'external';
export type Identifier = { kind: IdentifierKind; source: string; value: string };

export type Normalized<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Phones are stored in E.164; "8 (912) 345-67-89" in Russia is +79123456789. */
export function normalizePhone(raw: string, defaultRegion: string): Normalized<string> {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  if (!/^[+\d\s().\-/]+$/.test(text)) return { ok: false, reason: 'may hold only digits, spaces, + ( ) - . /' };
  try {
    const phone = parsePhoneNumberWithError(text, defaultRegion as CountryCode);
    if (!phone.isValid()) return { ok: false, reason: 'is not a valid phone number' };
    return { ok: true, value: phone.number };
  } catch {
    return { ok: false, reason: 'is not a valid phone number' };
  }
}

// Practical rather than RFC 5322: one @, no spaces, a dot in the domain, sane lengths.
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** E-mails are trimmed and lower-cased before they are stored or looked up. */
export function normalizeEmail(raw: string): Normalized<string> {
  const value = raw.trim().toLowerCase();
  if (value === '') return { ok: false, reason: 'is empty' };
  const at = value.lastIndexOf('@');
  if (value.length > 254 || at > 64 || !EMAIL.test(value)) return { ok: false, reason: 'is not a valid e-mail address' };
  return { ok: true, value };
}

/** Card numbers lose spaces and dashes and are upper-cased: "1234 5678" = "12345678". */
export function normalizeCard(raw: string): Normalized<string> {
  const value = raw.replace(/[\s-]/g, '').toUpperCase();
  if (!/^[0-9A-Z]{4,32}$/.test(value)) return { ok: false, reason: 'must be 4 to 32 letters or digits' };
  return { ok: true, value };
}

export const EXTERNAL_SOURCE = /^[a-z][a-z0-9_-]{0,31}$/;

export function normalizeExternal(source: string, id: string): Normalized<Identifier> {
  if (!EXTERNAL_SOURCE.test(source)) return { ok: false, reason: 'source must be lower-case letters, digits, _ or -' };
  const value = id.trim();
  if (value === '' || value.length > 128 || /\s/.test(value)) return { ok: false, reason: 'must be 1 to 128 characters without spaces' };
  return { ok: true, value: { kind: 'external', source, value } };
}

/** "eshop:123" as used by lookup and CSV files. */
export function parseExternalRef(ref: string): Normalized<Identifier> {
  const colon = ref.indexOf(':');
  if (colon < 1) return { ok: false, reason: 'must look like <source>:<id>' };
  return normalizeExternal(ref.slice(0, colon), ref.slice(colon + 1));
}

export type IdentifierInput = {
  phone?: string | null;
  email?: string | null;
  cardNumber?: string | null;
  externalIds?: Record<string, string | null>;
};

/**
 * Normalises what a caller sent. Null means "remove" (PATCH) and is returned in `removed`;
 * problems are collected per field so a caller sees them all at once.
 */
export function normalizeIdentifiers(
  input: IdentifierInput,
  defaultRegion: string,
): { set: Identifier[]; removed: Array<Omit<Identifier, 'value'>>; problems: FieldProblem[] } {
  const set: Identifier[] = [];
  const removed: Array<Omit<Identifier, 'value'>> = [];
  const problems: FieldProblem[] = [];
  const simple = [
    ['phone', 'phone', (raw: string) => normalizePhone(raw, defaultRegion)],
    ['email', 'email', normalizeEmail],
    ['cardNumber', 'card', normalizeCard],
  ] as const;
  for (const [field, kind, normalize] of simple) {
    const raw = input[field];
    if (raw === undefined) continue;
    if (raw === null) {
      removed.push({ kind, source: '' });
      continue;
    }
    const result = normalize(raw);
    if (result.ok) set.push({ kind, source: '', value: result.value });
    else problems.push({ field, reason: result.reason });
  }
  for (const [source, raw] of Object.entries(input.externalIds ?? {})) {
    if (raw === null) {
      if (EXTERNAL_SOURCE.test(source)) removed.push({ kind: 'external', source });
      else problems.push({ field: `externalIds.${source}`, reason: 'source must be lower-case letters, digits, _ or -' });
      continue;
    }
    const result = normalizeExternal(source, raw);
    if (result.ok) set.push(result.value);
    else problems.push({ field: `externalIds.${source}`, reason: result.reason });
  }
  return { set, removed, problems };
}

export function describeIdentifier(identifier: Omit<Identifier, 'value'>): string {
  switch (identifier.kind) {
    case 'phone':
      return 'phone';
    case 'email':
      return 'email';
    case 'card':
      return 'cardNumber';
    case 'external':
      return `externalIds.${identifier.source}`;
  }
}
