/**
 * Text PostgreSQL can store. U+0000 is refused by text columns, and a lone UTF-16 surrogate
 * (valid in a JS string, not in UTF-8) is refused by jsonb; both are refused at the edge.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && text.isWellFormed();
}

/**
 * Text with what cannot be stored written as escapes (`\u0000`, `\ud800`): to name a key that
 * holds them in an error, which is itself shown, logged and stored (an import's line errors).
 */
export function escapeUnstorable(text: string): string {
  // eslint-disable-next-line no-control-regex -- U+0000 is the character this is about
  return text.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The first string in a JSON value that cannot be stored, as a path (a bad key written with
 * escapes), or null. Walks with an explicit stack, depth first in document order, so no nesting
 * depth can overflow the call stack.
 */
export function findUnstorableText(value: unknown, path = ''): string | null {
  const stack: Array<{ value: unknown; path: string; badKey?: true }> = [{ value, path }];
  while (stack.length > 0) {
    const { value: item, path: here, badKey } = stack.pop()!;
    if (badKey) return here;
    if (typeof item === 'string') {
      if (!isStorableText(item)) return here || '(root)';
    } else if (Array.isArray(item)) {
      for (let index = item.length - 1; index >= 0; index--) {
        stack.push({ value: item[index], path: here ? `${here}.${index}` : String(index) });
      }
    } else if (item && typeof item === 'object') {
      const entries = Object.entries(item);
      // Keys are checked when their entry is reached, so the first bad thing found is the first in the document.
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, child] = entries[index]!;
        const storable = isStorableText(key);
        const name = storable ? key : escapeUnstorable(key);
        const at = here ? `${here}.${name}` : name;
        stack.push(storable ? { value: child, path: at } : { value: null, path: at, badKey: true });
      }
    }
  }
  return null;
}

/** Deepest nesting of objects and arrays a JSON body may have: far past any schema here. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether JSON text nests objects and arrays deeper than `limit`, read in one pass without
 * parsing (brackets inside strings do not count). Run before parsing so a body of 8,000 `[`
 * costs a scan, not a deep walk.
 */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
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
