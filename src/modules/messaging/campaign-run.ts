import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { ConsentChannel } from '../customers/index.ts';
import { CONTROL } from './campaign-arms.ts';
import { startCampaign } from './campaign-start.ts';
import { localInstant, type CampaignRow } from './campaigns.ts';
import type { ContactPolicy, MessagingSecrets } from './contact-policy.ts';
import type { Db } from './messaging.db.ts';
import type { Ids } from './messaging.ids.ts';
import type { MessageKind } from './messaging.tables.ts';
import type { TemplateStore } from './template-store.ts';

/**
 * The campaign job: starts the campaigns whose time has come (their audience taken as it is
 * then, each customer given an arm by hashing with the campaign's salt: campaign-start.ts), then
 * queues the messages of running ones in rounds of a few chunks in customer-id order, the
 * chunks of a round on connections of their own at once (one statement a chunk), the last
 * customer queued saved once the whole round is in. Each message's key is the campaign and the
 * customer, so a run killed half-way and started again (here or on another instance) queues
 * nobody twice, and the messages are exactly one per messaged customer. A campaign is completed
 * once every message is queued and none waits to be sent.
 */
/**
 * Recipients queued a statement: large enough that a million is a few dozen statements, small
 * enough that one is a few seconds (the job stops between rounds when asked to).
 */
const CHUNK = 20_000;
/**
 * Chunks queued at once, each on its own connection. A chunk is one statement the database
 * works through on one CPU while the job waits; two at once keep both CPUs of a quiet 2-CPU
 * machine busy (and, on a busy one, hold two shares of it). On PGlite (one connection) they
 * run one after another, as before.
 */
const PARALLEL = 2;
/**
 * The fewest recipients a range of a start's audience (campaign-start.ts): finding the cuts reads
 * the audience's index once and a half, a few milliseconds for thousands, where hashing and
 * inserting them takes a tenth of a second or more.
 */
const MIN_RANGE = 5_000;

/** Customers' facts as SQL (customers' contact-facts.ts): a customer's status, zone and addresses; marketing consent now. */
export type ContactFacts = {
  of: (customerId: RawBuilder<unknown>, wanted?: { email: boolean; phone: boolean }) => RawBuilder<unknown>;
  granted: (customerId: RawBuilder<unknown>, channel: ConsentChannel) => RawBuilder<boolean>;
};

export type CampaignRunDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  templates: TemplateStore;
  policy: () => Promise<ContactPolicy>;
  secrets: () => Promise<MessagingSecrets>;
  contacts: ContactFacts;
  /** The current members of a segment, as SQL selecting `customer_id` (each customer once). */
  segmentMembers: (segmentId: string) => RawBuilder<unknown>;
  /** Recipients a statement and statements at once (tests make them small, to cross chunks and rounds). */
  sizes?: { chunk: number; parallel: number };
  /** Statements run on connections of their own at once (PostgreSQL); PGlite serves one connection, which a transaction holds. */
  separateConnections?: boolean;
};

export type CampaignRunReport = { started: number; queued: number; completed: number };

/** The SQL that names, for a customer id expression, whether they can be reached on a kind (reach's rule, set-based). */
function reachSql(deps: CampaignRunDeps, kind: MessageKind, customerId: RawBuilder<unknown>, facts: { email: RawBuilder<unknown>; phone: RawBuilder<unknown> }): RawBuilder<boolean> {
  switch (kind) {
    case 'email': return sql<boolean>`(${facts.email} is not null and ${deps.contacts.granted(customerId, 'email')})`;
    case 'sms': return sql<boolean>`(${facts.phone} is not null and ${deps.contacts.granted(customerId, 'sms')})`;
    case 'push': return sql<boolean>`(exists (select 1 from push_subscriptions ps where ps.customer_id = ${customerId}) and ${deps.contacts.granted(customerId, 'push')})`;
    case 'telegram': return sql<boolean>`(exists (select 1 from telegram_links tl where tl.customer_id = ${customerId}) and ${deps.contacts.granted(customerId, 'messenger')})`;
  }
}

/**
 * Queues one round of a running campaign: `parallel` chunks of the next recipients in customer-id
 * order, chunk j the `chunk` recipients after the first j × `chunk`, each one statement on a
 * connection of its own, all at once. A statement gives each recipient the first step of their
 * variant whose channel reaches them (address and, as before, marketing consent; none: the first
 * step), their address, the instant they are due (local time in their zone, the throttle by their
 * place in the campaign), and a message row, its first history entry (queued) in the row itself —
 * or a skipped one saying why (customer_gone, no_address) in a history row. The text is rendered when the message is sent (sender.ts): a
 * campaign to a million customers is queued in seconds, not rendered a message at a time.
 *
 * The campaign's position and count move once every chunk of the round is in, past the last
 * one: chunks commit in any order, so a chunk moving the position itself could step past one
 * that a crash then lost. A crash in between queues the round again, and each message's key
 * skips those already in. Answers how many customers the round took (0: all are queued).
 */
