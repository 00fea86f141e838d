import type { Clock } from '../../platform/clock.ts';
import type { ConsentChannel } from '../customers/index.ts';
import type { ChannelStore } from './channel-store.ts';
import { messageIdFromHeader, parseBounceReport, type BounceKind } from './channels/index.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import { emitEvents } from './messaging.events.ts';
import type { Ids } from './messaging.ids.ts';

/**
 * What comes back to the bounce address, handed over by the mailbox processor or the relay's
 * webhook: a delivery status notification (RFC 3464) or a spam complaint (ARF, RFC 5965), read
 * by parseBounceReport and matched to our message by the Message-ID we set (or the DSN's
 * envelope id, which is our message id too).
 *
 * - hard bounce (a dead address): the message becomes `bounced` and its address is suppressed;
 * - soft bounce (mailbox full, refused by policy): the message becomes `bounced`, the address
 *   stays; a delay (4.x.x: the relay still tries) is only recorded as `delayed`;
 * - complaint: recorded as `complained`, the address suppressed, and the customer's e-mail
 *   marketing consent withdrawn, as the unsubscribe link does.
 * A report already recorded for the message adds nothing; one for a message Patron does not
 * know records nothing.
 */
export type BounceResult = {
  kind: BounceKind;
  /** The DSN status (5.1.1) or the complaint's feedback type (abuse). */
  status: string;
  /** Our message the report is about; null when it names none of ours. */
  messageId: string | null;
  /** Something was recorded now (false: nothing matched, or the same report came before). */
  recorded: boolean;
  suppressed: boolean;
  consentWithdrawn: boolean;
};

export type BounceDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  channels: ChannelStore;
  withdraw: (customerId: string, channel: ConsentChannel, messageId: string, cause: 'unsubscribe' | 'complaint') => Promise<void>;
};

export function createBounces(deps: BounceDeps) {
  const { db, clock, ids } = deps;
  return {
    async receive(channelId: string, raw: string): Promise<BounceResult> {
      const channel = await deps.channels.load(channelId);
      if (channel.kind !== 'email') throw messagingError('messaging.channel_not_found', `Channel ${channelId} is a ${channel.kind} channel; bounces and complaints are reported to the e-mail channel that sent the message`);
      const report = parseBounceReport(raw);
      if (!report) {
        throw messagingError(
          'messaging.invalid_bounce',
          'The body is neither a delivery status notification that a message failed or was delayed (multipart/report with a message/delivery-status part, RFC 3464) nor a complaint (multipart/report with a message/feedback-report part, RFC 5965); send the whole message as it arrived, with Content-Type: message/rfc822',
        );
      }
      const messageId = report.messageId ?? (report.originalMessageId ? messageIdFromHeader(report.originalMessageId) : null);
      const result: BounceResult = { kind: report.kind, status: report.status, messageId: null, recorded: false, suppressed: false, consentWithdrawn: false };
      if (!messageId) return result;
      const now = clock.now();
      const event = report.kind === 'complaint' ? 'complained' : report.status.startsWith('4') ? 'delayed' : 'bounced';
      const suppress = report.kind !== 'soft';
      const done = await db.transaction().execute(async (tx) => {
        // Locked: the same report twice at once records it once.
        const message = await tx.selectFrom('messages').select(['id', 'customerId', 'status', 'recipient', 'source', 'sourceId']).where('id', '=', messageId).where('kind', '=', 'email').forUpdate().executeTakeFirst();
        if (!message) return null;
        const seen = await tx.selectFrom('messageEvents').select('id').where('messageId', '=', message.id).where('status', '=', event).executeTakeFirst();
        const moves = event === 'bounced' && (message.status === 'sent' || message.status === 'delivered');
        const why = report.kind === 'complaint' ? `complaint (${report.status})` : `${report.kind} bounce ${report.status}${report.diagnostic ? `: ${report.diagnostic}` : ''}`.slice(0, 500);
        if (!seen) {
          const detail = { via: 'bounce report', kind: report.kind, status: report.status, ...(report.diagnostic ? { diagnostic: report.diagnostic.slice(0, 500) } : {}) };
          await tx.insertInto('messageEvents').values({ messageId: message.id, customerId: message.customerId, status: event, occurredAt: now, detail: JSON.stringify(detail) }).execute();
        }
        if (moves) {
          await tx.updateTable('messages').set({ status: 'bounced', reason: why, updatedAt: now }).where('id', '=', message.id).execute();
          await emitEvents(tx, clock, ids, [{ type: 'message.bounced', customerId: message.customerId, payload: { messageId: message.id, kind: 'email', source: message.source, sourceId: message.sourceId } }]);
        }
        // The address we sent to (the report's may be rewritten by a forwarder, or redacted).
        if (suppress && message.recipient) {
          await tx.insertInto('messagingSuppressions').values({ kind: 'email', address: message.recipient, reason: why, createdAt: now }).onConflict((oc) => oc.columns(['kind', 'address']).doNothing()).execute();
        }
        return { customerId: message.customerId, recorded: !seen || moves, suppressed: suppress && message.recipient !== null };
      });
      if (!done) return result;
      // After the commit (customers' own transaction); withdrawing what is withdrawn already changes nothing, so a repeat is harmless.
      const withdraw = report.kind === 'complaint' && done.customerId !== null;
      if (withdraw) await deps.withdraw(done.customerId!, 'email', messageId, 'complaint');
      return { ...result, messageId, recorded: done.recorded, suppressed: done.suppressed, consentWithdrawn: withdraw };
    },
  };
}

export type Bounces = ReturnType<typeof createBounces>;
