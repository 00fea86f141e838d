import { createPrivateKey } from 'node:crypto';
import type { ErrorObject } from 'ajv';
import { Type, type Static, type TSchema } from 'typebox';
import type { FieldProblem } from '../../../platform/errors.ts';
import { makeAjv } from '../../../platform/http.ts';
import { describeAjvErrors } from '../../../platform/validation-messages.ts';
import { named } from '../../../platform/openapi-names.ts';
import { ChannelConfigError, type ChannelKind } from './channel.ts';

/**
 * The settings of each channel, as stored in the `channels` table and edited over the API.
 * Plain JSON: a transport is built from one of these and nothing else. Fields marked "secret"
 * are listed in `channelSecretFields`, so an API can mask them when it answers.
 */
const Secret = (description: string, maxLength = 512) => Type.String({ minLength: 1, maxLength, description: `${description} (secret)` });
const HttpUrl = (description: string) =>
  Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://[^\\s]+$', patternDescription: 'an http or https URL', description });
const TimeoutMs = (defaultMs: number) =>
  Type.Optional(Type.Integer({ minimum: 500, maximum: 120_000, description: `Give up waiting for the provider after this many milliseconds (then: retry); default ${defaultMs}` }));
const AllowPrivateNetwork = Type.Optional(
  Type.Boolean({ description: 'Let the channel call addresses on a private network (localhost, 10.x, 192.168.x …); off by default so a URL typed in cannot reach inside our network' }),
);
const MaxPerSecond = (about: string) => Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: `Send at most this many messages a second (${about})` }));

export const EmailChannelConfigSchema = named('EmailChannelConfig', Type.Object({
  host: Type.String({ minLength: 1, maxLength: 253, description: 'SMTP server host name' }),
  port: Type.Integer({ minimum: 1, maximum: 65535, description: '587 (STARTTLS), 465 (TLS from the start) or 25' }),
  secure: Type.Optional(Type.Boolean({ description: 'TLS from the first byte (port 465); otherwise STARTTLS when the server offers it' })),
  requireTLS: Type.Optional(Type.Boolean({ description: 'Refuse to send unless STARTTLS succeeds' })),
  auth: Type.Optional(Type.Object({
    user: Type.String({ minLength: 1, maxLength: 320 }),
    pass: Secret('SMTP password'),
  }, { additionalProperties: false })),
  from: Type.String({ minLength: 3, maxLength: 320, description: 'From header: "Shop <news@shop.example>" or news@shop.example' }),
  replyTo: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
  bounceAddress: Type.Optional(Type.String({ minLength: 3, maxLength: 320, pattern: '^[^\\s@<>]+@[^\\s@<>]+$', patternDescription: 'a bare address like bounces@shop.example', description: 'Envelope sender (Return-Path): where bounces go, to be read by parseBounceReport; default: the From address' })),
  messageIdDomain: Type.Optional(Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.-]+$', patternDescription: 'a domain like shop.example', description: 'Domain of our Message-IDs (<msg_…@domain>); default: the From domain' })),
  maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'Pooled SMTP connections at most; default 5' })),
  maxMessages: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Messages over one connection before it is renewed; default 100' })),
  maxPerSecond: MaxPerSecond('the relay\'s rate limit'),
  timeoutMs: TimeoutMs(60_000),
  dkim: Type.Optional(Type.Object({
    domainName: Type.String({ minLength: 1, maxLength: 253, description: 'd= of the signature: the From domain, or a parent of it, for DMARC alignment' }),
    keySelector: Type.String({ minLength: 1, maxLength: 63, pattern: '^[A-Za-z0-9._-]+$', patternDescription: 'letters, digits, dots, dashes', description: 's= of the signature: the DNS record is <selector>._domainkey.<domain>' }),
    privateKey: Secret('PEM RSA private key, 2048 bits or more', 20_000),
  }, { additionalProperties: false })),
}, { additionalProperties: false }));

// What a gateway that cannot sign its reports proves itself with: this value in the callback URL (?secret=) or header.
const CallbackSecret = Type.Optional(Type.String({
  pattern: '^[A-Za-z0-9_-]{16,128}$',
  patternDescription: '16 to 128 letters, digits, underscores and dashes',
  description: 'Delivery reports are taken only with this value, as ?secret=… in the callback URL or the X-Patron-Callback-Secret header (secret); without it none are taken',
}));

