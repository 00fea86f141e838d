import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { ConsentChannel } from '../customers/index.ts';
import { inGlobalControl } from '../experiments/index.ts';
import { capReached, quietUntil, type ContactPolicy, type MessagingSecrets, type SentMark } from './contact-policy.ts';
import { trackingUrl } from './tracking.ts';
import { retryDelay, type ChannelTransport, type SendOutcome } from './channels/index.ts';
import type { Db, Tx } from './messaging.db.ts';
import { emitEvents, messagingEvents } from './messaging.events.ts';
import type { Ids } from './messaging.ids.ts';
import type { MessageContent, MessageKind, MessagesTable } from './messaging.tables.ts';

/**
 * The sender: takes due messages off the queue and hands them to their channel. Several
 * senders (threads of instances) may run at once: each claims a batch with FOR UPDATE SKIP
 * LOCKED, so none waits on another's rows and no message is taken twice; a claim lasts
 * `CLAIM_MS`, and a sender that died leaves its messages to be claimed again after it.
 *
 * At the claim, in the claiming transaction, each marketing message is checked against the
 * moment of sending: the channel's marketing consent, the topic of its template (a customer may
 * keep the channel and leave a topic: topics.ts), the suppression list, the frequency caps
 * (counting every marketing message sent or being sent to the customer, campaigns and journeys
 * together: the claim locks each customer first, so two senders cannot both pass the last
 * slot), and quiet hours in the customer's zone (the message waits until they end).
 *
 * Only an `accepted` answer marks a message sent. A `retry` (429, SMTP 4xx, a timeout) puts it
 * back with a growing delay (the provider's Retry-After when it gives one), up to `MAX_ATTEMPTS`;
 * a `rejected` fails it, and a dead address goes on the suppression list.
 */
export const CLAIM_MS = 5 * 60_000;
export const MAX_ATTEMPTS = 10;
/**
 * Messages in flight at once: also the most a killed sender may have had accepted unrecorded.
 * A message holds its place from its send until its answer is recorded, so the sender's rate is
 * at most this many per round trip (send + record): at 16, with a round trip of 30 ms on a busy
 * machine, about 500 a second whatever the relay could take; at 64 a relay's 1,000 a second fit
 * in a round trip of 64 ms. Sends past the channel's connections wait in its pool, not on the wire.
 */
export const CONCURRENCY = 64;
const BATCH = 200;

type Claimed = Pick<MessagesTable, 'id' | 'kind' | 'purpose' | 'source' | 'sourceId' | 'recipient'> & {
  customerId: string | null; content: MessageContent | null; attempts: number; templateId: string | null; templateVersion: number | null;
};

/** A campaign's or a journey's message queued without its text (campaign-run.ts, enqueue.ts's renderWhenSent), to render now. */
export type Unrendered = { id: string; customerId: string; templateId: string; templateVersion: number | null };
/** Each message's text; null when it cannot be rendered now, and why. */
export type Rendered = Map<string, MessageContent | { skip: 'customer_gone' | 'template_gone' }>;

export type SenderDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  policy: () => Promise<ContactPolicy>;
  secrets: () => Promise<MessagingSecrets>;
  /** The customers with marketing consent granted now on a channel (customers' consents). */
  consented: (customerIds: string[], channel: ConsentChannel) => Promise<Set<string>>;
  /**
   * Whether a customer left the topic of a message's template (topics.ts): loaded once a batch
   * for its customers and templates, then asked per message. A template without a topic is on none.
   */
  topicLeft: (customerIds: string[], templateIds: string[]) => Promise<(customerId: string, templateId: string | null) => boolean>;
  /** Customers' time zones (null: the policy's default). */
  timezones: (customerIds: string[]) => Promise<Map<string, string | null>>;
  /** The transport of a kind's active channel; null when there is none. */
  transport: (kind: MessageKind) => Promise<ChannelTransport | null>;
  /** The kinds with an active channel: messages of other kinds wait, unclaimed, until one is set up. */
  activeKinds: () => Promise<MessageKind[]>;
  /** Renders campaign messages queued without text, for their customers as they are now (enqueue.ts's prepareRender). */
  render: (messages: Unrendered[]) => Promise<Rendered>;
};

