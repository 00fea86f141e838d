import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { platformTx, type PlatformTx } from '../../platform/db-views.ts';
import { localTime } from '../../platform/local-time.ts';
import { consumeOutbox, type OutboxRow } from '../../platform/outbox-consumer.ts';
import type { CustomerRecord } from '../customers/index.ts';
import { assignVariant } from '../experiments/index.ts';
import { localInstant } from './campaigns.ts';
import type { ContactPolicy } from './contact-policy.ts';
import type { EnqueueBatch } from './enqueue.ts';
import { compare, contextValue, type Condition, type JourneyStep, type JourneyTrigger } from './journey-definition.ts';
import type { Db, Tx } from './messaging.db.ts';
import type { Ids } from './messaging.ids.ts';
import type { TemplateStore } from './template-store.ts';

/**
 * The journey engine. Entering: the `journeys` outbox consumer matches each event against the
 * active journeys' triggers and writes an entry (one per journey and trigger event, so an event
 * given twice enters once; at most one active entry per customer and journey; the re-entry rule
 * decides whether a customer may come back). "No purchase for N days" has no event: a scan finds
 * those whose last purchase is N days old. Walking: the `advance-journeys` job claims entries
 * due (FOR UPDATE SKIP LOCKED, so instances share them) and runs their steps until a wait or the
 * end. Each step is recorded once per entry (journey_entry_steps): a step redone after a crash
 * sends, awards or issues nothing twice (messages by their key, points and codes in the step's
 * transaction). The control group walks too, but its sends are recorded, not made.
 */
const CONSUMER = 'journeys';
const CLAIM_MS = 2 * 60_000;
const BATCH = 200;
const MAX_STEPS_PER_WAKE = 50;

export type JourneyActions = {
  /** Points in the caller's transaction, which `claim` (the step's record) joins, so they land once. */
  award: (customerId: string, points: number, reference: string, reason: string, claim: (tx: PlatformTx) => Promise<boolean>) => Promise<boolean>;
  /** A personal promo code of the promotion, valid over [from, to), made in the caller's transaction. */
  issueCode: (tx: PlatformTx, input: { promotionId: string; customerId: string; validFrom: Date; validTo: Date }) => Promise<string>;
  tag: (customerId: string, tag: string) => Promise<void>;
  inSegment: (segmentId: string, customerId: string) => Promise<boolean>;
  purchasedSince: (customerId: string, since: Date) => Promise<boolean>;
  /** Customers whose last purchase fell in [from, to) and none since (the no_purchase trigger). */
  lapsed: (from: Date, to: Date) => Promise<Array<{ customerId: string; lastAt: Date }>>;
};

export type JourneyEngineDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  templates: TemplateStore;
  policy: () => Promise<ContactPolicy>;
  customers: (ids: string[]) => Promise<CustomerRecord[]>;
  enqueue: (batch: EnqueueBatch) => Promise<{ queued: string[]; skipped: string[]; existing: number }>;
  actions: JourneyActions;
  log?: { error(obj: object, msg: string): void };
};

type ActiveJourney = { id: string; version: number; trigger: JourneyTrigger; steps: JourneyStep[]; reentry: 'never' | 'always' | 'after_days'; reentryDays: number | null; controlShareBp: number; salt: string; activeSince: Date | null };

function matches(trigger: JourneyTrigger, event: OutboxRow): boolean {
  if (trigger.event !== event.type) return false;
  if (trigger.event === 'customer.action') return event.payload.type === trigger.actionType;
  if (trigger.event === 'segment.entered') return event.payload.segmentId === trigger.segmentId;
  return true;
}