async function queueRound(deps: CampaignRunDeps, campaign: CampaignRow): Promise<number> {
  const { db, clock } = deps;
  const { chunk, parallel } = deps.sizes ?? { chunk: CHUNK, parallel: PARALLEL };
  const now = clock.now();
  const policy = await deps.policy();
  const templates = new Map<string, { kind: MessageKind; purpose: 'marketing' | 'service'; version: number }>();
  for (const variant of campaign.variants) {
    for (const step of variant.steps) {
      if (templates.has(step.templateId)) continue;
      // The version fixed when the campaign started: a template edited since does not change this campaign.
      const { template, version } = await deps.templates.version(step.templateId, step.version);
      templates.set(step.templateId, { kind: template.kind, purpose: template.purpose, version });
    }
  }
  const steps = campaign.variants.flatMap((variant) => variant.steps.map((step, ord) => ({ arm: variant.key, ord, templateId: step.templateId, ...templates.get(step.templateId)! })));
  const after = campaign.position ? sql`and r.customer_id > ${campaign.position}` : sql``;
  const zoneOf = sql`coalesce(f.timezone, ${policy.defaultTimezone})`;
  const throttled = campaign.throttlePerMinute
    ? sql`${campaign.startedAt ?? now}::timestamptz + ((${campaign.enqueued}::bigint + c.i) / ${campaign.throttlePerMinute}::bigint) * interval '1 minute'`
    : sql`null::timestamptz`;
  // The channel order only matters to a customer when a variant has a fallback.
  const fallback = campaign.variants.some((variant) => variant.steps.length > 1);
  const facts = { email: sql`f.email`, phone: sql`f.phone` };
  const reachable = fallback
    ? sql`case ${sql.join(
        [...new Set(steps.map((step) => step.kind))].map((kind) => sql`when s.kind = ${kind} then ${reachSql(deps, kind, sql`p.customer_id`, facts)}`),
        sql` `,
      )} else false end desc,`
    : sql``;
  // The addresses the campaign's channels use (and, with a fallback, the channels' reach needs).
  const kinds = new Set(steps.map((step) => step.kind));
  const wanted = { email: kinds.has('email'), phone: kinds.has('sms') };
  const key = `campaign:${campaign.id}:`;

  const queueChunk = async (j: number): Promise<{ taken: number; last: string | null }> => {
    // i: the recipient's place after the campaign's position, so the throttle spaces the chunks
    // of a round as it spaces recipients one after another.
    const page = sql`select r.customer_id, r.arm, (row_number() over (order by r.customer_id) - 1)::int as i
      from campaign_recipients r where r.campaign_id = ${campaign.id} and r.arm <> ${CONTROL} ${after}
      order by r.customer_id offset ${j * chunk} limit ${chunk}`;
    // A local-time send: the instant of that time in each zone the chunk holds, computed as
    // localInstant computes it (a day a clock jumps included), then joined by zone.
    let local = sql`null::timestamptz`;
    let zones = sql``;
    if (campaign.schedule.kind === 'local') {
      const schedule = campaign.schedule;
      const found = await sql<{ zone: string }>`select distinct ${zoneOf} as zone from (${page}) p left join lateral (${deps.contacts.of(sql`p.customer_id`)}) f on true`.execute(db);
      const names = found.rows.map((row) => row.zone);
      const instants = names.map((zone) => localInstant(schedule.date, schedule.time, zone).toISOString());
      zones = sql`left join unnest(${names}::text[], ${instants}::timestamptz[]) as z(zone, at) on z.zone = ${sql`coalesce(c.timezone, ${policy.defaultTimezone})`}`;
      local = sql`z.at`;
    }
    const messageIds = Array.from({ length: chunk }, () => deps.ids.next('msg'));
    const statement = (onConflict: RawBuilder<unknown>) => sql<{ taken: number; last: string | null }>`
      with page as (${page}),
      steps as (
        select * from unnest(${steps.map((s) => s.arm)}::text[], ${steps.map((s) => s.ord)}::int[], ${steps.map((s) => s.templateId)}::text[],
          ${steps.map((s) => s.kind)}::text[], ${steps.map((s) => s.purpose)}::text[], ${steps.map((s) => s.version)}::int[]) as s(arm, ord, template_id, kind, purpose, version)
      ),
      chosen as (
        select distinct on (p.customer_id) p.customer_id, p.i, s.template_id, s.kind, s.purpose, s.version, f.status, f.timezone,
          case s.kind when 'email' then f.email when 'sms' then f.phone
            when 'telegram' then (select tl.chat_id from telegram_links tl where tl.customer_id = p.customer_id) else null end as address
        from page p join steps s on s.arm = p.arm
        left join lateral (${deps.contacts.of(sql`p.customer_id`, wanted)}) f on true
        order by p.customer_id, ${reachable} s.ord
      ),
      rows as (
        select (${messageIds}::text[])[c.i - ${j * chunk} + 1] as id, c.customer_id, c.template_id, c.kind, c.purpose, c.version,
          case when c.status is distinct from 'active' then 'customer_gone' when c.address is null and c.kind <> 'push' then 'no_address' end as reason,
          case when c.status = 'active' then c.address end as recipient,
          coalesce(greatest(${local}, ${throttled}), ${now}::timestamptz) as due
        from chosen c ${zones}
      ),
      inserted as (
        insert into messages (id, customer_id, kind, purpose, template_id, template_version, source, source_id, dedupe_key, recipient, content, status, reason,
          next_attempt_at, first_event_in_row, created_at, updated_at)
        select id, customer_id, kind, purpose, template_id, version, 'campaign', ${campaign.id}, ${key} || customer_id, recipient, null,
          case when reason is null then 'queued' else 'skipped' end, reason, due, reason is null, ${now}, ${now}
        from rows
        ${onConflict}
        returning id, customer_id, status, reason
      ),
      -- A queued message's first history entry is its row (first_event_in_row, migration 0047): a
      -- row of message_events, three index entries and a foreign-key check a message fewer. One
      -- skipped at once says why in a history row, as before.
      history as (
        insert into message_events (message_id, customer_id, status, occurred_at, detail)
        select id, customer_id, status, ${now}, jsonb_build_object('reason', reason) from inserted where reason is not null
      )
      select count(*)::int as taken, max(customer_id) as last from page`;
    // A plain insert first: none of the chunk's messages exists unless a crash (or another
    // instance) left this very round queued and its position unmoved. ON CONFLICT DO NOTHING
    // made each row a speculative insertion (a probe of the key, then a second write to confirm
    // the row) for that rare case. When it happens the statement fails whole on the key and runs
    // again skipping what is in, as before.
    let result;
    try {
      result = await statement(sql``).execute(db);
    } catch (error) {
      if (!isDedupeConflict(error)) throw error;
      result = await statement(sql`on conflict (dedupe_key) do nothing`).execute(db);
    }
    const row = result.rows[0];
    return { taken: row?.taken ?? 0, last: row?.last ?? null };
  };

  // Every chunk settles before the round answers (a failed one fails the round, and the
  // position stays where it was for the next run).
  const settled = await Promise.allSettled(Array.from({ length: parallel }, (_, j) => queueChunk(j)));
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  const chunks = settled.map((outcome) => (outcome as PromiseFulfilledResult<{ taken: number; last: string | null }>).value);
  const taken = chunks.reduce((sum, c) => sum + c.taken, 0);
  // Chunk j holds recipients only when those before it are full: the last one taken is the furthest.
  const last = chunks.filter((c) => c.last !== null).at(-1)?.last ?? null;
  if (taken > 0) {
    await db.updateTable('campaigns').set({ position: last, enqueued: sql`enqueued + ${taken}`, updatedAt: now }).where('id', '=', campaign.id).where('status', '=', 'running').execute();
  }
  return taken;
}

