import { randomBytes } from 'node:crypto';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { checkDefinition, type JourneyStep, type JourneyTrigger } from './journey-definition.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { Ids } from './messaging.ids.ts';
import type { JourneyStatus } from './messaging.tables.ts';
import type { TemplateStore } from './template-store.ts';
import { recipe, recipeNames, type Language, type RecipeName } from './journey-recipes.ts';

/**
 * Journeys: saved as a draft, switched on (active: customers enter on the trigger), paused (no
 * one enters; those inside carry on), archived (no one enters; those inside leave at their next
 * step). Each change of the trigger or steps is a new version: a customer inside keeps walking
 * the version they entered.
 */
export type JourneyInput = {
  name: string;
  trigger: JourneyTrigger;
  steps: JourneyStep[];
  reentry?: 'never' | 'always' | 'after_days';
  reentryDays?: number | null;
  controlShareBp?: number;
};

export type JourneyView = {
  id: string;
  name: string;
  status: JourneyStatus;
  version: number;
  trigger: JourneyTrigger;
  steps: JourneyStep[];
  reentry: 'never' | 'always' | 'after_days';
  reentryDays: number | null;
  controlShareBp: number;
  createdAt: string;
  updatedAt: string;
};

type Row = { id: string; name: string; status: JourneyStatus; version: number; trigger: JourneyTrigger; steps: JourneyStep[]; reentry: JourneyView['reentry']; reentryDays: number | null; controlShareBp: number; salt: string; createdAt: Date; updatedAt: Date };

