import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { ChannelStore } from './channel-store.ts';
import { parseSmsCallback, smsCallbackAnswer, verifyTwilioSignature, type SmsChannelConfig, type SmsDeliveryReport } from './channels/index.ts';
import { headerValue } from './channels/http-client.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import { emitEvents } from './messaging.events.ts';
import type { Ids } from './messaging.ids.ts';

/**
 * SMS delivery reports: a gateway calls `/t/sms/{channelId}/status` (POST, or GET with a query
 * string) when it learns what became of a message. Each report is read the way the channel's
 * preset writes it (parseSmsCallback) and moves the message it names — by the gateway's id, or
 * by ours where the gateway echoes it — from `sent` to `delivered` or `failed`, with a history
 * entry and an event. Only from `sent`: a repeated report, a late "sent" or a "failed" after
 * "delivered" changes nothing, and a report for a message Patron does not know is ignored.
 *
 * Who may report: Twilio signs its callbacks (X-Twilio-Signature, checked against the channel's
 * auth token); the other presets cannot sign, so the channel's `callbackSecret` must come with
 * the request, as `?secret=` in the callback URL (what a gateway's console lets one type in) or
 * the `X-Patron-Callback-Secret` header. A channel without one takes no reports.
 */
export const CALLBACK_SECRET_HEADER = 'X-Patron-Callback-Secret';

export type SmsCallbackInput = {
  channelId: string;
  /** The path and query as received: Twilio signs the URL it called. */
  url: string;
  query: Record<string, string | string[] | undefined>;
  /** Form text, a JSON value, or nothing (a GET). */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
};
export type SmsCallbackAnswer = { status: number; contentType: string; body: string };

export type DeliveryReportDeps = { db: Db; clock: Clock; ids: Ids; channels: ChannelStore; publicUrl: () => Promise<string> };

const digest = (value: string) => createHash('sha256').update(value).digest();
/** Equal in constant time, whatever the lengths (both are hashed first). */
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

function formFields(body: unknown): Record<string, string> {
  if (typeof body !== 'string') return {};
  return Object.fromEntries(new URLSearchParams(body));
}

async function authentic(config: SmsChannelConfig, input: SmsCallbackInput, publicUrl: () => Promise<string>): Promise<boolean> {
  if (config.preset === 'twilio') {
    const signature = headerValue(input.headers, 'X-Twilio-Signature');
    if (!signature) return false;
    const params = formFields(input.body);
    // Twilio signs the URL it called: the one configured as StatusCallback, or this server's public address.
    const urls = [config.statusCallbackUrl, `${(await publicUrl()).replace(/\/+$/, '')}${input.url}`].filter((url): url is string => Boolean(url));
    return urls.some((url) => verifyTwilioSignature(config.authToken, url, params, signature));
  }
  if (!config.callbackSecret) return false;
  const secret = input.query.secret;
  const given = (typeof secret === 'string' ? secret : undefined) ?? headerValue(input.headers, CALLBACK_SECRET_HEADER);
  return given !== undefined && sameSecret(given, config.callbackSecret);
}

export function createDeliveryReports(deps: DeliveryReportDeps) {
  const { db, clock, ids } = deps;

  /** Applies reports; answers how many messages moved. */
  async function apply(reports: SmsDeliveryReport[]): Promise<number> {
    const final = reports.filter((report) => report.status !== 'sent' && (report.providerId || report.messageId));
    if (final.length === 0) return 0;
    const now = clock.now();
    return db.transaction().execute(async (tx) => {
      let moved = 0;
      for (const report of final) {
        const status = report.status as 'delivered' | 'failed';
        const rows = await tx
          .updateTable('messages')
          .set({ status, updatedAt: now, ...(status === 'failed' ? { reason: (report.error ?? 'the gateway reported it undelivered').slice(0, 500) } : {}) })
          .where('kind', '=', 'sms')
          // Only from sent: a report never moves a message back, and a repeated one finds nothing to move.
          .where('status', '=', 'sent')
          .where((eb) => eb.or([...(report.providerId ? [eb('providerId', '=', report.providerId)] : []), ...(report.messageId ? [eb('id', '=', report.messageId)] : [])]))
          .returning(['id', 'customerId', 'source', 'sourceId'])
          .execute();
        if (rows.length === 0) continue;
        const detail = JSON.stringify({ via: 'delivery report', ...(report.at ? { reportedAt: report.at.toISOString() } : {}), ...(report.error ? { error: report.error.slice(0, 500) } : {}) });
        await tx.insertInto('messageEvents').values(rows.map((row) => ({ messageId: row.id, customerId: row.customerId, status, occurredAt: now, detail }))).execute();
        await emitEvents(
          tx,
          clock,
          ids,
          rows.map((row) => ({ type: status === 'delivered' ? 'message.delivered' : 'message.failed', customerId: row.customerId, payload: { messageId: row.id, kind: 'sms', source: row.source, sourceId: row.sourceId } })),
        );
        moved += rows.length;
      }
      return moved;
    });
  }

  return {
    apply,
    /** A gateway's callback: refused unless authentic; otherwise its reports applied and the answer the gateway expects. */
    async receive(input: SmsCallbackInput): Promise<SmsCallbackAnswer> {
      const channel = await deps.channels.load(input.channelId);
      if (channel.kind !== 'sms') throw messagingError('messaging.channel_not_found', `No SMS channel ${input.channelId}; delivery reports go to the URL of the SMS channel that sent the messages`);
      const config = channel.config as SmsChannelConfig;
      // The same words whatever is wrong (no secret set, none given, a wrong one): nothing to learn from trying.
      if (!(await authentic(config, input, deps.publicUrl))) throw messagingError('messaging.callback_refused', 'The request does not carry this channel\'s callback secret or a valid provider signature');
      const { secret: _secret, ...query } = input.query;
      await apply(parseSmsCallback(config, { query, body: input.body }));
      return smsCallbackAnswer(config);
    },
  };
}

export type DeliveryReports = ReturnType<typeof createDeliveryReports>;