/** A unique violation of the messages' dedupe key (PostgreSQL's and PGlite's errors both carry the code and constraint). */
function isDedupeConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && (e.constraint === undefined || e.constraint === 'messages_dedupe_key_key');
}

export async function runCampaigns(deps: CampaignRunDeps, signal?: AbortSignal): Promise<CampaignRunReport> {
  const { db, clock } = deps;
  const report: CampaignRunReport = { started: 0, queued: 0, completed: 0 };
  const due = await db.selectFrom('campaigns').select('id').where('status', '=', 'scheduled').where('startsAt', '<=', clock.now()).orderBy('startsAt').execute();
  const { chunk, parallel } = deps.sizes ?? { chunk: CHUNK, parallel: PARALLEL };
  // The audience in as many ranges as chunks are queued at once (tests' small chunks make small ranges too).
  const start = { ...deps, parts: parallel, minPart: deps.sizes ? chunk : MIN_RANGE, separateConnections: deps.separateConnections ?? false };
  for (const { id } of due) if (!signal?.aborted && (await startCampaign(start, id))) report.started++;
  const running = await db.selectFrom('campaigns').select('id').where('status', '=', 'running').orderBy('startedAt').execute();
  for (const { id } of running) {
    for (;;) {
      if (signal?.aborted) return report;
      const campaign = (await db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst()) as unknown as CampaignRow | undefined;
      if (!campaign || campaign.status !== 'running') break;
      // Every recipient taken (the count moves with the position): no round to run while the
      // campaign waits for its messages to be sent, only the check below, each tick.
      const allTaken = campaign.audienceSize !== null && campaign.enqueued >= campaign.audienceSize - (campaign.controlSize ?? 0);
      const taken = allTaken ? 0 : await queueRound(deps, campaign);
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
