import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { localTime } from '../../platform/local-time.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { Db, Tx } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { Ids } from './messaging.ids.ts';
import type { CampaignAudience, CampaignSchedule, CampaignStatus, CampaignVariant, CampaignsTable } from './messaging.tables.ts';
import type { TemplateStore } from './template-store.ts';

/**
 * Campaigns: who (a segment, taken when the campaign starts, or an uploaded list), what (one
 * variant or several, each with channels in fallback order: push, then Telegram, then SMS, then
 * e-mail, as the marketer orders them), when (now, at an instant, or at a local time in each
 * customer's zone), how fast (a throttle), and a holdout control group that gets nothing, so
 * the report can say what the campaign changed.
 *
 * Life: draft → (start) scheduled → running → completed; paused and resumed while running;
 * cancelled from any state before completed. Only a draft is edited.
 */
export type CampaignInput = {
  name: string;
  audience: { kind: 'segment'; segmentId: string } | { kind: 'list'; customerIds: string[] };
  variants: Array<{ key: string; weightBp: number; steps: Array<{ templateId: string }> }>;
  schedule?: CampaignSchedule;
  throttlePerMinute?: number | null;
  controlShareBp?: number;
  attributionDays?: number;
};

export type CampaignView = {
  id: string;
  name: string;
  status: CampaignStatus;
  audience: CampaignAudience & { listSize?: number };
  variants: CampaignVariant[];
  schedule: CampaignSchedule;
  throttlePerMinute: number | null;
  controlShareBp: number;
  attributionDays: number;
  progress: { audience: number | null; control: number | null; toMessage: number | null; queued: number };
  startsAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type CampaignRow = { [K in keyof CampaignsTable]: unknown } & {
  id: string; name: string; status: CampaignStatus; audience: CampaignAudience; variants: CampaignVariant[]; schedule: CampaignSchedule;
  throttlePerMinute: number | null; controlShareBp: number; salt: string; attributionDays: number; audienceSize: number | null; controlSize: number | null;
  enqueued: number; position: string | null; startsAt: Date | null; startedAt: Date | null; completedAt: Date | null; createdAt: Date; updatedAt: Date;
};

export const DEFAULT_CONTROL_BP = 1000;
const MAX_LIST = 100_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The instant a local date and time is in a zone (on a day a clock jumps, the nearest that exists). */
export function localInstant(date: string, time: string, timezone: string): Date {
  const wall = Date.parse(`${date}T${time}:00Z`);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const local = localTime(new Date(guess), timezone);
    const shown = Date.parse(`${local.date}T00:00:00Z`) + local.minutes * 60_000;
    guess += wall - shown;
  }
  return new Date(guess);
}

export function campaignView(row: CampaignRow, listSize?: number): CampaignView {
  const toMessage = row.audienceSize === null ? null : row.audienceSize - (row.controlSize ?? 0);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    audience: row.audience.kind === 'list' ? { ...row.audience, ...(listSize !== undefined ? { listSize } : {}) } : row.audience,
    variants: row.variants,
    schedule: row.schedule,
    throttlePerMinute: row.throttlePerMinute,
    controlShareBp: row.controlShareBp,
    attributionDays: row.attributionDays,
    progress: { audience: row.audienceSize, control: row.controlSize, toMessage, queued: row.enqueued },
    startsAt: row.startsAt?.toISOString() ?? null,
    startedAt: row.startedAt?.toISOString() ?? null,
    completedAt: row.completedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export type CampaignDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  templates: TemplateStore;
  /** Whether a segment exists (segments' service). */
  segmentExists: (segmentId: string) => Promise<boolean>;
  /** Each id's customer now (a merged one's survivor), null for none or an erased one (customers' port). */
  currentIds: (ids: readonly string[]) => Promise<Array<string | null>>;
  /** Asks this process's campaign job to run now (a campaign due now was started) rather than at its next tick. */
  wakeJob?: () => void;
};