const consentChannel: Record<MessageKind, ConsentChannel> = { email: 'email', sms: 'sms', push: 'push', telegram: 'messenger' };

export type SendReport = { sent: number; retried: number; failed: number; skipped: number; deferred: number };

async function history(tx: Db | Tx, rows: Array<{ messageId: string; customerId: string | null; status: string; detail?: Record<string, unknown> }>, at: Date): Promise<void> {
  if (rows.length === 0) return;
  await tx.insertInto('messageEvents').values(rows.map((row) => ({ messageId: row.messageId, customerId: row.customerId, status: row.status, occurredAt: at, detail: JSON.stringify(row.detail ?? {}) }))).execute();
}

/**
 * Claims a batch, then applies the contact policy to it; answers the messages to send now.
 * Two transactions, with the other modules' reads (consents, time zones) between them: no
 * transaction here waits on a query of another module's (on PGlite, one connection, it would
 * wait for itself). The second takes each marketing customer's lock and counts what was sent or
 * cleared to send, so of two senders holding messages for one customer the second sees the
 * first's decision.
 */
async function claim(deps: SenderDeps, report: SendReport): Promise<{ claimed: number; send: Claimed[] }> {
  const { db, clock } = deps;
  const now = clock.now();
  const [policy, secrets, kinds] = await Promise.all([deps.policy(), deps.secrets(), deps.activeKinds()]);
  if (kinds.length === 0) return { claimed: 0, send: [] };
  const claimed = (
    await sql<Claimed>`
      update messages m set status = 'sending', locked_until = ${new Date(now.getTime() + CLAIM_MS)}, attempts = m.attempts + 1, cleared = false, updated_at = ${now}
      from (
        -- SKIP LOCKED: a batch another sender is claiming right now is left to it, not waited for.
        select id from messages
        where status in ('queued', 'sending') and next_attempt_at <= ${now} and (locked_until is null or locked_until <= ${now})
          and kind = any(${kinds}::text[])
        order by next_attempt_at limit ${BATCH} for update skip locked
      ) due
      where m.id = due.id
      returning m.id, m.customer_id, m.kind, m.purpose, m.source, m.source_id, m.recipient, m.content, m.attempts, m.template_id, m.template_version`.execute(db)
  ).rows;
  // Campaigns' and journeys' messages get their text now, outside any transaction (the render reads other
  // modules); a customer gone since the campaign was queued gets none.
  const unrendered = claimed.filter((m) => (m.source === 'campaign' || m.source === 'journey') && m.content === null && m.customerId !== null && m.templateId !== null);
  const rendered = unrendered.length > 0 ? await deps.render(unrendered.map((m) => ({ id: m.id, customerId: m.customerId!, templateId: m.templateId!, templateVersion: m.templateVersion }))) : new Map() as Rendered;
  const texts: Array<{ id: string; content: MessageContent }> = [];
  const unsendable: Array<{ message: Claimed; reason: string }> = [];
  for (const message of unrendered) {
    const answer = rendered.get(message.id) ?? { skip: 'customer_gone' as const };
    if ('skip' in answer) unsendable.push({ message, reason: answer.skip });
    else {
      message.content = answer;
      texts.push({ id: message.id, content: answer });
    }
  }
  const gone = new Set(unsendable.map((u) => u.message.id));
  const live = claimed.filter((m) => !gone.has(m.id));
  const marketing = live.filter((m) => m.purpose === 'marketing' && m.customerId !== null);
  const service = live.filter((m) => m.purpose !== 'marketing' || m.customerId === null);
  if (marketing.length === 0 && unrendered.length === 0) return { claimed: claimed.length, send: claimed };
  const customers = [...new Set(marketing.map((m) => m.customerId!))].sort();
  const marketingKinds = [...new Set(marketing.map((m) => m.kind))];
  const [zones, ...granted] = marketing.length > 0 ? await Promise.all([deps.timezones(customers), ...marketingKinds.map((kind) => deps.consented(customers, consentChannel[kind]))]) : [new Map<string, string | null>()];
  const consentBy = new Map(marketingKinds.map((kind, i) => [kind, granted[i]!]));
  const templateIds = [...new Set(marketing.flatMap((m) => (m.templateId ? [m.templateId] : [])))];
  const leftTopic = marketing.length > 0 ? await deps.topicLeft(customers, templateIds) : () => false;
  return db.transaction().execute(async (tx) => {
    // The texts rendered at this claim, kept with their messages (what was sent, what a resend sends again).
    if (texts.length > 0) {
      await sql`update messages m set content = v.content from unnest(${texts.map((t) => t.id)}::text[], ${texts.map((t) => JSON.stringify(t.content))}::jsonb[]) as v(id, content)
        where m.id = v.id`.execute(tx);
    }
    // In one order for every sender, so two never wait on each other in a circle.
    if (customers.length > 0) await sql`select pg_advisory_xact_lock(7246030, hashtext(c)) from unnest(${customers}::text[]) as c order by c`.execute(tx);
    const maxDays = Math.max(0, ...policy.caps.map((cap) => cap.days));
    const [suppressed, recent] = await Promise.all([
      marketing.length === 0
        ? Promise.resolve([] as Array<{ kind: MessageKind; address: string }>)
        : tx.selectFrom('messagingSuppressions').select(['kind', 'address']).where('address', 'in', [...new Set(marketing.map((m) => m.recipient ?? ''))]).execute(),
      maxDays === 0 || marketing.length === 0
        ? Promise.resolve({ rows: [] as Array<{ customerId: string; kind: MessageKind; at: Date }> })
        : sql<{ customerId: string; kind: MessageKind; at: Date }>`
            select customer_id, kind, coalesce(sent_at, ${now}) as at from messages
            where customer_id = any(${customers}::text[]) and purpose = 'marketing' and not (id = any(${claimed.map((m) => m.id)}::text[]))
              and (sent_at > ${new Date(now.getTime() - maxDays * 86_400_000)} or (status = 'sending' and cleared))`.execute(tx),
    ]);
    const blocked = new Set(suppressed.map((s) => `${s.kind}:${s.address}`));
    const marks = new Map<string, SentMark[]>();
    for (const row of recent.rows) marks.set(row.customerId, [...(marks.get(row.customerId) ?? []), { kind: row.kind, at: new Date(row.at) }]);
    const send: Claimed[] = [...service];
    const skipped: Array<{ message: Claimed; reason: string }> = [...unsendable];
    const deferred: Array<{ message: Claimed; until: Date }> = [];
    for (const message of marketing) {
      const customerId = message.customerId!;
      if (secrets.globalControl.shareBp > 0 && inGlobalControl(customerId, secrets.globalControl.salt, secrets.globalControl.shareBp)) {
        skipped.push({ message, reason: 'global_control' });
        continue;
      }
      if (!consentBy.get(message.kind)!.has(customerId)) {
        skipped.push({ message, reason: 'no_consent' });
        continue;
      }
      if (leftTopic(customerId, message.templateId)) {
        skipped.push({ message, reason: 'topic_unsubscribed' });
        continue;
      }
      if (message.recipient && blocked.has(`${message.kind}:${message.recipient}`)) {
        skipped.push({ message, reason: 'suppressed' });
        continue;
      }
      const until = quietUntil(now, zones.get(customerId) ?? policy.defaultTimezone, policy.quietHours);
      if (until) {
        deferred.push({ message, until });
        continue;
      }
      const sent = marks.get(customerId) ?? [];
      if (capReached(policy.caps, message.kind, sent, now)) {
        skipped.push({ message, reason: 'frequency_cap' });
        continue;
      }
      // Counts toward the caps of this customer's next message in the same batch.
      marks.set(customerId, [...sent, { kind: message.kind, at: now }]);
      send.push(message);
    }
    const cleared = send.filter((m) => m.purpose === 'marketing').map((m) => m.id);
    if (cleared.length > 0) await tx.updateTable('messages').set({ cleared: true }).where('id', 'in', cleared).execute();
    for (const { message, reason } of skipped) {
      await tx.updateTable('messages').set({ status: 'skipped', reason, lockedUntil: null, updatedAt: now }).where('id', '=', message.id).execute();
    }
    for (const { message, until } of deferred) {
      // Waiting is not an attempt: the count goes back.
      await tx.updateTable('messages').set((eb) => ({ status: 'queued', nextAttemptAt: until, lockedUntil: null, attempts: eb('attempts', '-', 1), updatedAt: now })).where('id', '=', message.id).execute();
    }
    await history(
      tx,
      [
        ...skipped.map(({ message, reason }) => ({ messageId: message.id, customerId: message.customerId, status: 'skipped', detail: { reason } })),
        ...deferred.map(({ message, until }) => ({ messageId: message.id, customerId: message.customerId, status: 'deferred', detail: { reason: 'quiet_hours', until: until.toISOString() } })),
      ],
      now,
    );
    report.skipped += skipped.length;
    report.deferred += deferred.length;
    return { claimed: claimed.length, send };
  });
}

