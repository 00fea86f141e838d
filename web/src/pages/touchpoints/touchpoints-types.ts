import { ApiError } from '../../api.ts';

/** What GET /v1/touchpoints/join-form and GET /v1/fiscal-receipts/settings answer, and the form helpers both pages share. */
export type Localized = { ru?: string; en?: string };
export type FieldUse = 'required' | 'optional' | 'hidden';
export const profileFields = ['email', 'firstName', 'lastName', 'birthDate', 'gender', 'city'] as const;
export type ProfileField = (typeof profileFields)[number];
export const consentChannels = ['all', 'email', 'sms', 'push', 'messenger', 'call', 'post'] as const;
export const consentPurposes = ['personal_data', 'marketing', 'transactional', 'profiling'] as const;

export type JoinConsent = {
  id: string;
  channel: (typeof consentChannels)[number];
  purpose: (typeof consentPurposes)[number];
  required: boolean;
  version: string;
  text: Localized;
};
export type JoinAttribute = { key: string; label: Localized; required: boolean };

export type JoinForm = {
  title: Localized;
  intro: Localized;
  fields: Record<ProfileField, FieldUse>;
  attributes: JoinAttribute[];
  consents: JoinConsent[];
  kiosk: { idleSeconds: number; thanksSeconds: number };
  cardPrefix: string;
  embedOrigins: string[];
};
export type JoinFormSettings = JoinForm & { version: number; updatedAt: string | null };

export type AttributeDefinition = { key: string; type: string; label: string; options: string[] | null; personal: boolean };
export type Store = { id: string; name: string; region: string | null; active: boolean };
export type Product = { sku: string; name: string };

export type ProductRule = { sku: string; nameContains?: string; barcode?: string };
export type FiscalSettings = {
  enabled: boolean;
  serviceUrl: string | null;
  serviceFormat: 'proverkacheka' | 'generic';
  timeoutMs: number;
  allowPrivateNetwork: boolean;
  timezone: string;
  storeId: string | null;
  maxAgeDays: number;
  products: ProductRule[];
  tokenSet: boolean;
  version: number;
  updatedAt: string | null;
};

/**
 * The version a changed consent text is saved under: the saved one with its last number raised
 * (pd-1 → pd-2, v9 → v10), or "-2" added when it has no number.
 */
export function nextVersion(version: string): string {
  const found = /^(.*?)(\d+)$/.exec(version);
  if (!found) return `${version}-2`.slice(0, 100);
  return `${found[1]}${Number(found[2]) + 1}`;
}

/** The text in the reader's language, else the other one. */
export const localized = (text: Localized, locale: 'ru' | 'en'): string => (locale === 'ru' ? text.ru || text.en : text.en || text.ru) ?? '';

/** An empty language is left out, as GET answers a language never written. */
export function cleanText(text: Localized): Localized {
  return { ...(text.ru?.trim() ? { ru: text.ru } : {}), ...(text.en?.trim() ? { en: text.en } : {}) };
}

/** A whole number typed in a field, or the text as typed so the server names what is wrong. */
export const wholeOf = (value: string): number | string => {
  const trimmed = value.trim().replace(/\s/g, '');
  const n = Number(trimmed.replace(',', '.'));
  return trimmed !== '' && Number.isFinite(n) ? n : trimmed;
};

/** Whether a refused save names a field the page does not show beside a field (then the whole message is shown on top). */
export function hasUnplaced(error: unknown, placed: (field: string) => boolean, conflictCode: string): boolean {
  if (!error) return false;
  if (!(error instanceof ApiError)) return true;
  if (error.code === conflictCode) return false;
  return error.fields.length === 0 || error.fields.some((f) => !placed(normalField(f.field)));
}

const normalField = (field: string) => field.replace(/^body\./, '').replace(/\[(\d+)\]/g, '.$1');

/** The server's words about exactly one field of a refused save (`consents.0.text`, `products[2].sku`), if any. */
export function problemAt(error: unknown, path: string): string | null {
  if (!(error instanceof ApiError)) return null;
  return error.fields.find((f) => normalField(f.field) === path)?.reason ?? null;
}
