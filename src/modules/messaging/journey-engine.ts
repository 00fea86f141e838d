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
/** Entries walked a batch: every step of a batch is a few statements, so the bigger the batch the fewer a walked entry costs. */
const BATCH = 1000;
const MAX_STEPS_PER_WAKE = 50;
const ENTER_CHUNK = 5000;

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
  /** Told after a batch of events entered customers: the walking job is woken to walk them while the next batch enters. */
  entered?: () => void;
};

type ActiveJourney = { id: string; version: number; trigger: JourneyTrigger; steps: JourneyStep[]; reentry: 'never' | 'always' | 'after_days'; reentryDays: number | null; controlShareBp: number; salt: string; activeSince: Date | null };

function matches(trigger: JourneyTrigger, event: OutboxRow): boolean {
  if (trigger.event !== event.type) return false;
  if (trigger.event === 'customer.action') return event.payload.type === trigger.actionType;
  if (trigger.event === 'segment.entered') return event.payload.segmentId === trigger.segmentId;
  return true;
}

type Candidate = { customerId: string; triggerKey: string; context: Record<string, unknown> };

/**
 * Enters many customers into one journey in one statement. The re-entry rule is a NOT EXISTS
 * over earlier entries; the unique keys do the rest: an event that entered before (trigger key)
 * or a customer inside the journey now (one active entry) enters nothing, which also settles two
 * events of one customer in the same batch.
 */
async function enterMany(deps: JourneyEngineDeps, journey: ActiveJourney, candidates: Candidate[]): Promise<number> {
  if (candidates.length === 0) return 0;
  // A day's lapsed customers can be many: a statement of arrays stays a sensible size.
  if (candidates.length > ENTER_CHUNK) return (await enterMany(deps, journey, candidates.slice(0, ENTER_CHUNK))) + (await enterMany(deps, journey, candidates.slice(ENTER_CHUNK)));
  const { db, clock, ids } = deps;
  const now = clock.now();
  const arms = candidates.map((c) => assignVariant(c.customerId, journey.salt, [{ key: 'control', weight: journey.controlShareBp }, { key: 'journey', weight: 10_000 - journey.controlShareBp }]));
  const since = journey.reentry === 'after_days' ? sql`and p.entered_at > ${new Date(now.getTime() - (journey.reentryDays ?? 0) * 86_400_000)}` : sql``;
  const notBefore = journey.reentry === 'always' ? sql`` : sql`where not exists (select 1 from journey_entries p where p.journey_id = ${journey.id} and p.customer_id = t.customer_id ${since})`;
  const inserted = await sql<{ id: string }>`
    insert into journey_entries (id, journey_id, version, customer_id, arm, trigger_key, status, step_id, wake_at, locked_until, context, entered_at, updated_at, finished_at)
    select t.id, ${journey.id}, ${journey.version}, t.customer_id, t.arm, t.trigger_key, 'active', ${journey.steps[0]!.id}, ${now}, null, t.context::jsonb, ${now}, ${now}, null
    from unnest(${candidates.map(() => ids.next('jen'))}::text[], ${candidates.map((c) => c.customerId)}::text[], ${arms}::text[],
      ${candidates.map((c) => c.triggerKey)}::text[], ${candidates.map((c) => JSON.stringify(c.context))}::text[]) with ordinality as t(id, customer_id, arm, trigger_key, context, n)
    ${notBefore}
    order by t.n
    on conflict do nothing
    returning id`.execute(db);
  return inserted.rows.length;
}

async function activeJourneys(db: Db): Promise<ActiveJourney[]> {
  return (await db.selectFrom('journeys').select(['id', 'version', 'trigger', 'steps', 'reentry', 'reentryDays', 'controlShareBp', 'salt', 'activeSince']).where('status', '=', 'active').execute()) as unknown as ActiveJourney[];
}

