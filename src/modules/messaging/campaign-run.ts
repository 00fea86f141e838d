import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { CustomerRecord } from '../customers/index.ts';
import { armSql, campaignArms, CONTROL } from './campaign-arms.ts';
import { localInstant, type CampaignRow } from './campaigns.ts';
import type { ContactPolicy, MessagingSecrets } from './contact-policy.ts';
import type { EnqueueBatch } from './enqueue.ts';
import type { Db } from './messaging.db.ts';
import type { MessageKind } from './messaging.tables.ts';
import type { TemplateStore } from './template-store.ts';

/**
 * The campaign job: starts the campaigns whose time has come (their audience taken as it is
 * then, each customer given an arm by hashing with the campaign's salt: one statement), then
 * queues the messages of running ones a page at a time in customer-id order, saving the last
 * customer queued. Each message's key is the campaign and the customer, so a run killed
 * half-way and started again (here or on another instance) queues nobody twice, and the
 * messages are exactly one per messaged customer. A campaign is completed once every message
 * is queued and none waits to be sent.
 */
const PAGE = 1000;

export type Reach = (records: CustomerRecord[]) => Promise<Map<MessageKind, Set<string>>>;

export type CampaignRunDeps = {
  db: Db;
  clock: Clock;
  templates: TemplateStore;
  policy: () => Promise<ContactPolicy>;
  secrets: () => Promise<MessagingSecrets>;
  customers: (ids: string[]) => Promise<CustomerRecord[]>;
  /** Who can be reached on each kind now: an address (a subscription, a linked chat) and, for marketing, consent. */
  reach: Reach;
  /** The current members of a segment, as SQL selecting `customer_id`. */
  segmentMembers: (segmentId: string) => RawBuilder<unknown>;
  enqueue: (batch: EnqueueBatch) => Promise<{ queued: string[]; skipped: string[]; existing: number }>;
};

export type CampaignRunReport = { started: number; queued: number; completed: number };

