import type { Readable } from 'node:stream';
import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { ConsentChannel, CustomerRecord } from '../customers/index.ts';
import { createChannelStore } from './channel-store.ts';
import { createTransport, type ChannelTransport, type SendOutcome } from './channels/index.ts';
import { createPolicyStore } from './contact-policy.ts';
import { addresses, compileParts, contentOf, enqueueMessages, prepareRender, type EnqueueBatch, type SurveySigner } from './enqueue.ts';
import type { Db, Tx } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { Ids } from './messaging.ids.ts';
import type { MessageContent, MessageKind, MessageSource, MessageStatus, TemplateParts } from './messaging.tables.ts';
import { sendDue, type Rendered, type Unrendered } from './sender.ts';
import { resendMessage } from './resend.ts';
import { templateContext, type ContextExtras, type ContextSources } from './template-context.ts';
import { createTemplateStore, type SurveysMissing } from './template-store.ts';
import { renderCompiledPart } from './templates/index.ts';
import { createWebhooks } from './webhooks.ts';
import { createStaffMail } from './staff-mail.ts';
import { createPushSubscriptions } from './push-subscriptions.ts';
import { createLinkTracking } from './link-clicks.ts';
import { createGlobalControl } from './global-control.ts';
import { campaignReport, type PurchaseReceipts } from './campaign-report.ts';
import { journeyReport, type JourneyReportAsk } from './journey-report.ts';
import { measuredExperiments } from './incremental-revenue.ts';
import { uploadAudience, type ResolveList } from './campaign-audience.ts';
import { runCampaigns, type CampaignRunDeps, type ContactFacts } from './campaign-run.ts';
import { createCampaigns } from './campaigns.ts';
import { advanceJourneys, enterJourneys, scanLapsed, type JourneyActions } from './journey-engine.ts';
import { createJourneys } from './journeys.ts';
import { createTelegramLinks } from './telegram-links.ts';
import { createDeliveryReports } from './delivery-reports.ts';
import { createBounces } from './bounces.ts';
import { createTopics, type TopicChoicesPort } from './topics.ts';
import { createPreferenceCentre } from './preference-centre.ts';

export { messagingModule } from './messaging.module.ts';
export { messagingRoutes } from './messaging.routes.ts';
export { trackingRoutes } from './tracking.routes.ts';
export { topicRoutes } from './topics.routes.ts';
export { inboundRoutes } from './inbound.routes.ts';
/** How a webhook's receiver checks what Patron signed (the tests of other modules receive webhooks too). */
export { verifyWebhookSignature } from './channels/index.ts';
export { messageInteractionFacts } from './interaction-facts.ts';
export type { EnqueueBatch, EnqueueItem } from './enqueue.ts';
/** The outbound HTTP client of the channels (no redirects, private networks refused unless allowed), for other modules' adapters. */
export { createHttpClient, type HttpAnswer, type HttpClient, type HttpFailure } from './channels/http-client.ts';
export type { MeasuredExperiment } from './incremental-revenue.ts';
export type { CustomerTopicsView, TopicChoicesPort, TopicView } from './topics.ts';