export const journeyView = (row: Row): JourneyView => ({
  id: row.id,
  name: row.name,
  status: row.status,
  version: row.version,
  trigger: row.trigger,
  steps: row.steps,
  reentry: row.reentry,
  reentryDays: row.reentryDays,
  controlShareBp: row.controlShareBp,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

export type JourneyRefs = {
  templates: TemplateStore;
  segmentExists: (segmentId: string) => Promise<boolean>;
  promotionExists: (promotionId: string) => Promise<boolean>;
  webhookExists: (webhookId: string) => Promise<boolean>;
};

/** `templateExists`: whether a send step's template is there (a recipe's, not yet saved, are checked by their keys). */
async function check(refs: JourneyRefs, input: JourneyInput, templateExists = async (id: string) => (await refs.templates.load(id).catch(() => null)) !== null): Promise<FieldProblem[]> {
  const problems = checkDefinition({ trigger: input.trigger, steps: input.steps });
  if ((input.reentry ?? 'never') === 'after_days' && !(Number.isInteger(input.reentryDays) && input.reentryDays! >= 1)) {
    problems.push({ field: 'reentryDays', reason: 'is required with reentry after_days: whole days, 1 or more' });
  }
  // An id left empty (a builder's step not yet filled in) is said as missing, not as "no template ".
  const missing = (what: string, id: string) => (id ? `no ${what} ${id}` : `is required: choose the ${what}`);
  if (input.trigger.segmentId && !(await refs.segmentExists(input.trigger.segmentId))) problems.push({ field: 'trigger.segmentId', reason: missing('segment', input.trigger.segmentId) });
  for (const [i, step] of input.steps.entries()) {
    if (step.kind === 'send' && !(await templateExists(step.templateId))) problems.push({ field: `steps.${i}.templateId`, reason: missing('template', step.templateId) });
    if (step.kind === 'condition' && step.if.kind === 'segment' && !(await refs.segmentExists(step.if.segmentId))) problems.push({ field: `steps.${i}.if.segmentId`, reason: missing('segment', step.if.segmentId) });
    if (step.kind === 'promo_code' && !(await refs.promotionExists(step.promotionId))) problems.push({ field: `steps.${i}.promotionId`, reason: missing('promotion', step.promotionId) });
    if (step.kind === 'webhook' && !(await refs.webhookExists(step.webhookId))) problems.push({ field: `steps.${i}.webhookId`, reason: missing('webhook', step.webhookId) });
  }
  return problems;
}

export function createJourneys(deps: { db: Db; clock: Clock; ids: Ids; refs: JourneyRefs }) {
  const { db, clock, ids } = deps;
  const load = async (id: string): Promise<Row> => {
    const row = await db.selectFrom('journeys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw messagingError('messaging.journey_not_found', `No journey ${id}; GET /v1/journeys lists them`);
    return row as unknown as Row;
  };
  const validate = async (input: JourneyInput, templateExists?: (id: string) => Promise<boolean>) => {
    const problems = await check(deps.refs, input, templateExists);
    if (problems.length > 0) throw messagingError('messaging.invalid_journey', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  };
  const setStatus = async (id: string, from: JourneyStatus[], to: JourneyStatus, actor: Actor): Promise<JourneyView> => {
    const changed = await db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable('journeys')
        .set({ status: to, updatedAt: clock.now(), ...(to === 'active' ? { activeSince: clock.now() } : {}) })
        .where('id', '=', id)
        .where('status', 'in', from)
        .returningAll()
        .executeTakeFirst();
      if (row) await writeAudit(tx, clock, actor, { action: `journey.${to}`, entityType: 'journey', entityId: id, details: {} });
      return row;
    });
    if (!changed) {
      const current = await load(id);
      throw messagingError('messaging.journey_state', `Journey ${id} is ${current.status}; it can be made ${to} only when ${from.join(' or ')}`);
    }
    return journeyView(changed as unknown as Row);
  };
  return {
    load,
    async create(input: JourneyInput, actor: Actor): Promise<JourneyView> {
      await validate(input);
      const now = clock.now();
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .insertInto('journeys')
          .values({
            id: ids.next('jrn'), name: input.name, status: 'draft', version: 1, trigger: JSON.stringify(input.trigger), steps: JSON.stringify(input.steps),
            reentry: input.reentry ?? 'never', reentryDays: input.reentryDays ?? null, controlShareBp: input.controlShareBp ?? 1000,
            salt: randomBytes(12).toString('base64url'), createdAt: now, updatedAt: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        await tx.insertInto('journeyVersions').values({ journeyId: row.id, version: 1, trigger: JSON.stringify(input.trigger), steps: JSON.stringify(input.steps), createdAt: now }).execute();
        await writeAudit(tx, clock, actor, { action: 'journey.create', entityType: 'journey', entityId: row.id, details: { trigger: input.trigger.event } });
        return journeyView(row as unknown as Row);
      });
    },
    get: async (id: string) => journeyView(await load(id)),
    async list(limit: number, cursor?: string): Promise<Page<JourneyView>> {
      const after = decodeCursor(cursor, isIdKey('jrn'));
      let query = db.selectFrom('journeys').selectAll().orderBy('id').limit(limit + 1);
      if (after) query = query.where('id', '>', after);
      const page = pageOf((await query.execute()) as unknown as Row[], limit, (row) => row.id);
      return { items: page.items.map(journeyView), nextCursor: page.nextCursor };
    },
    /** The merged journey: a changed trigger or steps is a new version (customers inside keep theirs). */
    async replace(id: string, input: JourneyInput, actor: Actor): Promise<JourneyView> {
      const current = await load(id);
      if (current.status === 'archived') throw messagingError('messaging.journey_state', `Journey ${id} is archived; make a new one`);
      await validate(input);
      const changed = JSON.stringify(input.trigger) !== JSON.stringify(current.trigger) || JSON.stringify(input.steps) !== JSON.stringify(current.steps);
      const now = clock.now();
      return db.transaction().execute(async (tx) => {
        const row = await tx
          .updateTable('journeys')
          .set((eb) => ({
            name: input.name, trigger: JSON.stringify(input.trigger), steps: JSON.stringify(input.steps), reentry: input.reentry ?? 'never', reentryDays: input.reentryDays ?? null,
            controlShareBp: input.controlShareBp ?? 1000, updatedAt: now, version: changed ? eb('version', '+', 1) : eb.ref('version'),
          }))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        if (changed) await tx.insertInto('journeyVersions').values({ journeyId: id, version: row.version, trigger: JSON.stringify(input.trigger), steps: JSON.stringify(input.steps), createdAt: now }).execute();
        await writeAudit(tx, clock, actor, { action: 'journey.update', entityType: 'journey', entityId: id, details: { version: row.version } });
        return journeyView(row as unknown as Row);
      });
    },
    async remove(id: string, actor: Actor): Promise<JourneyView> {
      const current = journeyView(await load(id));
      if (current.status === 'active') throw messagingError('messaging.journey_state', `Journey ${id} is active; archive it first`);
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('journeys').where('id', '=', id).execute();
        await writeAudit(tx, clock, actor, { action: 'journey.delete', entityType: 'journey', entityId: id, details: {} });
      });
      return current;
    },
    /** A journey's entries, newest first, each with the steps it took. */
    async entries(id: string, query: { limit: number; cursor?: string; status?: 'active' | 'completed' | 'exited' }) {
      await load(id);
      const after = decodeCursor(query.cursor, isIdKey('jen'));
      let q = db.selectFrom('journeyEntries').selectAll().where('journeyId', '=', id).orderBy('id', 'desc').limit(query.limit + 1);
      if (query.status) q = q.where('status', '=', query.status);
      if (after) q = q.where('id', '<', after);
      const page = pageOf(await q.execute(), query.limit, (row) => row.id);
      const taken = page.items.length === 0 ? [] : await db.selectFrom('journeyEntrySteps').select(['entryId', 'stepId', 'outcome', 'at']).where('entryId', 'in', page.items.map((e) => e.id)).orderBy('at').execute();
      return {
        items: page.items.map((e) => ({
          id: e.id, customerId: e.customerId, version: e.version, arm: e.arm, status: e.status, stepId: e.stepId, wakeAt: e.wakeAt?.toISOString() ?? null,
          enteredAt: e.enteredAt.toISOString(), finishedAt: e.finishedAt?.toISOString() ?? null,
          steps: taken.filter((t) => t.entryId === e.id).map((t) => ({ stepId: t.stepId, outcome: t.outcome, at: t.at.toISOString() })),
        })),
        nextCursor: page.nextCursor,
      };
    },
    /** A ready-made journey: its templates saved (named after it; a taken name gets a number), then the journey as a draft. */
    async fromRecipe(name: RecipeName, options: { language?: Language; promotionId?: string; surveyId?: string }, actor: Actor): Promise<JourneyView> {
      const made = recipe(name, options.language ?? 'ru', { ...(options.promotionId ? { promotionId: options.promotionId } : {}), ...(options.surveyId ? { surveyId: options.surveyId } : {}) });
      const input = (steps: JourneyStep[]): JourneyInput => ({ name: made.name, trigger: made.trigger, steps, reentry: made.reentry, ...(made.reentryDays ? { reentryDays: made.reentryDays } : {}) });
      // Checked before anything is saved (a promotion that does not exist): a refused recipe leaves no templates behind.
      await validate(input(made.steps), async (key) => key in made.templates);
      const templateIds = new Map<string, string>();
      for (const [key, template] of Object.entries(made.templates)) {
        for (let n = 1; ; n++) {
          try {
            const saved = await deps.refs.templates.create({ ...template, name: n === 1 ? template.name : `${template.name} ${n}` }, actor);
            templateIds.set(key, saved.id);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== 'messaging.template_exists' || n >= 50) throw error;
          }
        }
      }
      const steps = made.steps.map((step) => (step.kind === 'send' ? { ...step, templateId: templateIds.get(step.templateId)! } : step));
      return this.create(input(steps), actor);
    },
    /** The ready-made journeys in their fixed order, paged like every list (the cursor: the last recipe's name). */
    recipes(limit: number, cursor?: string) {
      const after = decodeCursor(cursor, (value: unknown): value is RecipeName => recipeNames.includes(value as RecipeName));
      const from = after === undefined ? 0 : recipeNames.indexOf(after) + 1;
      const all = recipeNames.slice(from, from + limit + 1).map((key) => {
        const made = recipe(key, 'en');
        return { recipe: key, name: made.name, description: made.description, trigger: made.trigger };
      });
      return pageOf(all, limit, (item) => item.recipe);
    },
    activate: (id: string, actor: Actor) => setStatus(id, ['draft', 'paused'], 'active', actor),
    pause: (id: string, actor: Actor) => setStatus(id, ['active'], 'paused', actor),
    archive: (id: string, actor: Actor) => setStatus(id, ['draft', 'active', 'paused'], 'archived', actor),
  };
}

export type Journeys = ReturnType<typeof createJourneys>;
