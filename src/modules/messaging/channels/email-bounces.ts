import { parseHeaders, parseMime, walkParts, type MimePart } from './mime.ts';

/**
 * Reading what comes back to the bounce address: RFC 3464 delivery status notifications (a
 * multipart/report with a message/delivery-status part) and RFC 5965 ARF complaint reports
 * (message/feedback-report, sent by mailbox providers' feedback loops when someone presses
 * "spam").
 *
 * hard: the address is dead (no such mailbox or domain, disabled) — suppress it.
 * soft: delayed, mailbox full, refused by policy, or a failure that names no dead address —
 *       the address stays; the message is simply lost.
 * complaint: the recipient called it spam — suppress it (and stop marketing to them).
 *
 * Anything else (an autoreply, a "delivered" notice, a bounce in free text without a status
 * part) is null: guessing from prose would suppress live addresses.
 */
export type BounceKind = 'hard' | 'soft' | 'complaint';

export type BounceReport = {
  /** The recipient the report is about; null when a feedback loop redacted it (the Message-ID still says who). */
  recipient: string | null;
  kind: BounceKind;
  /** The DSN status (5.1.1) or the ARF feedback type (abuse). */
  status: string;
  /** Message-ID of the message that bounced, without angle brackets, when the report includes it. */
  originalMessageId?: string;
  /** Our message id (msg_…) when that Message-ID is one we made. */
  messageId?: string;
  /** The remote server's words (Diagnostic-Code), for people. */
  diagnostic?: string;
};

// Status codes (RFC 3463) that say the address itself is dead: bad mailbox, bad domain, bad
// syntax, mailbox moved, null MX (RFC 7505), mailbox disabled, no route to the domain.
const DEAD_ADDRESS = new Set(['1.1', '1.2', '1.3', '1.6', '1.10', '2.1', '4.4']);
// Servers that answer a generic 5.0.0 usually say in words that the user does not exist.
const UNKNOWN_USER = /user unknown|unknown user|no such user|does not exist|unknown recipient|recipient unknown|invalid recipient|no mailbox|mailbox not found|mailbox unavailable|address rejected/i;

/** hard or soft for a DSN status (and the server's words for a 5.0.0). */
export function classifyDeliveryStatus(status: string, diagnostic = ''): 'hard' | 'soft' {
  const match = /^([245])\.(\d{1,3}\.\d{1,3})$/.exec(status.trim());
  if (!match || match[1] !== '5') return 'soft';
  if (DEAD_ADDRESS.has(match[2]!)) return 'hard';
  if (match[2] === '0.0' && UNKNOWN_USER.test(diagnostic)) return 'hard';
  return 'soft';
}

export function parseBounceReport(raw: string | Buffer): BounceReport | null {
  let root: MimePart;
  try {
    root = parseMime(raw);
  } catch {
    return null;
  }
  const parts = walkParts(root);
  const original = originalMessageIds(parts);
  const dsn = parts.find((p) => p.type === 'message/delivery-status' || p.type === 'message/global-delivery-status');
  if (dsn) return readDeliveryStatus(dsn, original);
  const arf = parts.find((p) => p.type === 'message/feedback-report');
  if (arf) return readFeedbackReport(arf, parts, original);
  return null;
}

function readDeliveryStatus(part: MimePart, original: OriginalIds): BounceReport | null {
  // Groups of header-like fields separated by blank lines: one per message, then one per recipient.
  const groups = part
    .text()
    .split(/\r?\n[ \t]*\r?\n/)
    .map((group) => new Map(parseHeaders(group.trim())))
    .filter((fields) => fields.size > 0);
  const recipients = groups.filter((fields) => fields.has('final-recipient') || fields.has('original-recipient'));
  // We send ENVID = our message id: it comes back even when the returned headers do not.
  const envelopeId = groups[0]?.get('original-envelope-id')?.trim();
  const ours = envelopeId && /^msg_[A-Za-z0-9_-]+$/.test(envelopeId) ? envelopeId : undefined;
  const pickBy = (action: string) => recipients.find((fields) => (fields.get('action') ?? '').trim().toLowerCase() === action);
  const chosen = pickBy('failed') ?? pickBy('delayed');
  if (!chosen) return null;
  const action = (chosen.get('action') ?? '').trim().toLowerCase();
  const recipient = addressOf(chosen.get('final-recipient') ?? chosen.get('original-recipient') ?? '');
  const diagnostic = typedValue(chosen.get('diagnostic-code') ?? '');
  const status = (/^\d\.\d{1,3}\.\d{1,3}/.exec((chosen.get('status') ?? '').trim()) ?? /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(diagnostic))?.[0] ?? (action === 'failed' ? '5.0.0' : '4.0.0');
  const kind = action === 'delayed' ? 'soft' : classifyDeliveryStatus(status, diagnostic);
  return { recipient, kind, status, ...(ours ? { messageId: ours } : {}), ...original, ...(diagnostic ? { diagnostic } : {}) };
}

function readFeedbackReport(part: MimePart, parts: MimePart[], original: OriginalIds): BounceReport | null {
  const fields = new Map(parseHeaders(part.text().trim()));
  const feedbackType = (fields.get('feedback-type') ?? '').trim().toLowerCase();
  // "not-spam" is the opposite of a complaint (RFC 6650 §3.3).
  if (!feedbackType || feedbackType === 'not-spam') return null;
  // Original-Rcpt-To is optional, and often redacted; the included message's To is the next best.
  const included = parts.find((p) => p.type === 'message/rfc822' || p.type === 'text/rfc822-headers')?.parts[0];
  const recipient = addressOf(fields.get('original-rcpt-to') ?? '') ?? addressOf(included?.header('to') ?? '');
  if (!recipient && !original.originalMessageId) return null;
  return { recipient, kind: 'complaint', status: feedbackType, ...original };
}

type OriginalIds = { originalMessageId?: string; messageId?: string };

/** The Message-ID of the returned message (message/rfc822 or its headers), and ours inside it. */
function originalMessageIds(parts: MimePart[]): OriginalIds {
  for (const part of parts) {
    if (!['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers'].includes(part.type)) continue;
    const value = part.parts[0]?.header('message-id');
    const id = value ? /<?([^<>\s]+@[^<>\s]+)>?/.exec(value)?.[1] : undefined;
    if (!id) continue;
    const ours = /^(msg_[A-Za-z0-9_-]+)@/.exec(id)?.[1];
    return { originalMessageId: id, ...(ours ? { messageId: ours } : {}) };
  }
  return {};
}

/** "rfc822; Ann@Example.com" → "Ann@Example.com" (the local part is case-sensitive; left as sent). */
function addressOf(value: string): string | null {
  const address = typedValue(value).replace(/^<|>$/g, '').trim();
  return /^[^\s@]+@[^\s@]+$/.test(address) ? address : null;
}

/** The value of an "address-type; value" field (RFC 3464 §2.1.2), or the field as it is. */
function typedValue(value: string): string {
  const semicolon = value.indexOf(';');
  return (semicolon >= 0 && /^[A-Za-z0-9-]+$/.test(value.slice(0, semicolon).trim()) ? value.slice(semicolon + 1) : value).trim();
}
