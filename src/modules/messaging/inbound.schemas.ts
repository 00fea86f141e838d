import { Type, type TSchema } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { messagingIds } from './messaging.ids.ts';

/** What comes back to messaging from outside: Telegram links and bot updates, SMS delivery reports, bounces. */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const ChannelId = Type.String({ pattern: messagingIds.pattern('chn'), description: 'chn_… id of the channel' });

// Telegram
export const TelegramLinkParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 80, description: 'cus_… id' }) });
export const TelegramLinkIssued = named('TelegramLinkIssued', Type.Object({
  token: Type.String({ description: 'The one-time token the link carries (usable once, until expiresAt)' }),
  url: Type.String({ description: 'https://t.me/<bot>?start=<token>: the customer opens it and presses Start' }),
  expiresAt: Type.String({ description: 'ISO 8601, UTC: 24 hours from now' }),
}));
export const TelegramLinkSchema = named('TelegramLink', Type.Object({
  linked: Type.Boolean({ description: 'A chat is linked: telegram messages reach the customer' }),
  linkedAt: Nullable(Type.String({ description: 'ISO 8601, UTC' })),
  chatId: Nullable(Type.String({ description: 'The Telegram chat id (masked, its last four digits, for the roles that see contacts masked)' })),
}));
export const TelegramUpdateParams = Type.Object({ channelId: ChannelId });
export const TelegramUpdate = named('TelegramUpdate', Type.Object({
  update_id: Type.Optional(Type.Integer()),
  message: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'A message to the bot: "/start <token>" in a private chat links it' })),
}, { additionalProperties: true, description: 'An Update of the Bot API (core.telegram.org/bots/api#update); other kinds of update are taken and ignored' }));
export const TelegramUpdateAnswer = named('TelegramUpdateAnswer', Type.Object({ ok: Type.Boolean({ description: 'Taken (Telegram reads only the status)' }) }));

// SMS delivery reports
export const SmsStatusParams = Type.Object({ channelId: ChannelId });
const ReportField = (description: string) => Type.Optional(Type.String({ maxLength: 200, description }));
export const SmsStatusQuery = Type.Object({
  secret: Type.Optional(Type.String({ maxLength: 256, description: 'The channel\'s callbackSecret (or send it in X-Patron-Callback-Secret); Twilio signs instead' })),
  id: ReportField('generic preset: the gateway\'s id of the message'),
  messageId: ReportField('generic preset: our msg_… id, when the gateway echoes it'),
  status: ReportField('generic preset: delivered, failed or sent'),
  at: ReportField('generic preset: when, ISO 8601 or unix seconds'),
  error: ReportField('generic preset: why it failed'),
}, { additionalProperties: true, description: 'A gateway that reports by GET puts the report\'s fields here (a custom preset: the fields its callback mapping names)' });
export const SmsStatusBody = Type.Unknown({ description: 'The report as the channel\'s preset writes it: a form (SMS.ru, Twilio) or JSON (generic, custom)' });

// Bounces and complaints
export const BounceParams = Type.Object({ id: ChannelId });
export const BounceBody = Type.String({ minLength: 1, description: 'The report as it arrived at the bounce address: a whole message (message/rfc822), or its text' });
export const BounceResultSchema = named('BounceResult', Type.Object({
  kind: StringEnum(['hard', 'soft', 'complaint'] as const, { description: 'hard: the address is dead (suppressed); soft: the message was lost or is delayed, the address stays; complaint: marked as spam (suppressed, marketing consent withdrawn)' }),
  status: Type.String({ description: 'The DSN status (5.1.1) or the complaint\'s feedback type (abuse)' }),
  messageId: Nullable(Type.String({ description: 'Our message the report is about; null when it names none of ours' })),
  recorded: Type.Boolean({ description: 'Something was recorded now; false when no message matched or this report came before' }),
  suppressed: Type.Boolean({ description: 'The message\'s address is on the suppression list' }),
  consentWithdrawn: Type.Boolean({ description: 'The customer\'s e-mail marketing consent was withdrawn (a complaint)' }),
}));
