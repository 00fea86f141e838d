import { Type, type TSchema } from 'typebox';
import { platformError } from './errors.ts';
import { named } from './openapi-names.ts';
import { Defaulted } from './schemas.ts';

/**
 * The one list convention (docs/api.md, "Conventions"): a list route takes `limit` and `cursor`
 * and answers `{items, nextCursor}`; `nextCursor` is null on the last page. A cursor is opaque to
 * the caller: the sort key of the page's last item, as base64url JSON, so a list may change
 * what it sorts by without breaking clients that only pass cursors back.
 * tests/api-conventions.test.ts walks the OpenAPI document and fails on a list that differs.
 */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** The query fields of a list route. */
export function pageQuery({ defaultLimit, maxLimit }: { defaultLimit: number; maxLimit: number }) {
  return {
    limit: Defaulted(Type.Integer({ minimum: 1, maximum: maxLimit, default: defaultLimit, description: `Items on a page, 1 to ${maxLimit}` })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'nextCursor of the previous page; leave out for the first page' })),
  };
}

/** The answer of a list route: `{items, nextCursor}`, named `<name>` in the OpenAPI document. */
export function PageOf<T extends TSchema>(name: string, item: T) {
  return named(
    name,
    Type.Object({
      items: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as cursor to get the next page; null on the last page' }),
    }),
  );
}

export function encodeCursor(key: unknown): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The sort key a cursor carries, checked by `isKey`; a cursor this list did not give (another
 * list's, a truncated one) is a 400 that says what to send instead.
 */
export function decodeCursor<K>(cursor: string | undefined, isKey: (value: unknown) => value is K): K | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!isKey(key)) {
    throw platformError('request.invalid_cursor', 'cursor: is not one this list gave; pass the nextCursor of the previous page, or leave cursor out for the first page', [
      { field: 'cursor', reason: 'is not a nextCursor of this list' },
    ]);
  }
  return key;
}

/** A page from `rows` read with `limit + 1` (the extra row says whether a next page exists). */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => unknown): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** Cursor keys of the common kinds: a prefixed id (`cus_…`) or a positive integer id. */
export const isIdKey =
  (prefix: string) =>
  (value: unknown): value is string =>
    typeof value === 'string' && new RegExp(`^${prefix}_[0-9a-f]{32}$`).test(value);
export const isIntegerKey = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0;
export const isTextKey = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 200;
