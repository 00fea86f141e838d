import type { FieldProblem } from '../../../platform/errors.ts';

/**
 * The one face every channel shows the outbox: a transport takes a message and says what the
 * provider did with it. `accepted` means the provider took it; `retry` means it was NOT sent
 * and may be tried again; `rejected` means it never will be. Nothing in between: a transport
 * never answers `accepted` for a message the provider did not take.
 */
export type ChannelKind = 'email' | 'sms' | 'push' | 'telegram' | 'webhook';

export const channelKinds: readonly ChannelKind[] = ['email', 'sms', 'push', 'telegram', 'webhook'];

export type OutgoingMessage = {
  messageId: string;            // our id (msg_…): idempotency key at providers that take one, Message-ID / header for the others
  to: string;                   // e-mail address | E.164 phone | push subscription JSON ({endpoint, keys:{p256dh, auth}}) | Telegram chat id | webhook URL
  subject?: string;             // e-mail subject; push title
  html?: string;                // e-mail HTML part; Telegram HTML text when present
  text: string;                 // e-mail text part; SMS text; push body; Telegram text
  unsubscribeUrl?: string;      // e-mail: List-Unsubscribe <url> + List-Unsubscribe-Post (marketing only)
  data?: Record<string, unknown>; // push payload extras (url, tag); webhook: the JSON event body
  eventType?: string;           // webhook: the event type header
  attachments?: Attachment[];   // e-mail only: files sent with it (a scheduled report's CSV)
};

/** A file sent with an e-mail, its content as text (a CSV). */
export type Attachment = { filename: string; contentType: string; content: string };

export type SendOutcome =
  | { status: 'accepted'; providerId: string | null; parts?: number }   // the provider took it (SMS: segments billed)
  | { status: 'retry'; retryAfterMs: number | null; reason: string }   // throttled or temporary failure: NOT sent; try later
  | {
      status: 'rejected';
      reason: string;
      suppress: boolean;         // permanent: never retry; suppress=true when the address is dead (hard bounce, 410 Gone push subscription, blocked bot)
      // The channel's own set-up is at fault (credentials refused, sender not approved, no funds
      // with the provider), not the message or the address: every message will fail the same way
      // until someone fixes the channel, so the caller may pause it rather than burn the queue.
      channelFault?: boolean;
    };

export type ChannelTransport = { kind: ChannelKind; send(message: OutgoingMessage): Promise<SendOutcome>; close(): Promise<void> };

/**
 * A channel config that does not validate: thrown by the factories, so a transport is never
 * built from a config the API would have refused. The message names fields, never their values
 * (a config holds secrets).
 */
export class ChannelConfigError extends Error {
  constructor(
    readonly kind: ChannelKind,
    readonly problems: FieldProblem[],
  ) {
    super(`The ${kind} channel's settings are not valid: ${problems.map((p) => `${p.field} ${p.reason}`).join('; ')}`);
    this.name = 'ChannelConfigError';
  }
}
