/**
 * Request rate limits and the lockout after failed authentication, kept in this process's
 * memory (each instance counts its own traffic; behind a load balancer the limits are per
 * instance). Counts use fixed one-second windows: one map lookup and one increment a request,
 * and the maps start over every window, so memory is bounded by one second's callers.
 *
 * Time is the process's monotonic clock (`performance.now()`), not the business clock: limits
 * are about real elapsed time.
 */
export type RateLimitSettings = {
  /** Requests a second one API key may make; 0: no limit. */
  perKeyPerSecond: number;
  /** Requests a second one client address may make, with or without a key; 0: no limit. */
  perIpPerSecond: number;
  /** Failed authentications (a wrong, unknown or revoked key) from one address within a minute before it is locked out; 0: never locked out. */
  authFailuresPerMinute: number;
  /** How long a locked-out address is refused, in seconds. */
  authLockoutSeconds: number;
};

export const noRateLimits: RateLimitSettings = { perKeyPerSecond: 0, perIpPerSecond: 0, authFailuresPerMinute: 0, authLockoutSeconds: 0 };

/** Seconds a refused caller should wait (the Retry-After value), or null when the call may go on. */
export type Verdict = number | null;

export type RateLimiter = {
  /** Counts a request from `ip`. */
  hitIp(ip: string): Verdict;
  /** Counts a request made with the key `keyId`. */
  hitKey(keyId: string): Verdict;
  /** Whether `ip` is locked out after too many failed authentications. */
  lockedOut(ip: string): Verdict;
  /** Records a failed authentication from `ip`. */
  authFailed(ip: string): void;
};

const WINDOW_MS = 1000;
const FAILURE_WINDOW_MS = 60_000;
// An attacker spreading guesses over many addresses cannot grow the failure table past this;
// past it, expired entries go first, then the oldest.
const MAX_TRACKED_ADDRESSES = 100_000;

const secondsUntil = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

function windowCounter(limit: number, now: () => number) {
  let window = -Infinity;
  let counts = new Map<string, number>();
  return (key: string): Verdict => {
    if (limit <= 0) return null;
    const t = now();
    const current = Math.floor(t / WINDOW_MS);
    if (current !== window) {
      window = current;
      counts = new Map();
    }
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    return count > limit ? secondsUntil((window + 1) * WINDOW_MS - t) : null;
  };
}

export function createRateLimiter(settings: RateLimitSettings, now: () => number = () => performance.now()): RateLimiter {
  const hitIp = windowCounter(settings.perIpPerSecond, now);
  const hitKey = windowCounter(settings.perKeyPerSecond, now);
  const failures = new Map<string, { since: number; count: number; lockedUntil: number }>();
  const lockoutMs = settings.authLockoutSeconds * 1000;

  function prune(t: number) {
    for (const [ip, entry] of failures) {
      if (entry.lockedUntil <= t && t - entry.since >= FAILURE_WINDOW_MS) failures.delete(ip);
    }
    // Still full: drop the oldest (Map keeps insertion order).
    for (const ip of failures.keys()) {
      if (failures.size < MAX_TRACKED_ADDRESSES) break;
      failures.delete(ip);
    }
  }

  return {
    hitIp,
    hitKey,
    lockedOut(ip) {
      if (settings.authFailuresPerMinute <= 0) return null;
      const entry = failures.get(ip);
      const t = now();
      return entry && entry.lockedUntil > t ? secondsUntil(entry.lockedUntil - t) : null;
    },
    authFailed(ip) {
      if (settings.authFailuresPerMinute <= 0) return;
      const t = now();
      let entry = failures.get(ip);
      if (!entry || t - entry.since >= FAILURE_WINDOW_MS) {
        if (!entry && failures.size >= MAX_TRACKED_ADDRESSES) prune(t);
        entry = { since: t, count: 0, lockedUntil: entry?.lockedUntil ?? -Infinity };
        failures.set(ip, entry);
      }
      entry.count++;
      if (entry.count >= settings.authFailuresPerMinute) entry.lockedUntil = t + lockoutMs;
    },
  };
}
