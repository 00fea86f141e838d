import { restoreCell } from '../../../platform/csv-cells.ts';
import type { FieldProblem } from '../../../platform/errors.ts';
import { isStorableText, parseInstant } from '../../../platform/text.ts';
import { isTimezone } from '../../../platform/time-zones.ts';
import { parseAttributeText, type AttributeValue } from '../attributes.ts';
import type { ConsentChannel, ConsentPurpose } from '../consents.ts';
import { normalizeCard, normalizeEmail, normalizeExternal, normalizePhone, type Identifier, type Normalized } from '../identifiers.ts';
import { canonicalLocale, checkBirthDate, normalizeTags, type Gender } from '../profile.ts';
import type { Column } from './csv-columns.ts';

/** One good CSV row, normalised; empty cells are absent (an import never clears a value). */
export type ImportRow = {
  line: number;
  identifiers: Identifier[];
  profile: {
    firstName?: string;
    lastName?: string;
    birthDate?: string;
    gender?: Gender;
    city?: string;
    timezone?: string;
    locale?: string;
    tags?: string[];
  };
  attributes: Record<string, AttributeValue>;
  consents: Array<{ channel: ConsentChannel; purpose: ConsentPurpose; granted: boolean }>;
  consentAt?: string;
  consentTextVersion?: string;
  /** When a new customer joined, for rows made in code (the demo); the CSV has no such column, so it is now. */
  signedUpAt?: Date;
};

const genders = new Map<string, Gender>([
  ['female', 'female'],
  ['f', 'female'],
  ['ж', 'female'],
  ['male', 'male'],
  ['m', 'male'],
  ['м', 'male'],
  ['other', 'other'],
]);
const yes = new Set(['yes', 'y', 'true', '1', 'granted', 'да']);
const no = new Set(['no', 'n', 'false', '0', 'withdrawn', 'нет']);

export function headerName(column: Column): string {
  switch (column.kind) {
    case 'external':
      return `external_id.${column.source}`;
    case 'attribute':
      return `attr.${column.definition.key}`;
    case 'consent':
      return `consent.${column.channel}.${column.purpose}`;
    case 'card':
      return 'card_number';
    default:
      return column.kind.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  }
}

/** Turns the cells of one record into a row, or the problems that keep it out. */
export function parseRow(
  line: number,
  cells: string[],
  columns: Column[],
  phoneRegion: string,
  today: Date,
): { row: ImportRow } | { problems: FieldProblem[] } {
  const row: ImportRow = { line, identifiers: [], profile: {}, attributes: {}, consents: [] };
  const problems: FieldProblem[] = [];
  const note = (column: Column, reason: string) => {
    problems.push({ field: headerName(column), reason });
  };
  const identifier = (column: Column, result: Normalized<string>, kind: 'phone' | 'email' | 'card') => {
    if (result.ok) row.identifiers.push({ kind, source: '', value: result.value });
    else note(column, result.reason);
  };

  columns.forEach((column, index) => {
    // An exported file quotes cells a spreadsheet would run as formulas; the quote is not data.
    const cell = restoreCell((cells[index] ?? '').trim());
    if (cell === '') return;
    if (cell.length > 1000) return note(column, 'is longer than 1000 characters');
    if (!isStorableText(cell)) return note(column, 'holds a character that cannot be stored (U+0000)');
    switch (column.kind) {
      case 'id':
        return; // export round-trip: rows are matched by identifiers, not by our id
      case 'phone':
        return identifier(column, normalizePhone(cell, phoneRegion), 'phone');
      case 'email':
        return identifier(column, normalizeEmail(cell), 'email');
      case 'card':
        return identifier(column, normalizeCard(cell), 'card');
      case 'external': {
        const result = normalizeExternal(column.source, cell);
        if (result.ok) row.identifiers.push(result.value);
        else note(column, result.reason);
        return;
      }
      case 'firstName':
      case 'lastName':
      case 'city':
        if (cell.length > 100) return note(column, 'is longer than 100 characters');
        row.profile[column.kind] = cell;
        return;
      case 'birthDate': {
        const problem = checkBirthDate(cell, today);
        if (problem) return note(column, problem);
        row.profile.birthDate = cell;
        return;
      }
      case 'gender': {
        const gender = genders.get(cell.toLowerCase());
        if (!gender) return note(column, 'must be female, male or other');
        row.profile.gender = gender;
        return;
      }
      case 'timezone':
        if (!isTimezone(cell)) return note(column, 'is not an IANA timezone such as Europe/Moscow');
        row.profile.timezone = cell;
        return;
      case 'locale': {
        const locale = canonicalLocale(cell);
        if (!locale) return note(column, 'is not a BCP 47 language tag such as ru-RU');
        row.profile.locale = locale;
        return;
      }
      case 'tags': {
        const tags = normalizeTags(cell.split(/[;|]/));
        if (tags.some((tag) => tag.length > 64) || tags.length > 100) return note(column, 'holds up to 100 tags of up to 64 characters, split by ; or |');
        row.profile.tags = tags;
        return;
      }
      case 'attribute': {
        const result = parseAttributeText(column.definition, cell);
        if (result.ok) row.attributes[column.definition.key] = result.value;
        else note(column, result.reason);
        return;
      }
      case 'consent': {
        const lower = cell.toLowerCase();
        if (yes.has(lower)) row.consents.push({ channel: column.channel, purpose: column.purpose, granted: true });
        else if (no.has(lower)) row.consents.push({ channel: column.channel, purpose: column.purpose, granted: false });
        else note(column, 'must be yes or no (also true/false, 1/0)');
        return;
      }
      case 'consentAt': {
        const at = /^\d{4}-\d{2}-\d{2}/.test(cell) ? parseInstant(cell) : null;
        if (!at) return note(column, 'must be an ISO 8601 time between 1900 and 9999');
        if (at.getTime() > today.getTime() + 5 * 60_000) return note(column, 'is in the future');
        row.consentAt = at.toISOString();
        return;
      }
      case 'consentTextVersion':
        row.consentTextVersion = cell.slice(0, 100);
        return;
    }
  });
  if (problems.length === 0 && row.identifiers.length === 0) {
    problems.push({ field: '(row)', reason: 'has no identifier: fill phone, email, card_number or an external id' });
  }
  return problems.length > 0 ? { problems } : { row };
}