const smsCommon = {
  sender: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: 'Sender name or number shown to the customer (an alphanumeric name must be registered with the provider)' })),
  timeoutMs: TimeoutMs(10_000),
  maxPerSecond: MaxPerSecond('the gateway\'s rate limit'),
  allowPrivateNetwork: AllowPrivateNetwork,
};

const GenericSms = Type.Object({
  preset: Type.Literal('generic'),
  url: HttpUrl('Where to POST {to, text, sender, messageId, callbackUrl}'),
  apiKey: Secret('Sent as Authorization: Bearer <apiKey>'),
  callbackUrl: Type.Optional(HttpUrl('Where the gateway should report delivery')),
  callbackSecret: CallbackSecret,
  ...smsCommon,
}, { additionalProperties: false });

const SmsRu = Type.Object({
  preset: Type.Literal('sms.ru'),
  apiId: Secret('api_id from the SMS.ru account'),
  baseUrl: Type.Optional(HttpUrl('Default https://sms.ru')),
  test: Type.Optional(Type.Boolean({ description: 'test=1: SMS.ru checks and answers but sends nothing' })),
  callbackSecret: CallbackSecret,
  ...smsCommon,
}, { additionalProperties: false });

const Twilio = Type.Object({
  preset: Type.Literal('twilio'),
  accountSid: Type.String({ pattern: '^AC[0-9a-fA-F]{32}$', patternDescription: 'AC followed by 32 hex digits', description: 'Account SID' }),
  authToken: Secret('Auth token'),
  messagingServiceSid: Type.Optional(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$', patternDescription: 'MG followed by 32 hex digits' })),
  statusCallbackUrl: Type.Optional(HttpUrl('StatusCallback: where Twilio posts delivery status')),
  baseUrl: Type.Optional(HttpUrl('Default https://api.twilio.com')),
  ...smsCommon,
}, { additionalProperties: false });

const StatusValues = (description: string) => Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, description });

const CustomSms = Type.Object({
  preset: Type.Literal('custom'),
  method: Type.Union([Type.Literal('GET'), Type.Literal('POST')]),
  url: HttpUrl('URL template; {to} (E.164 with +), {toDigits} (without), {text}, {sender}, {messageId} and {apiKey} are put in URL-encoded'),
  contentType: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('form'), Type.Literal('none')], { description: 'How bodyTemplate is filled in: json (values JSON-escaped), form (URL-encoded) or none; default json' })),
  bodyTemplate: Type.Optional(Type.String({ maxLength: 4000, description: 'Body with {to} {toDigits} {text} {sender} {messageId} {apiKey}, e.g. {"phone":"{to}","message":"{text}"}' })),
  headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }), Type.String({ maxLength: 1000 }), { description: 'Extra headers; values may hold {apiKey}, e.g. {"Authorization": "Bearer {apiKey}"}' })),
  apiKey: Type.Optional(Secret('Put where a template says {apiKey}')),
  idField: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Dotted path of the provider\'s message id in a JSON answer, e.g. data.id' })),
  callback: Type.Optional(Type.Object({
    idField: Type.String({ minLength: 1, maxLength: 200, description: 'Field (dotted path) of the delivery report holding the provider\'s id' }),
    statusField: Type.String({ minLength: 1, maxLength: 200 }),
    atField: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Field with the time: ISO 8601 or unix seconds' })),
    delivered: StatusValues('Status values meaning delivered'),
    failed: StatusValues('Status values meaning failed'),
    sent: Type.Optional(StatusValues('Status values meaning handed to the operator')),
  }, { additionalProperties: false })),
  callbackSecret: CallbackSecret,
  ...smsCommon,
}, { additionalProperties: false });

export const SmsChannelConfigSchema = named('SmsChannelConfig', Type.Union([GenericSms, SmsRu, Twilio, CustomSms], { description: 'An HTTP SMS gateway, by preset' }));

