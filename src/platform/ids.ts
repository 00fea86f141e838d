import { v7 as uuidv7 } from 'uuid';

export type IdPrefix = 'cus' | 'key' | 'imp' | 'evt' | 'cns' | 'aud' | 'req' | 'rcp' | 'lot';

/** Makes ids: a short prefix that says what the id names, then a time-ordered UUIDv7 in hex. */
export type Ids = { next(prefix: IdPrefix): string };

export const uuidV7Ids: Ids = {
  next: (prefix) => `${prefix}_${uuidv7().replaceAll('-', '')}`,
};

/** The pattern every id of a prefix matches; used by route schemas so bad ids get a 400, not a query. */
export function idPattern(prefix: IdPrefix): string {
  return `^${prefix}_[0-9a-f]{32}$`;
}
