import { ApiError } from '../api.ts';

/** Form helpers the lottery and survey forms share: numbers as typed, and the server's words per field. */
/**
 * A number typed into a field, scaled (money: 100 minor units to a major one); what is not a
 * number goes to the server as it was typed, so its refusal names the field in words.
 */
export const numberOf = (value: string, scale = 1): number | string | undefined => {
  const trimmed = value.trim().replace(/\s/g, '').replace(',', '.');
  if (trimmed === '') return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? Math.round(n * scale * 100) / 100 : trimmed;
};

/**
 * The server's words about one field, whatever way it spells the path: the schema's
 * `rules.0.perMinor`, a rule's `rules/0/tierMultipliers`, `body.name`.
 */
export function problemAt(error: unknown, ...paths: string[]): string | null {
  if (!(error instanceof ApiError)) return null;
  const norm = (field: string) => field.replace(/^body[./]/, '').replace(/^\//, '').replaceAll('/', '.');
  const found = error.fields.find((f) => paths.includes(norm(f.field)));
  return found ? found.reason : null;
}

/** Whether the server named any field the form shows (else its words go on top of the form). */
export function namesShownField(error: unknown, shown: (field: string) => boolean): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.fields.some((f) => shown(f.field.replace(/^body[./]/, '').replace(/^\//, '').replaceAll('/', '.')));
}
