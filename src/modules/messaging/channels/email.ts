import { createTransport } from 'nodemailer';
import type { ChannelTransport, OutgoingMessage, SendOutcome } from './channel.ts';
import { parseChannelConfig, type EmailChannelConfig } from './channels.schemas.ts';
import { classifyDeliveryStatus } from './email-bounces.ts';
import { createRedactor, rejected, retry } from './outcomes.ts';

export { classifyDeliveryStatus, parseBounceReport, type BounceKind, type BounceReport } from './email-bounces.ts';

/**
 * E-mail over SMTP through a pool of nodemailer connections (the relay: Postfix, SES, Mailgun,
 * Unisender Go … by their SMTP endpoints).
 *
 * Every message carries our Message-ID (<msg_…@domain>), so a bounce or a complaint that quotes
 * it leads back to the message; the envelope asks for DSNs with ENVID = our id as well, where
 * the relay supports DSN. Marketing mail carries one-click unsubscribe (RFC 8058), which Gmail
 * and Yahoo require of bulk senders: List-Unsubscribe with an https URL and List-Unsubscribe-Post,
 * both covered by the DKIM signature (nodemailer signs them).
 *
 * SMTP answers: 4xx and lost connections → retry (nothing went out); 5xx to RCPT TO naming a
 * dead mailbox → rejected and suppressed; other 5xx → rejected.
 */
export type EmailTransport = ChannelTransport;

const MESSAGE_ID_PART = /[^A-Za-z0-9._-]/g;

/** Our Message-ID header value for a message id: <msg_…@domain>. */
export function messageIdHeader(messageId: string, domain: string): string {
  return `<${messageId.replace(MESSAGE_ID_PART, '_')}@${domain}>`;
}

/** Our message id back from a Message-ID we made (with or without the angle brackets), else null. */
export function messageIdFromHeader(value: string): string | null {
  return /^<?(msg_[A-Za-z0-9_-]+)@[^<>\s]+>?$/.exec(value.trim())?.[1] ?? null;
}

// One address, as the outbox stores it: no display name, no list, no angle brackets.
const SINGLE_ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

type SmtpError = Error & { code?: string; responseCode?: number; command?: string; response?: string };