async function check(deps: CampaignDeps, input: CampaignInput): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const keys = new Set<string>();
  const weights = input.variants.reduce((sum, v) => sum + v.weightBp, 0);
  if (input.variants.length === 0) problems.push({ field: 'variants', reason: 'must hold at least one variant' });
  else if (weights !== 10_000) problems.push({ field: 'variants', reason: `weights must add up to 10000 basis points, not ${weights}` });
  for (const [i, variant] of input.variants.entries()) {
    if (keys.has(variant.key)) problems.push({ field: `variants.${i}.key`, reason: `repeats variant ${variant.key}` });
    if (variant.key === 'control') problems.push({ field: `variants.${i}.key`, reason: 'control names the holdout group; call the variant something else' });
    keys.add(variant.key);
    const kinds = new Set<string>();
    for (const [j, step] of variant.steps.entries()) {
      const template = await deps.templates.load(step.templateId).catch(() => null);
      if (!template) {
        problems.push({ field: `variants.${i}.steps.${j}.templateId`, reason: `no template ${step.templateId}` });
        continue;
      }
      if (kinds.has(template.kind)) problems.push({ field: `variants.${i}.steps.${j}.templateId`, reason: `a second ${template.kind} template in one variant; each channel once, in fallback order` });
      kinds.add(template.kind);
    }
  }
  if (input.audience.kind === 'segment' && !(await deps.segmentExists(input.audience.segmentId))) problems.push({ field: 'audience.segmentId', reason: `no segment ${input.audience.segmentId}` });
  if (input.audience.kind === 'list' && input.audience.customerIds.length > MAX_LIST) problems.push({ field: 'audience.customerIds', reason: `holds more than ${MAX_LIST} customers; use a segment` });
  else if (input.audience.kind === 'list') {
    const current = await deps.currentIds(input.audience.customerIds);
    const unknown = input.audience.customerIds.filter((_, i) => current[i] === null);
    if (unknown.length > 0) {
      const shown = unknown.slice(0, 10).join(', ');
      problems.push({ field: 'audience.customerIds', reason: `${unknown.length} name no customer (unknown or erased): ${shown}${unknown.length > 10 ? ', …' : ''}` });
    }
  }
  const schedule = input.schedule;
  if (schedule?.kind === 'at' && Number.isNaN(Date.parse(schedule.at))) problems.push({ field: 'schedule.at', reason: 'must be an ISO 8601 instant' });
  if (schedule?.kind === 'local') {
    if (!DATE.test(schedule.date) || Number.isNaN(Date.parse(schedule.date))) problems.push({ field: 'schedule.date', reason: 'must be a date YYYY-MM-DD' });
    if (!TIME.test(schedule.time)) problems.push({ field: 'schedule.time', reason: 'must be a local time HH:MM' });
  }
  return problems;
}

/** When a schedule lets the campaign start: at once, at its instant, or when the first zone (UTC+14) reaches the local time. */
export function startsAt(schedule: CampaignSchedule, now: Date): Date {
  if (schedule.kind === 'now') return now;
  if (schedule.kind === 'at') return new Date(schedule.at);
  return localInstant(schedule.date, schedule.time, 'Pacific/Kiritimati');
}

