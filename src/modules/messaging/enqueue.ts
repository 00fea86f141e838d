import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { CustomerRecord } from '../customers/index.ts';
import type { ContactPolicy, MessagingSecrets } from './contact-policy.ts';
import { trackHtml, trackingUrl } from './tracking.ts';
import type { Db, DbOrTx } from './messaging.db.ts';
import type { Ids } from './messaging.ids.ts';
import type { MessageContent, MessageKind, MessagePurpose, MessageSource, MessageStatus, TemplateParts } from './messaging.tables.ts';
import { htmlParts } from './template-store.ts';
import { templateContext, type ContextExtras, type ContextSources } from './template-context.ts';
import { compilePart, renderCompiledPart, type CompiledPart } from './templates/index.ts';

/**
 * Queues messages: each rendered for its customer when queued (the text a customer gets is the
 * text of that moment's data, kept with the message), then written with its dedupe key, so a
 * retried or restarted enqueue adds no second message for a key. A campaign's messages are the
 * exception: queued set-based without text (campaign-run.ts) and rendered by `prepareRender`
 * when the sender claims them, with the same context and links.
 * Consent, caps and quiet hours are checked when the message is sent, not here: they are about
 * the moment of sending, and a queued message may wait hours.
 */
export type EnqueueItem = {
  customerId: string;
  dedupeKey: string | null;
  /** A test send's address instead of the customer's. */
  to?: string;
  extras?: ContextExtras;
  /** Not before this instant (a local-time send); now when left out. */
  notBefore?: Date;
};

export type EnqueueBatch = {
  /** A stored template's version; or, with a null id and version, a text of Patron's own (the Telegram link's confirmation). */
  template: { id: string | null; version: number | null; kind: MessageKind; purpose: MessagePurpose; parts: TemplateParts };
  source: MessageSource;
  sourceId: string | null;
  items: EnqueueItem[];
  /** The items' customers when the caller has just read them (a journey's batch): not read again. */
  records?: CustomerRecord[];
  /**
   * Queued without text, rendered by the sender when it claims them (sender.ts), for a customer's
   * own address: a journey's step is walked without a render a message. An item with extras (a
   * promo code) or another address (`to`) is rendered now, as what it carries is not stored.
   */
  renderWhenSent?: boolean;
};

export type EnqueueDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  sources: ContextSources;
  policy: () => Promise<ContactPolicy>;
  secrets: () => Promise<MessagingSecrets>;
  /** Signs customers' survey links (survey_url): loaded once a batch, for templates that use it. */
  surveySigner?: SurveySigner;
};

/** The surveys module's signer, passed by buildApp: a customer's own link to a survey. */
export type SurveySigner = () => Promise<(surveyId: string, customerId: string) => string>;

/** A customer's address on a kind; push goes to every subscription, looked up when sent. */
export async function addresses(db: DbOrTx, kind: MessageKind, records: CustomerRecord[]): Promise<Map<string, string | null>> {
  const found = new Map<string, string | null>();
  if (kind === 'telegram') {
    const links = await db.selectFrom('telegramLinks').select(['customerId', 'chatId']).where('customerId', 'in', records.length > 0 ? records.map((r) => r.id) : ['']).execute();
    for (const link of links) found.set(link.customerId, link.chatId);
    return found;
  }
  for (const record of records) found.set(record.id, kind === 'email' ? record.email : kind === 'sms' ? record.phone : null);
  return found;
}

/** Compiled once per batch: a campaign renders one template for thousands of customers. */
export function compileParts(parts: TemplateParts): Map<string, CompiledPart> {
  return new Map(Object.entries(parts).map(([name, source]) => [name, compilePart(source, { escapeHtml: htmlParts.has(name), partName: name })]));
}

export function contentOf(kind: MessageKind, rendered: Record<string, string>): MessageContent {
  switch (kind) {
    case 'email': return { subject: rendered.subject ?? '', text: rendered.text ?? '', ...(rendered.html ? { html: rendered.html } : {}) };
    case 'push': return { subject: rendered.title ?? '', text: rendered.body ?? '', ...(rendered.url ? { url: rendered.url } : {}) };
    default: return { text: rendered.text ?? '' };
  }
}

type NewMessage = { id: string; customerId: string; recipient: string | null; content: MessageContent | null; status: MessageStatus; reason: string | null; dedupeKey: string | null; due: Date };

/** A message's text for one customer: the context read, the compiled parts rendered, the links tracked. */
export type RenderOne = (id: string, record: CustomerRecord, extras?: ContextExtras) => Promise<MessageContent>;

/**
 * What a batch of one template version shares, read and compiled once: the policy, the link key,
 * the compiled parts, the program's currency, the survey signer; answers the per-message render.
 */