export function createEmailTransport(config: EmailChannelConfig): EmailTransport {
  const settings = parseChannelConfig('email', config);
  const domain = settings.messageIdDomain ?? /@([^@\s>]+)>?\s*$/.exec(settings.from)?.[1] ?? 'patron.invalid';
  const redact = createRedactor([settings.auth?.pass, settings.dkim?.privateKey]);
  const timeoutMs = settings.timeoutMs ?? 60_000;
  const mailer = createTransport(
    {
      pool: true,
      host: settings.host,
      port: settings.port,
      secure: settings.secure ?? false,
      requireTLS: settings.requireTLS ?? false,
      ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
      maxConnections: settings.maxConnections ?? 5,
      maxMessages: settings.maxMessages ?? 100,
      ...(settings.maxPerSecond ? { rateLimit: settings.maxPerSecond, rateDelta: 1000 } : {}),
      connectionTimeout: timeoutMs,
      greetingTimeout: Math.min(timeoutMs, 30_000),
      socketTimeout: timeoutMs,
      ...(settings.dkim ? { dkim: { domainName: settings.dkim.domainName, keySelector: settings.dkim.keySelector, privateKey: settings.dkim.privateKey } } : {}),
      // Our messages are strings; nothing in them may make nodemailer read a file or fetch a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    },
    { from: settings.from, ...(settings.replyTo ? { replyTo: settings.replyTo } : {}) },
  );

  async function send(message: OutgoingMessage): Promise<SendOutcome> {
    const to = message.to.trim();
    if (!SINGLE_ADDRESS.test(to)) return rejected('the recipient is not a single e-mail address', false);
    const headers: Record<string, string> = {};
    if (message.unsubscribeUrl) {
      let url: URL;
      try {
        url = new URL(message.unsubscribeUrl);
      } catch {
        return rejected('the unsubscribe link is not a URL', false);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') return rejected('the unsubscribe link must be an https URL', false);
      // URL.href percent-encodes spaces and angle brackets, so the value cannot break out of <…>.
      headers['List-Unsubscribe'] = `<${url.href}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    try {
      const info = await mailer.sendMail({
        to,
        subject: message.subject ?? '',
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        ...(message.attachments?.length ? { attachments: message.attachments.map((file) => ({ filename: file.filename, contentType: file.contentType, content: file.content })) } : {}),
        messageId: messageIdHeader(message.messageId, domain),
        headers,
        ...(settings.bounceAddress ? { envelope: { from: settings.bounceAddress, to: [to] } } : {}),
        dsn: { id: message.messageId.replace(MESSAGE_ID_PART, '_'), return: 'headers', notify: ['FAILURE', 'DELAY'], recipient: to },
      });
      // One recipient: it was either accepted or the send failed; never report a refusal as sent.
      if (info.accepted.length === 0 || info.rejected.length > 0) return retry(redact(`the SMTP server did not accept the recipient: ${info.response}`));
      return { status: 'accepted', providerId: queueIdOf(info.response) };
    } catch (error) {
      return outcomeOfSmtpError(error as SmtpError, redact);
    }
  }

  return {
    kind: 'email',
    send,
    async close() {
      mailer.close();
    },
  };
}

/** The relay's queue id from its 250 answer ("queued as 4F2K3x1Yz", "id=1rT5aB-0003xY-2k"), else null. */
function queueIdOf(response: string | undefined): string | null {
  if (!response) return null;
  return (/queued as ([A-Za-z0-9._-]+)/i.exec(response) ?? /\bid=([A-Za-z0-9._-]+)/i.exec(response) ?? /\bOK <?([A-Za-z0-9._@-]{8,})>?\s*$/i.exec(response))?.[1] ?? null;
}

// Replies to RCPT TO that mean "no such mailbox" when no enhanced status says otherwise.
const DEAD_RECIPIENT_CODES = new Set([550, 551, 553]);

export function outcomeOfSmtpError(error: SmtpError, redact: (text: string) => string = (t) => t): SendOutcome {
  const code = error.responseCode;
  const said = redact(error.response ?? error.message);
  const reason = code ? `SMTP ${code}${error.command ? ` to ${error.command}` : ''}: ${said.replace(/^\d{3}[ -]/, '')}` : redact(`${error.code ?? 'SMTP error'}: ${error.message}`);

  if (error.code === 'EAUTH' || error.code === 'ENOAUTH') {
    if (code !== undefined && code < 500) return retry(reason);
    return rejected(redact(`the SMTP server refused our login${code ? ` (${code})` : ''}: check the channel's user and password`), false, true);
  }
  if (typeof code === 'number' && code >= 400 && code < 500) return retry(reason);
  if (typeof code === 'number' && code >= 500) {
    const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(error.response ?? '')?.[1];
    // The sender refused (relaying denied, not allowed to send as From): every message will be.
    if (error.command === 'MAIL FROM') return rejected(reason, false, true);
    if (enhanced && classifyDeliveryStatus(enhanced, error.response) === 'hard') return rejected(reason, true);
    // 550 5.7.1 (policy, spam) or 552 5.2.2 (mailbox full) say nothing about the address being dead.
    const policy = enhanced !== undefined && /^5\.(7|3|2\.2)/.test(enhanced);
    if (error.command === 'RCPT TO' && DEAD_RECIPIENT_CODES.has(code) && !policy) return rejected(reason, true);
    return rejected(reason, false);
  }
  if (error.code === 'EREQUIRETLS' || error.code === 'ECONFIG') return rejected(reason, false, true);
  if (error.code === 'EENVELOPE') return rejected(reason, false);
  // Connection trouble (ECONNECTION, ETIMEDOUT, ESOCKET, EDNS, ETLS, EPROTOCOL …): the message did
  // not go out, another try may well work. Anything unknown too: keeping it loses nothing.
  return retry(reason);
}
