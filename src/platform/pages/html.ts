/**
 * HTML for the pages people see, built by a tagged template that escapes every interpolated
 * value: a customer's name or a marketer's consent text can never become markup. Only values
 * already made by `html` (or `trusted`, for markup Patron made itself, such as a barcode's SVG)
 * pass through as they are.
 */
export type Html = { readonly markup: string };

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** Markup Patron made itself (never text that came from a person). */
export function trusted(markup: string): Html {
  return { markup };
}

function isHtml(value: unknown): value is Html {
  return typeof value === 'object' && value !== null && 'markup' in value && typeof (value as Html).markup === 'string';
}

function piece(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(piece).join('');
  if (isHtml(value)) return value.markup;
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0]!;
  values.forEach((value, index) => {
    markup += piece(value) + strings[index + 1]!;
  });
  return { markup };
}