export const PushChannelConfigSchema = named('PushChannelConfig', Type.Object({
  vapid: Type.Object({
    publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{86,88}$', patternDescription: 'a URL-safe base64 P-256 public key (87 characters)' }),
    privateKey: Type.String({ pattern: '^[A-Za-z0-9_-]{42,44}$', patternDescription: 'a URL-safe base64 P-256 private key (43 characters)', description: 'VAPID private key (secret)' }),
    subject: Type.String({ pattern: '^(mailto:\\S+@\\S+|https://\\S+)$', patternDescription: 'a mailto: address or an https URL', description: 'Who the push services may contact about our traffic' }),
  }, { additionalProperties: false }),
  ttlSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_419_200, description: 'How long the push service keeps a message for an offline browser; default 86400 (a day)' })),
  urgency: Type.Optional(Type.Union([Type.Literal('very-low'), Type.Literal('low'), Type.Literal('normal'), Type.Literal('high')])),
  timeoutMs: TimeoutMs(10_000),
  allowPrivateNetwork: AllowPrivateNetwork,
}, { additionalProperties: false }));

export const TelegramChannelConfigSchema = named('TelegramChannelConfig', Type.Object({
  token: Type.String({ pattern: '^\\d{3,20}:[A-Za-z0-9_-]{20,100}$', patternDescription: 'a bot token from @BotFather (digits, a colon, then letters)', description: 'Bot token (secret)' }),
  botUsername: Type.Optional(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{3,31}$', patternDescription: 'the bot\'s @username without the @', description: 'For the t.me deep links' })),
  baseUrl: Type.Optional(HttpUrl('Bot API server; default https://api.telegram.org')),
  timeoutMs: TimeoutMs(10_000),
  maxPerSecond: MaxPerSecond('Telegram allows about 30 a second per bot; default 25'),
  disableLinkPreview: Type.Optional(Type.Boolean()),
  allowPrivateNetwork: AllowPrivateNetwork,
  webhookSecret: Type.Optional(Type.String({
    pattern: '^[A-Za-z0-9_-]{16,256}$',
    patternDescription: '16 to 256 letters, digits, underscores and dashes',
    description: 'The secret_token given to setWebhook: updates POSTed to /t/telegram/{channelId} are taken only with it in X-Telegram-Bot-Api-Secret-Token (secret); without it none are',
  })),
}, { additionalProperties: false }));

export const WebhookChannelConfigSchema = named('WebhookChannelConfig', Type.Object({
  secret: Type.String({ minLength: 16, maxLength: 256, description: 'HMAC-SHA256 key of Patron-Signature (secret); 32 random bytes, hex or base64, is plenty' }),
  timeoutMs: TimeoutMs(10_000),
  allowPrivateNetwork: AllowPrivateNetwork,
}, { additionalProperties: false }));

export type EmailChannelConfig = Static<typeof EmailChannelConfigSchema>;
export type SmsChannelConfig = Static<typeof SmsChannelConfigSchema>;
export type SmsPreset = SmsChannelConfig['preset'];
export type PushChannelConfig = Static<typeof PushChannelConfigSchema>;
export type TelegramChannelConfig = Static<typeof TelegramChannelConfigSchema>;
export type WebhookChannelConfig = Static<typeof WebhookChannelConfigSchema>;

export type ChannelConfigs = {
  email: EmailChannelConfig;
  sms: SmsChannelConfig;
  push: PushChannelConfig;
  telegram: TelegramChannelConfig;
  webhook: WebhookChannelConfig;
};

export const channelConfigSchemas: { [K in ChannelKind]: TSchema } = {
  email: EmailChannelConfigSchema,
  sms: SmsChannelConfigSchema,
  push: PushChannelConfigSchema,
  telegram: TelegramChannelConfigSchema,
  webhook: WebhookChannelConfigSchema,
};

/** Dotted paths of the secret fields, per kind (and SMS preset), for masking configs in answers. */
export const channelSecretFields: { [K in ChannelKind]: readonly string[] } = {
  email: ['auth.pass', 'dkim.privateKey'],
  sms: ['apiKey', 'apiId', 'authToken', 'callbackSecret'],
  push: ['vapid.privateKey'],
  telegram: ['token', 'webhookSecret'],
  webhook: ['secret'],
};

