import { v7 as uuidv7 } from 'uuid';

/** The platform's own prefixes; modules define theirs (`defineIdPrefixes`) and buildApp registers them. */
export const platformIdPrefixes = ['key', 'stf', 'imp', 'evt', 'aud', 'req'] as const;
export type PlatformIdPrefix = (typeof platformIdPrefixes)[number];

/**
 * Makes ids: a short prefix that says what the id names, then a time-ordered UUIDv7 in hex.
 * `P` is the prefixes a module makes besides the platform's, so a typo does not compile.
 */
export type Ids<P extends string = never> = { next(prefix: P | PlatformIdPrefix): string };

/** The one implementation; each module sees it through its own `Ids<P>`. */
export const uuidV7Ids: Ids<string> = {
  next: (prefix) => `${prefix}_${uuidv7().replaceAll('-', '')}`,
};

const patternOf = (prefix: string) => `^${prefix}_[0-9a-f]{32}$`;

/** The pattern every id of a prefix matches; used by route schemas so bad ids get a 400, not a query. */
export function idPattern(prefix: PlatformIdPrefix): string {
  return patternOf(prefix);
}

/** A module's id prefixes: the list buildApp registers, and the route pattern of each. */
export function defineIdPrefixes<const P extends readonly string[]>(prefixes: P) {
  return {
    prefixes,
    pattern: (prefix: P[number]): string => patternOf(prefix),
  };
}