export type MessagingDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  sources: ContextSources;
  consented: (customerIds: string[], channel: ConsentChannel) => Promise<Set<string>>;
  /** Customers' facts as SQL, for queueing a campaign set-based (customers' contact-facts.ts). */
  contacts: ContactFacts;
  /** Every event type modules registered (webhooks subscribe to them). */
  eventTypes: () => readonly string[];
  /** Segments: whether one exists, and its current members as SQL selecting `customer_id` (a campaign's audience). */
  segments: { exists: (segmentId: string) => Promise<boolean>; members: (segmentId: string) => RawBuilder<unknown> };
  /** Customers' port: a list's values (ids, phones, e-mails, cards) to the customers they name now (a campaign's audience). */
  resolveCustomers: ResolveList;
  /** Loyalty's purchase facts (purchase-facts.ts): what a campaign's arms bought in its window. */
  purchaseReceipts: PurchaseReceipts;
  /** What journey steps do in other modules: points, personal codes, tags (journey-engine.ts). */
  journeyActions: Pick<JourneyActions, 'award' | 'issueCode' | 'tag'>;
  promotionExists: (promotionId: string) => Promise<boolean>;
  /** Withdraws marketing consent on a channel: an unsubscribe link was used, or the message was reported as spam (customers' consents). */
  withdrawConsent: (customerId: string, channel: ConsentChannel, messageId: string, cause?: 'unsubscribe' | 'complaint') => Promise<void>;
  /** Customers' record of each customer's topic choices (customers' customer-topics.ts). */
  topicChoices: TopicChoicesPort;
  /** The surveys module's links (survey_url in templates): which survey ids do not exist, and the per-customer signer. */
  surveyLinks?: { missing: SurveysMissing; signer: SurveySigner };
  log?: { error(obj: object, msg: string): void };
  /** Runs a job of this module now rather than at its next tick (the platform registry's wakeJob). */
  wakeJob?: (name: string) => void;
  /** The database runs statements on connections of their own at once (PostgreSQL; PGlite serves one connection): a campaign's start splits its audience over them. */
  separateConnections?: boolean;
};

export type MessageView = {
  id: string;
  customerId: string | null;
  kind: MessageKind;
  purpose: 'marketing' | 'service';
  source: MessageSource;
  sourceId: string | null;
  templateId: string | null;
  templateVersion: number | null;
  status: MessageStatus;
  reason: string | null;
  recipient: string | null;
  content: MessageContent | null;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  history: Array<{ status: string; at: string; detail: Record<string, unknown> }>;
};