const ajv = makeAjv(false);
const validators = Object.fromEntries(
  Object.entries(channelConfigSchemas).map(([kind, schema]) => [kind, ajv.compile(schema)]),
) as { [K in ChannelKind]: ReturnType<typeof ajv.compile> };

/** Problems of a config in plain words (field and reason, never a value); [] when it is fine. */
export function validateChannelConfig(kind: ChannelKind, config: unknown): FieldProblem[] {
  const validate = validators[kind];
  if (!validate) return [{ field: 'kind', reason: 'must be one of: email, sms, push, telegram, webhook' }];
  // ajv fills defaults in place; the caller's object is left as it was.
  const copy: unknown = structuredClone(config);
  if (!validate(copy)) return describeAjvErrors((validate.errors ?? []) as ErrorObject[], 'body');
  return crossFieldProblems(kind, copy as ChannelConfigs[ChannelKind]);
}

/** The config, checked, or a ChannelConfigError naming what to fix. */
export function parseChannelConfig<K extends ChannelKind>(kind: K, config: unknown): ChannelConfigs[K] {
  const problems = validateChannelConfig(kind, config);
  if (problems.length > 0) throw new ChannelConfigError(kind, problems);
  return structuredClone(config) as ChannelConfigs[K];
}

/** What a schema cannot say: fields that go together, keys that must parse. */
function crossFieldProblems(kind: ChannelKind, config: ChannelConfigs[ChannelKind]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (kind === 'email') {
    const email = config as EmailChannelConfig;
    if (email.dkim) {
      // nodemailer signs rsa-sha256 only; receivers ignore RSA keys under 1024 bits (RFC 8301).
      let key: ReturnType<typeof createPrivateKey> | null = null;
      try {
        key = createPrivateKey(email.dkim.privateKey);
      } catch {
        problems.push({ field: 'dkim.privateKey', reason: 'is not a PEM private key (-----BEGIN PRIVATE KEY----- …)' });
      }
      if (key && key.asymmetricKeyType !== 'rsa') problems.push({ field: 'dkim.privateKey', reason: 'must be an RSA key (DKIM is signed rsa-sha256)' });
      else if (key && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) problems.push({ field: 'dkim.privateKey', reason: 'must be an RSA key of at least 1024 bits (2048 recommended)' });
    }
    if (!/@[^@\s>]+>?\s*$/.test(email.from)) problems.push({ field: 'from', reason: 'must hold an e-mail address, like "Shop <news@shop.example>"' });
  }
  if (kind === 'sms') {
    const sms = config as SmsChannelConfig;
    if (sms.preset === 'twilio' && !sms.sender && !sms.messagingServiceSid) {
      problems.push({ field: 'sender', reason: 'is required for Twilio unless messagingServiceSid is given (the From number or registered sender name)' });
    }
    if (sms.preset === 'custom' && sms.method === 'POST' && sms.contentType !== 'none' && !sms.bodyTemplate) {
      problems.push({ field: 'bodyTemplate', reason: 'is required for a POST with a json or form body' });
    }
    if (sms.preset === 'custom' && sms.contentType === 'json' && sms.bodyTemplate) {
      // The template must be JSON once filled with harmless values, or every send fails.
      try {
        JSON.parse(sms.bodyTemplate.replace(/\{(to|toDigits|text|sender|messageId|apiKey)\}/g, 'x'));
      } catch {
        problems.push({ field: 'bodyTemplate', reason: 'must be JSON with the placeholders inside strings, like {"to":"{to}","text":"{text}"}' });
      }
    }
  }
  if (kind === 'push') {
    const push = config as PushChannelConfig;
    if (Buffer.from(push.vapid.publicKey, 'base64url').length !== 65) problems.push({ field: 'vapid.publicKey', reason: 'must decode to 65 bytes (an uncompressed P-256 point)' });
    if (Buffer.from(push.vapid.privateKey, 'base64url').length !== 32) problems.push({ field: 'vapid.privateKey', reason: 'must decode to 32 bytes' });
  }
  return problems;
}