type Settled = { message: Claimed; outcome: SendOutcome };
type Accepted = { message: Claimed; outcome: Extract<SendOutcome, { status: 'accepted' }> };

/**
 * The accepted messages marked sent, with their history rows and their `message.sent` events,
 * in one statement: one round trip a group, where a transaction of its own took five (begin,
 * the update, the history, the events, commit). The history and the events are written from
 * the answers, as the update's rows, so each accepted message gets exactly the rows it did.
 */
function markSent(deps: SenderDeps, accepted: Accepted[], now: Date) {
  const events = accepted.map(({ message }) => ({ type: 'message.sent' as const, customerId: message.customerId, payload: { messageId: message.id, kind: message.kind, source: message.source, sourceId: message.sourceId } }));
  return sql`
    with sent as (
      update messages m set status = 'sent', sent_at = ${now}, provider_id = v.provider_id, parts = v.parts, locked_until = null, reason = null, updated_at = ${now}
      from unnest(${accepted.map((a) => a.message.id)}::text[], ${accepted.map((a) => a.outcome.providerId)}::text[], ${accepted.map((a) => a.outcome.parts ?? null)}::int[]) as v(id, provider_id, parts)
      where m.id = v.id
      returning m.id
    ), history as (
      insert into message_events (message_id, customer_id, status, occurred_at, detail)
      select h.message_id, h.customer_id, 'sent', ${now}, h.detail::jsonb
      from unnest(${accepted.map((a) => a.message.id)}::text[], ${accepted.map((a) => a.message.customerId)}::text[],
        ${accepted.map((a) => JSON.stringify(a.outcome.parts ? { parts: a.outcome.parts } : {}))}::text[]) with ordinality as h(message_id, customer_id, detail, n)
      order by h.n
    ), events as (${messagingEvents.insert(deps.clock, deps.ids, events)})
    select count(*) as n from sent`;
}