export function createMessaging(deps: MessagingDeps) {
  const { db, clock, ids } = deps;
  // Messages just queued, or a channel just switched on for those waiting, are sent now rather
  // than at the sender's next tick (5 s by default; a quarter of a 20,000-message run at 1,000/s).
  const wakeSender = () => deps.wakeJob?.('send-messages');
  const channels = createChannelStore({ db, clock, ids, switchedOn: wakeSender });
  const topics = createTopics({ db, clock, choices: deps.topicChoices });
  const templates = createTemplateStore({ db, clock, ids, checkTopic: topics.check, ...(deps.surveyLinks ? { surveysMissing: deps.surveyLinks.missing } : {}) });
  const policy = createPolicyStore({ db, clock });
  const webhooks = createWebhooks({ db, clock, ids, eventTypes: deps.eventTypes });
  const push = createPushSubscriptions({ db, clock, ids });
  const staffMail = createStaffMail({ db, clock, ids, programName: async () => (await policy.get()).programName, queued: wakeSender });
  const campaigns = createCampaigns({
    db, clock, ids, templates, segmentExists: deps.segments.exists,
    currentIds: async (customerIds) => (await deps.resolveCustomers('customerId', customerIds)).map((found) => (found && 'customerId' in found ? found.customerId : null)),
    ...(deps.wakeJob ? { wakeJob: () => deps.wakeJob!('run-campaigns') } : {}),
  });
  const journeys = createJourneys({
    db,
    clock,
    ids,
    refs: {
      templates,
      segmentExists: deps.segments.exists,
      promotionExists: deps.promotionExists,
      webhookExists: async (id) => (await db.selectFrom('webhooks').select('id').where('id', '=', id).executeTakeFirst()) !== undefined,
    },
  });

  // One transport per active channel as it is now: a changed channel (its updatedAt) makes a new one.
  const transports = new Map<MessageKind, { key: string; transport: ChannelTransport }>();
  const transportOf = async (kind: MessageKind): Promise<ChannelTransport | null> => {
    const channel = await channels.activeOf(kind);
    const cached = transports.get(kind);
    if (!channel) return null;
    const key = `${channel.id}@${channel.updatedAt.toISOString()}`;
    if (cached?.key === key) return cached.transport;
    void cached?.transport.close().catch(() => undefined);
    const transport = createTransport(kind, channel.config);
    transports.set(kind, { key, transport });
    return transport;
  };

  const enqueueDeps = { db, clock, ids, sources: deps.sources, policy: () => policy.get(), secrets: () => policy.secrets(), ...(deps.surveyLinks ? { surveySigner: deps.surveyLinks.signer } : {}) };
  /** Renders and queues a batch (enqueue.ts), then wakes the sender when it queued any. */
  const enqueue = async (batch: EnqueueBatch) => {
    const result = await enqueueMessages(enqueueDeps, batch);
    if (result.queued.length > 0) wakeSender();
    return result;
  };
  const senderDeps = {
    db,
    clock,
    ids,
    policy: () => policy.get(),
    secrets: () => policy.secrets(),
    consented: deps.consented,
    async topicLeft(customerIds: string[], templateIds: string[]) {
      const named = templateIds.length === 0 ? [] : await db.selectFrom('messageTemplates').select(['id', 'topic']).where('id', 'in', templateIds).where('topic', 'is not', null).execute();
      const topicOf = new Map(named.map((row) => [row.id, row.topic!]));
      const left = await topics.leftBy(customerIds, [...new Set(topicOf.values())]);
      return (customerId: string, templateId: string | null) => {
        const topic = templateId ? topicOf.get(templateId) : undefined;
        return topic !== undefined && (left.get(topic)?.has(customerId) ?? false);
      };
    },
    async timezones(customerIds: string[]) {
      const records = await deps.sources.customers(customerIds);
      return new Map(records.map((record: CustomerRecord) => [record.id, record.timezone]));
    },
    transport: transportOf,
    activeKinds: async () => (await db.selectFrom('messagingChannels').select('kind').where('active', '=', true).execute()).map((row) => row.kind),
    /** A claimed batch of campaign messages rendered as enqueue would have: one read of their customers, one compile a template version. */
    async render(messages: Unrendered[]): Promise<Rendered> {
      const now = clock.now();
      const records = new Map((await deps.sources.customers([...new Set(messages.map((m) => m.customerId))])).map((record) => [record.id, record]));
      const answers: Rendered = new Map();
      const byVersion = new Map<string, Unrendered[]>();
      for (const message of messages) {
        const key = `${message.templateId}@${message.templateVersion ?? ''}`;
        byVersion.set(key, [...(byVersion.get(key) ?? []), message]);
      }
      for (const group of byVersion.values()) {
        const { templateId, templateVersion } = group[0]!;
        const found = await templates.version(templateId, templateVersion ?? undefined).catch((error: unknown) => {
          if (error instanceof AppError && error.code === 'messaging.template_not_found') return null;
          throw error;
        });
        // A template deleted after its campaign was queued: nothing to render the rest with.
        if (!found) {
          for (const message of group) answers.set(message.id, { skip: 'template_gone' });
          continue;
        }
        const render = await prepareRender(enqueueDeps, { kind: found.template.kind, parts: found.parts }, now);
        for (const message of group) {
          const record = records.get(message.customerId);
          answers.set(message.id, record && record.status === 'active' ? await render(message.id, record) : { skip: 'customer_gone' });
        }
      }
      return answers;
    },
  };

  const messageView = async (row: Record<string, unknown>): Promise<MessageView> => {
    const r = row as { id: string; customerId: string | null; kind: MessageKind; purpose: 'marketing' | 'service'; source: MessageSource; sourceId: string | null; templateId: string | null; templateVersion: number | null; status: MessageStatus; reason: string | null; recipient: string | null; content: MessageContent | null; attempts: number; firstEventInRow: boolean; createdAt: Date; sentAt: Date | null };
    const stored = await db.selectFrom('messageEvents').select(['status', 'occurredAt', 'detail']).where('messageId', '=', r.id).orderBy('id').execute();
    // A campaign's message keeps its first entry, queued when it was created, in its own row (migration 0047).
    const events = r.firstEventInRow ? [{ status: 'queued', occurredAt: r.createdAt, detail: {} }, ...stored] : stored;
    return {
      id: r.id,
      customerId: r.customerId,
      kind: r.kind,
      purpose: r.purpose,
      source: r.source,
      sourceId: r.sourceId,
      templateId: r.templateId,
      templateVersion: r.templateVersion,
      status: r.status,
      reason: r.reason,
      recipient: r.recipient,
      content: r.content,
      attempts: r.attempts,
      createdAt: r.createdAt.toISOString(),
      sentAt: r.sentAt?.toISOString() ?? null,
      history: events.map((e) => ({ status: e.status, at: e.occurredAt.toISOString(), detail: e.detail })),
    };
  };

  const runDeps = {
    db,
    clock,
    ids,
    templates,
    policy: () => policy.get(),
    secrets: () => policy.secrets(),
    contacts: deps.contacts,
    segmentMembers: deps.segments.members,
    separateConnections: deps.separateConnections ?? false,
  };

  const engineDeps = {
    db,
    clock,
    ids,
    templates,
    policy: () => policy.get(),
    customers: deps.sources.customers,
    enqueue,
    ...(deps.log ? { log: deps.log } : {}),
    entered: () => deps.wakeJob?.('advance-journeys'),
    actions: {
      ...deps.journeyActions,
      async inSegment(segmentId: string, customerId: string) {
        const row = await sql`select 1 from (${deps.segments.members(segmentId)}) m where m.customer_id = ${customerId} limit 1`.execute(db);
        return row.rows.length > 0;
      },
      async purchasedSince(customerId: string, since: Date) {
        const row = await sql`select 1 from (${deps.purchaseReceipts({ from: since, to: new Date(clock.now().getTime() + 60_000) })}) p where p.customer_id = ${customerId} limit 1`.execute(db);
        return row.rows.length > 0;
      },
      async lapsed(from: Date, to: Date) {
        const rows = await sql<{ customerId: string; lastAt: Date }>`
          select p.customer_id, max(p.occurred_at) as last_at from (${deps.purchaseReceipts({ from, to: new Date(clock.now().getTime() + 60_000) })}) p
          group by p.customer_id having max(p.occurred_at) < ${to}`.execute(db);
        return rows.rows.map((row) => ({ customerId: row.customerId, lastAt: new Date(row.lastAt) }));
      },
    },
  };

  const links = createLinkTracking({ db, clock, secrets: () => policy.secrets(), withdraw: deps.withdrawConsent });
  const preferences = createPreferenceCentre({
    target: (token) => links.unsubscribeTarget(token),
    topics,
    customerLocale: async (customerId) => (await deps.sources.customers([customerId]))[0]?.locale ?? null,
    changed: (message, changed) => links.topicsChanged(message, changed),
  });

  const telegram = createTelegramLinks({
    db,
    clock,
    channels,
    active: async (customerId) => (await deps.sources.customers([customerId]))[0]?.status === 'active',
    enqueue,
    ...(deps.log ? { log: deps.log } : {}),
  });

  const oneCustomer = async (customerId: string): Promise<CustomerRecord> => {
    const [record] = await deps.sources.customers([customerId]);
    if (!record || record.status !== 'active') throw messagingError('messaging.no_address', `No active customer ${customerId} to render for`);
    return record;
  };
  /** One render for previews, saved or draft: the customer's context, then each part as a message would have it. */
  const renderFor = async (kind: MessageKind, parts: TemplateParts, customerId: string, extras?: ContextExtras) => {
    const record = await oneCustomer(customerId);
    const context = await templateContext(deps.sources, await policy.get(), record, { id: 'msg_preview', kind, at: clock.now() }, extras);
    const sign = deps.surveyLinks && Object.values(parts).some((source) => source.includes('survey_url')) ? await deps.surveyLinks.signer() : null;
    const surveyUrl = sign ? { surveyUrl: (surveyId: string) => sign(surveyId, record.id) } : {};
    const rendered = Object.fromEntries([...compileParts(parts)].map(([name, part]) => [name, renderCompiledPart(part, context, { now: clock.now(), partName: name, ...surveyUrl })]));
    return { kind, customerId: record.id, parts: rendered, content: contentOf(kind, rendered) };
  };

  return {
    channels,
    templates,
    /** Subscription topics, and each customer's state on them (topics.ts). */
    topics,
    policy,
    webhooks,
    staffMail,
    push,
    campaigns,
    journeys,
    links,
    /** The preference centre behind a message's unsubscribe link (preference-centre.ts). */
    preferences,
    /** Customers' Telegram chats: one-time deep links, the bot's "/start <token>", unlinking. */
    telegram,
    /** SMS gateways' delivery reports. */
    deliveryReports: createDeliveryReports({ db, clock, ids, channels, publicUrl: async () => (await policy.get()).publicUrl }),
    /** Bounces and spam complaints that come back to the bounce address. */
    bounces: createBounces({ db, clock, ids, channels, withdraw: (customerId, channel, messageId, cause) => deps.withdrawConsent(customerId, channel, messageId, cause) }),
    globalControl: createGlobalControl({ db, clock }),
    /** Journeys: the consumer that enters customers, the scan for lapsed buyers, the walk of entries due. */
    enterJourneys: (signal?: AbortSignal, woken = false) => enterJourneys(engineDeps, signal, woken),
    scanLapsed: () => scanLapsed(engineDeps),
    advanceJourneys: (signal?: AbortSignal) => advanceJourneys(engineDeps, signal),
    /** Starts the campaigns due and queues the running ones' messages (the `run-campaigns` job). */
    async runCampaigns(signal?: AbortSignal, sizes?: CampaignRunDeps['sizes']) {
      const report = await runCampaigns(sizes ? { ...runDeps, sizes } : runDeps, signal);
      if (report.queued > 0) wakeSender();
      return report;
    },
    campaignReport: async (id: string) => campaignReport({ db, clock, receipts: deps.purchaseReceipts, currency: deps.sources.currency }, await campaigns.load(id)),
    /** A draft campaign's audience replaced by the customers a CSV file names (campaign-audience.ts). */
    uploadAudience: (id: string, body: Readable, actor: Actor) => uploadAudience({ db, clock, resolve: deps.resolveCustomers }, id, body, actor),
    /** What campaigns and journeys with a control group added to revenue, those whose attribution starts in [from, to) (analytics' ROI). */
    measuredExperiments: (period: { from: Date; to: Date }) => measuredExperiments({ db, receipts: deps.purchaseReceipts, now: clock.now() }, period),
    journeyReport: async (id: string, ask: JourneyReportAsk) => journeyReport({ db, clock, receipts: deps.purchaseReceipts, currency: deps.sources.currency }, await journeys.load(id), ask),
    /** Renders and queues messages of one template version (campaigns and journeys call this). */
    enqueue,
    /**
     * Sends a text of Patron's own straight away through the active channel of `kind`, outside
     * the queue: a one-time code must arrive now, to a phone that may be no customer's yet, and a
     * code not sent is asked for again by the person waiting for it. Answers what the provider did,
     * or null when no channel of that kind is active.
     */
    async sendNow(kind: 'sms' | 'email', to: string, content: { text: string; subject?: string }, messageId: string): Promise<SendOutcome | null> {
      const transport = await transportOf(kind);
      if (!transport) return null;
      return transport.send({ messageId, to, text: content.text, ...(content.subject ? { subject: content.subject } : {}) });
    },
    /** Sends what is due (the `send-messages` job). */
    sendDue: (signal?: AbortSignal, options: { takeOver?: boolean } = {}) => sendDue(senderDeps, signal, options),
    /** A template rendered for a real customer, without sending anything. */
    async preview(templateId: string, input: { customerId: string; version?: number; extras?: ContextExtras }) {
      const { template, parts, version } = await templates.version(templateId, input.version);
      return { templateId, version, ...(await renderFor(template.kind, parts, input.customerId, input.extras)) };
    },
    /** An unsaved draft rendered for a real customer: checked as saving checks it, then the same render; nothing is written. */
    async previewDraft(input: { kind: MessageKind; parts: TemplateParts; customerId: string }) {
      await templates.check(input.kind, input.parts);
      return renderFor(input.kind, input.parts, input.customerId);
    },
    /**
     * A test send: the template rendered for a customer, to the customer's address or to `to`
     * (a marketer's own inbox), as a service message (no consent or cap applies to a test).
     */
    async testSend(templateId: string, input: { customerId: string; to?: string; version?: number }, actor: Actor): Promise<MessageView> {
      const noAddress = (kind: MessageKind) => messagingError('messaging.no_address', `Customer ${input.customerId} has no ${kind} address; give "to" to send the test elsewhere`);
      const { template, parts, version } = await templates.version(templateId, input.version);
      const record = await oneCustomer(input.customerId);
      // Refused before anything is queued: a refused test leaves no message behind.
      if (!input.to && template.kind !== 'push' && !(await addresses(db, template.kind, [record])).get(record.id)) throw noAddress(template.kind);
      const result = await enqueue({
        template: { id: template.id, version, kind: template.kind, purpose: 'service', parts },
        source: 'test',
        sourceId: actor.keyId,
        items: [{ customerId: input.customerId, dedupeKey: null, ...(input.to ? { to: input.to } : {}) }],
      });
      const id = result.queued[0] ?? result.skipped[0];
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id!).executeTakeFirstOrThrow();
      if (row.status === 'skipped') throw noAddress(template.kind);
      return messageView(row);
    },
    /** A message sent again to the customer's address of now (resend.ts says what is kept and why). */
    async resend(id: string, actor: Actor, idempotencyKey?: string): Promise<{ message: MessageView; replayed: boolean }> {
      const { id: resentId, replayed } = await resendMessage({ db, clock, ids, sources: deps.sources, render: senderDeps.render }, id, actor, idempotencyKey);
      const row = await db.selectFrom('messages').selectAll().where('id', '=', resentId).executeTakeFirstOrThrow();
      return { message: await messageView(row), replayed };
    },
    async message(id: string): Promise<MessageView | null> {
      const row = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? messageView(row) : null;
    },
    /** A customer's messages, newest first, each with its status history. */
    async customerMessages(customerId: string, query: { limit: number; cursor?: string }): Promise<Page<MessageView>> {
      const after = decodeCursor(query.cursor, isIdKey('msg'));
      let q = db.selectFrom('messages').selectAll().where('customerId', '=', customerId).orderBy('id', 'desc').limit(query.limit + 1);
      if (after) q = q.where('id', '<', after);
      const page = pageOf(await q.execute(), query.limit, (row) => row.id);
      return { items: await Promise.all(page.items.map(messageView)), nextCursor: page.nextCursor };
    },
    /** A customer's messages rewritten when the customer is erased: no address, no text (the counts stay). */
    async eraseCustomer(tx: Tx, customerIds: string[]): Promise<void> {
      await tx.updateTable('messages').set({ recipient: null, content: null }).where('customerId', 'in', customerIds).execute();
      await tx.deleteFrom('pushSubscriptions').where('customerId', 'in', customerIds).execute();
      await tx.deleteFrom('telegramLinks').where('customerId', 'in', customerIds).execute();
      await tx.deleteFrom('telegramLinkTokens').where('customerId', 'in', customerIds).execute();
    },
    /** A merged duplicate's messages and subscriptions become the survivor's; its Telegram chat too, unless the survivor has one. */
    async mergeCustomer(tx: Tx, fromId: string, intoId: string): Promise<void> {
      await tx.updateTable('messages').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
      await tx.updateTable('messageEvents').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
      await tx.updateTable('pushSubscriptions').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
      const survivorChat = await tx.selectFrom('telegramLinks').select('chatId').where('customerId', '=', intoId).executeTakeFirst();
      if (survivorChat) await tx.deleteFrom('telegramLinks').where('customerId', '=', fromId).execute();
      else await tx.updateTable('telegramLinks').set({ customerId: intoId }).where('customerId', '=', fromId).execute();
      // The duplicate's open links would link a chat to a customer who no longer exists.
      await tx.deleteFrom('telegramLinkTokens').where('customerId', '=', fromId).execute();
    },
    async close(): Promise<void> {
      await Promise.all([...transports.values()].map((t) => t.transport.close().catch(() => undefined)));
      transports.clear();
      await webhooks.close();
    },
  };
}

export type Messaging = ReturnType<typeof createMessaging>;