export async function prepareRender(deps: Pick<EnqueueDeps, 'sources' | 'policy' | 'secrets' | 'surveySigner'>, template: { kind: MessageKind; parts: TemplateParts }, now: Date): Promise<RenderOne> {
  const [policy, secrets, currency] = await Promise.all([deps.policy(), deps.secrets(), deps.sources.currency()]);
  const compiled = compileParts(template.parts);
  // A balance costs several queries a customer: read only for templates that show one.
  const needsAccount = Object.values(template.parts).some((source) => /\b(balance|tier)\b/.test(source));
  const sources: ContextSources = {
    customers: deps.sources.customers,
    currency: async () => currency,
    account: needsAccount ? deps.sources.account : async () => ({ available: 0, pendingPoints: 0, expiring: [], tier: null }),
  };
  const sign = deps.surveySigner && Object.values(template.parts).some((source) => source.includes('survey_url')) ? await deps.surveySigner() : null;
  return async (id, record, extras) => {
    // The unsubscribe page is also where, for now, a customer changes what they get (the preference centre comes with the account page).
    const unsubscribe = trackingUrl(policy.publicUrl, secrets.linkSecret, 'unsubscribe', id);
    const links = { ...extras, links: { unsubscribe, preferences: unsubscribe, ...extras?.links } };
    const context = await templateContext(sources, policy, record, { id, kind: template.kind, at: now }, links);
    const rendered = Object.fromEntries([...compiled].map(([name, part]) => [name, renderCompiledPart(part, context, { now, partName: name, ...(sign ? { surveyUrl: (surveyId: string) => sign(surveyId, record.id) } : {}) })]));
    if (rendered.html) rendered.html = trackHtml(rendered.html, policy.publicUrl, secrets.linkSecret, id, unsubscribe);
    return contentOf(template.kind, rendered);
  };
}

/** Renders and queues a batch; answers the ids of the messages written (a key queued before is not written again). */
export async function enqueueMessages(deps: EnqueueDeps, batch: EnqueueBatch): Promise<{ queued: string[]; skipped: string[]; existing: number }> {
  const { db, clock, ids } = deps;
  const now = clock.now();
  const records = new Map((batch.records ?? (await deps.sources.customers(batch.items.map((item) => item.customerId)))).map((record) => [record.id, record]));
  const found = await addresses(db, batch.template.kind, [...records.values()]);
  const render = await prepareRender(deps, batch.template, now);
  const rows: NewMessage[] = [];
  for (const item of batch.items) {
    const id = ids.next('msg');
    const record = records.get(item.customerId);
    const base = { id, customerId: item.customerId, dedupeKey: item.dedupeKey, due: item.notBefore ?? now };
    if (!record || record.status !== 'active') {
      rows.push({ ...base, recipient: null, content: null, status: 'skipped', reason: 'customer_gone' });
      continue;
    }
    const recipient = item.to ?? found.get(record.id) ?? null;
    if (!recipient && batch.template.kind !== 'push') {
      rows.push({ ...base, recipient: null, content: null, status: 'skipped', reason: 'no_address' });
      continue;
    }
    const later = batch.renderWhenSent === true && batch.template.id !== null && item.extras === undefined && item.to === undefined;
    rows.push({ ...base, recipient, content: later ? null : await render(id, record, item.extras), status: 'queued', reason: null });
  }
  if (rows.length === 0) return { queued: [], skipped: [], existing: 0 };
  // One statement however many: the messages, their first history entry, nothing for a key seen before.
  const written = await sql<{ id: string; status: MessageStatus }>`
    with input as (
      select * from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.customerId)}::text[], ${rows.map((r) => r.recipient)}::text[],
        ${rows.map((r) => (r.content ? JSON.stringify(r.content) : null))}::jsonb[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.reason)}::text[],
        ${rows.map((r) => r.dedupeKey)}::text[], ${rows.map((r) => r.due.toISOString())}::timestamptz[])
        as t(id, customer_id, recipient, content, status, reason, dedupe_key, due)
    ), inserted as (
      insert into messages (id, customer_id, kind, purpose, template_id, template_version, source, source_id, dedupe_key, recipient, content, status, reason,
        next_attempt_at, created_at, updated_at)
      select id, customer_id, ${batch.template.kind}, ${batch.template.purpose}, ${batch.template.id}, ${batch.template.version}, ${batch.source}, ${batch.sourceId},
        dedupe_key, recipient, content, status, reason, due, ${now}, ${now}
      from input
      on conflict (dedupe_key) do nothing
      returning id, customer_id, status, reason
    ), history as (
      insert into message_events (message_id, customer_id, status, occurred_at, detail)
      select id, customer_id, status, ${now}, case when reason is null then '{}'::jsonb else jsonb_build_object('reason', reason) end from inserted
    )
    select id, status from inserted`.execute(db);
  return {
    queued: written.rows.filter((row) => row.status === 'queued').map((row) => row.id),
    skipped: written.rows.filter((row) => row.status === 'skipped').map((row) => row.id),
    existing: rows.length - written.rows.length,
  };
}