/**
 * Records what the providers answered, for many messages at once. The common case, every answer
 * an acceptance, is one statement (markSent); retries and failures, rarer, go row by row in a
 * transaction with the acceptances of the same group.
 */
async function settle(deps: SenderDeps, answers: Settled[], report: SendReport): Promise<void> {
  const { db, clock, ids } = deps;
  const now = clock.now();
  const accepted = answers.filter((a): a is Accepted => a.outcome.status === 'accepted');
  if (accepted.length === answers.length) {
    await markSent(deps, accepted, now).execute(db);
    report.sent += accepted.length;
    return;
  }
  await db.transaction().execute(async (tx) => {
    const rows: Parameters<typeof history>[1] = [];
    const events: Parameters<typeof emitEvents>[3] = [];
    if (accepted.length > 0) {
      await markSent(deps, accepted, now).execute(tx);
      report.sent += accepted.length;
    }
    for (const { message, outcome } of answers) {
      if (outcome.status === 'accepted') continue;
      const reason = outcome.reason.slice(0, 500);
      // The channel's own set-up at fault (credentials refused, no funds): every message would fail
      // alike until someone fixes it, so this one waits like a throttled one instead of being lost.
      const channelFault = outcome.status === 'rejected' && outcome.channelFault === true;
      if ((outcome.status === 'retry' || channelFault) && message.attempts < MAX_ATTEMPTS) {
        const delay = outcome.status === 'retry' ? retryDelay(message.attempts, outcome.retryAfterMs) : 15 * 60_000;
        await tx.updateTable('messages').set({ status: 'queued', nextAttemptAt: new Date(now.getTime() + delay), lockedUntil: null, reason, updatedAt: now }).where('id', '=', message.id).execute();
        rows.push({ messageId: message.id, customerId: message.customerId, status: 'retrying', detail: { reason, attempt: message.attempts, retryInMs: delay } });
        report.retried++;
        continue;
      }
      const bounced = outcome.status === 'rejected' && outcome.suppress;
      const status = bounced ? 'bounced' : 'failed';
      await tx.updateTable('messages').set({ status, lockedUntil: null, reason, updatedAt: now }).where('id', '=', message.id).execute();
      rows.push({ messageId: message.id, customerId: message.customerId, status, detail: { reason } });
      if (bounced && message.recipient && message.kind !== 'push') {
        await tx.insertInto('messagingSuppressions').values({ kind: message.kind, address: message.recipient, reason, createdAt: now }).onConflict((oc) => oc.columns(['kind', 'address']).doNothing()).execute();
      }
      // A bot the customer blocked, or a chat that is gone: the link goes too (the customer shows as not linked; a new link brings it back).
      if (bounced && message.kind === 'telegram' && message.customerId && message.recipient) {
        await tx.deleteFrom('telegramLinks').where('customerId', '=', message.customerId).where('chatId', '=', message.recipient).execute();
      }
      events.push({ type: bounced ? 'message.bounced' : 'message.failed', customerId: message.customerId, payload: { messageId: message.id, kind: message.kind, source: message.source, sourceId: message.sourceId } });
      report.failed++;
    }
    await history(tx, rows, now);
    await emitEvents(tx, clock, ids, events);
  });
}

