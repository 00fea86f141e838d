import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { checkTemplate, surveyIdsIn } from './templates/index.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';
import type { Ids } from './messaging.ids.ts';
import type { MessageKind, MessagePurpose, TemplateParts } from './messaging.tables.ts';
import { templateError } from './templates/index.ts';

/**
 * Message templates: Liquid parts per kind, saved only when every part parses and names only
 * variables and filters the catalogue has (templates/validate.ts). Each change of the parts is
 * a new version, kept: a message names the version it was made from, and a campaign under way
 * keeps the text it started with.
 */
export const templateParts: Record<MessageKind, { required: readonly string[]; optional: readonly string[] }> = {
  email: { required: ['subject', 'text'], optional: ['html'] },
  sms: { required: ['text'], optional: [] },
  push: { required: ['title', 'body'], optional: ['url'] },
  telegram: { required: ['text'], optional: [] },
};

/** Parts whose output is HTML, escaped as it is rendered (`| raw` opts out). */
export const htmlParts = new Set(['html']);

export type TemplateInput = { name: string; kind: MessageKind; purpose: MessagePurpose; topic?: string | null; parts: TemplateParts };
export type TemplateView = {
  id: string;
  name: string;
  kind: MessageKind;
  purpose: MessagePurpose;
  topic: string | null;
  version: number;
  parts: TemplateParts;
  createdAt: string;
  updatedAt: string;
};
export type TemplateVersionView = { version: number; parts: TemplateParts; createdAt: string; createdBy: string | null };

type Row = { id: string; name: string; kind: MessageKind; purpose: MessagePurpose; topic: string | null; version: number; parts: TemplateParts; createdAt: Date; updatedAt: Date };

