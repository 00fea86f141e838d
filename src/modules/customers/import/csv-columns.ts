import type { AttributeDefinition } from '../attributes.ts';
import { consentChannels, consentPurposes, type ConsentChannel, type ConsentPurpose } from '../consents.ts';
import { EXTERNAL_SOURCE } from '../identifiers.ts';

/**
 * The columns of a customer CSV (the same for import and export). Header names are
 * case-insensitive and may use spaces, dashes or camelCase for the underscores.
 */
export type Column =
  | { kind: 'phone' | 'email' | 'card' | 'firstName' | 'lastName' | 'birthDate' | 'gender' | 'city' | 'timezone' | 'locale' | 'tags' }
  | { kind: 'consentAt' | 'consentTextVersion' | 'id' }
  | { kind: 'external'; source: string }
  | { kind: 'attribute'; definition: AttributeDefinition }
  | { kind: 'consent'; channel: ConsentChannel; purpose: ConsentPurpose };

const plain = new Map<string, Column['kind']>(Object.entries({
  id: 'id',
  phone: 'phone',
  email: 'email',
  card: 'card',
  card_number: 'card',
  first_name: 'firstName',
  last_name: 'lastName',
  birth_date: 'birthDate',
  gender: 'gender',
  city: 'city',
  timezone: 'timezone',
  locale: 'locale',
  tags: 'tags',
  consent_at: 'consentAt',
  consent_text_version: 'consentTextVersion',
} satisfies Record<string, Column['kind']>));

export function canonicalHeader(name: string): string {
  return name
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();
}

export type HeaderResult = { columns: Column[] } | { problem: string };

export function parseHeader(names: string[], definitions: Map<string, AttributeDefinition>): HeaderResult {
  const columns: Column[] = [];
  const seen = new Set<string>();
  for (const raw of names) {
    const name = canonicalHeader(raw);
    if (seen.has(name)) return { problem: `column "${raw}" appears twice` };
    seen.add(name);
    const kind = plain.get(name);
    if (kind) {
      columns.push({ kind } as Column);
      continue;
    }
    const [prefix, ...rest] = name.split('.');
    if ((prefix === 'external_id' || prefix === 'external') && rest.length === 1 && EXTERNAL_SOURCE.test(rest[0]!)) {
      columns.push({ kind: 'external', source: rest[0]! });
    } else if ((prefix === 'attr' || prefix === 'attribute') && rest.length === 1 && definitions.has(rest[0]!)) {
      columns.push({ kind: 'attribute', definition: definitions.get(rest[0]!)! });
    } else if (
      prefix === 'consent' &&
      rest.length === 2 &&
      (consentChannels as readonly string[]).includes(rest[0]!) &&
      (consentPurposes as readonly string[]).includes(rest[1]!)
    ) {
      columns.push({ kind: 'consent', channel: rest[0] as ConsentChannel, purpose: rest[1] as ConsentPurpose });
    } else if (prefix === 'attr' || prefix === 'attribute') {
      return { problem: `column "${raw}" names an attribute that is not defined (PUT /v1/customer-attributes/{key} first)` };
    } else {
      return {
        problem:
          `unknown column "${raw}"; known: phone, email, card_number, external_id.<source>, first_name, last_name, ` +
          'birth_date, gender, city, timezone, locale, tags, attr.<key>, consent.<channel>.<purpose>, consent_at, consent_text_version',
      };
    }
  }
  const identifying = columns.some((c) => ['phone', 'email', 'card', 'external'].includes(c.kind));
  if (!identifying) return { problem: 'the file needs at least one identifier column: phone, email, card_number or external_id.<source>' };
  return { columns };
}