/**
 * Group commit of the providers' answers: a sender hands its answer in and waits until it is
 * recorded; answers that arrive while a transaction is writing go together in the next one. A
 * sender takes its next message only after its last answer is recorded, so what a killed
 * process may have had accepted but not recorded is at most what was in flight (CONCURRENCY).
 */
function settler(deps: SenderDeps, report: SendReport): (answer: Settled) => Promise<void> {
  let waiting: Array<Settled & { done: () => void; failed: (error: unknown) => void }> = [];
  let writing = false;
  const write = async () => {
    writing = true;
    while (waiting.length > 0) {
      const group = waiting;
      waiting = [];
      try {
        await settle(deps, group, report);
        for (const answer of group) answer.done();
      } catch (error) {
        for (const answer of group) answer.failed(error);
      }
    }
    writing = false;
  };
  return (answer) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ ...answer, done: resolve, failed: reject });
      if (!writing) void write();
    });
}

/** Push goes to each of the customer's subscriptions: sent when one took it; dead ones are removed. */
async function sendPush(deps: SenderDeps, transport: ChannelTransport, message: Claimed): Promise<SendOutcome> {
  const subscriptions = message.recipient
    ? [{ id: null, endpoint: '', to: message.recipient }]
    : (await deps.db.selectFrom('pushSubscriptions').select(['id', 'endpoint', 'p256dh', 'auth']).where('customerId', '=', message.customerId ?? '').execute()).map((s) => ({
        id: s.id,
        endpoint: s.endpoint,
        to: JSON.stringify({ endpoint: s.endpoint, keys: { p256dh: s.p256dh, auth: s.auth } }),
      }));
  if (subscriptions.length === 0) return { status: 'rejected', reason: 'the customer has no push subscription', suppress: false };
  const outcomes: SendOutcome[] = [];
  for (const subscription of subscriptions) {
    const outcome = await transport.send(outgoing(message, subscription.to));
    outcomes.push(outcome);
    if (subscription.id && outcome.status === 'rejected' && outcome.suppress) await deps.db.deleteFrom('pushSubscriptions').where('id', '=', subscription.id).execute();
    if (subscription.id && outcome.status === 'accepted') await deps.db.updateTable('pushSubscriptions').set({ lastSentAt: deps.clock.now() }).where('id', '=', subscription.id).execute();
  }
  const accepted = outcomes.find((o) => o.status === 'accepted');
  if (accepted) return accepted;
  return outcomes.find((o) => o.status === 'retry') ?? outcomes[0]!;
}