async function enter(deps: JourneyEngineDeps, journey: ActiveJourney, customerId: string, triggerKey: string, context: Record<string, unknown>): Promise<boolean> {
  const { db, clock, ids } = deps;
  const now = clock.now();
  if (journey.reentry !== 'always') {
    let previous = db.selectFrom('journeyEntries').select('id').where('journeyId', '=', journey.id).where('customerId', '=', customerId);
    if (journey.reentry === 'after_days') previous = previous.where('enteredAt', '>', new Date(now.getTime() - (journey.reentryDays ?? 0) * 86_400_000));
    if (await previous.limit(1).executeTakeFirst()) return false;
  }
  const arm = assignVariant(customerId, journey.salt, [{ key: 'control', weight: journey.controlShareBp }, { key: 'journey', weight: 10_000 - journey.controlShareBp }]) as 'control' | 'journey';
  const inserted = await db
    .insertInto('journeyEntries')
    .values({
      id: ids.next('jen'), journeyId: journey.id, version: journey.version, customerId, arm, triggerKey, status: 'active', stepId: journey.steps[0]!.id, wakeAt: now,
      lockedUntil: null, context: JSON.stringify(context), enteredAt: now, updatedAt: now, finishedAt: null,
    })
    // Either key: this event entered already, or the customer is inside this journey now.
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

async function activeJourneys(db: Db): Promise<ActiveJourney[]> {
  return (await db.selectFrom('journeys').select(['id', 'version', 'trigger', 'steps', 'reentry', 'reentryDays', 'controlShareBp', 'salt', 'activeSince']).where('status', '=', 'active').execute()) as unknown as ActiveJourney[];
}

/** The consumer: events in, entries out. */
export async function enterJourneys(deps: JourneyEngineDeps, signal?: AbortSignal): Promise<{ events: number; entered: number }> {
  let entered = 0;
  const { events } = await consumeOutbox(
    deps.db,
    deps.clock,
    {
      name: CONSUMER,
      types: ['customer.created', 'receipt.confirmed', 'points.expiring', 'tier.changed', 'customer.birthday', 'segment.entered', 'customer.action'],
      batch: 500,
      async handle(rows) {
        const journeys = await activeJourneys(deps.db);
        if (journeys.length === 0) return true;
        for (const row of rows) {
          if (signal?.aborted) return false;
          const customerId = row.customerId ?? (typeof row.payload.customerId === 'string' ? row.payload.customerId : null);
          if (!customerId) continue;
          for (const journey of journeys) {
            // An event from before the journey was switched on enters no one (the consumer may read it later).
            if (journey.activeSince && new Date(row.occurredAt).getTime() < new Date(journey.activeSince).getTime()) continue;
            if (matches(journey.trigger, row) && (await enter(deps, journey, customerId, row.eventId, { event: row.type, ...row.payload }))) entered++;
          }
        }
        return true;
      },
    },
    signal,
  );
  return { events, entered };
}

/** The no_purchase trigger: customers whose last purchase is N days old enter, once per that purchase. */
export async function scanLapsed(deps: JourneyEngineDeps): Promise<{ entered: number }> {
  let entered = 0;
  const now = deps.clock.now();
  for (const journey of await activeJourneys(deps.db)) {
    if (journey.trigger.event !== 'no_purchase') continue;
    const days = journey.trigger.days ?? 60;
    // A day's width of last purchases each scan, with a day's overlap: the trigger key keeps it once.
    const to = new Date(now.getTime() - days * 86_400_000);
    const from = new Date(to.getTime() - 2 * 86_400_000);
    for (const { customerId, lastAt } of await deps.actions.lapsed(from, to)) {
      if (await enter(deps, journey, customerId, `no_purchase:${customerId}:${lastAt.toISOString()}`, { event: 'no_purchase', days, lastPurchaseAt: lastAt.toISOString() })) entered++;
    }
  }
  return { entered };
}

type Entry = { id: string; journeyId: string; version: number; customerId: string; arm: 'control' | 'journey'; stepId: string | null; context: Record<string, unknown>; enteredAt: Date };

const definitions = new Map<string, JourneyStep[]>();
async function stepsOf(db: Db, journeyId: string, version: number): Promise<JourneyStep[]> {
  const key = `${journeyId}@${version}`;
  const cached = definitions.get(key);
  if (cached) return cached;
  const row = await db.selectFrom('journeyVersions').select('steps').where('journeyId', '=', journeyId).where('version', '=', version).executeTakeFirstOrThrow();
  // A version never changes once written: cached for good.
  definitions.set(key, row.steps as unknown as JourneyStep[]);
  return row.steps as unknown as JourneyStep[];
}

/** Records a step once; false when it was recorded before (a step redone after a crash). */
async function claimStep(tx: Db | Tx, clock: Clock, entry: Entry, stepId: string, outcome: string, detail: Record<string, unknown> = {}): Promise<boolean> {
  const row = await tx
    .insertInto('journeyEntrySteps')
    .values({ entryId: entry.id, stepId, customerId: entry.customerId, outcome, detail: JSON.stringify(detail), at: clock.now() })
    .onConflict((oc) => oc.columns(['entryId', 'stepId']).doNothing())
    .returning('stepId')
    .executeTakeFirst();
  return row !== undefined;
}

async function holds(deps: JourneyEngineDeps, entry: Entry, condition: Condition, record: CustomerRecord | undefined): Promise<boolean> {
  switch (condition.kind) {
    case 'segment': return (await deps.actions.inSegment(condition.segmentId, entry.customerId)) === condition.member;
    case 'purchased_since_entry': return (await deps.actions.purchasedSince(entry.customerId, entry.enteredAt)) === condition.value;
    case 'context': return compare(condition.op, contextValue(entry.context, condition.path), condition.value);
    case 'has_contact': {
      let has: boolean;
      if (condition.channel === 'email') has = Boolean(record?.email);
      else if (condition.channel === 'sms') has = Boolean(record?.phone);
      else if (condition.channel === 'push') has = (await deps.db.selectFrom('pushSubscriptions').select('id').where('customerId', '=', entry.customerId).limit(1).executeTakeFirst()) !== undefined;
      else has = (await deps.db.selectFrom('telegramLinks').select('chatId').where('customerId', '=', entry.customerId).executeTakeFirst()) !== undefined;
      return has === condition.value;
    }
  }
}

/** When a wait ends: after its minutes, then at the next local time it names in the customer's zone. */
function wakeAt(step: Extract<JourneyStep, { kind: 'wait' }>, now: Date, zone: string): Date {
  let at = new Date(now.getTime() + (step.minutes ?? 0) * 60_000);
  if (step.untilLocalTime) {
    const local = localTime(at, zone);
    let target = localInstant(local.date, step.untilLocalTime, zone);
    if (target.getTime() <= at.getTime()) {
      const next = new Date(Date.parse(`${local.date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      target = localInstant(next, step.untilLocalTime, zone);
    }
    at = target;
  }
  return at;
}

/** Runs one entry's steps from where it is until a wait or the end. */
async function walk(deps: JourneyEngineDeps, entry: Entry, journeyStatus: string | undefined): Promise<void> {
  const { db, clock } = deps;
  const steps = await stepsOf(db, entry.journeyId, entry.version);
  const byId = new Map(steps.map((step) => [step.id, step]));
  const [record] = await deps.customers([entry.customerId]);
  const finish = async (status: 'completed' | 'exited', stepId: string | null) => {
    await db.updateTable('journeyEntries').set({ status, stepId, wakeAt: null, lockedUntil: null, finishedAt: clock.now(), updatedAt: clock.now() }).where('id', '=', entry.id).execute();
  };
  // An archived journey or a customer gone (erased, merged away): out at the next step.
  if (journeyStatus === 'archived' || !record || record.status !== 'active') return finish('exited', entry.stepId);
  let stepId = entry.stepId;
  for (let taken = 0; stepId !== null && taken < MAX_STEPS_PER_WAKE; taken++) {
    const step = byId.get(stepId);
    if (!step || step.kind === 'exit') return finish(step ? 'exited' : 'completed', stepId);
    let next: string | null;
    switch (step.kind) {
      case 'wait': {
        // Arriving at a wait sets the alarm; waking at it (the step recorded) moves on.
        if (await claimStep(db, clock, entry, step.id, 'waited')) {
          const policy = await deps.policy();
          const until = wakeAt(step, clock.now(), record.timezone ?? policy.defaultTimezone);
          await db.updateTable('journeyEntries').set({ stepId: step.id, wakeAt: until, lockedUntil: null, updatedAt: clock.now() }).where('id', '=', entry.id).execute();
          return;
        }
        next = step.next;
        break;
      }
      case 'condition': {
        const result = await holds(deps, entry, step.if, record);
        await claimStep(db, clock, entry, step.id, result ? 'then' : 'else');
        // A condition redone reads the recorded branch, so a crash cannot send a customer down both.
        const recorded = await db.selectFrom('journeyEntrySteps').select('outcome').where('entryId', '=', entry.id).where('stepId', '=', step.id).executeTakeFirstOrThrow();
        next = recorded.outcome === 'then' ? step.then : step.else;
        break;
      }
      case 'send': {
        if (entry.arm === 'control') {
          await claimStep(db, clock, entry, step.id, 'held_out');
        } else {
          const { template, parts, version } = await deps.templates.version(step.templateId);
          // A code the journey issued, or the one its trigger brought (a birthday offer's).
          const promo = (entry.context.promoCode as { code: string; expiresAt: string | null } | undefined) ??
            (typeof entry.context.code === 'string' ? { code: entry.context.code, expiresAt: null } : undefined);
          await deps.enqueue({
            template: { id: template.id, version, kind: template.kind, purpose: template.purpose, parts },
            source: 'journey',
            sourceId: entry.journeyId,
            items: [{ customerId: entry.customerId, dedupeKey: `journey:${entry.id}:${step.id}`, ...(promo ? { extras: { promoCode: { code: promo.code, discountText: '', expiresAt: promo.expiresAt } } } : {}) }],
          });
          await claimStep(db, clock, entry, step.id, 'sent');
        }
        next = step.next;
        break;
      }
      case 'award_points': {
        if (entry.arm !== 'control') {
          await deps.actions.award(entry.customerId, step.points, `journey:${entry.id}:${step.id}`, step.reason, (tx) => claimStep(tx as unknown as Tx, clock, entry, step.id, 'awarded', { points: step.points }));
        } else await claimStep(db, clock, entry, step.id, 'held_out');
        next = step.next;
        break;
      }
      case 'promo_code': {
        const code = await db.transaction().execute(async (tx) => {
          if (await claimStep(tx, clock, entry, step.id, 'issued')) {
            const validFrom = clock.now();
            const validTo = new Date(validFrom.getTime() + step.validDays * 86_400_000);
            const made = await deps.actions.issueCode(platformTx(tx), { promotionId: step.promotionId, customerId: entry.customerId, validFrom, validTo });
            const detail = { code: made, expiresAt: validTo.toISOString() };
            await tx.updateTable('journeyEntrySteps').set({ detail: JSON.stringify(detail) }).where('entryId', '=', entry.id).where('stepId', '=', step.id).execute();
            return detail;
          }
          const recorded = await tx.selectFrom('journeyEntrySteps').select('detail').where('entryId', '=', entry.id).where('stepId', '=', step.id).executeTakeFirstOrThrow();
          return recorded.detail as { code: string; expiresAt: string };
        });
        entry.context = { ...entry.context, promoCode: code };
        await db.updateTable('journeyEntries').set({ context: JSON.stringify(entry.context) }).where('id', '=', entry.id).execute();
        next = step.next;
        break;
      }
      case 'tag': {
        await deps.actions.tag(entry.customerId, step.tag);
        await claimStep(db, clock, entry, step.id, 'tagged');
        next = step.next;
        break;
      }
      case 'webhook': {
        await db
          .insertInto('webhookDeliveries')
          .values({
            id: deps.ids.next('whd'), webhookId: step.webhookId, eventId: `journey:${entry.id}:${step.id}`, eventType: 'journey.step',
            payload: JSON.stringify({ type: 'journey.step', customerId: entry.customerId, occurredAt: clock.now().toISOString(), data: { journeyId: entry.journeyId, entryId: entry.id, stepId: step.id, context: entry.context } }),
            status: 'pending', nextAttemptAt: clock.now(), createdAt: clock.now(),
          })
          .onConflict((oc) => oc.columns(['webhookId', 'eventId']).doNothing())
          .execute();
        await claimStep(db, clock, entry, step.id, 'called');
        next = step.next;
        break;
      }
    }
    stepId = next;
    await db.updateTable('journeyEntries').set({ stepId, updatedAt: clock.now() }).where('id', '=', entry.id).execute();
  }
  if (stepId === null) return finish('completed', null);
  // Many steps without a wait (a long chain): the rest next run.
  await db.updateTable('journeyEntries').set({ wakeAt: clock.now(), lockedUntil: null }).where('id', '=', entry.id).execute();
}

/** The advance job: entries due, a batch at a time, claimed with SKIP LOCKED. */
export async function advanceJourneys(deps: JourneyEngineDeps, signal?: AbortSignal): Promise<{ advanced: number; failed: number }> {
  const { db, clock } = deps;
  const report = { advanced: 0, failed: 0 };
  while (!signal?.aborted) {
    const now = clock.now();
    const due = (
      await sql<Entry & { journeyStatus: string }>`
        update journey_entries e set locked_until = ${new Date(now.getTime() + CLAIM_MS)}
        from (
          select id from journey_entries
          where status = 'active' and wake_at <= ${now} and (locked_until is null or locked_until <= ${now})
          order by wake_at limit ${BATCH} for update skip locked
        ) due, journeys j
        where e.id = due.id and j.id = e.journey_id
        returning e.id, e.journey_id, e.version, e.customer_id, e.arm, e.step_id, e.context, e.entered_at, j.status as journey_status`.execute(db)
    ).rows;
    if (due.length === 0) break;
    for (const entry of due) {
      if (signal?.aborted) break;
      // A paused journey's entries wait where they are.
      if (entry.journeyStatus === 'paused') {
        await db.updateTable('journeyEntries').set({ wakeAt: new Date(now.getTime() + 15 * 60_000), lockedUntil: null }).where('id', '=', entry.id).execute();
        continue;
      }
      try {
        await walk(deps, { ...entry, enteredAt: new Date(entry.enteredAt) }, entry.journeyStatus);
        report.advanced++;
      } catch (error) {
        // One entry's failure (a template deleted, a promotion ended) waits and is retried; it does not stop the others.
        report.failed++;
        deps.log?.error({ err: error, entryId: entry.id, journeyId: entry.journeyId }, 'journey step failed; it is tried again in 10 minutes');
        await db.updateTable('journeyEntries').set({ wakeAt: new Date(now.getTime() + 10 * 60_000), lockedUntil: null }).where('id', '=', entry.id).execute();
      }
    }
  }
  return report;
}
