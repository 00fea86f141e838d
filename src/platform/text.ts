/**
 * Text PostgreSQL can store. U+0000 is refused by text columns, and a lone UTF-16 surrogate
 * (valid in a JS string, not in UTF-8) is refused by jsonb; both are refused at the edge.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

/** The first string in a JSON value that cannot be stored, as a path, or null. */
export function findUnstorableText(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return isStorableText(value) ? null : path || '(root)';
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, path ? `${path}.${index}` : String(index));
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key;
      if (!isStorableText(key)) return here;
      const found = findUnstorableText(item, here);
      if (found) return found;
    }
  }
  return null;
}

/**
 * An instant the database holds the same way everywhere: a real calendar time (no second 60,
 * no year 0) between 1900 and 9999.
 */
export function parseInstant(text: string): Date | null {
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return null;
  const year = date.getUTCFullYear();
  return year >= 1900 && year <= 9999 ? date : null;
}