function outgoing(message: Claimed, to: string, unsubscribeUrl?: string) {
  const content = message.content ?? { text: '' };
  return {
    messageId: message.id,
    to,
    text: content.text,
    ...(unsubscribeUrl ? { unsubscribeUrl } : {}),
    ...(content.subject !== undefined ? { subject: content.subject } : {}),
    ...(content.html !== undefined ? { html: content.html } : {}),
    ...(content.url !== undefined ? { data: { url: content.url } } : {}),
    ...(content.attachments !== undefined ? { attachments: content.attachments } : {}),
  };
}

/**
 * Sends what is due until nothing is due or the signal stops it: up to `CONCURRENCY` messages
 * in flight (a pooled SMTP relay takes several at once), the next batch claimed while the last
 * one is still being sent, and the answers recorded by group commit (settler).
 *
 * `takeOver`: the caller holds the sender's lease (the scheduled job), so no other sender runs
 * and any message still marked as being sent was left by one that stopped (a killed process):
 * it is due again now rather than when its claim would run out.
 */
export async function sendDue(deps: SenderDeps, signal?: AbortSignal, options: { takeOver?: boolean } = {}): Promise<SendReport> {
  const report: SendReport = { sent: 0, retried: 0, failed: 0, skipped: 0, deferred: 0 };
  if (options.takeOver) await deps.db.updateTable('messages').set({ lockedUntil: null }).where('status', '=', 'sending').execute();
  const record = settler(deps, report);
  // Each message with the transport of its kind's channel as it was at its batch's claim: looked
  // up once a batch, not once a message (a query each, a third of the sender's work at 1,000/s).
  const queue: Array<{ message: Claimed; transport: ChannelTransport | null }> = [];
  let unsubscribeOf: (message: Claimed) => string | undefined = () => undefined;
  let drained = false;
  let failure: { error: unknown } | null = null;
  let claiming: Promise<void> | null = null;
  const refill = () =>
    (claiming ??= (async () => {
      try {
        const [policy, secrets] = await Promise.all([deps.policy(), deps.secrets()]);
        // RFC 8058: a marketing e-mail names its one-click unsubscribe link in its headers.
        unsubscribeOf = (message) => (message.kind === 'email' && message.purpose === 'marketing' ? trackingUrl(policy.publicUrl, secrets.linkSecret, 'unsubscribe', message.id) : undefined);
        const batch = await claim(deps, report);
        if (batch.claimed === 0) drained = true;
        const kinds = [...new Set(batch.send.map((m) => m.kind))];
        const transports = new Map(await Promise.all(kinds.map(async (kind) => [kind, await deps.transport(kind)] as const)));
        queue.push(...batch.send.map((message) => ({ message, transport: transports.get(message.kind) ?? null })));
      } catch (error) {
        // A claim ahead is not awaited by anyone: its failure is kept, the senders finish the
        // message in their hands and stop, and the run reports why.
        failure = { error };
        drained = true;
      } finally {
        claiming = null;
      }
    })());
  const sendOne = async ({ message, transport }: { message: Claimed; transport: ChannelTransport | null }) => {
    if (!transport) {
      // The channel was switched off since the claim: the message waits for one, it is not lost.
      return record({ message, outcome: { status: 'retry', retryAfterMs: 15 * 60_000, reason: `no active ${message.kind} channel` } });
    }
    let outcome: SendOutcome;
    try {
      outcome = message.kind === 'push' ? await sendPush(deps, transport, message) : await transport.send(outgoing(message, message.recipient ?? '', unsubscribeOf(message)));
    } catch (error) {
      // A transport that throws has not had the message accepted: try again later.
      outcome = { status: 'retry', retryAfterMs: null, reason: error instanceof Error ? error.message : String(error) };
    }
    await record({ message, outcome });
  };
  const worker = async () => {
    while (!signal?.aborted) {
      // Claim ahead while half a batch is left, so the senders do not stand idle at a claim.
      if (!drained && queue.length < BATCH / 2) {
        const claimed = refill();
        if (queue.length === 0) await claimed;
      }
      const next = queue.shift();
      if (next) {
        try {
          await sendOne(next);
        } catch (error) {
          // The answer could not be recorded (the database gone): stop taking more, like a failed claim.
          failure ??= { error };
          drained = true;
          queue.length = 0;
          return;
        }
      } else if (drained) return;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  if (failure) throw (failure as { error: unknown }).error;
  return report;
}