const view = (row: Row): TemplateView => ({
  id: row.id,
  name: row.name,
  kind: row.kind,
  purpose: row.purpose,
  topic: row.topic,
  version: row.version,
  parts: row.parts,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** The parts a kind takes, present and not unknown; then the Liquid check of each. */
export function checkParts(kind: MessageKind, parts: TemplateParts): void {
  const spec = templateParts[kind];
  const problems: FieldProblem[] = [];
  for (const name of spec.required) if (!parts[name]?.trim()) problems.push({ field: `parts.${name}`, reason: `is required for ${kind} templates` });
  for (const name of Object.keys(parts)) {
    if (!spec.required.includes(name) && !spec.optional.includes(name)) {
      problems.push({ field: `parts.${name}`, reason: `is not a part of ${kind} templates; they have ${[...spec.required, ...spec.optional].join(', ')}` });
    }
  }
  if (problems.length > 0) throw messagingError('messaging.invalid_template', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  const liquid = checkTemplate(parts);
  if (liquid.length > 0) {
    throw templateError(
      'template.invalid',
      liquid.map((p) => p.message).join('; '),
      liquid.map((p) => ({ field: `parts.${p.part}`, reason: p.line !== null ? `line ${p.line}, column ${p.column}: ${p.reason}` : p.reason })),
    );
  }
}

/** Which of these survey ids name no survey (the surveys module, passed by buildApp): a template linking one is refused. */
export type SurveysMissing = (surveyIds: string[]) => Promise<string[]>;

export function createTemplateStore(deps: { db: Db; clock: Clock; ids: Ids; surveysMissing?: SurveysMissing; checkTopic?: (topic: string | null | undefined) => Promise<void> }) {
  const { db, clock, ids } = deps;
  const checkSurveys = async (parts: TemplateParts) => {
    const named = surveyIdsIn(parts);
    const missing = named.length > 0 && deps.surveysMissing ? await deps.surveysMissing(named) : [];
    if (missing.length > 0) {
      throw templateError('template.invalid', `survey_url: no survey ${missing.join(', ')}; GET /v1/surveys lists them`, missing.map((id) => ({ field: 'parts', reason: `survey_url names ${id}, which is no survey` })));
    }
  };
  const load = async (id: string): Promise<Row> => {
    const row = await db.selectFrom('messageTemplates').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw messagingError('messaging.template_not_found', `No template ${id}; GET /v1/templates lists them`);
    return row as Row;
  };
  const named = (error: unknown, name: string): never => {
    if ((error as { code?: string }).code === '23505') throw messagingError('messaging.template_exists', `A template named ${name} exists already`);
    throw error;
  };
  return {
    load,
    /** A draft's parts checked as saving checks them (parts of its kind, Liquid, surveys named), saving nothing: the draft preview's check. */
    async check(kind: MessageKind, parts: TemplateParts): Promise<void> {
      checkParts(kind, parts);
      await checkSurveys(parts);
    },
    /** The parts of one version (a message's, a campaign's): the current one's when `version` is left out. */
    async version(id: string, version?: number): Promise<{ template: TemplateView; parts: TemplateParts; version: number }> {
      const template = view(await load(id));
      if (version === undefined || version === template.version) return { template, parts: template.parts, version: template.version };
      const row = await db.selectFrom('messageTemplateVersions').selectAll().where('templateId', '=', id).where('version', '=', version).executeTakeFirst();
      if (!row) throw messagingError('messaging.template_not_found', `Template ${id} has no version ${version}; it is at version ${template.version}`);
      return { template, parts: row.parts, version };
    },
    async create(input: TemplateInput, actor: Actor): Promise<TemplateView> {
      checkParts(input.kind, input.parts);
      await checkSurveys(input.parts);
      await deps.checkTopic?.(input.topic);
      const now = clock.now();
      try {
        return await db.transaction().execute(async (tx) => {
          const row = await tx
            .insertInto('messageTemplates')
            .values({ id: ids.next('tpl'), name: input.name, kind: input.kind, purpose: input.purpose, topic: input.topic ?? null, version: 1, parts: JSON.stringify(input.parts), createdAt: now, updatedAt: now })
            .returningAll()
            .executeTakeFirstOrThrow();
          await tx.insertInto('messageTemplateVersions').values({ templateId: row.id, version: 1, parts: JSON.stringify(input.parts), createdAt: now, createdBy: actor.name }).execute();
          await writeAudit(tx, clock, actor, { action: 'template.create', entityType: 'template', entityId: row.id, details: { kind: row.kind, purpose: row.purpose } });
          return view(row as Row);
        });
      } catch (error) {
        return named(error, input.name);
      }
    },
    get: async (id: string) => view(await load(id)),
    async list(limit: number, cursor?: string): Promise<Page<TemplateView>> {
      const after = decodeCursor(cursor, isIdKey('tpl'));
      let query = db.selectFrom('messageTemplates').selectAll().orderBy('id').limit(limit + 1);
      if (after) query = query.where('id', '>', after);
      const page = pageOf((await query.execute()) as Row[], limit, (row) => row.id);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
    /** The template merged with a change: new parts make a new version; the kind is fixed. */
    async replace(id: string, merged: TemplateInput, actor: Actor): Promise<TemplateView> {
      const current = await load(id);
      if (merged.kind !== current.kind) throw messagingError('messaging.invalid_template', `kind: a template's kind cannot change (it is ${current.kind}); create a ${merged.kind} template instead`);
      checkParts(current.kind, merged.parts);
      await checkSurveys(merged.parts);
      // A topic kept as it was stays valid; a new one must be defined.
      if ((merged.topic ?? null) !== current.topic) await deps.checkTopic?.(merged.topic);
      const changed = JSON.stringify(merged.parts) !== JSON.stringify(current.parts);
      const now = clock.now();
      try {
        return await db.transaction().execute(async (tx) => {
          // The version is counted in SQL: two saves at once make two versions, not one twice.
          const row = await tx
            .updateTable('messageTemplates')
            .set((eb) => ({
              name: merged.name, purpose: merged.purpose, topic: merged.topic ?? null, parts: JSON.stringify(merged.parts), updatedAt: now,
              version: changed ? eb('version', '+', 1) : eb.ref('version'),
            }))
            .where('id', '=', id)
            .returningAll()
            .executeTakeFirstOrThrow();
          if (changed) await tx.insertInto('messageTemplateVersions').values({ templateId: id, version: row.version, parts: JSON.stringify(merged.parts), createdAt: now, createdBy: actor.name }).execute();
          await writeAudit(tx, clock, actor, { action: 'template.update', entityType: 'template', entityId: id, details: { version: row.version } });
          return view(row as Row);
        });
      } catch (error) {
        return named(error, merged.name);
      }
    },
    async remove(id: string, actor: Actor): Promise<TemplateView> {
      const current = view(await load(id));
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('messageTemplates').where('id', '=', id).execute();
        await writeAudit(tx, clock, actor, { action: 'template.delete', entityType: 'template', entityId: id, details: {} });
      });
      return current;
    },
    async versions(id: string, limit: number, cursor?: string): Promise<Page<TemplateVersionView>> {
      await load(id);
      const after = decodeCursor(cursor, (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 0);
      let query = db.selectFrom('messageTemplateVersions').selectAll().where('templateId', '=', id).orderBy('version', 'desc').limit(limit + 1);
      if (after) query = query.where('version', '<', after);
      const page = pageOf(await query.execute(), limit, (row) => row.version);
      return { items: page.items.map((row) => ({ version: row.version, parts: row.parts, createdAt: row.createdAt.toISOString(), createdBy: row.createdBy })), nextCursor: page.nextCursor };
    },
  };
}

export type TemplateStore = ReturnType<typeof createTemplateStore>;