/** The consumer: events in, entries out. */
export async function enterJourneys(deps: JourneyEngineDeps, signal?: AbortSignal, woken = false): Promise<{ events: number; entered: number }> {
  let entered = 0;
  const { events } = await consumeOutbox(
    deps.db,
    deps.clock,
    {
      name: CONSUMER,
      types: ['customer.created', 'receipt.confirmed', 'points.expiring', 'tier.changed', 'customer.birthday', 'segment.entered', 'customer.action'],
      // Events entered a batch: each journey's entries of a batch are one statement.
      batch: 2000,
      async handle(rows) {
        const journeys = await activeJourneys(deps.db);
        if (journeys.length === 0) return true;
        if (signal?.aborted) return false;
        const before = entered;
        for (const journey of journeys) {
          const candidates: Candidate[] = [];
          for (const row of rows) {
            const customerId = row.customerId ?? (typeof row.payload.customerId === 'string' ? row.payload.customerId : null);
            // An event from before the journey was switched on enters no one (the consumer may read it later).
            if (!customerId || (journey.activeSince && new Date(row.occurredAt).getTime() < new Date(journey.activeSince).getTime())) continue;
            if (matches(journey.trigger, row)) candidates.push({ customerId, triggerKey: row.eventId, context: { event: row.type, ...row.payload } });
          }
          entered += await enterMany(deps, journey, candidates);
        }
        if (entered > before) deps.entered?.();
        return true;
      },
    },
    signal,
    { woken },
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
    const lapsed = await deps.actions.lapsed(from, to);
    entered += await enterMany(
      deps,
      journey,
      lapsed.map(({ customerId, lastAt }) => ({ customerId, triggerKey: `no_purchase:${customerId}:${lastAt.toISOString()}`, context: { event: 'no_purchase', days, lastPurchaseAt: lastAt.toISOString() } })),
    );
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

/** Where a step leaves an entry: on to another step (null: the end), asleep until an instant, or out. */
type StepResult = { next: string | null } | { sleep: Date } | { finish: 'completed' | 'exited' } | { failed: unknown };
type Walker = Entry & { record: CustomerRecord; taken: number };

/** Records a step for many entries at once; answers the entries recorded now (not before a crash). */
async function claimSteps(db: Db, clock: Clock, stepId: string, rows: Array<{ entry: Entry; outcome: string }>): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await sql<{ entryId: string }>`
    insert into journey_entry_steps (entry_id, step_id, customer_id, outcome, detail, at)
    select e, ${stepId}, c, o, '{}'::jsonb, ${clock.now()}
    from unnest(${rows.map((r) => r.entry.id)}::text[], ${rows.map((r) => r.entry.customerId)}::text[], ${rows.map((r) => r.outcome)}::text[]) as t(e, c, o)
    on conflict (entry_id, step_id) do nothing
    returning entry_id`.execute(db);
  return new Set(inserted.rows.map((row) => row.entryId));
}

/**
 * One step for the entries standing at it, together: the waits, conditions and sends of a batch
 * are a few statements whatever its size (a send is one enqueue of all its messages). Points,
 * codes, tags and webhook calls go entry by entry, each in its own transaction.
 */
async function takeStep(deps: JourneyEngineDeps, step: JourneyStep, walkers: Walker[]): Promise<Map<string, StepResult>> {
  const { db, clock } = deps;
  const results = new Map<string, StepResult>();
  switch (step.kind) {
    case 'exit':
      for (const w of walkers) results.set(w.id, { finish: 'exited' });
      return results;
    case 'wait': {
      // Arriving at a wait sets the alarm; waking at it (the step recorded) moves on.
      const arriving = await claimSteps(db, clock, step.id, walkers.map((entry) => ({ entry, outcome: 'waited' })));
      const policy = arriving.size > 0 ? await deps.policy() : null;
      for (const w of walkers) results.set(w.id, arriving.has(w.id) ? { sleep: wakeAt(step, clock.now(), w.record.timezone ?? policy!.defaultTimezone) } : { next: step.next });
      return results;
    }
    case 'condition': {
      const decided: Array<{ entry: Entry; outcome: string }> = [];
      for (const w of walkers) decided.push({ entry: w, outcome: (await holds(deps, w, step.if, w.record)) ? 'then' : 'else' });
      // A condition redone reads the recorded branch, so a crash cannot send a customer down both:
      // the branches recorded now and those recorded before, in one statement (the insert's rows are
      // not visible to the same statement's select, so each entry's row comes from one side or the other).
      const recorded = await sql<{ entryId: string; outcome: string }>`
        with decided as (
          insert into journey_entry_steps (entry_id, step_id, customer_id, outcome, detail, at)
          select e, ${step.id}, c, o, '{}'::jsonb, ${clock.now()}
          from unnest(${decided.map((d) => d.entry.id)}::text[], ${decided.map((d) => d.entry.customerId)}::text[], ${decided.map((d) => d.outcome)}::text[]) as t(e, c, o)
          on conflict (entry_id, step_id) do nothing
          returning entry_id, outcome
        )
        select entry_id, outcome from decided
        union all
        select entry_id, outcome from journey_entry_steps where step_id = ${step.id} and entry_id = any(${walkers.map((w) => w.id)}::text[])`.execute(db);
      for (const row of recorded.rows) results.set(row.entryId, { next: row.outcome === 'then' ? step.then : step.else });
      return results;
    }
    case 'send': {
      const [held, sending] = [walkers.filter((w) => w.arm === 'control'), walkers.filter((w) => w.arm !== 'control')];
      await claimSteps(db, clock, step.id, held.map((entry) => ({ entry, outcome: 'held_out' })));
      if (sending.length > 0) {
        const { template, parts, version } = await deps.templates.version(step.templateId);
        await deps.enqueue({
          template: { id: template.id, version, kind: template.kind, purpose: template.purpose, parts },
          source: 'journey',
          sourceId: sending[0]!.journeyId,
          items: sending.map((w) => {
            // A code the journey issued, or the one its trigger brought (a birthday offer's).
            const promo = (w.context.promoCode as { code: string; expiresAt: string | null } | undefined) ?? (typeof w.context.code === 'string' ? { code: w.context.code, expiresAt: null } : undefined);
            return { customerId: w.customerId, dedupeKey: `journey:${w.id}:${step.id}`, ...(promo ? { extras: { promoCode: { code: promo.code, discountText: '', expiresAt: promo.expiresAt } } } : {}) };
          }),
          records: sending.map((w) => w.record),
          // Rendered when sent, as a campaign's are: the walk decides, the sender writes the text.
          renderWhenSent: true,
        });
        await claimSteps(db, clock, step.id, sending.map((entry) => ({ entry, outcome: 'sent' })));
      }
      for (const w of walkers) results.set(w.id, { next: step.next });
      return results;
    }
    default:
      for (const w of walkers) {
        try {
          results.set(w.id, { next: await actOne(deps, step, w) });
        } catch (error) {
          results.set(w.id, { failed: error });
        }
      }
      return results;
  }
}

/** The steps that act on one customer in their own transaction; answers the next step. */
async function actOne(deps: JourneyEngineDeps, step: Extract<JourneyStep, { kind: 'award_points' | 'promo_code' | 'tag' | 'webhook' }>, entry: Entry): Promise<string | null> {
  const { db, clock } = deps;
  switch (step.kind) {
    case 'award_points': {
      if (entry.arm !== 'control') {
        await deps.actions.award(entry.customerId, step.points, `journey:${entry.id}:${step.id}`, step.reason, (tx) => claimStep(tx as unknown as Tx, clock, entry, step.id, 'awarded', { points: step.points }));
      } else await claimStep(db, clock, entry, step.id, 'held_out');
      return step.next;
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
      return step.next;
    }
    case 'tag': {
      await deps.actions.tag(entry.customerId, step.tag);
      await claimStep(db, clock, entry, step.id, 'tagged');
      return step.next;
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
      return step.next;
    }
  }
}

type Outcomes = { finished: Array<{ id: string; status: 'completed' | 'exited'; stepId: string | null }>; asleep: Array<{ id: string; stepId: string | null; at: Date }> };

/** What a round of steps did to the entries that stopped walking, in one statement: which ended, which sleep and until when. */
async function saveOutcomes(db: Db, clock: Clock, { finished, asleep }: Outcomes): Promise<void> {
  if (finished.length + asleep.length === 0) return;
  const now = clock.now();
  const rows = [
    ...finished.map((f) => ({ id: f.id, status: f.status as string | null, stepId: f.stepId, at: null as string | null })),
    // Asleep: the status stays as it is (active), the alarm is set.
    ...asleep.map((a) => ({ id: a.id, status: null, stepId: a.stepId, at: a.at.toISOString() })),
  ];
  await sql`update journey_entries e set status = coalesce(v.status, e.status), step_id = v.step_id, wake_at = v.at, locked_until = null,
      finished_at = case when v.status is null then e.finished_at else ${now} end, updated_at = ${now}
    from unnest(${rows.map((r) => r.id)}::text[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => r.stepId)}::text[], ${rows.map((r) => r.at)}::timestamptz[]) as v(id, status, step_id, at)
    where e.id = v.id`.execute(db);
}

/**
 * Walks a batch of entries from where each stands until a wait or the end, a round of steps at
 * a time: the entries at the same step of the same journey version take it together. An entry
 * that stops (ends, falls asleep at a wait, or fails a step) is saved after the round it stopped
 * in. One that walks on is not saved at each step it passes (a statement a round, a fifth of a
 * walk's time): after a crash it is taken again from where it stood when claimed, and each step
 * it had taken is recorded (journey_entry_steps), so redone it acts not again but gives the
 * recorded answer: a condition its branch, a send its message's key, points and codes their
 * record. Only a wait is recorded as it is reached, and it is saved asleep in that same round.
 */
async function walkMany(deps: JourneyEngineDeps, entries: Array<Entry & { journeyStatus: string }>, report: { advanced: number; failed: number }): Promise<void> {
  const { db, clock } = deps;
  const records = new Map((await deps.customers([...new Set(entries.map((e) => e.customerId))])).map((record) => [record.id, record]));
  let walking: Walker[] = [];
  const out: Outcomes = { finished: [], asleep: [] };
  for (const entry of entries) {
    const record = records.get(entry.customerId);
    // A paused journey's entries wait where they are.
    if (entry.journeyStatus === 'paused') out.asleep.push({ id: entry.id, stepId: entry.stepId, at: new Date(clock.now().getTime() + 15 * 60_000) });
    // An archived journey or a customer gone (erased, merged away): out at the next step.
    else if (entry.journeyStatus === 'archived' || !record || record.status !== 'active') out.finished.push({ id: entry.id, status: 'exited', stepId: entry.stepId });
    else walking.push({ ...entry, record, taken: 0 });
  }
  while (walking.length > 0) {
    const round: Outcomes = { finished: [], asleep: [] };
    const onward: Walker[] = [];
    const atStep = new Map<string, Walker[]>();
    for (const w of walking) {
      const key = `${w.journeyId}@${w.version}@${w.stepId}`;
      const group = atStep.get(key);
      if (group) group.push(w);
      else atStep.set(key, [w]);
    }
    for (const group of atStep.values()) {
      const first = group[0]!;
      const step = (await stepsOf(db, first.journeyId, first.version)).find((s) => s.id === first.stepId);
      if (!step) {
        for (const w of group) round.finished.push({ id: w.id, status: 'completed', stepId: w.stepId });
        continue;
      }
      let results: Map<string, StepResult>;
      try {
        results = await takeStep(deps, step, group);
      } catch (error) {
        results = new Map(group.map((w) => [w.id, { failed: error }]));
      }
      for (const w of group) {
        const result = results.get(w.id) ?? { next: null };
        if ('failed' in result) {
          // A step that fails (a template deleted, a promotion ended) is tried again in 10 minutes; the others go on.
          report.failed++;
          deps.log?.error({ err: result.failed, entryId: w.id, journeyId: w.journeyId, stepId: step.id }, 'journey step failed; it is tried again in 10 minutes');
          round.asleep.push({ id: w.id, stepId: w.stepId, at: new Date(clock.now().getTime() + 10 * 60_000) });
          continue;
        }
        if ('finish' in result || 'sleep' in result || result.next === null || w.taken + 1 >= MAX_STEPS_PER_WAKE) report.advanced++;
        if ('finish' in result) round.finished.push({ id: w.id, status: result.finish, stepId: w.stepId });
        else if ('sleep' in result) round.asleep.push({ id: w.id, stepId: w.stepId, at: result.sleep });
        else if (result.next === null) round.finished.push({ id: w.id, status: 'completed', stepId: null });
        // Many steps without a wait (a long chain): the rest next run.
        else if (++w.taken >= MAX_STEPS_PER_WAKE) round.asleep.push({ id: w.id, stepId: result.next, at: clock.now() });
        else {
          w.stepId = result.next;
          onward.push(w);
        }
      }
    }
    await saveOutcomes(db, clock, round);
    walking = onward;
  }
  report.advanced += out.finished.length;
  await saveOutcomes(db, clock, out);
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
    await walkMany(deps, due.map((entry) => ({ ...entry, enteredAt: new Date(entry.enteredAt) })), report);
  }
  return report;
}
