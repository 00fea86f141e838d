import path from 'node:path';
import type { RateLimitSettings } from './platform/rate-limits.ts';

/** Every setting Patron reads from the environment, validated once at start. */
export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  adminKey: string | undefined;
  demo: boolean;
  defaultPhoneRegion: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  bodyLimitBytes: number;
  importLimitBytes: number;
  /** How often the point activation, expiry, reminder and tier review jobs run. */
  jobIntervalMs: number;
  /** How often the live jobs (segment membership) read the outbox. */
  liveJobIntervalMs: number;
  /** How often every member's tier is reviewed. */
  tierReviewIntervalMs: number;
  /** Longest time a change made on another instance may go unseen by this one's checkout cache. */
  checkoutCacheMs: number;
  /** Requests a second per API key and per client address, and the lockout after failed keys; 0 turns one off. */
  rateLimits: RateLimitSettings;
  /** Proxies whose X-Forwarded-For names the client (addresses or CIDR ranges); none: the peer is the client. */
  trustProxy: string | undefined;
};

export class ConfigError extends Error {}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(raw: string | undefined): boolean {
  return raw !== undefined && ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = env.PATRON_LOG_LEVEL ?? 'info';
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`PATRON_LOG_LEVEL must be one of ${logLevels.join(', ')}`);
  }
  const region = (env.PATRON_PHONE_REGION ?? 'RU').toUpperCase();
  if (!/^[A-Z]{2}$/.test(region)) throw new ConfigError('PATRON_PHONE_REGION must be a two-letter country code, e.g. RU');
  const adminKey = env.PATRON_ADMIN_KEY || undefined;
  if (adminKey !== undefined && adminKey.length < 24) {
    throw new ConfigError('PATRON_ADMIN_KEY must be at least 24 characters long');
  }
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.PATRON_DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    adminKey,
    demo: flag(env.PATRON_DEMO),
    defaultPhoneRegion: region,
    logLevel: logLevel as Config['logLevel'],
    bodyLimitBytes: integer(env, 'PATRON_BODY_LIMIT', 1024 * 1024, 1024, 100 * 1024 * 1024),
    importLimitBytes: integer(env, 'PATRON_IMPORT_LIMIT', 2 * 1024 * 1024 * 1024, 1024, Number.MAX_SAFE_INTEGER),
    jobIntervalMs: integer(env, 'PATRON_JOB_INTERVAL_SECONDS', 60, 1, 86_400) * 1000,
    liveJobIntervalMs: integer(env, 'PATRON_LIVE_JOB_INTERVAL_SECONDS', 5, 1, 3_600) * 1000,
    tierReviewIntervalMs: integer(env, 'PATRON_TIER_REVIEW_HOURS', 24, 1, 24 * 31) * 3_600_000,
    checkoutCacheMs: integer(env, 'PATRON_CACHE_MS', 1000, 0, 3_600_000),
    rateLimits: {
      perKeyPerSecond: integer(env, 'PATRON_RATE_LIMIT_PER_KEY', 5000, 0, 1_000_000_000),
      perIpPerSecond: integer(env, 'PATRON_RATE_LIMIT_PER_IP', 10_000, 0, 1_000_000_000),
      authFailuresPerMinute: integer(env, 'PATRON_AUTH_FAILURES_PER_MINUTE', 30, 0, 1_000_000_000),
      authLockoutSeconds: integer(env, 'PATRON_AUTH_LOCKOUT_SECONDS', 60, 1, 86_400),
    },
    trustProxy: env.PATRON_TRUST_PROXY?.trim() || undefined,
  };
}