export function createCampaigns(deps: CampaignDeps) {
  const { db, clock, ids } = deps;
  const load = async (id: string, tx: Db | Tx = db): Promise<CampaignRow> => {
    const row = await tx.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw messagingError('messaging.campaign_not_found', `No campaign ${id}; GET /v1/campaigns lists them`);
    return row as unknown as CampaignRow;
  };
  const listSize = async (row: CampaignRow) =>
    row.audience.kind === 'list' && row.audienceSize === null
      ? Number((await db.selectFrom('campaignListMembers').select((eb) => eb.fn.countAll<number>().as('n')).where('campaignId', '=', row.id).executeTakeFirstOrThrow()).n)
      : undefined;
  const viewOf = async (row: CampaignRow) => campaignView(row, await listSize(row));
  /** Checked before any transaction (the look-ups go through other modules); answers a list's ids as they are now (merged ones' survivors). */
  const validate = async (input: CampaignInput): Promise<string[]> => {
    const problems = await check(deps, input);
    if (problems.length > 0) throw messagingError('messaging.invalid_campaign', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
    return input.audience.kind === 'list' ? (await deps.currentIds(input.audience.customerIds)).filter((id): id is string => id !== null) : [];
  };
  const writeList = async (tx: Tx, id: string, input: CampaignInput, current: string[]) => {
    await tx.deleteFrom('campaignListMembers').where('campaignId', '=', id).execute();
    if (input.audience.kind !== 'list') return;
    const unique = [...new Set(current)];
    for (let i = 0; i < unique.length; i += 5000) {
      await tx.insertInto('campaignListMembers').values(unique.slice(i, i + 5000).map((customerId) => ({ campaignId: id, customerId }))).execute();
    }
  };
  const stored = (input: CampaignInput) => ({
    name: input.name,
    audience: JSON.stringify(input.audience.kind === 'list' ? { kind: 'list' } : input.audience),
    variants: JSON.stringify(input.variants.map((v) => ({ key: v.key, weightBp: v.weightBp, steps: v.steps.map((s) => ({ templateId: s.templateId })) }))),
    schedule: JSON.stringify(input.schedule ?? { kind: 'now' }),
    throttlePerMinute: input.throttlePerMinute ?? null,
    controlShareBp: input.controlShareBp ?? DEFAULT_CONTROL_BP,
    attributionDays: input.attributionDays ?? 7,
  });
  const transition = async (id: string, from: CampaignStatus[], to: CampaignStatus, actor: Actor, also?: (tx: Tx, row: CampaignRow) => Promise<Partial<Record<string, unknown>>>) => {
    return db.transaction().execute(async (tx) => {
      const row = await load(id, tx);
      if (!from.includes(row.status)) {
        throw messagingError('messaging.campaign_state', `Campaign ${id} is ${row.status}; it can be made ${to} only when ${from.join(' or ')}`);
      }
      const extra = also ? await also(tx, row) : {};
      const updated = await tx.updateTable('campaigns').set({ status: to, updatedAt: clock.now(), ...extra }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await writeAudit(tx, clock, actor, { action: `campaign.${to}`, entityType: 'campaign', entityId: id, details: { from: row.status } });
      return updated as unknown as CampaignRow;
    });
  };

  return {
    load,
    async create(input: CampaignInput, actor: Actor): Promise<CampaignView> {
      const current = await validate(input);
      const now = clock.now();
      const row = await db.transaction().execute(async (tx) => {
        const created = await tx
          .insertInto('campaigns')
          .values({ id: ids.next('cmp'), status: 'draft', salt: randomBytes(12).toString('base64url'), ...stored(input), createdAt: now, updatedAt: now })
          .returningAll()
          .executeTakeFirstOrThrow();
        await writeList(tx, created.id, input, current);
        await writeAudit(tx, clock, actor, { action: 'campaign.create', entityType: 'campaign', entityId: created.id, details: { audience: input.audience.kind, variants: input.variants.length } });
        return created as unknown as CampaignRow;
      });
      return viewOf(row);
    },
    get: async (id: string) => viewOf(await load(id)),
    async list(limit: number, cursor?: string): Promise<Page<CampaignView>> {
      const after = decodeCursor(cursor, isIdKey('cmp'));
      let query = db.selectFrom('campaigns').selectAll().orderBy('id', 'desc').limit(limit + 1);
      if (after) query = query.where('id', '<', after);
      const page = pageOf((await query.execute()) as unknown as CampaignRow[], limit, (row) => row.id);
      return { items: await Promise.all(page.items.map(viewOf)), nextCursor: page.nextCursor };
    },
    /** A draft replaced by its merged form (a list audience sent again replaces the list). */
    async replace(id: string, input: CampaignInput, actor: Actor): Promise<CampaignView> {
      const current = await load(id);
      if (current.status !== 'draft') throw messagingError('messaging.campaign_state', `Campaign ${id} is ${current.status}; only a draft can be changed`);
      const members = await validate(input);
      const row = await db.transaction().execute(async (tx) => {
        const updated = await tx.updateTable('campaigns').set({ ...stored(input), updatedAt: clock.now() }).where('id', '=', id).where('status', '=', 'draft').returningAll().executeTakeFirst();
        if (!updated) throw messagingError('messaging.campaign_state', `Campaign ${id} started meanwhile; only a draft can be changed`);
        if (input.audience.kind === 'list' && input.audience.customerIds.length > 0) await writeList(tx, id, input, members);
        await writeAudit(tx, clock, actor, { action: 'campaign.update', entityType: 'campaign', entityId: id, details: {} });
        return updated as unknown as CampaignRow;
      });
      return viewOf(row);
    },
    async remove(id: string, actor: Actor): Promise<CampaignView> {
      const current = await load(id);
      if (current.status === 'running' || current.status === 'paused' || current.status === 'scheduled') {
        throw messagingError('messaging.campaign_state', `Campaign ${id} is ${current.status}; cancel it first (its messages and report are kept until it is deleted)`);
      }
      const view = await viewOf(current);
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('campaigns').where('id', '=', id).execute();
        await writeAudit(tx, clock, actor, { action: 'campaign.delete', entityType: 'campaign', entityId: id, details: {} });
      });
      return view;
    },
    /** Schedules a draft: it starts (takes its audience) when its schedule says, the templates' versions fixed now. */
    async start(id: string, actor: Actor): Promise<CampaignView> {
      // Read before the transaction: nothing inside it waits on another query (PGlite has one connection).
      const current = await load(id);
      const variants = await Promise.all(
        current.variants.map(async (variant) => ({ ...variant, steps: await Promise.all(variant.steps.map(async (step) => ({ templateId: step.templateId, version: (await deps.templates.load(step.templateId)).version }))) })),
      );
      const row = await transition(id, ['draft'], 'scheduled', actor, async (_tx, locked) => ({
        variants: JSON.stringify(variants),
        startsAt: startsAt(locked.schedule, clock.now()),
      }));
      // Due now: the job takes its audience at once instead of at its next tick (up to 5 s later).
      if (row.startsAt !== null && row.startsAt.getTime() <= clock.now().getTime()) deps.wakeJob?.();
      return viewOf(row);
    },
    async pause(id: string, actor: Actor): Promise<CampaignView> {
      const row = await transition(id, ['running', 'scheduled'], 'paused', actor, async (tx) => {
        // Queued messages are held: the sender passes them by until the campaign resumes.
        await tx.updateTable('messages').set({ status: 'held', updatedAt: clock.now() }).where('source', '=', 'campaign').where('sourceId', '=', id).where('status', '=', 'queued').execute();
        return {};
      });
      return viewOf(row);
    },
    async resume(id: string, actor: Actor): Promise<CampaignView> {
      const row = await transition(id, ['paused'], 'running', actor, async (tx) => {
        await tx.updateTable('messages').set({ status: 'queued', updatedAt: clock.now() }).where('source', '=', 'campaign').where('sourceId', '=', id).where('status', '=', 'held').execute();
        return {};
      });
      return viewOf(row);
    },
    async cancel(id: string, actor: Actor): Promise<CampaignView> {
      const row = await transition(id, ['draft', 'scheduled', 'running', 'paused'], 'cancelled', actor, async (tx) => {
        const now = clock.now();
        // One statement however many are queued: a row of values a message overran PostgreSQL's
        // 65,535 parameters past about 13,000 messages (a million-customer campaign cancelled failed).
        await sql`with dropped as (
            update messages set status = 'skipped', reason = 'cancelled', updated_at = ${now}
            where source = 'campaign' and source_id = ${id} and status in ('queued', 'held')
            returning id, customer_id)
          insert into message_events (message_id, customer_id, status, occurred_at, detail)
          select id, customer_id, 'skipped', ${now}, ${JSON.stringify({ reason: 'cancelled' })}::jsonb from dropped`.execute(tx);
        return { completedAt: now };
      });
      return viewOf(row);
    },
  };
}

export type Campaigns = ReturnType<typeof createCampaigns>;