async function begin(deps: CampaignRunDeps, id: string): Promise<boolean> {
  const { db, clock } = deps;
  const { globalControl } = await deps.secrets();
  // The global control group is held out of all marketing: not in any campaign's audience at all.
  const outsideGlobal =
    globalControl.shareBp > 0
      ? sql`where ${armSql(sql`a.customer_id`, globalControl.salt, [{ key: 'global', weight: globalControl.shareBp }, { key: 'rest', weight: 10_000 - globalControl.shareBp }])} <> 'global'`
      : sql``;
  return db.transaction().execute(async (tx) => {
    // SKIP LOCKED: another instance starting it right now has it; it is not started twice.
    const row = (await sql<{ id: string }>`select id from campaigns where id = ${id} and status = 'scheduled' for update skip locked`.execute(tx)).rows[0];
    if (!row) return false;
    const campaign = (await tx.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as unknown as CampaignRow;
    const arms = campaignArms(campaign.controlShareBp, campaign.variants);
    const audience =
      campaign.audience.kind === 'segment'
        ? deps.segmentMembers(campaign.audience.segmentId)
        : sql`select customer_id from campaign_list_members where campaign_id = ${id}`;
    await sql`insert into campaign_recipients (campaign_id, customer_id, arm)
      select ${id}, a.customer_id, ${armSql(sql`a.customer_id`, campaign.salt, arms)} from (${audience}) a ${outsideGlobal}
      on conflict do nothing`.execute(tx);
    const counts = (await sql<{ total: number; control: number }>`
      select count(*)::int as total, (count(*) filter (where arm = ${CONTROL}))::int as control from campaign_recipients where campaign_id = ${id}`.execute(tx)).rows[0]!;
    await tx.deleteFrom('campaignListMembers').where('campaignId', '=', id).execute();
    await tx.updateTable('campaigns').set({ status: 'running', startedAt: clock.now(), audienceSize: counts.total, controlSize: counts.control, updatedAt: clock.now() }).where('id', '=', id).execute();
    return true;
  });
}

/** Queues one page of a running campaign; answers how many customers it took (0: all are queued). */
async function queuePage(deps: CampaignRunDeps, campaign: CampaignRow): Promise<number> {
  const { db, clock } = deps;
  let page = db.selectFrom('campaignRecipients').select(['customerId', 'arm']).where('campaignId', '=', campaign.id).where('arm', '!=', CONTROL).orderBy('customerId').limit(PAGE);
  if (campaign.position) page = page.where('customerId', '>', campaign.position);
  const recipients = await page.execute();
  if (recipients.length === 0) return 0;
  const records = await deps.customers(recipients.map((r) => r.customerId));
  const byId = new Map(records.map((record) => [record.id, record]));
  const reachable = await deps.reach(records);
  const policy = await deps.policy();
  const templates = new Map<string, { kind: MessageKind; purpose: 'marketing' | 'service'; parts: Record<string, string>; version: number }>();
  for (const variant of campaign.variants) {
    for (const step of variant.steps) {
      if (templates.has(step.templateId)) continue;
      // The version fixed when the campaign started: a template edited since does not change this campaign.
      const { template, parts, version } = await deps.templates.version(step.templateId, step.version);
      templates.set(step.templateId, { kind: template.kind, purpose: template.purpose, parts, version });
    }
  }
  const batches = new Map<string, EnqueueBatch>();
  recipients.forEach((recipient, i) => {
    const variant = campaign.variants.find((v) => v.key === recipient.arm);
    if (!variant || variant.steps.length === 0) return;
    // The first channel in the variant's order that reaches the customer; none: the first, whose message records why not.
    const step = variant.steps.find((s) => reachable.get(templates.get(s.templateId)!.kind)?.has(recipient.customerId)) ?? variant.steps[0]!;
    const template = templates.get(step.templateId)!;
    const zone = byId.get(recipient.customerId)?.timezone ?? policy.defaultTimezone;
    const local = campaign.schedule.kind === 'local' ? localInstant(campaign.schedule.date, campaign.schedule.time, zone).getTime() : 0;
    const throttled = campaign.throttlePerMinute ? (campaign.startedAt ?? clock.now()).getTime() + Math.floor((campaign.enqueued + i) / campaign.throttlePerMinute) * 60_000 : 0;
    const notBefore = Math.max(local, throttled);
    const batch = batches.get(step.templateId) ?? {
      template: { id: step.templateId, version: template.version, kind: template.kind, purpose: template.purpose, parts: template.parts },
      source: 'campaign' as const,
      sourceId: campaign.id,
      items: [],
      records,
    };
    batch.items.push({ customerId: recipient.customerId, dedupeKey: `campaign:${campaign.id}:${recipient.customerId}`, ...(notBefore > 0 ? { notBefore: new Date(notBefore) } : {}) });
    batches.set(step.templateId, batch);
  });
  for (const batch of batches.values()) await deps.enqueue(batch);
  await db
    .updateTable('campaigns')
    .set((eb) => ({ position: recipients.at(-1)!.customerId, enqueued: eb('enqueued', '+', recipients.length), updatedAt: clock.now() }))
    .where('id', '=', campaign.id)
    .where('status', '=', 'running')
    .execute();
  return recipients.length;
}

export async function runCampaigns(deps: CampaignRunDeps, signal?: AbortSignal): Promise<CampaignRunReport> {
  const { db, clock } = deps;
  const report: CampaignRunReport = { started: 0, queued: 0, completed: 0 };
  const due = await db.selectFrom('campaigns').select('id').where('status', '=', 'scheduled').where('startsAt', '<=', clock.now()).orderBy('startsAt').execute();
  for (const { id } of due) if (!signal?.aborted && (await begin(deps, id))) report.started++;
  const running = await db.selectFrom('campaigns').select('id').where('status', '=', 'running').orderBy('startedAt').execute();
  for (const { id } of running) {
    for (;;) {
      if (signal?.aborted) return report;
      const campaign = (await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst()) as unknown as CampaignRow | undefined;
      if (!campaign || campaign.status !== 'running') break;
      const taken = await queuePage(deps, campaign);
      report.queued += taken;
      if (taken > 0) continue;
      const waiting = await db.selectFrom('messages').select('id').where('source', '=', 'campaign').where('sourceId', '=', id).where('status', 'in', ['queued', 'held', 'sending']).limit(1).execute();
      if (waiting.length === 0) {
        await db.updateTable('campaigns').set({ status: 'completed', completedAt: clock.now(), updatedAt: clock.now() }).where('id', '=', id).where('status', '=', 'running').execute();
        report.completed++;
      }
      break;
    }
  }
  return report;
}
