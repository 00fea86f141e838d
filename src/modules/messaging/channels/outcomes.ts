import type { Clock } from '../../../platform/clock.ts';
import type { SendOutcome } from './channel.ts';
import type { HttpFailure } from './http-client.ts';

/** Reasons are stored beside the message and shown to marketers: short, and never a secret. */
const MAX_REASON = 300;

/**
 * Makes reason strings safe to store: every configured secret (and its URL-encoded form, as a
 * bot token sits in a request path) is replaced, then the text is cut short. Providers echo
 * what they were sent more often than one would hope (an SMTP server quoting the AUTH line, a
 * gateway quoting the query string), so every transport passes every reason through this.
 */
export function createRedactor(secrets: ReadonlyArray<string | undefined>): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    // A very short "secret" would blank out ordinary words; such a value protects nothing anyway.
    if (!secret || secret.length < 4) continue;
    forms.add(secret);
    forms.add(encodeURIComponent(secret));
    forms.add(Buffer.from(secret).toString('base64'));
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of ordered) out = out.split(form).join('[secret]');
    out = out.replace(/\s+/g, ' ').trim();
    return out.length > MAX_REASON ? `${out.slice(0, MAX_REASON - 1)}…` : out;
  };
}

/**
 * Retry-After in milliseconds: delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null when
 * absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | string[] | undefined | null, now: Date): number | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only the forms HTTP allows for a date; Date.parse alone would read "5 minutes" as something.
  if (!/[A-Za-z]{3}/.test(text)) return null;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

export function retry(reason: string, retryAfterMs: number | null = null): SendOutcome {
  return { status: 'retry', retryAfterMs, reason };
}

export function rejected(reason: string, suppress: boolean, channelFault = false): SendOutcome {
  return channelFault ? { status: 'rejected', reason, suppress, channelFault } : { status: 'rejected', reason, suppress };
}

/**
 * Waits a provider asked for, shared by every message of one transport: after a 429 with
 * Retry-After, the next messages answer `retry` without knocking, instead of each earning its
 * own 429 (Telegram bans bots that keep flooding; gateways count refused calls against quotas).
 */
export type Cooldown = {
  /** Milliseconds still to wait for `key`, 0 when free. */
  remainingMs(key: string): number;
  hold(key: string, ms: number): void;
};

export function createCooldown(clock: Clock): Cooldown {
  const until = new Map<string, number>();
  return {
    remainingMs(key) {
      const end = until.get(key);
      if (end === undefined) return 0;
      const left = end - clock.now().getTime();
      if (left <= 0) until.delete(key);
      return Math.max(0, left);
    },
    hold(key, ms) {
      if (ms <= 0) return;
      const end = clock.now().getTime() + ms;
      until.set(key, Math.max(end, until.get(key) ?? 0));
    },
  };
}

/**
 * Spaces calls to at most `perSecond`, by making each wait its turn (no call is refused). Uses
 * the monotonic timer rather than the clock: this measures intervals to sleep through, not
 * instants anyone reads.
 */
export function createPacer(perSecond: number | undefined): () => Promise<void> {
  if (!perSecond || perSecond <= 0) return async () => {};
  const gap = 1000 / perSecond;
  let next = 0;
  return async () => {
    const now = performance.now();
    const slot = Math.max(now, next);
    next = slot + gap;
    const wait = slot - now;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };
}

/**
 * An HTTP call that got no answer. A timeout or a broken connection may hide a message that did
 * arrive, but it was not acknowledged, so it is not `accepted`: retry (providers that take an
 * idempotency key get our message id, and webhook receivers deduplicate on the event id).
 */
export function outcomeOfFailure(failure: HttpFailure, who: string, redact: (text: string) => string): SendOutcome {
  if (failure.kind === 'timeout') return retry(`${who} did not answer: ${failure.reason}`);
  if (failure.kind === 'network') return retry(redact(`could not reach ${who}: ${failure.reason}`));
  return rejected(redact(`refused to call ${who}: ${failure.reason}`), false);
}
