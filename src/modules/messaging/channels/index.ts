import type { Clock } from '../../../platform/clock.ts';
import type { ChannelKind, ChannelTransport } from './channel.ts';
import { parseChannelConfig } from './channels.schemas.ts';
import { createEmailTransport } from './email.ts';
import { createPushTransport } from './push.ts';
import { createSmsTransport } from './sms.ts';
import { createTelegramTransport, type TelegramTransport } from './telegram.ts';
import { createWebhookTransport } from './webhook.ts';

/**
 * The transport layer of messaging: one `ChannelTransport` per channel row, made from its stored
 * config. Pure library — no database, no queue: the outbox decides when to send and what to do
 * with each outcome (retry after `retryDelay`, suppress the address, pause a channel whose
 * `channelFault` says its own settings are wrong).
 */
export {
  ChannelConfigError,
  channelKinds,
  type ChannelKind,
  type ChannelTransport,
  type OutgoingMessage,
  type SendOutcome,
} from './channel.ts';
export {
  channelConfigSchemas,
  channelSecretFields,
  EmailChannelConfigSchema,
  parseChannelConfig,
  PushChannelConfigSchema,
  SmsChannelConfigSchema,
  TelegramChannelConfigSchema,
  validateChannelConfig,
  WebhookChannelConfigSchema,
  type ChannelConfigs,
  type EmailChannelConfig,
  type PushChannelConfig,
  type SmsChannelConfig,
  type SmsPreset,
  type TelegramChannelConfig,
  type WebhookChannelConfig,
} from './channels.schemas.ts';
export { classifyDeliveryStatus, createEmailTransport, messageIdFromHeader, messageIdHeader, parseBounceReport, type BounceKind, type BounceReport } from './email.ts';
export { countSmsSegments, isGsm7, type SmsEncoding, type SmsSegments } from './sms-segments.ts';
export {
  createSmsTransport,
  parseCustomSmsCallback,
  parseGenericSmsCallback,
  parseSmsCallback,
  parseSmsRuCallback,
  parseTwilioCallback,
  smsCallbackAnswer,
  verifyTwilioSignature,
  type SmsCallbackRequest,
  type SmsDeliveryReport,
  type SmsDeliveryStatus,
} from './sms.ts';
export { createPushTransport, generateVapidKeys, parsePushSubscription, type PushSubscriptionJson, type VapidKeys } from './push.ts';
export {
  createTelegramTransport,
  deepLink,
  newLinkToken,
  parseStartCommand,
  TELEGRAM_SECRET_HEADER,
  verifyTelegramSecretToken,
  type TelegramTransport,
  type TelegramUpdate,
} from './telegram.ts';
export { createWebhookTransport, signWebhook, verifyWebhookSignature, WEBHOOK_HEADERS, type WebhookVerification } from './webhook.ts';
export { parseRetryAfter } from './outcomes.ts';

export type TransportDeps = { clock?: Clock };

type Transports = { email: ChannelTransport; sms: ChannelTransport; push: ChannelTransport; telegram: TelegramTransport; webhook: ChannelTransport };

/**
 * The transport for a channel row: `config` is the stored JSON, checked here (a
 * ChannelConfigError names the fields to fix, never their values).
 */
export function createTransport<K extends ChannelKind>(kind: K, config: unknown, deps: TransportDeps = {}): Transports[K] {
  const transports: { [T in ChannelKind]: () => Transports[T] } = {
    email: () => createEmailTransport(parseChannelConfig('email', config)),
    sms: () => createSmsTransport(parseChannelConfig('sms', config), deps),
    push: () => createPushTransport(parseChannelConfig('push', config), deps),
    telegram: () => createTelegramTransport(parseChannelConfig('telegram', config), deps),
    webhook: () => createWebhookTransport(parseChannelConfig('webhook', config), deps),
  };
  const make = transports[kind];
  if (!make) throw new Error(`There is no ${String(kind)} channel; the kinds are email, sms, push, telegram and webhook`);
  return make();
}

export type RetryDelayOptions = {
  /** The first retry waits up to this long; each next one up to twice the last. Default 2 s. */
  baseMs?: number;
  /** No backoff grows past this. Default 30 minutes. */
  capMs?: number;
  /** A provider's own wait is obeyed up to this (a broken Retry-After of a year is not). Default 24 h. */
  maxProviderWaitMs?: number;
  /** For tests; Math.random otherwise. */
  random?: () => number;
};

/**
 * How long to wait before try number `attempt + 1`, after `attempt` tries failed: exponential
 * backoff with full jitter (a random wait between 0 and min(cap, base·2^(attempt−1))), so a
 * burst of messages refused together does not come back together. A provider's Retry-After
 * wins when it is longer: it knows when it will take more.
 */
export function retryDelay(attempt: number, retryAfterMs: number | null, options: RetryDelayOptions = {}): number {
  const base = options.baseMs ?? 2_000;
  const cap = options.capMs ?? 30 * 60_000;
  const random = options.random ?? Math.random;
  const step = Math.max(1, Math.floor(attempt));
  // 2^(step-1) overflows to Infinity long after the cap is passed; min keeps it finite.
  const ceiling = Math.min(cap, base * 2 ** Math.min(step - 1, 52));
  const jittered = Math.floor(random() * ceiling);
  const provider = retryAfterMs === null || !Number.isFinite(retryAfterMs) ? 0 : Math.min(Math.max(0, retryAfterMs), options.maxProviderWaitMs ?? 24 * 3_600_000);
  return Math.max(jittered, provider);
}
